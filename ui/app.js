// The window: login, dashboard and settings. It shows display data only; the session token
// stays in Rust.

import { api } from './api.js';
import {
  t, setLanguage, translatePage, errorText, formatLocal, formatUtc, formatRelative, formatTime,
  formatDate, formatCountdown, formatAge, formatNumber,
} from './i18n.js';

const $ = (id) => document.getElementById(id);

// Countdown shown in the session's last minutes.
const COUNTDOWN_FROM_SECONDS = 5 * 60;

const app = {
  settings: null,
  keychain: { available: false, reason: null },
  session: null,
  key: null,
  view: 'login',
  viewBeforeSettings: 'login',
  lastInput: Date.now(),
};

function show(view) {
  app.view = view;
  for (const name of ['login', 'dashboard', 'settings']) {
    $(`view-${name}`).hidden = name !== view;
  }
  $('logout').hidden = !app.session;
  $('open-settings').hidden = view === 'settings';
  renderSessionLine();
  const focusTarget = {
    login: () => ($('login-email').value ? $('login-password') : $('login-email')),
    dashboard: () => $('refresh'),
    settings: () => $('close-settings'),
  }[view]();
  focusTarget?.focus();
}

function notify(text, tone = 'info') {
  const el = $('notice');
  el.textContent = text;
  el.dataset.tone = tone;
  el.hidden = !text;
}

function showError(id, error) {
  const el = $(id);
  el.textContent = error ? errorText(error) : '';
  el.hidden = !error;
}

function profileById(id) {
  return app.settings.profiles.find((p) => p.id === id);
}

function selectedProfile() {
  return profileById(app.settings.selectedProfile) || app.settings.profiles[0];
}

// ---------- login ----------

function renderLogin() {
  const select = $('login-profile');
  const current = selectedProfile();
  select.replaceChildren(...app.settings.profiles.map((p) => {
    const option = document.createElement('option');
    option.value = p.id;
    option.textContent = p.name;
    option.selected = p.id === current.id;
    return option;
  }));
  fillLoginForProfile(current);
}

function fillLoginForProfile(profile) {
  $('login-profile-url').textContent = profile.baseUrl;
  $('login-email').value = profile.email || '';
  $('login-password').value = '';
  const remember = $('login-remember');
  remember.disabled = !app.keychain.available;
  remember.checked = app.keychain.available && profile.rememberPassword;
  $('login-remember-reason').textContent = app.keychain.available
    ? t('login.rememberHint')
    : t('login.rememberUnavailable', { reason: app.keychain.reason || '' });
  $('login-password').placeholder = remember.checked && profile.email ? t('login.passwordSaved') : '';
}

async function onProfileChange() {
  const id = $('login-profile').value;
  try {
    app.settings = await api.selectProfile(id);
  } catch (error) {
    showError('login-error', error);
  }
  fillLoginForProfile(profileById(id));
}

async function onRememberChange() {
  const profile = profileById($('login-profile').value);
  const remember = $('login-remember').checked;
  // Unticking deletes a stored password at once; ticking stores it at the next login.
  if (!remember && profile.rememberPassword) {
    try {
      app.settings = await api.setRememberPassword(profile.id, false);
      $('login-password').placeholder = '';
    } catch (error) {
      showError('login-error', error);
    }
  }
}

async function onLogin(event) {
  event.preventDefault();
  showError('login-error', null);
  const button = $('login-submit');
  button.disabled = true;
  button.textContent = t('login.working');
  const password = $('login-password');
  try {
    const result = await api.login($('login-profile').value, $('login-email').value, password.value, $('login-remember').checked);
    password.value = '';
    await startSession(result.session);
    if (result.warnings.length) notify(result.warnings.map(errorText).join(' '), 'warning');
  } catch (error) {
    showError('login-error', error);
    if (error?.kind === 'InvalidCredentials' || error?.field === 'password') password.select();
    else if (error?.field === 'email') $('login-email').focus();
  } finally {
    button.disabled = false;
    button.textContent = t('login.submit');
  }
}

