// Small DOM helpers shared by every screen.

import { t, errorText } from './i18n.js';

export const $ = (id) => document.getElementById(id);

/// The banner under the top bar.
export function notify(text, tone = 'info') {
  const el = $('notice');
  el.textContent = text;
  el.dataset.tone = tone;
  el.hidden = !text;
}

/// An error element: the error's sentence, or hidden when there is none.
export function showError(id, error) {
  const el = $(id);
  el.textContent = error ? errorText(error) : '';
  el.hidden = !error;
}

/// An in-window yes/no question (a <dialog>: Escape or the "no" button says no).
export function askConfirm(question, yesLabel, noLabel = t('settings.cancelEdit')) {
  const dialog = $('confirm-dialog');
  $('confirm-text').textContent = question;
  $('confirm-yes').textContent = yesLabel;
  $('confirm-no').textContent = noLabel;
  return new Promise((resolve) => {
    dialog.addEventListener('close', () => resolve(dialog.returnValue === 'yes'), { once: true });
    dialog.returnValue = '';
    dialog.showModal();
    $('confirm-no').focus();
  });
}
