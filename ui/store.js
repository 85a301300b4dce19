// What the window knows: display data only. The session token and secrets stay in Rust.

export const store = {
  settings: null,
  keychain: { available: false, reason: null },
  // The system's language, which "Automático" follows.
  systemLanguage: 'en',
  settingsPath: '',
  // The launch address, when it is not this computer: it serves this run only.
  launchOnly: null,
  session: null,
  key: null,
  view: 'login',
  viewBeforeSettings: 'login',
  // A regenerate request is out: the window waits for its answer before anything ends.
  rotating: false,
  // A new key removed from the clipboard before its time (`SecretRemoved`), or null.
  secretRemoved: null,
};

export function profileById(id) {
  return store.settings.profiles.find((p) => p.id === id);
}

export function selectedProfile() {
  return profileById(store.settings.selectedProfile) || store.settings.profiles[0];
}