async function startSession(session) {
  app.session = session;
  app.lastInput = Date.now();
  const snapshot = await api.snapshot();
  app.settings = snapshot.settings;
  notify('');
  hideRotationResult();
  show('dashboard');
  renderHistory();
  await refreshKey();
}

/// Back to login with the profile and e-mail kept.
async function endSession(message, tone = 'info') {
  app.session = null;
  clearKey();
  rotation = null;
  for (const id of ['rotate-step1', 'rotate-step2']) if ($(id).open) $(id).close('failed');
  hideRotationResult();
  try {
    app.settings = (await api.snapshot()).settings;
  } catch { /* keep what we have */ }
  renderLogin();
  show('login');
  notify(message, tone);
}

// ---------- session clock ----------

function renderSessionLine() {
  const line = $('session-line');
  if (!app.session) {
    line.hidden = true;
    return;
  }
  const remaining = (new Date(app.session.expiresAt).getTime() - Date.now()) / 1000;
  line.hidden = false;
  if (remaining <= COUNTDOWN_FROM_SECONDS) {
    line.textContent = t('session.countdown', { email: app.session.email, remaining: formatCountdown(remaining) });
    line.classList.add('ending');
  } else {
    line.textContent = t('session.line', { email: app.session.email, time: formatTime(app.session.expiresAt) });
    line.classList.remove('ending');
  }
}

let ending = false;
async function tick() {
  renderSessionLine();
  if (!app.session || ending) return;
  const idleMinutes = app.settings.idleLockMinutes;
  if (Date.now() - app.lastInput >= idleMinutes * 60 * 1000) {
    ending = true;
    await api.logout();
    await endSession(t('session.locked', { minutes: idleMinutes }), 'warning');
    ending = false;
    return;
  }
  if (Date.now() >= new Date(app.session.expiresAt).getTime()) {
    ending = true;
    await sessionRanOut();
    ending = false;
  }
}

async function sessionRanOut() {
  const ended = await api.sessionEnded();
  if (ended.renewed) {
    await startSession(ended.renewed);
    notify(t('session.renewed'), 'info');
  } else if (ended.renewError) {
    await endSession(t('session.renewFailed', { reason: errorText(ended.renewError) }), 'warning');
  } else {
    await endSession(t('session.ended'), 'warning');
  }
}

// ---------- dashboard ----------

async function refreshKey() {
  const button = $('refresh');
  button.disabled = true;
  button.textContent = t('dash.refreshing');
  showError('dash-error', null);
  try {
    app.key = await api.currentKey();
    renderKey();
    $('dash-updated').textContent = t('dash.updated', { time: formatTime(new Date().toISOString()) });
  } catch (error) {
    if (error?.kind === 'SessionExpired') {
      await sessionRanOut();
      return;
    }
    showError('dash-error', error);
  } finally {
    button.disabled = false;
    button.textContent = t('dash.refresh');
  }
}

function setTimeField(id, iso, emptyText) {
  const el = $(id);
  const exact = $(`${id}-exact`);
  // Only a real time has an exact form to show on hover or focus.
  el.classList.toggle('has-tip', Boolean(iso));
  if (!iso) {
    el.textContent = emptyText;
    el.removeAttribute('title');
    el.removeAttribute('tabindex');
    el.dataset.iso = '';
    exact.textContent = '';
    return;
  }
  el.tabIndex = 0;
  el.dataset.iso = iso;
  exact.textContent = t('dash.exact', { local: formatLocal(iso), utc: formatUtc(iso) });
  el.title = exact.textContent;
}

/// Blanks the dashboard, so one account's key never shows in the next session while its own
/// key loads.
function clearKey() {
  app.key = null;
  for (const id of ['dash-profile', 'key-label', 'key-mode', 'key-state', 'key-prefix', 'key-masked', 'key-rate',
    'key-last-used', 'key-last-used-exact', 'key-created', 'key-created-exact', 'key-age', 'dash-updated', 'rotate-reason']) {
    $(id).textContent = '';
  }
  $('key-inactive').hidden = true;
  $('key-due').hidden = true;
  $('rotate-open').disabled = true;
}

