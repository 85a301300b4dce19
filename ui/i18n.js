// Every user-facing string, one catalogue per language, and every date, time and number
// format the window uses. Nothing else in the window formats text for people.

const catalogues = {
  en: {
    'app.name': 'CertoPay Keys',
    'nav.settings': 'Settings',
    'nav.logout': 'Log out',

    'login.title': 'Log in',
    'login.intro': 'Use your CertoPay dashboard e-mail and password.',
    'login.profile': 'Profile',
    'login.email': 'E-mail',
    'login.password': 'Password',
    'login.passwordSaved': 'Saved in the keychain — leave empty to use it',
    'login.remember': 'Remember password in the system keychain',
    'login.rememberHint': 'Stored only in the system keychain, never in a file.',
    'login.rememberUnavailable': 'The password cannot be remembered here: {reason}.',
    'login.submit': 'Log in',
    'login.working': 'Logging in…',

    'session.line': 'Logged in as {email} · session ends at {time}',
    'session.countdown': 'Logged in as {email} · session ends in {remaining}',
    'session.ended': 'Your session ended. Log in again to continue.',
    'session.renewed': 'Your session ended, so you were logged in again with the password saved in the keychain.',
    'session.renewFailed': 'Your session ended and logging in again with the saved password did not work: {reason}',
    'session.loggedOut': 'You are logged out.',
    'session.locked': 'Locked after {minutes} min without activity. Log in again to continue.',

    'dash.profile': 'Profile {name} · {url}',
    'dash.refresh': 'Refresh',
    'dash.refreshing': 'Refreshing…',
    'dash.prefix': 'Key prefix',
    'dash.masked': 'Masked key',
    'dash.rateLimit': 'Rate limit',
    'dash.lastUsed': 'Last used',
    'dash.created': 'Created',
    'dash.age': 'Key age',
    'dash.noLabel': 'API key (no label)',
    'dash.live': 'LIVE',
    'dash.test': 'TEST',
    'dash.unknownMode': 'UNKNOWN TYPE',
    'dash.active': 'Active',
    'dash.inactive': 'INACTIVE',
    'dash.inactiveBanner': 'This key is inactive: every request made with it is refused (401). Your integrations using it do not work.',
    'dash.dueBanner': 'This key is {days} days old, past your rotation period of {period} days. Plan a rotation.',
    'dash.rate': '{n} requests per minute',
    'dash.rateUnknown': 'not stated by the server',
    'dash.never': 'never',
    'dash.unknown': 'unknown',
    'dash.exact': '{local} (your time) · {utc}',
    'dash.ageDays': '{n} days',
    'dash.ageDay': '1 day',
    'dash.ageToday': 'less than a day',
    'dash.updated': 'Updated at {time}.',

    'rotate.open': 'Rotate key…',
    'rotate.blockedForbidden': 'This account is not allowed to rotate keys.',
    'rotate.blockedClipboard': 'Rotation is off: the clipboard cannot be used ({reason}), and a new secret that cannot be delivered would be lost.',
    'rotate.step1Title': 'Rotate the API key of the profile {profile}?',
    'rotate.liveMark': 'LIVE KEY: this is the key your production payments use.',
    'rotate.stopsAtOnce': 'The current key stops working at once.',
    'rotate.integrationsFail': 'Every integration using it fails (401) until it has the new key.',
    'rotate.copiedOnce': 'The new secret is copied to the clipboard once. It is never shown.',
    'rotate.keyLine': 'Key: {label} {prefix}',
    'rotate.continue': 'Continue',
    'rotate.cancel': 'Cancel',
    'rotate.step2Title': 'Confirm the rotation',
    'rotate.typeLabel': 'Type the key’s label, {label}, to confirm',
    'rotate.typePrefix': 'Type the key’s prefix, {prefix}, to confirm',
    'rotate.typeHint': 'You may also type the prefix: {prefix}',
    'rotate.now': 'Rotate now',
    'rotate.working': 'Rotating…',
    'rotate.done': 'New key {prefix} copied to the clipboard. It will be cleared in {seconds} s. It will not be shown again.',
    'rotate.doneNoPrefix': 'New key copied to the clipboard. It will be cleared in {seconds} s. It will not be shown again.',
    'rotate.countdown': 'Clipboard cleared in {seconds} s',
    'rotate.clearNow': 'Clear clipboard now',
    'rotate.cleared': 'The clipboard was cleared.',
    'rotate.leftAlone': 'You copied something else since, so the clipboard was left as it is.',
    'rotate.nothingHeld': 'The clipboard no longer held the secret.',
    'rotate.warn.oddShape': 'The new secret does not start with sk_live_ or sk_test_. It was delivered anyway, because the old key is already gone; check it with CertoPay.',
    'rotate.warn.prefixMismatch': 'The new secret does not start with the key prefix the server shows. It was delivered anyway; check it with CertoPay.',
    'rotate.warn.metadataUnavailable': 'The new key’s details could not be read back. Press Refresh.',
    'rotate.rotatedSecretLost': 'The key was rotated, but the new secret was lost on the way: the old key no longer works. Rotate again to get a new secret.',
    'rotate.notRotated': 'The key was not rotated: the server’s answer never arrived, and a check shows the old key is still the current one. It keeps working.',
    'rotate.unreadable': 'No answer came, and the key could not be read again to check. Press Refresh before doing anything else: if the prefix changed, the key was rotated and you need to rotate again to get a secret.',
    'rotate.noSecret': 'The key was rotated, but the server’s answer carried no secret: the old key no longer works. Rotate again to get a new secret.',
    'rotate.clipboardFailed': 'The key was rotated, but the new secret could not be put on the clipboard ({detail}): the old key no longer works. Fix the clipboard, then rotate again.',
    'rotate.expiredAgain': 'Your session has ended; nothing was rotated. Log in again, then start over.',
    'rotate.forbidden': 'This account is not allowed to rotate keys. Nothing was rotated.',
    'rotate.rateLimited': 'Too many requests; nothing was rotated. Wait {seconds} seconds, then start over.',
    'confirm.Missing': 'This confirmation was not started here. Start the rotation again.',
    'confirm.Expired': 'The confirmation took longer than 2 minutes. Start the rotation again.',
    'confirm.Used': 'This confirmation was already used. Start the rotation again.',
    'confirm.OtherKey': 'The key changed since you started. Start the rotation again.',
    'confirm.TypedTextMismatch': 'That is not the key’s label or prefix. Check what you typed.',
    'history.title': 'Rotation history',
    'history.empty': 'No rotation made with this app yet.',
    'history.time': 'When',
    'history.profile': 'Profile and account',
    'history.old': 'Old key',
    'history.new': 'New key',
    'history.outcome': 'Outcome',
    'history.rotated': 'Rotated',
    'history.rotatedSecretLost': 'Rotated, secret lost',
    'history.notRotated': 'Not rotated',
    'history.unknown': 'Unknown',

    'settings.title': 'Settings',
    'settings.close': 'Back',
    'settings.profiles': 'Profiles',
    'settings.addProfile': 'Add a profile',
    'settings.editProfile': 'Edit profile {name}',
    'settings.profileName': 'Name',
    'settings.profileUrl': 'Base URL',
    'settings.profileUrlHint': 'For example https://v2.certopaybrasil.com. Must be https:// unless it is this computer (localhost).',
    'settings.saveProfile': 'Save profile',
    'settings.cancelEdit': 'Cancel',
    'settings.edit': 'Edit',
    'settings.remove': 'Remove',
    'settings.confirmRemove': 'Remove the profile {name}? Its remembered password is deleted from the keychain.',
    'settings.profileSaved': 'Profile {name} saved.',
    'settings.profileRemoved': 'Profile {name} removed.',
    'settings.preferences': 'Preferences',
    'settings.rotationPeriod': 'Rotation period (days)',
    'settings.clipboardClear': 'Clear the clipboard after (seconds)',
    'settings.idleLock': 'Lock after inactivity (minutes)',
    'settings.savePreferences': 'Save preferences',
    'settings.preferencesSaved': 'Preferences saved.',
    'settings.file': 'Settings file: {path}',
    'settings.corrupt': 'Your settings file could not be read, so defaults are in use. The old file was kept as {path}.',
    'settings.corruptNotKept': 'Your settings file could not be read, so defaults are in use. It was left where it is and will not be overwritten.',
    'settings.launchRefused': 'The server address given at launch was refused: {reason}',

    'error.InvalidCredentials': 'Wrong e-mail or password.',
    'error.SessionExpired': 'Your session has ended. Log in again.',
    'error.NotLoggedIn': 'You are not logged in.',
    'error.Forbidden': 'This account is not allowed to do this.',
    'error.NoKey': 'This account has no API key.',
    'error.RateLimited': 'Too many requests. Wait {seconds} seconds, then try again.',
    'error.RateLimitedNoWait': 'Too many requests. Wait a minute, then try again.',
    'error.BadRequest': 'The server refused what was sent: {messages}.',
    'error.NetworkTimeout': 'The server did not answer in time. Check your internet connection and try again.',
    'error.Network': 'Could not reach the server. Check your internet connection and the profile\u2019s address.',
    'error.Server': 'The CertoPay server had a problem (HTTP {status}). Try again in a moment.',
    'error.Malformed': 'The server\u2019s answer could not be read. Try again; if it keeps happening, check the profile\u2019s address.',
    'error.Unexpected': 'Unexpected answer from the server (HTTP {status}). Check the profile\u2019s address.',
    'error.Settings': 'Your settings could not be saved ({detail}). What you typed is still here.',
    'error.Keychain': 'The system keychain could not be used: {detail}.',
    'error.Clipboard': 'The clipboard could not be used: {detail}.',
    'error.NoBackend': 'This page only works inside the CertoPay Keys app.',
    'error.unknown': 'Something went wrong: {message}',

    'invalid.email.required': 'Enter your e-mail.',
    'invalid.email.notAnEmail': 'Enter a valid e-mail address, like ana@loja.com.br.',
    'invalid.password.required': 'Enter your password.',
    'invalid.baseUrl.required': 'Enter the base URL.',
    'invalid.baseUrl.notAUrl': 'This is not a valid address. It should look like https://v2.certopaybrasil.com.',
    'invalid.baseUrl.notHttps': 'The address must start with https:// (plain http:// is allowed only for this computer: localhost or 127.0.0.1).',
    'invalid.name.required': 'Enter a name for the profile.',
    'invalid.name.duplicate': 'Another profile already has this name.',
    'invalid.profile.last': 'The last profile cannot be removed.',
    'invalid.profile.unknown': 'That profile no longer exists.',
    'invalid.rotationPeriodDays.outOfRange': 'The rotation period must be between 1 and 3650 days.',
    'invalid.clipboardClearSeconds.outOfRange': 'The clipboard delay must be between 2 and 600 seconds.',
    'invalid.idleLockMinutes.outOfRange': 'The lock delay must be between 1 and 240 minutes.',
    'invalid.other': 'Check the field {field}.',
  },
};

