// The dashboard: the key as the server describes it, refresh, and the rotation history.

import { api } from '../../api.js';
import { $, showError } from '../../dom.js';
import { on } from '../../events.js';
import {
  t, formatLocal, formatUtc, formatRelative, formatTime, formatDate, formatAge, formatNumber, formatDuration, formatList,
} from '../../i18n.js';
import { sessionEnded } from '../../session.js';
import { store, profileById, selectedProfile } from '../../store.js';
import { show } from '../../views.js';

// When the key was last read, for the line that says so.
let updatedAt = null;

function renderUpdated() {
  $('dash-updated').textContent = updatedAt ? t('dash.updated', { time: formatTime(updatedAt) }) : '';
}

/// While the first read of a session's key is out: a placeholder, not empty tags and blanks.
function renderLoading() {
  $('key-label').textContent = t('dash.loading');
  for (const id of ['key-mode', 'key-state']) $(id).hidden = true;
  for (const id of ['key-prefix', 'key-masked', 'key-rate', 'key-last-used', 'key-created', 'key-age']) $(id).textContent = '…';
  $('view-dashboard').setAttribute('aria-busy', 'true');
}

export async function refreshKey() {
  if (!store.key) renderLoading();
  const button = $('refresh');
  button.disabled = true;
  button.textContent = t('dash.refreshing');
  showError('dash-error', null);
  try {
    api.markTiming('key requested');
    store.key = await api.currentKey();
    api.markTiming('key answered');
    renderKey();
    api.markTiming('key on screen');
    updatedAt = new Date().toISOString();
    renderUpdated();
  } catch (error) {
    if (error?.kind === 'SessionEnded') {
      await sessionEnded();
      return;
    }
    showError('dash-error', error);
  } finally {
    $('view-dashboard').removeAttribute('aria-busy');
    button.disabled = false;
    button.textContent = t('dash.refresh');
  }
}

function setTimeField(id, iso, emptyText) {
  const el = $(id);
  const exact = $(`${id}-exact`);
  // Only a real time has an exact form to show on hover or focus.
  el.classList.toggle('has-tip', Boolean(iso));
  if (!iso) {
    el.textContent = emptyText;
    el.removeAttribute('title');
    el.removeAttribute('tabindex');
    el.dataset.iso = '';
    exact.textContent = '';
    return;
  }
  el.tabIndex = 0;
  el.dataset.iso = iso;
  exact.textContent = t('dash.exact', { local: formatLocal(iso), utc: formatUtc(iso) });
  el.title = exact.textContent;
}

/// Blanks the dashboard, so one account's key never shows in the next session while its own
/// key loads.
function clearKey() {
  store.key = null;
  updatedAt = null;
  for (const id of ['dash-profile', 'key-label', 'key-mode', 'key-state', 'key-prefix', 'key-masked', 'key-rate',
    'key-last-used', 'key-last-used-exact', 'key-created', 'key-created-exact', 'key-age', 'dash-updated', 'rotate-reason', 'rotate-next']) {
    $(id).textContent = '';
  }
  $('key-inactive').hidden = true;
  $('key-due').hidden = true;
  $('rotate-open').disabled = true;
}

export function renderKey() {
  const key = store.key;
  const profile = profileById(store.session.profileId) || selectedProfile();
  $('dash-profile').textContent = t('dash.profile', { name: profile.name, url: profile.baseUrl });
  $('key-label').textContent = key.label || t('dash.noLabel');
  const mode = $('key-mode');
  mode.hidden = false;
  $('key-state').hidden = false;
  mode.textContent = t({ live: 'dash.live', test: 'dash.test' }[key.mode] || 'dash.unknownMode');
  mode.className = `tag ${key.mode}`;
  const state = $('key-state');
  state.textContent = key.active ? t('dash.active') : t('dash.inactive');
  state.className = `tag ${key.active ? 'active' : 'inactive'}`;
  $('key-inactive').hidden = key.active;
  $('key-inactive').textContent = t('dash.inactiveBanner');
  $('key-due').hidden = !key.rotationDue;
  $('key-due').textContent = t('dash.dueBanner', { days: formatNumber(key.ageDays ?? 0), period: formatNumber(key.rotationPeriodDays) });
  $('key-prefix').textContent = key.keyPrefix;
  $('key-masked').textContent = key.maskedKey ?? t('dash.unknown');
  $('key-rate').textContent = key.rateLimit == null ? t('dash.rateUnknown') : t('dash.rate', { n: formatNumber(key.rateLimit) });
  renderRotateButton();
  setTimeField('key-last-used', key.lastUsedAt, t('dash.never'));
  setTimeField('key-created', key.createdAt, t('dash.unknown'));
  renderRelativeTimes();
  $('key-age').textContent = formatAge(key.ageDays);
}