function renderKey() {
  const key = app.key;
  const profile = profileById(app.session.profileId) || selectedProfile();
  $('dash-profile').textContent = t('dash.profile', { name: profile.name, url: profile.baseUrl });
  $('key-label').textContent = key.label || t('dash.noLabel');
  const mode = $('key-mode');
  mode.textContent = t({ live: 'dash.live', test: 'dash.test' }[key.mode] || 'dash.unknownMode');
  mode.className = `tag ${key.mode}`;
  const state = $('key-state');
  state.textContent = key.active ? t('dash.active') : t('dash.inactive');
  state.className = `tag ${key.active ? 'active' : 'inactive'}`;
  $('key-inactive').hidden = key.active;
  $('key-inactive').textContent = t('dash.inactiveBanner');
  $('key-due').hidden = !key.rotationDue;
  $('key-due').textContent = t('dash.dueBanner', { days: formatNumber(key.ageDays ?? 0), period: formatNumber(key.rotationPeriodDays) });
  $('key-prefix').textContent = key.keyPrefix;
  $('key-masked').textContent = key.maskedKey ?? t('dash.unknown');
  $('key-rate').textContent = key.rateLimit == null ? t('dash.rateUnknown') : t('dash.rate', { n: formatNumber(key.rateLimit) });
  renderRotateButton();
  setTimeField('key-last-used', key.lastUsedAt, t('dash.never'));
  setTimeField('key-created', key.createdAt, t('dash.unknown'));
  renderRelativeTimes();
  $('key-age').textContent = formatAge(key.ageDays);
}

/// Relative times move on while the window is open.
function renderRelativeTimes() {
  if (!app.key) return;
  if (app.key.lastUsedAt) $('key-last-used').textContent = formatRelative(app.key.lastUsedAt);
  if (app.key.createdAt) $('key-created').textContent = `${formatDate(app.key.createdAt)} (${formatRelative(app.key.createdAt)})`;
}

// ---------- rotation ----------

// What step 1 returned: the confirmation token and what the dialogs show.
let rotation = null;
let countdownTimer = null;

function renderRotateButton() {
  const key = app.key;
  let reason = '';
  if (key?.rotationBlocked === 'forbidden') reason = t('rotate.blockedForbidden');
  else if (key?.rotationBlocked === 'clipboard') reason = t('rotate.blockedClipboard', { reason: key.clipboardProblem });
  $('rotate-open').disabled = !key || Boolean(key.rotationBlocked);
  $('rotate-reason').textContent = reason;
}

function showRotationError(text) {
  $('rotation-error').textContent = text || '';
  $('rotation-error').hidden = !text;
}

async function handleRotationError(error) {
  switch (error?.kind) {
    case 'SessionExpired':
      await endSession(t('rotate.expiredAgain'), 'warning');
      return;
    case 'Forbidden':
      if (app.key) app.key.rotationBlocked = 'forbidden';
      renderRotateButton();
      showRotationError(t('rotate.forbidden'));
      return;
    case 'RateLimited':
      showRotationError(error.retryAfterS ? t('rotate.rateLimited', { seconds: error.retryAfterS }) : t('error.RateLimitedNoWait'));
      return;
    default:
      showRotationError(errorText(error));
  }
}

async function openRotation() {
  showRotationError(null);
  try {
    rotation = await api.beginRotation();
  } catch (error) {
    await handleRotationError(error);
    return;
  }
  const live = rotation.mode === 'live';
  for (const mark of document.querySelectorAll('.live-mark')) mark.hidden = !live;
  $('rotate-step1-title').textContent = t('rotate.step1Title', { profile: rotation.profileName });
  $('rotate-step1-key').textContent = t('rotate.keyLine', { label: rotation.label, prefix: rotation.keyPrefix });
  $('rotate-step1').returnValue = '';
  $('rotate-step1').showModal();
  // The safe choice has the focus.
  $('rotate-cancel1').focus();
}

