// The dry run of a profile's destinations, shown the same in Settings and in the rotation
// dialog: each destination started and stopped before any input, its verdict on a line.

import { api } from './api.js';
import { $, showError } from './dom.js';
import { deliveryFailureText } from './errors.js';
import { t, formatTenthsOfSecond } from './i18n.js';

/// One destination's verdict: "Servidor da loja: ready in 0.3 s", or how it failed.
function checkText(check) {
  if (!check.failure) {
    return t('delivery.checkReady', { name: check.name, seconds: formatTenthsOfSecond(check.readyMs) });
  }
  const how = [deliveryFailureText(check.failure), check.output].filter(Boolean).join(' · ');
  return t('delivery.checkFailed', { name: check.name, how });
}

/// Runs the dry run from `button`, listing the verdicts in the list `listId` (errors in
/// `errorId`); the button waits meanwhile.
export async function checkDestinations(button, listId, errorId) {
  const list = $(listId);
  showError(errorId, null);
  list.replaceChildren();
  button.disabled = true;
  const label = button.textContent;
  button.textContent = t('delivery.checking');
  try {
    const checks = await api.checkDestinations();
    const lines = checks.length ? checks.map((check) => ({ text: checkText(check), ok: !check.failure })) : [{ text: t('delivery.checkNone'), ok: true }];
    list.replaceChildren(...lines.map(({ text, ok }) => {
      const item = document.createElement('li');
      item.textContent = text;
      item.className = ok ? 'check-ready' : 'check-failed';
      return item;
    }));
    // The verdicts are below the button: in view, as a person reads on.
    list.scrollIntoView({ block: 'nearest' });
  } catch (error) {
    showError(errorId, error);
  } finally {
    button.textContent = label;
    button.disabled = false;
  }
}