let language = 'en';
let locale = 'en';

/// Picks the catalogue: the saved choice, else the system's language, else English.
export function setLanguage(preferred) {
  // The system may report a tag Intl refuses (LANG=C gives "C"): then English.
  const usable = (tag) => {
    try {
      return tag && Intl.getCanonicalLocales(tag)[0];
    } catch {
      return null;
    }
  };
  locale = usable(preferred) || usable(navigator.language) || 'en';
  language = Object.keys(catalogues).find((l) => locale.toLowerCase().startsWith(l.toLowerCase())) || 'en';
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
  return new Intl.NumberFormat(locale).format(n);
}

export function formatLocal(iso) {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' }).format(new Date(iso));
}

export function formatUtc(iso) {
  const text = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'UTC' }).format(new Date(iso));
  return `${text} UTC`;
}

export function formatDate(iso) {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(iso));
}

export function formatTime(iso) {
  return new Intl.DateTimeFormat(locale, { timeStyle: 'short' }).format(new Date(iso));
}

/// "4 minutes ago", "in 2 hours", "yesterday".
export function formatRelative(iso, now = Date.now()) {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const units = [['year', 31536000], ['month', 2592000], ['week', 604800], ['day', 86400], ['hour', 3600], ['minute', 60]];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) return rtf.format(Math.trunc(seconds / size), unit);
  }
  return rtf.format(seconds, 'second');
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

