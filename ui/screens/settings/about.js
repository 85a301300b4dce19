// Settings → About: the version, and how this copy is updated (the organisation's policy, the
// system's package manager, or not at all), as Rust reads it from the machine.

import { api } from '../../api.js';
import { $ } from '../../dom.js';
import { on } from '../../events.js';
import { t } from '../../i18n.js';

let about = null;

function render() {
  if (!about) return;
  $('about-version').textContent = t('about.version', { version: about.version });
  $('about-updates').textContent = t(`about.${about.updates}`);
}

export function initAbout() {
  on('view:shown', async (view) => {
    if (view !== 'settings') return;
    try {
      about = await api.about();
    } catch {
      about = null;
    }
    render();
  });
  on('language:changed', render);
}
