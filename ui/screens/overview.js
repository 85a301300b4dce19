// The overview beside the login form: every profile's key as last seen (no login needed),
// with a clear mark when its rotation is due or it is inactive. Pressing a row opens that
// profile's login.

import { api } from '../api.js';
import { $, showError } from '../dom.js';
import { emit, on } from '../events.js';
import { t, formatAge, formatLocal, formatRelative } from '../i18n.js';
import { store } from '../store.js';

let rows = [];

function line(className, text) {
  const el = document.createElement('span');
  el.className = className;
  el.textContent = text;
  return el;
}

function tag(className, text) {
  return line(`tag ${className}`, text);
}

/// The words of one row: what is known of its key, and when that was seen.
function rowContent(row) {
  const head = document.createElement('span');
  head.className = 'overview-head';
  head.append(line('overview-name', row.name));
  const key = row.seen;
  if (key && row.mode !== 'unknown') head.append(' ', tag(row.mode, t({ live: 'dash.live', test: 'dash.test' }[row.mode])));
  if (row.inSession) head.append(' ', tag('unknown', t('overview.inSession')));
  if (!key) {
    return [head, line('overview-line muted', t('overview.neverSeen'))];
  }
  const marks = [];
  if (!key.active) marks.push(tag('inactive', t('dash.inactive')));
  if (row.rotationDue) marks.push(tag('due', t('overview.rotationDue')));
  if (marks.length) head.append(' ', ...marks.flatMap((m) => [m, ' ']));
  const keyLine = line('overview-line', '');
  keyLine.append(`${key.label} · `, Object.assign(document.createElement('code'), { textContent: key.keyPrefix }));
  const lastUsed = key.lastUsedAt ? formatRelative(key.lastUsedAt) : t('dash.never');
  const ageLine = line('overview-line', t('overview.ageAndUse', { age: formatAge(row.ageDays), lastUsed }));
  const seenLine = line('overview-line muted', t('overview.seenAt', { time: formatLocal(key.seenAt) }));
  return [head, keyLine, ageLine, seenLine];
}

export function renderOverview() {
  const list = $('overview-list');
  const selected = store.settings?.selectedProfile;
  list.replaceChildren(...rows.map((row) => {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'overview-row';
    button.dataset.profileId = row.id;
    if (row.rotationDue) button.dataset.due = 'true';
    button.setAttribute('aria-current', String(row.id === selected));
    button.append(...rowContent(row));
    button.addEventListener('click', () => emit('overview:chosen', row.id));
    item.append(button);
    return item;
  }));
}

/// Reads the rows again and shows them.
export async function refreshOverview() {
  let next;
  try {
    next = await api.profileOverview();
    showError('overview-error', null);
  } catch (error) {
    next = [];
    showError('overview-error', error);
  }
  // Unchanged rows are left as they are: a row being pressed is never swapped under the pointer.
  if (JSON.stringify(next) === JSON.stringify(rows) && $('overview-list').children.length === rows.length) return;
  rows = next;
  renderOverview();
}

/// The selected profile's row is marked as the current one.
function markSelected() {
  for (const button of $('overview-list').querySelectorAll('.overview-row')) {
    button.setAttribute('aria-current', String(button.dataset.profileId === store.settings?.selectedProfile));
  }
}

export function initOverview() {
  // Back to the login screen (a logout, a lock, Settings closed): what was seen may have changed.
  on('view:shown', (view) => (view === 'login' ? refreshOverview() : null));
  on('language:changed', renderOverview);
  on('profile:selected', markSelected);
}