function continueRotation() {
  $('rotate-step1').close('continue');
  const { label, typedPrefix } = rotation;
  $('rotate-typed-label').textContent = label ? t('rotate.typeLabel', { label }) : t('rotate.typePrefix', { prefix: typedPrefix });
  $('rotate-step2-hint').textContent = label ? t('rotate.typeHint', { prefix: typedPrefix }) : '';
  $('rotate-typed').value = '';
  $('rotate-now').disabled = true;
  showError('rotate-step2-error', null);
  $('rotate-step2').returnValue = '';
  $('rotate-step2').showModal();
  $('rotate-typed').focus();
}

function onTyped() {
  const typed = $('rotate-typed').value.trim();
  $('rotate-now').disabled = !(typed && (typed === rotation.label.trim() || typed === rotation.typedPrefix));
}

/// A dialog closed by Escape or Cancel voids the confirmation on the Rust side too.
function onRotationDialogClose(event) {
  if (!['continue', 'done', 'failed'].includes(event.target.returnValue) && rotation) {
    rotation = null;
    api.cancelRotation();
    $('rotate-open').focus();
  }
}

async function rotateNow(event) {
  event.preventDefault();
  if (!rotation || $('rotate-now').disabled) return;
  const button = $('rotate-now');
  button.disabled = true;
  button.textContent = t('rotate.working');
  try {
    const result = await api.confirmRotation(rotation.confirmationToken, $('rotate-typed').value);
    rotation = null;
    $('rotate-step2').close('done');
    if (result.key) {
      app.key = result.key;
      renderKey();
    }
    showRotationResult(result);
  } catch (error) {
    if (error?.kind === 'Confirmation' && error.reason === 'TypedTextMismatch') {
      showError('rotate-step2-error', error);
      button.disabled = false;
      $('rotate-typed').select();
      return;
    }
    rotation = null;
    $('rotate-step2').close('failed');
    await handleRotationError(error);
    if (app.session) await refreshKey();
  } finally {
    button.textContent = t('rotate.now');
    renderHistory();
  }
}

function showRotationResult(result) {
  const seconds = result.clearInS;
  $('rotation-result-text').textContent = result.newPrefix
    ? t('rotate.done', { prefix: result.newPrefix, seconds })
    : t('rotate.doneNoPrefix', { seconds });
  $('rotation-warnings').replaceChildren(...result.warnings.map((w) => {
    const item = document.createElement('li');
    item.textContent = t(`rotate.warn.${w}`);
    return item;
  }));
  $('clipboard-clear').hidden = false;
  $('rotation-result').hidden = false;
  const deadline = Date.now() + seconds * 1000;
  clearInterval(countdownTimer);
  const update = async () => {
    const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    $('rotation-result-countdown').textContent = t('rotate.countdown', { seconds: left });
    if (left > 0) return;
    // The Rust side clears at the deadline; show what it did.
    const status = await api.clipboardStatus();
    if (!status.holdsSecret) finishCountdown(status.lastOutcome);
  };
  update();
  countdownTimer = setInterval(update, 250);
  $('clipboard-clear').focus();
}

function finishCountdown(outcome) {
  clearInterval(countdownTimer);
  countdownTimer = null;
  const text = { cleared: 'rotate.cleared', leftAlone: 'rotate.leftAlone' }[outcome] || 'rotate.nothingHeld';
  $('rotation-result-countdown').textContent = t(text);
  $('clipboard-clear').hidden = true;
}

async function clearNow() {
  try {
    finishCountdown(await api.clearClipboardNow());
  } catch (error) {
    showRotationError(errorText(error));
  }
}

function hideRotationResult() {
  clearInterval(countdownTimer);
  countdownTimer = null;
  $('rotation-result').hidden = true;
  showRotationError(null);
}

