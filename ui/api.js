// The one module that talks to Rust. Every command the window uses is wrapped here; a
// failure rejects with the `{kind, message, …}` object the Rust side serialized.

function invoke(command, args = {}) {
  const internals = window.__TAURI_INTERNALS__;
  if (!internals) {
    return Promise.reject({ kind: 'NoBackend', message: 'not running inside the app' });
  }
  return internals.invoke(command, args);
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
  beginRotation: () => invoke('begin_rotation'),
  confirmRotation: (confirmationToken, typed) => invoke('confirm_rotation', { confirmationToken, typed }),
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

/// A channel Rust sends events through, as Tauri's own Channel class does it: a callback id,
/// messages numbered so they are handled in the order they were sent.
function channel(handler) {
  const internals = window.__TAURI_INTERNALS__;
  if (!internals) return null;
  let next = 0;
  const early = new Map();
  const id = internals.transformCallback((packet) => {
    if ('end' in packet) return;
    early.set(packet.index, packet.message);
    while (early.has(next)) {
      const message = early.get(next);
      early.delete(next);
      next += 1;
      handler(message);
    }
  });
  return { toJSON: () => `__CHANNEL__:${id}` };
}
