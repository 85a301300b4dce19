// Every user-facing string (one catalogue per language, in catalogues/) and every date, time
// and number format the window uses. Nothing else in the window formats text for people.

import { en } from './catalogues/en.js';
import { ptBR } from './catalogues/pt-BR.js';

const catalogues = { en, 'pt-BR': ptBR };

// How each language writes dates and times: Brazil numeric and 24-hour (29/11/2026, 16:29).
const dateFormats = {
  en: { date: { dateStyle: 'medium' }, dateTime: { dateStyle: 'medium', timeStyle: 'medium' } },
  'pt-BR': {
    date: { day: '2-digit', month: '2-digit', year: 'numeric' },
    dateTime: { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' },
  },
};

let language = 'en';

/// Picks the catalogue: the saved choice, else the system's language (read by Rust as GTK
/// apps read it), else English. Dates, times and numbers follow the same language.
export function setLanguage(preferred, system) {
  language = [preferred, system].find((l) => l && catalogues[l]) || 'en';
  document.documentElement.lang = language;
}


export function t(key, params = {}) {
  const text = catalogues[language][key] ?? catalogues.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

/// Fills every element marked `data-i18n` with its string.
export function translatePage(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) {
    el.textContent = t(el.dataset.i18n);
  }
}

export function formatNumber(n) {
  return new Intl.NumberFormat(language).format(n);
}

export function formatLocal(iso) {
  return new Intl.DateTimeFormat(language, dateFormats[language].dateTime).format(new Date(iso));
}

export function formatUtc(iso) {
  const text = new Intl.DateTimeFormat(language, { ...dateFormats[language].dateTime, timeZone: 'UTC' }).format(new Date(iso));
  return `${text} UTC`;
}

export function formatDate(iso) {
  return new Intl.DateTimeFormat(language, dateFormats[language].date).format(new Date(iso));
}

/// A time of day with seconds: "16:32:05".
export function formatClock(iso) {
  return new Intl.DateTimeFormat(language, { timeStyle: 'medium', hourCycle: language === 'en' ? undefined : 'h23' }).format(new Date(iso));
}

export function formatTime(iso) {
  return new Intl.DateTimeFormat(language, { timeStyle: 'short', hourCycle: language === 'en' ? undefined : 'h23' }).format(new Date(iso));
}

/// "4 minutes ago", "in 2 hours", "yesterday".
export function formatRelative(iso, now = Date.now()) {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(language, { numeric: 'auto' });
  const units = [['year', 31536000], ['month', 2592000], ['week', 604800], ['day', 86400], ['hour', 3600], ['minute', 60]];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.trunc(seconds / size), unit);
  }
  return rtf.format(seconds, 'second');
}

/// "45 s", "2 min 10 s", "1 h 5 min": how long something took or has lasted.
export function formatDuration(totalSeconds) {
  const s = Math.max(0, Math.floor(totalSeconds));
  if (s < 60) return t('duration.seconds', { s });
  if (s < 3600) return t('duration.minutes', { m: Math.floor(s / 60), s: s % 60 });
  return t('duration.hours', { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
}

/// "4:05" for a countdown.
export function formatCountdown(totalSeconds) {
  const s = Math.max(0, Math.ceil(totalSeconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function formatAge(days) {
  if (days === null || days === undefined) return t('dash.unknown');
  if (days < 1) return t('dash.ageToday');
  if (days === 1) return t('dash.ageDay');
  return t('dash.ageDays', { n: formatNumber(days) });
}

/// The technical side of an error, for the details line under its sentence: an HTTP status,
/// what the server or the system said. Empty when there is nothing to add.
export function errorDetails(error) {
  if (!error || typeof error !== 'object') return '';
  const parts = [];
  if (error.status != null) parts.push(`HTTP ${error.status}`);
  if (error.detail) parts.push(error.detail);
  if (error.messages?.length) parts.push(error.messages.join('; '));
  return parts.join(' · ');
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

    case 'Confirmation':
      return t(`confirm.${error.reason}`);
    case 'RotationOutcomeUnknown': {
      if (error.rotated) {
        // Seen by a later check, not the first: the server finished after the app gave up.
        if (error.checks > 1) return t('rotate.rotatedAfterAll');
        return t(error.status != null ? 'rotate.serverErrorRotated' : 'rotate.rotatedSecretLost');
      }
      // Only the whole schedule says "not rotated", and it says what it saw.
      const seen = { checks: formatNumber(error.checks), span: formatDuration(error.checkedForS) };
      return t(error.status != null ? 'rotate.serverErrorNotRotated' : 'rotate.notRotated', seen);
    }
    case 'SessionEndsTooSoon':
      return t(error.renewable ? 'rotate.tooSoonRenew' : 'rotate.tooSoon', { left: formatDuration(error.leftS), needed: formatDuration(error.neededS) });
    case 'RotationOutcomeUnreadable':
      return error.status != null ? t('rotate.serverErrorUnreadable') : t('rotate.unreadable');
    case 'RotatedWithoutSecret':
      return t('rotate.noSecret');
    case 'RotatedClipboardFailed':
      return t('rotate.clipboardFailed');
    case 'InvalidInput': {
      const key = `invalid.${error.field}.${error.reason}`;
      return catalogues.en[key] ? t(key) : t('invalid.other', { field: error.field });
    }
    default:
      return catalogues.en[`error.${error.kind}`] ? t(`error.${error.kind}`) : t('error.unknown', { message: error.message || error.kind });
  }
}
