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
  logout: () => invoke('logout'),
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
};
