// The rollout watch after a rotation: how long the merchant's systems have been failing with
// the old key, and when they start using the new one. Rust watches; this shows it, here and
// in the window title.

import { api } from '../../api.js';
import { $ } from '../../dom.js';
import { on } from '../../events.js';
import { t, formatClock, formatDuration } from '../../i18n.js';
import { refreshKey, renderHistory } from './dashboard.js';

const APP_TITLE = 'CertoPay Keys';
let status = null;

function elapsed() {
  return formatDuration((Date.now() - new Date(status.rotatedAt).getTime()) / 1000);
}

function render() {
  const panel = $('rollout');
  if (!status) {
    panel.hidden = true;
    $('rollout-text').textContent = '';
    document.title = APP_TITLE;
    return;
  }
  const waiting = status.state === 'waiting';
  const text = {
    waiting: () => {
      const waitingText = t('rollout.waiting', { elapsed: elapsed() });
      // CertoPay's 429: say why the watch is quiet, and until when.
      if (!status.rateLimitedUntil) return waitingText;
      return `${waitingText} ${t('rollout.rateLimited', { time: formatClock(status.rateLimitedUntil) })}`;
    },
    inUse: () => t('rollout.inUse', { time: formatClock(status.inUseSince), after: formatDuration(status.inUseAfterS) }),
    notSeen: () => t('rollout.notSeen', { minutes: status.limitMinutes }),
    stopped: () => t('rollout.stopped'),
  }[status.state]();
  $('rollout-text').textContent = text;
  panel.dataset.state = status.state;
  panel.hidden = false;
  $('rollout-stop').hidden = !waiting;
  document.title = {
    waiting: () => t('rollout.titleWaiting', { elapsed: elapsed() }),
    inUse: () => t('rollout.titleInUse'),
  }[status.state]?.() ?? APP_TITLE;
}

function onRolloutStatus(next) {
  const ended = status?.state === 'waiting' && next.state !== 'waiting';
  status = next;
  render();
  // The history row now says how long the outage lasted, and the key its last use.
  if (ended) {
    renderHistory();
    refreshKey();
  }
}

/// Once a second, while waiting: the time since the rotation moves on.
export function tickRollout() {
  if (status?.state === 'waiting') render();
}

export function initRollout() {
  $('rollout-stop').addEventListener('click', () => api.stopRolloutWatch());
  on('app:rollout', onRolloutStatus);
  on('language:changed', render);
  on('session:ended', () => {
    status = null;
    render();
  });
}
