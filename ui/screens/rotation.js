// Rotation: step 1 (what happens), step 2 (type the label, "Rotate now") and what each
// failure means. The result and its clipboard countdown are in rotation-result.js.

import { api } from '../api.js';
import { $, showError } from '../dom.js';
import { on } from '../events.js';
import { t, errorText, errorDetails } from '../i18n.js';
import { endSession } from '../session.js';
import { store } from '../store.js';
import { refreshKey, renderHistory, renderKey, renderRotateButton } from './dashboard.js';
import { hideRotationResult, initRotationResult, showRotationError, showRotationResult } from './rotation-result.js';

// What step 1 returned: the confirmation token and what the dialogs show.
let rotation = null;
// Counts the attempts to open step 1: an answer for an older one is dropped.
let attempts = 0;

async function handleRotationError(error) {
  switch (error?.kind) {
    case 'SessionExpired':
      await endSession(t('rotate.expiredAgain'), 'warning');
      return;
    case 'Forbidden':
      if (store.key) store.key.rotationBlocked = 'forbidden';
      renderRotateButton();
      showRotationError(t('rotate.forbidden'));
      return;
    case 'RateLimited':
      showRotationError(error.retryAfterS ? t('rotate.rateLimited', { seconds: error.retryAfterS }) : t('error.RateLimitedNoWait'));
      return;
    default:
      showRotationError(errorText(error), errorDetails(error));
  }
}

async function openRotation() {
  const button = $('rotate-open');
  if (button.disabled) return;
  // A new attempt: what the last one said goes.
  hideRotationResult();
  const attempt = ++attempts;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  button.textContent = t('rotate.preparing');
  let dialog;
  try {
    dialog = await api.beginRotation();
  } catch (error) {
    if (attempt === attempts && store.session) await handleRotationError(error);
    return;
  } finally {
    button.removeAttribute('aria-busy');
    button.textContent = t('rotate.open');
    renderRotateButton();
  }
  // The session ended or another attempt began meanwhile: this answer is for no one.
  if (attempt !== attempts || !store.session) {
    api.cancelRotation();
    return;
  }
  rotation = dialog;
  const live = rotation.mode === 'live';
  for (const mark of document.querySelectorAll('.live-mark')) mark.hidden = !live;
  $('rotate-step1-title').textContent = t('rotate.step1Title', { profile: rotation.profileName });
  $('rotate-step1-key').textContent = t('rotate.keyLine', { label: rotation.label, prefix: rotation.keyPrefix });
  $('rotate-step1').returnValue = '';
  $('rotate-step1').showModal();
  // The safe choice has the focus; the dialog shows from its top (title, LIVE warning) even
  // when large text makes it scroll.
  $('rotate-cancel1').focus({ preventScroll: true });
  showFromTop($('rotate-step1'));
}

/// A dialog that scrolls (large text) shows its top first, once it has been laid out.
function showFromTop(dialog) {
  dialog.scrollTop = 0;
  requestAnimationFrame(() => { dialog.scrollTop = 0; });
}

function continueRotation() {
  $('rotate-step1').close('continue');
  const { label, typedPrefix } = rotation;
  $('rotate-typed-label').textContent = label ? t('rotate.typeLabel', { label }) : t('rotate.typePrefix', { prefix: typedPrefix });
  $('rotate-step2-hint').textContent = label ? t('rotate.typeHint', { prefix: typedPrefix }) : '';
  $('rotate-typed').value = '';
  $('rotate-typed').disabled = false;
  $('rotate-now').disabled = true;
  $('rotate-step2-wait').hidden = true;
  showError('rotate-step2-error', null);
  $('rotate-step2').returnValue = '';
  $('rotate-step2').showModal();
  $('rotate-typed').focus({ preventScroll: true });
  showFromTop($('rotate-step2'));
}

