// A newer version, downloaded and its signature verified by Rust: offered under the top bar
// ("Version 0.2.0 is available … Install and restart"). Rust refuses to install while a
// rotation is in flight or a new key is on the clipboard, and says why; the offer stays.

import { api } from '../api.js';
import { $, showError } from '../dom.js';
import { on } from '../events.js';
import { t } from '../i18n.js';

let offer = null;
// Why the last press did not install, said again in a newly chosen language.
let refusal = null;

function render() {
  const banner = $('update-offer');
  banner.hidden = !offer;
  if (!offer) return;
  $('update-offer-text').textContent = t('update.offer', { version: offer.version });
  $('update-offer-notes').textContent = offer.notes ? t('update.notes', { notes: offer.notes }) : '';
  $('update-offer-notes').hidden = !offer.notes;
  showError('update-error', refusal);
}

async function refresh() {
  try {
    offer = (await api.about()).offer;
  } catch {
    offer = null;
  }
  render();
}

async function install() {
  const button = $('update-install');
  button.disabled = true;
  refusal = null;
  showError('update-error', null);
  try {
    // On success the app ends here and the installer starts it again.
    await api.installUpdate();
    $('update-offer-text').textContent = t('update.installing');
  } catch (error) {
    refusal = error;
    showError('update-error', error);
    button.disabled = false;
  }
}

export async function initUpdateOffer() {
  $('update-install').addEventListener('click', install);
  on('app:updateChecked', refresh);
  on('language:changed', render);
  await refresh();
}
