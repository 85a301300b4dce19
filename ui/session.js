// The session as the window sees it: starting one, ending one (back to login with the profile
// and e-mail kept), the session line with its countdown, the idle lock and running out.

import { api } from './api.js';
import { $, askConfirm, notify } from './dom.js';
import { emit, on } from './events.js';
import { errorText } from './errors.js';
import { t, formatCountdown, formatTime } from './i18n.js';
import { store } from './store.js';
import { show } from './views.js';

// Countdown shown in the session's last minutes.
const COUNTDOWN_FROM_SECONDS = 5 * 60;

/// A session began. `settings`, when the login brought them, saves asking Rust again (a login
/// also ends the notice about a removed key; a renewal keeps it).
export async function startSession(session, settings = null) {
  store.session = session;
  if (settings) {
    store.settings = settings;
    showSecretRemoved(null);
  } else {
    const snapshot = await api.snapshot();
    store.settings = snapshot.settings;
    showSecretRemoved(snapshot.secretRemoved);
  }
  notify('');
  await emit('session:started');
}

/// The sentence a new key removed from the clipboard before its time leaves, on the login
/// screen and the dashboard alike, until the next login or rotation (`null` hides it).
export function showSecretRemoved(notice) {
  store.secretRemoved = notice || null;
  renderSecretRemoved();
}

function renderSecretRemoved() {
  const notice = store.secretRemoved;
  const el = $('secret-removed');
  el.hidden = !notice;
  if (!notice) {
    el.textContent = '';
    return;
  }
  const when = t(`removed.${notice.cause}`);
  el.textContent = notice.keyPrefix ? t('removed.text', { prefix: notice.keyPrefix, when }) : t('removed.textNoPrefix', { when });
}

/// Back to login with the profile and e-mail kept. Screens blank what named the old session.
/// `message`: what the login screen says (`notify`'s text).
export async function endSession(message, tone = 'info') {
  store.session = null;
  await emit('session:ended');
  try {
    const snapshot = await api.snapshot();
    store.settings = snapshot.settings;
    showSecretRemoved(snapshot.secretRemoved);
  } catch { /* keep what we have */ }
  await emit('login:returning');
  show('login');
  notify(message, tone);
}

/// Logs out once a rotation in flight has its answer; a new secret on the clipboard is not
/// cleared without asking. `message`: what the login screen then says (`notify`'s text).
export async function logOut(message = () => t('session.loggedOut')) {
  if (store.rotating) notify(() => t('session.waitingLogout'), 'warning');
  let outcome = await api.logout(false);
  if (outcome === 'secretOnClipboard') {
    notify('');
    if (!(await askConfirm(t('session.secretOnClipboard'), t('session.logoutAnyway'), t('session.stay')))) return;
    outcome = await api.logout(true);
  }
  await endSession(message);
}

/// The close button was pressed while closing would lose something: wait, ask, then quit.
async function onCloseRequested({ rotationInFlight }) {
  if (rotationInFlight) notify(() => t('session.waitingQuit'), 'warning');
  const clipboard = await api.waitForRotation();
  notify('');
  if (clipboard.holdsSecret && !(await askConfirm(t('session.secretOnClipboardQuit'), t('session.quitAnyway'), t('session.stay')))) {
    await api.cancelQuit();
    return;
  }
  await api.quit();
}

/// The app is quitting and waits for the rotation in flight: what for, and the time left at
/// most, said once a second until the app ends (the window keeps working meanwhile).
function onQuitting({ until }) {
  const deadline = Date.parse(until);
  const say = () => t('session.quitting', { time: formatCountdown(Math.max(0, Math.ceil((deadline - Date.now()) / 1000))) });
  notify(say, 'warning');
  clearInterval(quittingTimer);
  quittingTimer = setInterval(() => notify(say, 'warning'), 1000);
}

let quittingTimer = null;

/// The server says the session is over: logged in again with a remembered password, or back
/// to login.
export async function sessionEnded() {
  await applySessionEnded(await api.sessionEnded());
}

/// How a session that ended by itself ended (Rust's session clock, or the server's refusal).
async function applySessionEnded(ended) {
  if (ended.renewed) {
    await startSession(ended.renewed);
    notify(() => t('session.renewed'), 'info');
  } else if (ended.renewError) {
    await endSession(() => t('session.renewFailed', { reason: errorText(ended.renewError) }), 'warning');
  } else {
    await endSession(() => t('session.ended'), 'warning');
  }
}

function renderSessionLine() {
  const line = $('session-line');
  if (!store.session) {
    line.hidden = true;
    return;
  }
  const remaining = (new Date(store.session.expiresAt).getTime() - Date.now()) / 1000;
  line.hidden = false;
  if (remaining <= COUNTDOWN_FROM_SECONDS) {
    line.textContent = t('session.countdown', { email: store.session.email, remaining: formatCountdown(remaining) });
    line.classList.add('ending');
  } else {
    line.textContent = t('session.line', { email: store.session.email, time: formatTime(store.session.expiresAt) });
    line.classList.remove('ending');
  }
}

/// Once a second while the window is shown: the session line. The session's end and the idle
/// lock are Rust's (its session clock), so they come on time with the window hidden too.
export function tick() {
  renderSessionLine();
}

/// Rust ended the session: idle too long, the screen locked or the computer went to sleep.
function onLocked({ reason, idleMinutes }) {
  const text = () => (reason === 'idle' ? t('session.locked', { minutes: idleMinutes }) : t('session.lockedAway'));
  return endSession(text, 'warning');
}

// The window tells Rust the user is there, at most this often.
const ACTIVITY_EVERY_MS = 2000;
let lastReported = 0;
function onInput() {
  const now = Date.now();
  if (store.session && now - lastReported >= ACTIVITY_EVERY_MS) {
    lastReported = now;
    api.reportActivity();
  }
}

export function initSession() {
  on('login:succeeded', ({ session, settings }) => startSession(session, settings));
  on('view:shown', renderSessionLine);
  on('language:changed', renderSessionLine);
  on('app:closeRequested', onCloseRequested);
  on('app:quitting', onQuitting);
  on('app:locked', onLocked);
  on('app:sessionRanOut', applySessionEnded);
  $('logout').addEventListener('click', () => logOut());
  on('language:changed', renderSecretRemoved);
  for (const kind of ['keydown', 'pointerdown', 'pointermove', 'wheel']) {
    document.addEventListener(kind, onInput, { passive: true });
  }
}
