// Which screen is shown: login, dashboard or settings.

import { $ } from './dom.js';
import { emit } from './events.js';
import { store } from './store.js';

export function show(view) {
  store.view = view;
  for (const name of ['login', 'dashboard', 'settings']) {
    $(`view-${name}`).hidden = name !== view;
  }
  $('logout').hidden = !store.session;
  $('open-settings').hidden = view === 'settings';
  emit('view:shown', view);
  const focusTarget = {
    login: () => ($('login-email').value ? $('login-password') : $('login-email')),
    dashboard: () => $('refresh'),
    settings: () => $('close-settings'),
  }[view]();
  focusTarget?.focus();
}