async function renderHistory() {
  let entries = [];
  try {
    entries = await api.rotationHistory();
  } catch { /* the list stays as it was */ }
  $('history-empty').hidden = entries.length > 0;
  $('history-table').hidden = entries.length === 0;
  $('history-rows').replaceChildren(...entries.map((e) => {
    const row = document.createElement('tr');
    const cells = [
      formatLocal(e.time),
      `${e.profile} · ${e.email}`,
      e.oldPrefix,
      e.newPrefix || '—',
      t(`history.${e.outcome}`),
    ];
    for (const text of cells) {
      const cell = document.createElement('td');
      cell.textContent = text;
      row.append(cell);
    }
    row.dataset.outcome = e.outcome;
    return row;
  }));
}

// ---------- settings ----------

/// An in-window yes/no question (a <dialog>: Escape or Cancel says no).
function askConfirm(question, yesLabel) {
  const dialog = $('confirm-dialog');
  $('confirm-text').textContent = question;
  $('confirm-yes').textContent = yesLabel;
  $('confirm-no').textContent = t('settings.cancelEdit');
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'yes'), { once: true });
    dialog.returnValue = '';
    dialog.showModal();
    $('confirm-no').focus();
  });
}

function openSettings() {
  app.viewBeforeSettings = app.view;
  renderSettings();
  show('settings');
}

function closeSettings() {
  if (app.viewBeforeSettings === 'login') renderLogin();
  if (app.viewBeforeSettings === 'dashboard' && app.key) renderKey();
  show(app.session ? app.viewBeforeSettings : 'login');
}

/// "Edit" or "Remove" for one profile, named with it for screen readers.
function profileButton(labelKey, className, profile, onClick) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = className;
  button.textContent = t(labelKey);
  button.setAttribute('aria-label', `${t(labelKey)} ${profile.name}`);
  button.addEventListener('click', onClick);
  return button;
}

function renderSettings() {
  const list = $('profile-list');
  list.replaceChildren(...app.settings.profiles.map((p) => {
    const item = document.createElement('li');
    const text = document.createElement('div');
    const name = document.createElement('strong');
    name.textContent = p.name;
    const url = document.createElement('span');
    url.className = 'muted';
    url.textContent = p.baseUrl;
    text.append(name, ' ', url);
    item.append(
      text,
      profileButton('settings.edit', 'secondary', p, () => editProfile(p)),
      profileButton('settings.remove', 'secondary danger-text', p, () => removeProfile(p)),
    );
    return item;
  }));
  $('pref-rotation').value = app.settings.rotationPeriodDays;
  $('pref-clipboard').value = app.settings.clipboardClearSeconds;
  $('pref-idle').value = app.settings.idleLockMinutes;
}

function editProfile(profile) {
  $('profile-id').value = profile.id;
  $('profile-name').value = profile.name;
  $('profile-url').value = profile.baseUrl;
  $('profile-form-title').textContent = t('settings.editProfile', { name: profile.name });
  $('profile-cancel').hidden = false;
  showError('profile-error', null);
  $('profile-name').focus();
}

function resetProfileForm() {
  $('profile-id').value = '';
  $('profile-name').value = '';
  $('profile-url').value = '';
  $('profile-form-title').textContent = t('settings.addProfile');
  $('profile-cancel').hidden = true;
}

async function onSaveProfile(event) {
  event.preventDefault();
  showError('profile-error', null);
  $('profile-status').textContent = '';
  const profile = {
    id: $('profile-id').value,
    name: $('profile-name').value,
    baseUrl: $('profile-url').value,
    email: '',
    rememberPassword: false,
  };
  try {
    app.settings = await api.saveProfile(profile);
    $('profile-status').textContent = t('settings.profileSaved', { name: profile.name.trim() });
    resetProfileForm();
    renderSettings();
  } catch (error) {
    // What the user typed stays in the form.
    showError('profile-error', error);
    if (error?.field === 'baseUrl') $('profile-url').focus();
    else if (error?.field === 'name') $('profile-name').focus();
  }
}

