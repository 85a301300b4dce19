// The result of a rotation that delivered its secret: what was copied, the clipboard's
// countdown and "Clear clipboard now"; and the banner for a rotation that failed.

import { api } from '../../api.js';
import { $, setDetails } from '../../dom.js';
import { on } from '../../events.js';
import { errorText, errorDetails, deliveryFailureText } from '../../errors.js';
import { t, formatClock, formatCountdown, formatTenthsOfSecond } from '../../i18n.js';

let countdownTimer = null;

/// The banner for a rotation that failed, with its technical side in a details line.
export function showRotationError(text, details = '') {
  $('rotation-error').textContent = text || '';
  $('rotation-error').hidden = !text;
  setDetails($('rotation-error'), text ? details : '');
}

// The last result shown, to say it again in another language.
let shownResult = null;

export function showRotationResult(result) {
  shownResult = result;
  renderResultText();
  $('rotation-result').hidden = false;
  $('rotation-result').classList.toggle('delivery-failed', Boolean(result.delivery?.failure));
  // The clipboard's countdown only when the key is on it (no target, a failed delivery, "also copy").
  $('clipboard-clear').hidden = !result.onClipboard;
  $('rotation-result-countdown').hidden = !result.onClipboard;
  if (result.onClipboard) {
    // The Rust side clears at `clearAt`, counted from when it sent this result.
    startCountdown(result.clearAt ? Date.parse(result.clearAt) : Date.now() + result.clearInS * 1000);
    $('clipboard-clear').focus();
  } else {
    announce($('rotation-result-text').textContent);
    $('rotation-result').focus();
  }
}

/// What the delivery command did, in a sentence; `null` when the profile has none.
function deliveryText(result) {
  const delivery = result.delivery;
  if (!delivery) return null;
  if (!delivery.failure) {
    const seconds = formatTenthsOfSecond(delivery.elapsedMs);
    const done = result.newPrefix
      ? t('rotate.delivered', { prefix: result.newPrefix, name: delivery.name, seconds })
      : t('rotate.deliveredNoPrefix', { name: delivery.name, seconds });
    // Which file (or secret) holds the key now, and since when.
    if (!delivery.deliveredAt) return done;
    const time = formatClock(delivery.deliveredAt);
    const held = delivery.destination
      ? t('rotate.heldIn', { destination: delivery.destination, time })
      : t('rotate.heldBy', { name: delivery.name, time });
    // The `.env` preset added the line: the file did not set the variable before.
    return [done, held, delivery.appended ? t('rotate.envAppended') : null].filter(Boolean).join(' ');
  }
  return t('rotate.deliveryFailed', { name: delivery.name });
}

/// The technical side of a failed delivery: how it ended, and what it printed.
function deliveryDetails(delivery) {
  if (!delivery?.failure) return '';
  const how = deliveryFailureText(delivery.failure);
  return [how, delivery.output].filter(Boolean).join(' · ');
}

/// Tells a screen reader about the clipboard, at the moments that matter only.
function announce(text) {
  $('clipboard-announcer').textContent = text;
}

function renderResultText() {
  const result = shownResult;
  const seconds = result.clearInS;
  const delivered = deliveryText(result);
  const copied = result.newPrefix ? t('rotate.done', { prefix: result.newPrefix, seconds }) : t('rotate.doneNoPrefix', { seconds });
  // Delivered: that sentence alone (and the copy's, with "also copy"); failed: why, then the clipboard's.
  $('rotation-result-text').textContent = [delivered, result.onClipboard ? copied : null].filter(Boolean).join(' ');
  $('rotation-result-where').textContent = result.onClipboard ? t('rotate.where') : '';
  setDetails($('rotation-result-where'), deliveryDetails(result.delivery));
  $('rotation-warnings').replaceChildren(...result.warnings.map((w) => {
    const item = document.createElement('li');
    item.textContent = t(`rotate.warn.${w}`);
    return item;
  }));
}

function startCountdown(deadline) {
  clearInterval(countdownTimer);
  let announcedTen = deadline - Date.now() <= 10000;
  const update = async () => {
    const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    const line = t('rotate.countdown', { time: formatCountdown(left) });
    $('rotation-result-countdown').textContent = line;
    if (!announcedTen && left <= 10 && left > 0) {
      announcedTen = true;
      announce(line);
    }
    if (left > 0) return;
    // The Rust side clears at the deadline; show what it did.
    const status = await api.clipboardStatus();
    if (!status.holdsSecret || status.lastOutcome === 'failed') finishCountdown(status.lastOutcome);
  };
  update();
  announce(`${$('rotation-result-text').textContent} ${$('rotation-result-countdown').textContent}`);
  countdownTimer = setInterval(update, 250);
}

function finishCountdown(outcome) {
  clearInterval(countdownTimer);
  countdownTimer = null;
  const text = { cleared: 'rotate.cleared', leftAlone: 'rotate.leftAlone', failed: 'rotate.clearFailed' }[outcome] || 'rotate.nothingHeld';
  $('rotation-result-countdown').textContent = t(text);
  announce(t(text));
  // A failed clear keeps the button: trying again may work.
  $('clipboard-clear').hidden = outcome !== 'failed';
}

async function clearNow() {
  try {
    finishCountdown(await api.clearClipboardNow());
    // The button is gone: the focus goes to the result that says what happened.
    $('rotation-result').focus();
  } catch (error) {
    finishCountdown('failed');
    showRotationError(errorText(error), errorDetails(error));
  }
}

/// Removes the last result, and every word of it that named a key.
export function hideRotationResult() {
  clearInterval(countdownTimer);
  countdownTimer = null;
  $('rotation-result').hidden = true;
  shownResult = null;
  announce('');
  for (const id of ['rotation-result-text', 'rotation-result-where', 'rotation-result-countdown', 'rotation-warnings']) {
    $(id).replaceChildren();
  }
  setDetails($('rotation-result-where'), '');
  showRotationError(null);
}

export function initRotationResult() {
  $('clipboard-clear').addEventListener('click', clearNow);
  on('language:changed', () => shownResult && !$('rotation-result').hidden && renderResultText());
}
