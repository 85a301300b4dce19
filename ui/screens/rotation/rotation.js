// Rotation: step 1 (what happens), step 2 (type the label, "Rotate now") and what each
// failure means. The result and its clipboard countdown are in rotation-result.js.

import { api } from '../../api.js';
import { $, showError } from '../../dom.js';
import { on } from '../../events.js';
import { checkDestinations } from '../../destination_checks.js';
import { errorText, errorDetails } from '../../errors.js';
import { t, formatClock, formatList } from '../../i18n.js';
import { endSession, logOut, showSecretRemoved, startSession } from '../../session.js';
import { store } from '../../store.js';
import { refreshKey, renderHistory, renderKey, renderRotateButton } from '../dashboard/dashboard.js';
import { hideRotationResult, initRotationResult, showRotationError, showRotationResult } from './result.js';

// What step 1 returned: the confirmation token and what the dialogs show.
let rotation = null;
// Counts the attempts to open step 1: an answer for an older one is dropped.
let attempts = 0;

/// The ways on from a rotation the session could not see through: renew it (password
/// remembered) or log in again.
function showTooSoonActions(error) {
  $('rotation-error-actions').hidden = !error;
  $('rotate-renew').hidden = !error?.renewable;
}

async function renewAndContinue() {
  showTooSoonActions(null);
  try {
    const renewed = await api.renewSession();
    await startSession(renewed.session);
  } catch (error) {
    showRotationError(errorText(error), errorDetails(error));
    return;
  }
  await openRotation();
}

async function handleRotationError(error) {
  switch (error?.kind) {
    case 'SessionEndsTooSoon':
      showRotationError(errorText(error));
      showTooSoonActions(error);
      return;
    case 'SessionEnded':
      await endSession(() => t('rotate.expiredAgain'), 'warning');
      return;
    case 'WrongPasswordsEndedSession':
      await endSession(() => errorText(error), 'error');
      return;
    case 'Forbidden':
      if (store.key) store.key.rotationBlocked = 'forbidden';
      renderRotateButton();
      showRotationError(t('rotate.forbidden'));
      return;
    case 'RateLimited':
      showRotationError(error.retryAfterS ? t('rotate.rateLimited', { seconds: error.retryAfterS }) : t('error.RateLimitedNoWait'));
      return;
    default:
      showRotationError(errorText(error), errorDetails(error));
  }
}

async function openRotation() {
  const button = $('rotate-open');
  if (button.disabled) return;
  // A new attempt: what the last one said goes.
  hideRotationResult();
  showTooSoonActions(null);
  const attempt = ++attempts;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.textContent = t('rotate.preparing');
  let dialog;
  try {
    dialog = await api.beginRotation();
  } catch (error) {
    if (attempt === attempts && store.session) await handleRotationError(error);
    return;
  } finally {
    button.removeAttribute('aria-busy');
    button.textContent = t('rotate.open');
    renderRotateButton();
  }
  // The session ended or another attempt began meanwhile: this answer is for no one.
  if (attempt !== attempts || !store.session) {
    api.cancelRotation();
    return;
  }
  rotation = dialog;
  const live = rotation.mode === 'live';
  for (const mark of document.querySelectorAll('.live-mark')) mark.hidden = !live;
  $('rotate-step1-title').textContent = t('rotate.step1Title', { profile: rotation.profileName });
  $('rotate-step1-key').textContent = t('rotate.keyLine', { label: rotation.label, prefix: rotation.keyPrefix });
  // Where the new key will go, when the profile has destinations.
  const plans = rotation.destinations;
  const names = formatList(plans.map((plan) => plan.name));
  const missing = plans.filter((plan) => !plan.programFound).map((plan) => plan.name);
  $('rotate-step1-delivery').hidden = !plans.length;
  $('rotate-step1-delivery').textContent = !plans.length ? ''
    : missing.length === 1 ? t('rotate.deliveryNotFound', { name: missing[0] })
      : missing.length ? t('rotate.deliveryNotFoundMany', { names: formatList(missing) })
        : t(plans.length === 1 ? 'rotate.deliveryPlan' : 'rotate.deliveryPlanMany', { name: names, names });
  $('rotate-step1-where').textContent = plans.length && !missing.length ? t('rotate.deliveredOnce', { name: names }) : t('rotate.copiedOnce');
  $('rotate-step1').returnValue = '';
  $('rotate-step1').showModal();
  // The focus on the title, a static element at the top (the WAI-ARIA dialog pattern for long
  // dialogs): large text never scrolls the LIVE warning away, and Tab reaches Continue and Cancel.
  $('rotate-step1-title').focus({ preventScroll: true });
  showFromTop($('rotate-step1'));
}

