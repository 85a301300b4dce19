// Every error's sentence, in one place: the Rust side sends `{kind, message, …}`, and this
// module says it in the window's language, with the technical side for the details line.

import { t, hasText, formatDuration, formatNumber } from './i18n.js';

/// The technical side of an error, for the details line under its sentence: an HTTP status,
/// what the server or the system said. Empty when there is nothing to add.
export function errorDetails(error) {
  if (!error || typeof error !== 'object') return '';
  const parts = [];
  if (error.status != null) parts.push(`HTTP ${error.status}`);
  if (error.detail) parts.push(error.detail);
  if (error.messages?.length) parts.push(error.messages.join('; '));
  // A delivery command's own words (screened by the Rust side).
  if (error.output) parts.push(error.output);
  return parts.join(' · ');
}

/// How a delivery command failed, in a few words: for a result's details line and for the
/// sentence of one that failed before the rotation.
export function deliveryFailureText(failure) {
  if (!failure) return '';
  return {
    notFound: () => t('delivery.failure.notFound', { program: failure.program }),
    exited: () => t('delivery.failure.exited', { code: failure.code }),
    killed: () => t('delivery.failure.killed', { signal: failure.signal }),
    timedOut: () => t('delivery.failure.timedOut', { seconds: failure.seconds }),
    leftUnread: () => t('delivery.failure.leftUnread'),
    batchFile: () => t('delivery.failure.batchFile'),
    implausibleKey: () => t('delivery.failure.implausibleKey'),
    cannotKeep: () => t(`delivery.failure.cannotKeep.${failure.what}`),
    envFile: () => t(`delivery.failure.envFile.${failure.problem}`),
    failed: () => failure.detail || t('delivery.failure.failed'),
  }[failure.kind]?.() || failure.kind;
}

/// The sentence for an error the Rust side sent as `{kind, message, …}`.
export function errorText(error) {
  if (!error || typeof error !== 'object') return t('error.unknown', { message: String(error) });
  switch (error.kind) {
    case 'RateLimited':
      return error.retryAfterS ? t('error.RateLimited', { seconds: error.retryAfterS }) : t('error.RateLimitedNoWait');
    case 'Network':
      return error.timedOut ? t('error.NetworkTimeout') : t('error.Network');
    case 'Certificate':
      return t(`error.Certificate.${error.problem}`);
    case 'Proxy':
      return t(`error.Proxy.${error.problem}`);
    case 'ClockAhead':
      return t('error.ClockAhead', { minutes: formatNumber(error.minutes) });
    case 'ExportFailed':
      return t('error.ExportFailed', { path: error.path });
    case 'UpdateWaits':
      return t(`error.UpdateWaits.${error.reason}`);

    case 'Confirmation':
    case 'RotationOutcomeUnknown':
    case 'SessionEndsTooSoon':
    case 'RotationOutcomeUnreadable':
    case 'RotatedWithoutSecret':
    case 'RotatedClipboardFailed':
    case 'DeliveryNotReady':
      return rotationErrorText(error);
    case 'InvalidInput': {
      const key = `invalid.${error.field}.${error.reason}`;
      return hasText(key) ? t(key) : t('invalid.other', { field: error.field });
    }
    default:
      return hasText(`error.${error.kind}`) ? t(`error.${error.kind}`) : t('error.unknown', { message: error.message || error.kind });
  }
}

/// What a rotation's refusal or outcome means for the user: which key works now, and what to
/// do. The rules live here, beside every other error's sentence.
function rotationErrorText(error) {
  switch (error.kind) {
    case 'Confirmation':
      return t(`confirm.${error.reason}`);
    case 'RotationOutcomeUnknown':
    case 'RotationOutcomeUnreadable':
      // Rust's verdict (rotated after all, not rotated, …); a "not rotated" says what the whole
      // schedule saw.
      return t(`rotate.${error.verdict}`, { checks: formatNumber(error.checks), span: formatDuration(error.checkedForS) });
    case 'SessionEndsTooSoon':
      return t(error.renewable ? 'rotate.tooSoonRenew' : 'rotate.tooSoon', { left: formatDuration(error.leftS), needed: formatDuration(error.neededS) });
    case 'RotatedWithoutSecret':
      return t('rotate.noSecret');
    case 'DeliveryNotReady':
      // The shop's file would lose what lets its service read it: said as such, not as unreachable.
      if (error.failure?.kind === 'cannotKeep') return t(`rotate.deliveryCannotKeep.${error.failure.what}`, { name: error.name });
      if (error.failure?.kind === 'envFile') return t(`rotate.deliveryEnvFile.${error.failure.problem}`, { name: error.name });
      return t('rotate.deliveryNotReady', { name: error.name, how: deliveryFailureText(error.failure) });
    default:
      return t('rotate.clipboardFailed');
  }
}
