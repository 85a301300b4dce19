// The result of a rotation that delivered its secret: what was copied, the clipboard's
// countdown and "Clear clipboard now"; and the banner for a rotation that failed.

import { api } from '../../api.js';
import { $, setDetails } from '../../dom.js';
import { on } from '../../events.js';
import { errorText, errorDetails, deliveryFailureText } from '../../errors.js';
import { t, formatClock, formatCountdown, formatList, formatTenthsOfSecond } from '../../i18n.js';

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
  $('rotation-result').classList.toggle('delivery-failed', result.deliveries.some((d) => d.failure));
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

/// What the destinations did, in a sentence; `null` when the profile has none.
function deliveryText(result) {
  const deliveries = result.deliveries;
  if (deliveries.length === 1) return oneDestinationText(result, deliveries[0]);
  if (!deliveries.length) return null;
  const names = (list) => formatList(list.map((d) => d.name));
  const delivered = deliveries.filter((d) => !d.failure);
  const failed = deliveries.filter((d) => d.failure);
  if (!failed.length) {
    return result.newPrefix
      ? t('rotate.deliveredAll', { prefix: result.newPrefix, names: names(delivered) })
      : t('rotate.deliveredAllNoPrefix', { names: names(delivered) });
  }
  if (!delivered.length) return t('rotate.deliveryFailed', { name: names(failed) });
  const params = { delivered: names(delivered), failed: names(failed) };
  // Those that failed need the key, and the clipboard could not take it.
  if (!result.onClipboard) return t('rotate.deliveredSomeNoClipboard', params);
  return failed.length === 1
    ? t('rotate.deliveredSome', { ...params, how: deliveryFailureText(failed[0].failure) })
    : t('rotate.deliveredSomeMany', params);
}

/// The sentence for a profile with one destination.
function oneDestinationText(result, delivery) {
  if (delivery.failure) return t('rotate.deliveryFailed', { name: delivery.name });
  const seconds = formatTenthsOfSecond(delivery.elapsedMs);
  const done = result.newPrefix
    ? t('rotate.delivered', { prefix: result.newPrefix, name: delivery.name, seconds })
    : t('rotate.deliveredNoPrefix', { name: delivery.name, seconds });
  return [done, heldText(delivery)].filter(Boolean).join(' ');
}

/// Which file (or secret) holds the key now, and since when; and, for the `.env` preset, that
/// the file did not set the variable before.
function heldText(delivery) {
  if (!delivery.deliveredAt) return null;
  const time = formatClock(delivery.deliveredAt);
  const held = delivery.destination
    ? t('rotate.heldIn', { destination: delivery.destination, time })
    : t('rotate.heldBy', { name: delivery.name, time });
  return [held, delivery.appended ? t('rotate.envAppended') : null].filter(Boolean).join(' ');
}

/// One line per destination, when there are several: what each did.
function destinationLines(deliveries) {
  if (deliveries.length < 2) return [];
  return deliveries.map((delivery) => {
    const item = document.createElement('li');
    item.className = delivery.failure ? 'check-failed' : 'check-ready';
    if (delivery.failure) {
      item.textContent = t('rotate.destinationFailed', { name: delivery.name, how: deliveryFailureText(delivery.failure) });
      return item;
    }
    const seconds = formatTenthsOfSecond(delivery.elapsedMs);
    const time = delivery.deliveredAt ? formatClock(delivery.deliveredAt) : '';
    // The line names it already: "holds it since" only for the file (or secret) it named.
    const held = delivery.destination ? heldText(delivery) : (delivery.appended ? t('rotate.envAppended') : null);
    item.textContent = [t('rotate.destinationDelivered', { name: delivery.name, seconds, time }), held].filter(Boolean).join(' ');
    return item;
  });
}

/// The technical side of the failed ones: how each ended, and what it printed (named when
/// there are several).
function deliveryDetails(deliveries) {
  const failed = deliveries.filter((d) => d.failure);
  return failed.map((delivery) => {
    const how = [deliveryFailureText(delivery.failure), delivery.output].filter(Boolean).join(' · ');
    return deliveries.length > 1 ? `${delivery.name}: ${how}` : how;
  }).join('\n');
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
  setDetails($('rotation-result-where'), deliveryDetails(result.deliveries));
  const lines = destinationLines(result.deliveries);
  $('rotation-deliveries').replaceChildren(...lines);
  $('rotation-deliveries').hidden = !lines.length;
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
  for (const id of ['rotation-result-text', 'rotation-deliveries', 'rotation-result-where', 'rotation-result-countdown', 'rotation-warnings']) {
    $(id).replaceChildren();
  }
  setDetails($('rotation-result-where'), '');
  showRotationError(null);
}

export function initRotationResult() {
  $('clipboard-clear').addEventListener('click', clearNow);
  on('language:changed', () => shownResult && !$('rotation-result').hidden && renderResultText());
}
