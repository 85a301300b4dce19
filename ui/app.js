// The window's start-up: read the app's state from Rust, translate the page, wire each screen,
// and show login (beside the overview of every profile) or the dashboard. The window shows
// display data only; the session token stays in Rust. Screens live in screens/, one module each.

import { api } from './api.js';
import { $, notify, renderNotice } from './dom.js';
import { emit, on } from './events.js';
import { errorText } from './errors.js';
import { t, setLanguage, translatePage } from './i18n.js';
import { initDashboard, renderRelativeTimes } from './screens/dashboard/dashboard.js';
import { initLogin, renderLogin } from './screens/login.js';
import { initOverview, refreshOverview } from './screens/overview.js';
import { initRollout, tickRollout } from './screens/dashboard/rollout.js';
import { initRotation } from './screens/rotation/rotation.js';
import { initUpdateOffer } from './screens/update_offer.js';
import { initSession, showSecretRemoved, startSession, tick } from './session.js';
import { store } from './store.js';
import { show } from './views.js';

function settingsNotice(snapshot) {
  const notice = snapshot.settingsNotice;
  if (snapshot.launchError) return t('settings.launchRefused', { reason: errorText(snapshot.launchError) });
  if (!notice) return '';
  return notice.keptAs ? t('settings.corrupt', { path: notice.keptAs }) : t('settings.corruptNotKept');
}

/// What the window shows that moves with time (the session line, "3 minutes ago", the rollout
/// watch's clock) is drawn again each second while it can be seen, and not at all while it is
/// hidden (in the tray): a hidden app wakes for nothing of the page's. Shown again, it is
/// drawn at once. What must happen on time (the lock, a session's end) is Rust's.
function keepTimesCurrent() {
  const redraw = () => { tick(); renderRelativeTimes(); tickRollout(); };
  let timer = null;
  const follow = () => {
    clearInterval(timer);
    timer = null;
    if (document.visibilityState === 'hidden') return;
    redraw();
    timer = setInterval(redraw, 1000);
  };
  document.addEventListener('visibilitychange', follow);
  follow();
}

/// Settings (its screen and its four sections' modules) is loaded when it is first opened: the
/// page at the login screen holds no code it does not show (README, "Measured").
function openSettingsWhenAsked() {
  let settings = null;
  $('open-settings').addEventListener('click', async () => {
    settings ??= import('./screens/settings/settings.js').then((module) => {
      module.initSettings();
      return module;
    });
    try {
      (await settings).openSettings();
    } catch (error) {
      settings = null;
      notify(() => errorText(error), 'error');
    }
  });
}

async function start() {
  const snapshot = await api.snapshot();
  store.settings = snapshot.settings;
  store.keychain = snapshot.keychain;
  store.launchOnly = snapshot.launchOnly;
  store.systemLanguage = snapshot.systemLanguage;
  await setLanguage(store.settings.language, store.systemLanguage);
  translatePage();
  store.settingsPath = snapshot.settingsPath;
  $('settings-path').textContent = t('settings.file', { path: snapshot.settingsPath });

  initSession();
  initLogin();
  initOverview();
  // Rotation before the dashboard: a new session hides the last result before its key loads.
  initRotation();
  initDashboard();
  openSettingsWhenAsked();
  initRollout();
  on('language:changed', renderNotice);
  keepTimesCurrent();
  // What Rust says unasked arrives as "app:<kind>" events.
  await api.subscribeEvents((event) => emit(`app:${event.kind}`, event));

  renderLogin();
  await refreshOverview();
  await initUpdateOffer();
  // A key removed from the clipboard in an earlier run (the app was closed) is said at once.
  showSecretRemoved(snapshot.secretRemoved);
  const notice = settingsNotice(snapshot);
  if (snapshot.session) {
    await startSession(snapshot.session);
  } else {
    show('login');
  }
  if (notice) notify(() => settingsNotice(snapshot), 'warning');
  document.body.dataset.ready = 'true';
  api.markTiming('login form interactive');
}

start().catch((error) => {
  document.body.dataset.ready = 'error';
  notify(() => errorText(error), 'error');
});