/// A dialog that scrolls (large text) shows its top first, once it has been laid out.
function showFromTop(dialog) {
  dialog.scrollTop = 0;
  requestAnimationFrame(() => { dialog.scrollTop = 0; });
}

function continueRotation() {
  $('rotate-step1').close('continue');
  const { label, typedPrefix } = rotation;
  $('rotate-typed-label').textContent = label ? t('rotate.typeLabel', { label }) : t('rotate.typePrefix', { prefix: typedPrefix });
  $('rotate-step2-hint').textContent = label ? t('rotate.typeHint', { prefix: typedPrefix }) : '';
  $('rotate-typed').value = '';
  $('rotate-typed').disabled = false;
  // A session opened with the remembered password: the person types it again.
  $('rotate-password-group').hidden = !rotation.passwordRequired;
  $('rotate-password').value = '';
  $('rotate-password').disabled = false;
  $('rotate-now').disabled = true;
  $('rotate-step2-wait').hidden = true;
  // The dry run, where the key goes to destinations: proven again just before "Rotate now".
  $('rotate-check-group').hidden = !rotation.destinations.length;
  $('rotate-check-results').replaceChildren();
  showError('rotate-check-error', null);
  showError('rotate-step2-error', null);
  $('rotate-step2').returnValue = '';
  $('rotate-step2').showModal();
  $('rotate-step2-title').focus({ preventScroll: true });
  showFromTop($('rotate-step2'));
}

function onTyped() {
  if (!rotation) return;
  const typed = $('rotate-typed').value.trim();
  const named = typed && (typed === rotation.label.trim() || typed === rotation.typedPrefix);
  $('rotate-now').disabled = !(named && (!rotation.passwordRequired || $('rotate-password').value));
}

/// No answer came: the app goes on checking. The dialog gives way to a banner that stays until
/// the outcome; no new rotation can start meanwhile, the rest of the window can be used.
function showChecking({ checkingUntil }) {
  if (!store.rotating) return;
  if ($('rotate-step2').open) $('rotate-step2').close('sending');
  $('rotation-checking').textContent = t('rotate.checking', { time: formatClock(checkingUntil) });
  $('rotation-checking').dataset.until = checkingUntil;
  $('rotation-checking').hidden = false;
}

function hideChecking() {
  $('rotation-checking').hidden = true;
  $('rotation-checking').textContent = '';
  delete $('rotation-checking').dataset.until;
}

/// A dialog closed by Escape or Cancel voids the confirmation on the Rust side too.
function onRotationDialogClose(event) {
  if (!['continue', 'done', 'failed', 'sending'].includes(event.target.returnValue) && rotation) {
    rotation = null;
    api.cancelRotation();
    $('rotate-open').focus();
  }
}

/// Once sent, a rotation cannot be hidden: Escape and Cancel only say that the answer is awaited.
function holdWhileSent(event) {
  if (!store.rotating) return false;
  event?.preventDefault();
  $('rotate-step2-wait').textContent = t('rotate.sentWaiting');
  $('rotate-step2-wait').hidden = false;
  return true;
}

