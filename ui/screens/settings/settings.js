// Settings: profiles (add, edit, remove) and preferences.

import { api } from '../../api.js';
import { $, askConfirm, rowButton, showError } from '../../dom.js';
import { errorText } from '../../errors.js';
import { t, setLanguage, translatePage } from '../../i18n.js';
import { emit, on } from '../../events.js';
import { store } from '../../store.js';
import { show } from '../../views.js';
import { renderKey } from '../dashboard/dashboard.js';
import { initAbout } from './about.js';
import { initBackground } from './background.js';
import { initDestinations, renderDestinations } from './destinations.js';
import { initRecord } from './record.js';
import { renderLogin } from '../login.js';

/// Shows settings (app.js loads this module when it is first opened).
export function openSettings() {
  store.viewBeforeSettings = store.view;
  renderSettings();
  show('settings');
}

function closeSettings() {
  if (store.viewBeforeSettings === 'login') renderLogin();
  if (store.viewBeforeSettings === 'dashboard' && store.key) renderKey();
  show(store.session ? store.viewBeforeSettings : 'login');
}

/// "Edit" or "Remove" for one profile, named with it for screen readers.
function profileButton(labelKey, className, profile, onClick) {
  return rowButton(t(labelKey), `${t(labelKey)} ${profile.name}`, className, onClick);
}

function renderSettings() {
  renderProfiles();
  renderNetwork();
  renderDestinations();
  $('pref-rotation').value = store.settings.rotationPeriodDays;
  $('pref-clipboard').value = store.settings.clipboardClearSeconds;
  $('pref-idle').value = store.settings.idleLockMinutes;
  $('pref-lock-away').checked = store.settings.lockOnScreenLock;
  $('pref-reminders').checked = store.settings.reminders;
  $('pref-language').value = store.settings.language || '';
}

function renderProfiles() {
  const list = $('profile-list');
  list.replaceChildren(...store.settings.profiles.map((p) => {
    const item = document.createElement('li');
    const text = document.createElement('div');
    const name = document.createElement('strong');
    name.textContent = p.name;
    const url = document.createElement('span');
    url.className = 'muted';
    url.textContent = p.baseUrl;
    // How its requests go now (filled in by renderNetwork).
    const via = document.createElement('span');
    via.className = 'hint profile-via';
    via.dataset.profileId = p.id;
    text.append(name, ' ', url, via);
    item.append(
      text,
      profileButton('settings.edit', 'secondary', p, () => editProfile(p)),
      profileButton('settings.remove', 'secondary danger-text', p, () => removeProfile(p)),
    );
    return item;
  }));
}

/// What each profile's way out is now, and which certificates are trusted: asked of Rust,
/// which reads the system's proxy settings.
async function renderNetwork() {
  try {
    network = await api.networkOverview();
  } catch {
    return;
  }
  renderNetworkText();
}

// The last overview, to say it again in another language.
let network = null;

function renderNetworkText() {
  if (!network) return;
  for (const shown of network.profiles) {
    const el = document.querySelector(`.profile-via[data-profile-id="${CSS.escape(shown.profileId)}"]`);
    if (el) el.textContent = viaText(shown);
  }
  const trust = network.trustStore;
  const variable = { file: 'SSL_CERT_FILE', dir: 'SSL_CERT_DIR' }[trust.kind] || '';
  $('settings-trust').textContent = t(`settings.trust.${trust.kind}`, { path: trust.path || '', variable });
}

function viaText(shown) {
  if (shown.error) return t('settings.via.error', { reason: errorText(shown.error) });
  if (shown.kind !== 'via') return t(`settings.via.${shown.kind}`);
  if (shown.source === 'environment') return t('settings.via.environment', { address: shown.address, variable: shown.variable });
  if (shown.source === 'gnome') return t('settings.via.gnome', { address: shown.address });
  return shown.user ? t('settings.via.profileUser', { address: shown.address, user: shown.user }) : t('settings.via.profile', { address: shown.address });
}

/// The proxy fields show for "This proxy" only.
function renderProxyFields() {
  $('profile-proxy-fields').hidden = $('profile-proxy').value !== 'explicit';
}

function proxyFromForm() {
  const kind = $('profile-proxy').value;
  if (kind !== 'explicit') return { kind };
  return { kind, address: $('profile-proxy-address').value, user: $('profile-proxy-user').value };
}

