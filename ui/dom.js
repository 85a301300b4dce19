// Small DOM helpers shared by every screen.

import { errorText, errorDetails } from './errors.js';
import { t } from './i18n.js';

export const $ = (id) => document.getElementById(id);

// What the banner says: a sentence, or a function that says it in the window's language.
let noticeText = '';

/// The banner under the top bar. `text`: a function of the language where it can be (the
/// banner is said again when the language changes), or a sentence; '' hides it.
export function notify(text, tone = 'info') {
  noticeText = text;
  $('notice').dataset.tone = tone;
  renderNotice();
}

/// The banner again, in the language now chosen.
export function renderNotice() {
  const el = $('notice');
  const said = typeof noticeText === 'function' ? noticeText() : noticeText;
  el.textContent = said;
  el.hidden = !said;
}

/// An error element: the error's sentence, or hidden when there is none. Its technical side
/// (an HTTP status, a system's reason) goes in a details line after it, closed by default.
export function showError(id, error) {
  const el = $(id);
  el.textContent = error ? errorText(error) : '';
  el.hidden = !error;
  setDetails(el, error ? errorDetails(error) : '');
}

/// The "Technical details" line after an element; removed when there is nothing to say.
export function setDetails(el, text) {
  const id = `${el.id}-details`;
  document.getElementById(id)?.remove();
  if (!text) return;
  const details = document.createElement('details');
  details.id = id;
  details.className = 'error-details';
  const summary = document.createElement('summary');
  summary.textContent = t('details.summary');
  const code = document.createElement('code');
  code.textContent = text;
  details.append(summary, code);
  el.after(details);
}

/// A button of a list's row: its visible `text`, and `ariaLabel`, the same naming the row's
/// item for screen readers ("Edit Loja Centro").
export function rowButton(text, ariaLabel, className, onClick, disabled = false) {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = className;
  button.textContent = text;
  button.setAttribute('aria-label', ariaLabel);
  button.disabled = disabled;
  button.addEventListener('click', onClick);
  return button;
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