/// The sentence for an error the Rust side sent as `{kind, message, …}`.
export function errorText(error) {
  if (!error || typeof error !== 'object') return t('error.unknown', { message: String(error) });
  switch (error.kind) {
    case 'RateLimited':
      return error.retryAfterS ? t('error.RateLimited', { seconds: error.retryAfterS }) : t('error.RateLimitedNoWait');
    case 'Network':
      return error.timedOut ? t('error.NetworkTimeout') : t('error.Network');
    case 'BadRequest':
      return t('error.BadRequest', { messages: (error.messages || []).join('; ') });
    case 'Server':
    case 'Unexpected':
      return t(`error.${error.kind}`, { status: error.status });
    case 'Settings':
    case 'Keychain':
    case 'Clipboard':
      return t(`error.${error.kind}`, { detail: error.detail });
    case 'Confirmation':
      return t(`confirm.${error.reason}`);
    case 'RotationOutcomeUnknown':
      return error.rotated ? t('rotate.rotatedSecretLost') : t('rotate.notRotated');
    case 'RotationOutcomeUnreadable':
      return t('rotate.unreadable');
    case 'RotatedWithoutSecret':
      return t('rotate.noSecret');
    case 'RotatedClipboardFailed':
      return t('rotate.clipboardFailed', { detail: error.detail });
    case 'InvalidInput': {
      const key = `invalid.${error.field}.${error.reason}`;
      return catalogues.en[key] ? t(key) : t('invalid.other', { field: error.field });
    }
    default:
      return catalogues.en[`error.${error.kind}`] ? t(`error.${error.kind}`) : t('error.unknown', { message: error.message || error.kind });
  }
}