function fillProxyFields(proxy = { kind: 'system' }) {
  $('profile-proxy').value = proxy.kind;
  $('profile-proxy-address').value = proxy.address || '';
  $('profile-proxy-user').value = proxy.user || '';
  $('profile-proxy-password').value = '';
  renderProxyFields();
}

function editProfile(profile) {
  $('profile-id').value = profile.id;
  $('profile-name').value = profile.name;
  $('profile-url').value = profile.baseUrl;
  fillProxyFields(profile.proxy);
  $('profile-form-title').textContent = t('settings.editProfile', { name: profile.name });
  $('profile-cancel').hidden = false;
  showError('profile-error', null);
  $('profile-name').focus();
}

function resetProfileForm() {
  $('profile-id').value = '';
  $('profile-name').value = '';
  $('profile-url').value = '';
  fillProxyFields();
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
    proxy: proxyFromForm(),
  };
  const proxyPassword = profile.proxy.kind === 'explicit' ? $('profile-proxy-password').value : '';
  const known = new Set(store.settings.profiles.map((p) => p.id));
  try {
    const saved = await api.saveProfile(profile);
    store.settings = saved.settings;
    // The password goes to the keychain, once the profile (and its proxy user) is saved.
    if (proxyPassword) {
      const id = profile.id || saved.settings.profiles.find((p) => !known.has(p.id))?.id;
      await api.setProxyPassword(id, proxyPassword);
    }
    const said = saved.passwordForgotten ? 'settings.profileSavedPasswordForgotten' : 'settings.profileSaved';
    $('profile-status').textContent = t(said, { name: profile.name.trim() });
    resetProfileForm();
    renderSettings();
  } catch (error) {
    // What the user typed stays in the form.
    showError('profile-error', error);
    if (error?.field === 'baseUrl') $('profile-url').focus();
    else if (error?.field === 'name') $('profile-name').focus();
    else if (error?.field === 'proxy') $('profile-proxy-address').focus();
    else if (error?.field === 'proxyUser') $('profile-proxy-user').focus();
  }
}

async function removeProfile(profile) {
  if (!(await askConfirm(t('settings.confirmRemove', { name: profile.name }), t('settings.remove')))) return;
  try {
    store.settings = await api.removeProfile(profile.id);
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
  const preferences = {
    language: $('pref-language').value || null, lockOnScreenLock: $('pref-lock-away').checked, reminders: $('pref-reminders').checked,
  };
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
    store.settings = await api.savePreferences(preferences);
    $('prefs-status').textContent = t('settings.preferencesSaved');
  } catch (error) {
    showError('prefs-error', error);
  }
}

/// A new language applies at once: it is saved, and every screen speaks it now.
async function onLanguageChange() {
  showError('prefs-error', null);
  const s = store.settings;
  const preferences = {
    rotationPeriodDays: s.rotationPeriodDays, clipboardClearSeconds: s.clipboardClearSeconds, idleLockMinutes: s.idleLockMinutes,
    lockOnScreenLock: s.lockOnScreenLock, language: $('pref-language').value || null,
  };
  try {
    store.settings = await api.savePreferences(preferences);
  } catch (error) {
    showError('prefs-error', error);
    return;
  }
  await setLanguage(store.settings.language, store.systemLanguage);
  translatePage();
  $('profile-form-title').textContent = $('profile-id').value ? t('settings.editProfile', { name: $('profile-name').value }) : t('settings.addProfile');
  renderProfiles();
  $('settings-path').textContent = t('settings.file', { path: store.settingsPath });
  await emit('language:changed');
}

export function initSettings() {
  initDestinations();
  initRecord();
  initBackground();
  initAbout();
  $('pref-language').addEventListener('change', onLanguageChange);
  on('language:changed', renderNetworkText);
  $('close-settings').addEventListener('click', closeSettings);
  $('profile-form').addEventListener('submit', onSaveProfile);
  $('profile-cancel').addEventListener('click', resetProfileForm);
  $('profile-proxy').addEventListener('change', renderProxyFields);
  $('prefs-form').addEventListener('submit', onSavePreferences);
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && store.view === 'settings') closeSettings();
  });
}