function onTyped() {
  const typed = $('rotate-typed').value.trim();
  $('rotate-now').disabled = !(typed && (typed === rotation.label.trim() || typed === rotation.typedPrefix));
}

/// A dialog closed by Escape or Cancel voids the confirmation on the Rust side too.
function onRotationDialogClose(event) {
  if (!['continue', 'done', 'failed', 'sending'].includes(event.target.returnValue) && rotation) {
    rotation = null;
    api.cancelRotation();
    $('rotate-open').focus();
  }
}

/// Once sent, a rotation cannot be hidden: Escape and Cancel only say that the answer is awaited.
function holdWhileSent(event) {
  if (!store.rotating) return false;
  event?.preventDefault();
  $('rotate-step2-wait').textContent = t('rotate.sentWaiting');
  $('rotate-step2-wait').hidden = false;
  return true;
}

async function rotateNow(event) {
  event.preventDefault();
  if (!rotation || $('rotate-now').disabled || store.rotating) return;
  const button = $('rotate-now');
  const dialog = $('rotate-step2');
  button.disabled = true;
  button.textContent = t('rotate.working');
  $('rotate-typed').disabled = true;
  $('rotate-cancel2').disabled = true;
  store.rotating = true;
  holdWhileSent();
  renderRotateButton();
  // The dialog stays, but no longer blocks the window: logging out or closing, pressed now,
  // waits for the answer.
  dialog.close('sending');
  dialog.show();
  try {
    const result = await api.confirmRotation(rotation.confirmationToken, $('rotate-typed').value);
    rotation = null;
    store.rotating = false;
    dialog.close('done');
    // A delivered secret restarts the idle timer: the user needs time to paste it.
      if (result.key) {
      store.key = result.key;
      renderKey();
    }
    showRotationResult(result);
  } catch (error) {
    store.rotating = false;
    if (error?.kind === 'Confirmation' && error.reason === 'TypedTextMismatch') {
      dialog.close('sending');
      dialog.showModal();
      showError('rotate-step2-error', error);
      button.disabled = false;
      $('rotate-typed').disabled = false;
      $('rotate-typed').select();
      return;
    }
    rotation = null;
    dialog.close('failed');
    await handleRotationError(error);
    if (store.session) await refreshKey();
  } finally {
    store.rotating = false;
    $('rotate-step2-wait').hidden = true;
    $('rotate-cancel2').disabled = false;
    button.textContent = t('rotate.now');
    renderRotateButton();
    renderHistory();
  }
}

/// The session ended: no dialog or result of it stays open, and nothing names its key.
function closeRotation() {
  rotation = null;
  attempts += 1;
  for (const id of ['rotate-step1', 'rotate-step2']) if ($(id).open) $(id).close('failed');
  for (const id of ['rotate-step1-title', 'rotate-step1-key', 'rotate-typed-label', 'rotate-step2-hint']) $(id).textContent = '';
  $('rotate-typed').value = '';
  hideRotationResult();
}

export function initRotation() {
  initRotationResult();
  $('rotate-open').addEventListener('click', openRotation);
  $('rotate-continue').addEventListener('click', continueRotation);
  $('rotate-cancel1').addEventListener('click', () => $('rotate-step1').close('cancel'));
  $('rotate-cancel2').addEventListener('click', () => holdWhileSent() || $('rotate-step2').close('cancel'));
  // Escape on a modal dialog fires `cancel`; on the dialog left open while sending, a keydown.
  $('rotate-step2').addEventListener('cancel', holdWhileSent);
  $('rotate-step2').addEventListener('keydown', (event) => event.key === 'Escape' && holdWhileSent(event));
  $('rotate-step1').addEventListener('close', onRotationDialogClose);
  $('rotate-step2').addEventListener('close', onRotationDialogClose);
  $('rotate-typed').addEventListener('input', onTyped);
  $('rotate-step2-form').addEventListener('submit', rotateNow);
  on('session:started', hideRotationResult);
  on('session:ended', closeRotation);
}