async function rotateNow(event) {
  event.preventDefault();
  if (!rotation || $('rotate-now').disabled || store.rotating) return;
  const button = $('rotate-now');
  const dialog = $('rotate-step2');
  button.disabled = true;
  button.textContent = t('rotate.working');
  $('rotate-typed').disabled = true;
  $('rotate-password').disabled = true;
  $('rotate-cancel2').disabled = true;
  store.rotating = true;
  // A new rotation: the notice about the last removed key has been acted on.
  showSecretRemoved(null);
  holdWhileSent();
  renderRotateButton();
  // The dialog stays, but no longer blocks the window: logging out or closing, pressed now,
  // waits for the answer.
  dialog.close('sending');
  dialog.show();
  try {
    const password = rotation.passwordRequired ? $('rotate-password').value : null;
    const result = await api.confirmRotation(rotation.confirmationToken, $('rotate-typed').value, password);
    // The outcome is known: the "no answer yet" banner goes before anything says it.
    hideChecking();
    rotation = null;
    store.rotating = false;
    dialog.close('done');
    // A delivered secret restarts the idle timer: the user needs time to paste it.
      if (result.key) {
      store.key = result.key;
      renderKey();
    }
    showRotationResult(result);
  } catch (error) {
    // Before the outcome is said, and before the key is read again (a network call): the
    // banner never stands beside the outcome it was waiting for.
    hideChecking();
    store.rotating = false;
    const retyped = { typedTextMismatch: 'rotate-typed', passwordRequired: 'rotate-password', passwordMismatch: 'rotate-password' };
    if (error?.kind === 'Confirmation' && retyped[error.reason]) {
      // A typo keeps the confirmation: correct it and press Rotate now again.
      dialog.close('sending');
      dialog.showModal();
      showError('rotate-step2-error', error);
      button.disabled = false;
      $('rotate-typed').disabled = false;
      $('rotate-password').disabled = false;
      $(retyped[error.reason]).select();
      return;
    }
    rotation = null;
    dialog.close('failed');
    await handleRotationError(error);
    if (store.session) await refreshKey();
  } finally {
    store.rotating = false;
    $('rotate-password').value = '';
    $('rotate-step2-wait').hidden = true;
    $('rotate-cancel2').disabled = false;
    button.textContent = t('rotate.now');
    renderRotateButton();
    renderHistory();
  }
}

/// The session ended: no dialog or result of it stays open, and nothing names its key.
function closeRotation() {
  rotation = null;
  attempts += 1;
  for (const id of ['rotate-step1', 'rotate-step2']) if ($(id).open) $(id).close('failed');
  for (const id of ['rotate-step1-title', 'rotate-step1-key', 'rotate-typed-label', 'rotate-step2-hint']) $(id).textContent = '';
  $('rotate-typed').value = '';
  $('rotate-password').value = '';
  hideChecking();
  showTooSoonActions(null);
  hideRotationResult();
}

export function initRotation() {
  initRotationResult();
  $('rotate-open').addEventListener('click', openRotation);
  $('rotate-continue').addEventListener('click', continueRotation);
  $('rotate-cancel1').addEventListener('click', () => $('rotate-step1').close('cancel'));
  $('rotate-cancel2').addEventListener('click', () => holdWhileSent() || $('rotate-step2').close('cancel'));
  // Escape on a modal dialog fires `cancel`; on the dialog left open while sending, a keydown.
  $('rotate-step2').addEventListener('cancel', holdWhileSent);
  $('rotate-step2').addEventListener('keydown', (event) => event.key === 'Escape' && holdWhileSent(event));
  $('rotate-step1').addEventListener('close', onRotationDialogClose);
  $('rotate-step2').addEventListener('close', onRotationDialogClose);
  $('rotate-typed').addEventListener('input', onTyped);
  $('rotate-password').addEventListener('input', onTyped);
  $('rotate-renew').addEventListener('click', renewAndContinue);
  $('rotate-check').addEventListener('click', () => checkDestinations($('rotate-check'), 'rotate-check-results', 'rotate-check-error'));
  $('rotate-relogin').addEventListener('click', () => logOut(() => t('rotate.reloginNotice')));
  on('app:rotationChecking', showChecking);
  on('language:changed', () => {
    const until = $('rotation-checking').dataset.until;
    if (until) $('rotation-checking').textContent = t('rotate.checking', { time: formatClock(until) });
  });
  $('rotate-step2-form').addEventListener('submit', rotateNow);
  on('session:started', hideRotationResult);
  on('session:ended', closeRotation);
}
