// The one module that talks to Rust. Every command the window uses is wrapped here; a
// failure rejects with the `{kind, message, …}` object the Rust side serialized.

// Tauri's public JS API (`withGlobalTauri` in tauri.conf.json): `invoke`, and the `Channel`
// Rust sends events through, in order.
const core = window.__TAURI__?.core;

function invoke(command, args = {}) {
  if (!core) return Promise.reject({ kind: 'NoBackend', message: 'not running inside the app' });
  return core.invoke(command, args);
}

export const api = {
  snapshot: () => invoke('app_snapshot'),
  login: (profileId, email, password, remember) => invoke('login', { profileId, email, password, remember }),
  currentKey: () => invoke('current_key'),
  logout: (force) => invoke('logout', { force }),
  sessionEnded: () => invoke('session_ended'),
  saveProfile: (profile) => invoke('save_profile', { profile }),
  removeProfile: (profileId) => invoke('remove_profile', { profileId }),
  selectProfile: (profileId) => invoke('select_profile', { profileId }),
  savePreferences: (preferences) => invoke('save_preferences', { preferences }),
  setRememberPassword: (profileId, remember) => invoke('set_remember_password', { profileId, remember }),
  setProxyPassword: (profileId, password) => invoke('set_proxy_password', { profileId, password }),
  networkOverview: () => invoke('network_overview'),
  // Every profile's key as last seen, before any login.
  profileOverview: () => invoke('profile_overview'),
  // The system's save dialog, then the history written there; null when cancelled.
  // Starting with the computer, minimized to the tray: whether it can, and whether it does.
  backgroundStart: () => invoke('background_start'),
  setBackgroundStart: (on) => invoke('set_background_start', { on }),
  about: () => invoke('about'),
  // Settings → About's "Check now"; the offer's "Install and restart" (the app then quits).
  checkForUpdates: () => invoke('check_for_updates'),
  installUpdate: () => invoke('install_update'),
  exportRotationHistory: (kind, language, title) => invoke('export_rotation_history', { kind, language, title }),
  // The whole list of destinations, in order (empty: the clipboard alone); the account
  // password is always needed.
  setDestinations: (profileId, destinations, password) => invoke('set_destinations', { profileId, destinations, password }),
  presetCommand: (preset, fields) => invoke('preset_command', { preset, fields }),
  checkDestinations: () => invoke('check_destinations'),
  beginRotation: () => invoke('begin_rotation'),
  // `password`: asked for when the session was opened with the remembered one.
  confirmRotation: (confirmationToken, typed, password) => invoke('confirm_rotation', { confirmationToken, typed, password }),
  renewSession: () => invoke('renew_session'),
  cancelRotation: () => invoke('cancel_rotation'),
  clearClipboardNow: () => invoke('clear_clipboard_now'),
  clipboardStatus: () => invoke('clipboard_status'),
  rotationHistory: () => invoke('rotation_history'),
  stopRolloutWatch: () => invoke('stop_rollout_watch'),
  waitForRotation: () => invoke('wait_for_rotation'),
  cancelQuit: () => invoke('cancel_quit'),
  quit: () => invoke('quit'),
  reportActivity: () => invoke('report_activity'),
  // Milestones for make bench; Rust prints them only when asked to.
  markTiming: (milestone) => invoke('mark_timing', { milestone }).catch(() => {}),
  subscribeEvents: (handler) => invoke('subscribe_events', { channel: channel(handler) }),
};

/// The channel for what Rust tells the window unasked.
function channel(handler) {
  if (!core) return null;
  const events = new core.Channel();
  events.onmessage = handler;
  return events;
}