async function removeProfile(profile) {
  if (!(await askConfirm(t('settings.confirmRemove', { name: profile.name }), t('settings.remove')))) return;
  try {
    app.settings = await api.removeProfile(profile.id);
    $('profile-status').textContent = t('settings.profileRemoved', { name: profile.name });
    renderSettings();
  } catch (error) {
    showError('profile-error', error);
  }
}

async function onSavePreferences(event) {
  event.preventDefault();
  showError('prefs-error', null);
  $('prefs-status').textContent = '';
  const fields = { rotationPeriodDays: 'pref-rotation', clipboardClearSeconds: 'pref-clipboard', idleLockMinutes: 'pref-idle' };
  const preferences = { language: app.settings.language };
  for (const [field, id] of Object.entries(fields)) {
    const value = Number($(id).value);
    if (!Number.isInteger(value) || value < 0 || $(id).value.trim() === '') {
      showError('prefs-error', { kind: 'InvalidInput', field, reason: 'outOfRange' });
      $(id).focus();
      return;
    }
    preferences[field] = value;
  }
  try {
    app.settings = await api.savePreferences(preferences);
    $('prefs-status').textContent = t('settings.preferencesSaved');
  } catch (error) {
    showError('prefs-error', error);
  }
}

// ---------- start ----------

function settingsNotice(snapshot) {
  const notice = snapshot.settingsNotice;
  if (snapshot.launchError) return t('settings.launchRefused', { reason: errorText(snapshot.launchError) });
  if (!notice) return '';
  return notice.keptAs ? t('settings.corrupt', { path: notice.keptAs }) : t('settings.corruptNotKept');
}

async function start() {
  const snapshot = await api.snapshot();
  app.settings = snapshot.settings;
  app.keychain = snapshot.keychain;
  setLanguage(app.settings.language);
  translatePage();
  $('settings-path').textContent = t('settings.file', { path: snapshot.settingsPath });

  $('login-form').addEventListener('submit', onLogin);
  $('login-profile').addEventListener('change', onProfileChange);
  $('login-remember').addEventListener('change', onRememberChange);
  $('refresh').addEventListener('click', refreshKey);
  $('logout').addEventListener('click', async () => {
    await api.logout();
    await endSession(t('session.loggedOut'));
  });
  $('open-settings').addEventListener('click', openSettings);
  $('close-settings').addEventListener('click', closeSettings);
  $('profile-form').addEventListener('submit', onSaveProfile);
  $('profile-cancel').addEventListener('click', resetProfileForm);
  $('prefs-form').addEventListener('submit', onSavePreferences);
  $('rotate-open').addEventListener('click', openRotation);
  $('rotate-continue').addEventListener('click', continueRotation);
  $('rotate-cancel1').addEventListener('click', () => $('rotate-step1').close('cancel'));
  $('rotate-cancel2').addEventListener('click', () => $('rotate-step2').close('cancel'));
  $('rotate-step1').addEventListener('close', onRotationDialogClose);
  $('rotate-step2').addEventListener('close', onRotationDialogClose);
  $('rotate-typed').addEventListener('input', onTyped);
  $('rotate-step2-form').addEventListener('submit', rotateNow);
  $('clipboard-clear').addEventListener('click', clearNow);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && app.view === 'settings') closeSettings();
  });
  for (const kind of ['keydown', 'pointerdown', 'pointermove', 'wheel']) {
    document.addEventListener(kind, () => { app.lastInput = Date.now(); }, { passive: true });
  }
  setInterval(() => { tick(); renderRelativeTimes(); }, 1000);

  renderLogin();
  const notice = settingsNotice(snapshot);
  if (snapshot.session) {
    await startSession(snapshot.session);
  } else {
    show('login');
  }
  if (notice) notify(notice, 'warning');
  document.body.dataset.ready = 'true';
}

start().catch((error) => {
  document.body.dataset.ready = 'error';
  notify(errorText(error), 'error');
});
