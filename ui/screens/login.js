// The login screen: profile, e-mail, password and "remember password".

import { api } from '../api.js';
import { $, notify, setDetails, showError } from '../dom.js';
import { emit, on } from '../events.js';
import { errorText } from '../errors.js';
import { t } from '../i18n.js';
import { store, profileById, selectedProfile } from '../store.js';

export function renderLogin() {
  const select = $('login-profile');
  const current = selectedProfile();
  select.replaceChildren(...store.settings.profiles.map((p) => {
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
  // An address given at launch serves that run only; say so unless it is this computer.
  renderLaunchOnly(profile);
  $('login-email').value = profile.email || '';
  $('login-password').value = '';
  const remember = $('login-remember');
  remember.disabled = !store.keychain.available;
  remember.checked = store.keychain.available && profile.rememberPassword;
  renderHints(profile);
}

function renderLaunchOnly(profile) {
  const launchOnly = profile.id === 'launch' && store.launchOnly;
  $('login-launch-only').textContent = launchOnly ? t('login.launchOnly', { url: store.launchOnly }) : '';
  $('login-launch-only').hidden = !launchOnly;
}

/// The words around the form that depend on the profile, in the current language.
function renderHints(profile) {
  renderLaunchOnly(profile);
  $('login-remember-reason').textContent = store.keychain.available ? t('login.rememberHint') : t('login.rememberUnavailable');
  setDetails($('login-remember-reason'), store.keychain.available ? '' : store.keychain.reason || '');
  $('login-password').placeholder = $('login-remember').checked && profile.email ? t('login.passwordSaved') : '';
}

async function onProfileChange() {
  const id = $('login-profile').value;
  // The form first, at once: what the user types while the choice is saved stays.
  fillLoginForProfile(profileById(id));
  try {
    store.settings = await api.selectProfile(id);
  } catch (error) {
    showError('login-error', error);
  }
  await emit('profile:selected', id);
}

/// A row of the overview was pressed: that profile's login, ready to type in at once.
function onOverviewChosen(id) {
  $('login-profile').value = id;
  const saved = onProfileChange();
  ($('login-email').value ? $('login-password') : $('login-email')).focus();
  return saved;
}

async function onRememberChange() {
  const profile = profileById($('login-profile').value);
  const remember = $('login-remember').checked;
  // Unticking deletes a stored password at once; ticking stores it at the next login.
  if (!remember && profile.rememberPassword) {
    try {
      store.settings = await api.setRememberPassword(profile.id, false);
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
    api.markTiming('login sent');
    const result = await api.login($('login-profile').value, $('login-email').value, password.value, $('login-remember').checked);
    api.markTiming('login answered');
    password.value = '';
    await emit('login:succeeded', result);
    if (result.warnings.length) notify(() => result.warnings.map(errorText).join(' '), 'warning');
  } catch (error) {
    showError('login-error', error);
    if (error?.kind === 'InvalidCredentials' || error?.field === 'password') password.select();
    else if (error?.field === 'email') $('login-email').focus();
  } finally {
    button.disabled = false;
    button.textContent = t('login.submit');
  }
}

export function initLogin() {
  // Back to login from a session: the profile and e-mail as the settings now say.
  on('login:returning', renderLogin);
  on('language:changed', () => renderHints(profileById($('login-profile').value) || selectedProfile()));
  $('login-form').addEventListener('submit', onLogin);
  $('login-profile').addEventListener('change', onProfileChange);
  on('overview:chosen', onOverviewChosen);
  $('login-remember').addEventListener('change', onRememberChange);
}
