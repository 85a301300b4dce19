// Settings → "Start with the computer, waiting in the tray": off by default, offered only
// where the desktop has a tray (Rust asks the desktop), and applied at once: the system's own
// autostart entry is the setting.

import { api } from '../../api.js';
import { $, setDetails, showError } from '../../dom.js';
import { on } from '../../events.js';
import { t } from '../../i18n.js';

let status = null;

function render() {
  if (!status) return;
  const box = $('pref-background');
  box.checked = status.enabled;
  box.disabled = !status.trayAvailable && !status.enabled;
  const hint = $('pref-background-hint');
  hint.textContent = status.trayAvailable ? t('settings.backgroundHint') : t('settings.noTray');
  setDetails(hint, status.trayAvailable ? '' : status.trayMissing || '');
}

async function refresh() {
  try {
    status = await api.backgroundStart();
  } catch (error) {
    showError('background-error', error);
  }
  render();
}

async function onChange() {
  showError('background-error', null);
  try {
    status = await api.setBackgroundStart($('pref-background').checked);
  } catch (error) {
    showError('background-error', error);
  }
  render();
}

export function initBackground() {
  $('pref-background').addEventListener('change', onChange);
  on('view:shown', (view) => (view === 'settings' ? refresh() : null));
  on('language:changed', render);
}