/// Relative times move on while the window is open.
export function renderRelativeTimes() {
  if (!store.key) return;
  if (store.key.lastUsedAt) $('key-last-used').textContent = formatRelative(store.key.lastUsedAt);
  if (store.key.createdAt) $('key-created').textContent = `${formatDate(store.key.createdAt)} (${formatRelative(store.key.createdAt)})`;
}

/// "Rotate key…", off with the reason when this account or this machine cannot rotate.
export function renderRotateButton() {
  const key = store.key;
  let reason = '';
  if (key?.rotationBlocked === 'forbidden') reason = t('rotate.blockedForbidden');
  else if (key?.rotationBlocked === 'clipboard') reason = t('rotate.blockedClipboard');
  $('rotate-open').disabled = !key || Boolean(key.rotationBlocked) || store.rotating;
  $('rotate-reason').textContent = reason;
  // The system's own words, for whoever fixes the clipboard; the next step for a viewer.
  $('rotate-reason').title = key?.rotationBlocked === 'clipboard' ? key.clipboardProblem || '' : '';
  $('rotate-next').textContent = key?.rotationBlocked === 'forbidden' ? t('rotate.blockedForbiddenNext') : '';
}

/// How long the rotation's outage lasted, as the rollout watch saw it.
function rolloutText(rollout) {
  if (rollout?.kind === 'inUseAfter') return t('history.inUseAfter', { duration: formatDuration(rollout.seconds) });
  if (rollout?.kind === 'notSeenWithin') return t('history.notSeenWithin', { minutes: rollout.minutes });
  return '—';
}

/// A row's outcome, with where the new key went: each destination that has it, and those
/// that failed (the key went to the clipboard for them).
function outcomeText(entry) {
  const deliveries = entry.deliveries || [];
  if (entry.outcome !== 'rotated' || !deliveries.length) return t(`history.${entry.outcome}`);
  const delivered = formatList(deliveries.filter((d) => d.delivered).map((d) => d.name));
  const failed = formatList(deliveries.filter((d) => !d.delivered).map((d) => d.name));
  if (!failed) return t('history.rotatedDelivered', { name: delivered });
  if (!delivered) return t('history.rotatedDeliveryFailed', { failed });
  return t('history.rotatedDeliveredSome', { name: delivered, failed });
}

export async function renderHistory() {
  let entries = [];
  try {
    entries = await api.rotationHistory();
  } catch { /* the list stays as it was */ }
  $('history-empty').hidden = entries.length > 0;
  $('history-table').hidden = entries.length === 0;
  // A box that may scroll is reachable by keyboard, once it has rows.
  if (entries.length) $('history-scroll').tabIndex = 0;
  else $('history-scroll').removeAttribute('tabindex');
  $('history-rows').replaceChildren(...entries.map((e) => {
    const row = document.createElement('tr');
    const cells = [
      formatLocal(e.time),
      `${e.profile} · ${e.email}`,
      e.oldPrefix,
      e.newPrefix || '—',
      outcomeText(e),
      rolloutText(e.rollout),
    ];
    for (const text of cells) {
      const cell = document.createElement('td');
      cell.textContent = text;
      row.append(cell);
    }
    row.dataset.outcome = e.outcome;
    return row;
  }));
}

/// Escape hides an exact-time tip; it comes back when the field is left and entered again.
function initTips() {
  for (const field of document.querySelectorAll('.has-tip')) {
    field.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') field.classList.add('tip-dismissed');
    });
    for (const kind of ['blur', 'pointerleave']) field.addEventListener(kind, () => field.classList.remove('tip-dismissed'));
  }
}

export function initDashboard() {
  initTips();
  $('refresh').addEventListener('click', refreshKey);
  on('session:started', async () => {
    // Ask for the key first: its round trip overlaps drawing the dashboard.
    const reading = refreshKey();
    show('dashboard');
    renderHistory();
    await reading;
  });
  on('session:ended', clearKey);
  // The machine woke: the key as it is now, read once (the last read is from before the sleep).
  on('app:resumed', () => (store.session && store.key ? refreshKey() : null));
  on('language:changed', () => {
    if (!store.key) return;
    renderKey();
    renderUpdated();
    renderHistory();
  });
}
