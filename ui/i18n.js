// Every user-facing string (one catalogue per language, in catalogues/) and every date, time
// and number format the window uses. Nothing else in the window formats text for people.

import { en } from './catalogues/en.js';

// English is every language's fallback, so it is always here; another language's catalogue is
// loaded when that language is chosen: a page in English never holds the Portuguese one.
const catalogues = { en };
const otherCatalogues = {
  'pt-BR': async () => (await import('./catalogues/pt-BR.js')).ptBR,
};

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
export async function setLanguage(preferred, system) {
  const chosen = [preferred, system].find((l) => l && (Object.hasOwn(catalogues, l) || Object.hasOwn(otherCatalogues, l))) || 'en';
  catalogues[chosen] ??= await otherCatalogues[chosen]();
  language = chosen;
  document.documentElement.lang = language;
}


export function t(key, params = {}) {
  const text = catalogues[language][key] ?? catalogues.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in params ? String(params[name]) : `{${name}}`));
}

/// Whether the catalogues have a text for `key` (English has them all).
export function hasText(key) {
  return key in catalogues.en;
}

/// Fills every element marked `data-i18n` with its string.
export function translatePage(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) {
    setText(el, t(el.dataset.i18n));
  }
}

/// Writes an element's words into the text node it has rather than a new one: WebKit drops
/// a click whose press landed on a text node that left the page before the release, so a
/// button said again (a redraw, another language) while a person presses it would ignore them.
export function setText(el, text) {
  const only = el.childNodes.length === 1 && el.firstChild.nodeType === Node.TEXT_NODE ? el.firstChild : null;
  if (!only) el.textContent = text;
  else if (only.data !== text) only.data = text;
}

export function formatNumber(n) {
  return new Intl.NumberFormat(language).format(n);
}

/// Names as the language lists them: "Servidor 1, Servidor 2 and Vault", "… e Vault".
export function formatList(names) {
  return new Intl.ListFormat(language, { style: 'long', type: 'conjunction' }).format(names);
}

/// Milliseconds as seconds to the tenth, for a short span ("0.3", "1,2"): a delivery's, a
/// destination's time to be ready.
export function formatTenthsOfSecond(ms) {
  return formatNumber(Math.round(ms / 100) / 10);
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
