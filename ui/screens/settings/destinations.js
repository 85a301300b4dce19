// Settings: where the logged-in profile's new keys go, its destinations in order (add, change,
// move, remove). Every change sends the whole list with the account password, checked in Rust:
// the page alone cannot change where a live key goes.

import { api } from '../../api.js';
import { $, rowButton, showError } from '../../dom.js';
import { on } from '../../events.js';
import { checkDestinations } from '../../destination_checks.js';
import { errorText } from '../../errors.js';
import { setText, t } from '../../i18n.js';
import { endSession } from '../../session.js';
import { profileById, store } from '../../store.js';

// The fields each preset asks for, by their catalogue keys; the command line is made in Rust.
const PRESET_FIELDS = {
  custom: [],
  ssh: ['delivery.field.sshHost', 'delivery.field.sshFile', 'delivery.field.sshReload'],
  envLine: ['delivery.field.sshHost', 'delivery.field.envFile', 'delivery.field.envVariable', 'delivery.field.sshReload'],
  githubActions: ['delivery.field.ghSecret', 'delivery.field.ghRepo'],
  vaultKv: ['delivery.field.vaultMount', 'delivery.field.vaultPath', 'delivery.field.vaultField'],
  doppler: ['delivery.field.dopplerSecret'],
};

// The most fields a preset asks for (the form has this many).
const FIELD_COUNT = Math.max(...Object.values(PRESET_FIELDS).map((fields) => fields.length));

// The most destinations a profile may name: Rust refuses more (`settings::MAX_DESTINATIONS`);
// the form only says so before the person fills it in for nothing.
const MAX_DESTINATIONS = 5;

// Which destination the form changes (its place in the list), or null: the form adds one.
let editing = null;

function loggedInProfile() {
  return store.session ? profileById(store.session.profileId) : null;
}

function destinationsOf(profile) {
  return profile?.destinations || [];
}

/// The list and an empty form for the profile the user is logged in to.
export function renderDestinations() {
  const profile = loggedInProfile();
  $('delivery-form').hidden = !profile;
  showError('delivery-error', null);
  renderIntro();
  renderList();
  $('delivery-password').value = '';
  // The dry run, for saved destinations; its last verdicts go with the form.
  $('delivery-check-group').hidden = !destinationsOf(profile).length;
  $('delivery-check-results').replaceChildren();
  showError('delivery-check-error', null);
  fillForm(null);
}

function renderIntro() {
  const profile = loggedInProfile();
  if (!profile) {
    $('delivery-intro').textContent = t('delivery.logInFirst');
    return;
  }
  const destinations = destinationsOf(profile);
  $('delivery-intro').textContent = destinations.length
    ? t(destinations.length === 1 ? 'delivery.current' : 'delivery.currentMany', { profile: profile.name, name: destinations[0].name })
    : t('delivery.none', { profile: profile.name });
}

/// One line per destination, in the order they are named in a result: its name, its command,
/// and what may be done to it.
function renderList() {
  const destinations = destinationsOf(loggedInProfile());
  const list = $('destination-list');
  list.hidden = !destinations.length;
  list.replaceChildren(...destinations.map((target, index) => {
    const item = document.createElement('li');
    item.dataset.index = index;
    const text = document.createElement('div');
    const name = document.createElement('strong');
    name.textContent = target.name;
    const command = document.createElement('span');
    command.className = 'muted destination-command';
    command.textContent = target.command;
    command.title = target.command;
    text.append(name, command);
    const last = destinations.length - 1;
    item.append(
      text,
      rowButton(t('settings.edit'), t('delivery.editOne', { name: target.name }), 'secondary destination-edit', () => edit(index)),
      rowButton('↑', t('delivery.moveUp', { name: target.name }), 'secondary destination-up', () => move(index, -1), index === 0),
      rowButton('↓', t('delivery.moveDown', { name: target.name }), 'secondary destination-down', () => move(index, 1), index === last),
      rowButton(t('settings.remove'), t('delivery.removeOne', { name: target.name }), 'secondary danger-text destination-remove', () => remove(index)),
    );
    return item;
  }));
}

/// The form for a new destination (`index` null) or for changing the one at `index`.
function fillForm(index) {
  editing = index;
  const target = editedTarget();
  renderFormTitle();
  $('delivery-cancel').hidden = !target;
  $('delivery-name').value = target?.name || '';
  $('delivery-preset').value = 'custom';
  for (let i = 0; i < FIELD_COUNT; i += 1) $(`delivery-field-${i}`).value = '';
  $('delivery-command').value = target?.command || '';
  $('delivery-timeout').value = target?.timeoutS || 30;
  $('delivery-also-copy').checked = Boolean(target?.alsoCopy);
  // A full list takes no new one: the form says so, and waits for a change or a removal.
  const full = !target && destinationsOf(loggedInProfile()).length >= MAX_DESTINATIONS;
  $('delivery-full').hidden = !full;
  $('delivery-fieldset').disabled = full;
  $('delivery-save').disabled = full;
  renderPresetFields();
}

/// The destination the form changes, or null when it adds one.
function editedTarget() {
  return editing === null ? null : destinationsOf(loggedInProfile())[editing];
}

/// The form's title and button: adding, or changing which.
function renderFormTitle() {
  const target = editedTarget();
  $('delivery-form-title').textContent = target ? t('delivery.changeTitle', { name: target.name }) : t('delivery.addTitle');
  setText($('delivery-save'), t(target ? 'delivery.saveChange' : 'delivery.save'));
}

function renderPresetFields() {
  const fields = PRESET_FIELDS[$('delivery-preset').value] || [];
  for (let i = 0; i < FIELD_COUNT; i += 1) {
    const shown = i < fields.length;
    $(`delivery-field-${i}`).hidden = !shown;
    $(`delivery-field-${i}-label`).hidden = !shown;
    $(`delivery-field-${i}-label`).textContent = shown ? t(fields[i]) : '';
  }
}

/// Another kind: its fields start empty (the last kind's words would mean something else
/// here, a reload command taken for a variable's name).
function changePreset() {
  for (let i = 0; i < FIELD_COUNT; i += 1) $(`delivery-field-${i}`).value = '';
  renderPresetFields();
  fillCommand();
}

/// A preset's field changed: the command line follows, as Rust quotes it.
async function fillCommand() {
  const preset = $('delivery-preset').value;
  if (preset === 'custom') return;
  const fields = [...Array(FIELD_COUNT).keys()].map((i) => $(`delivery-field-${i}`).value);
  $('delivery-command').value = await api.presetCommand(preset, fields);
}

/// Sends the whole new list. On success the list is drawn again, the status says what
/// changed, and `focusAfter` (an element id, or a function) takes the focus.
async function save(destinations, status, focusAfter) {
  showError('delivery-error', null);
  $('delivery-status').textContent = '';
  const profile = loggedInProfile();
  try {
    store.settings = await api.setDestinations(profile.id, destinations, $('delivery-password').value);
    renderDestinations();
    $('delivery-status').textContent = status;
    const target = typeof focusAfter === 'function' ? focusAfter() : $(focusAfter);
    target?.focus();
  } catch (error) {
    // What the user typed stays; only the password goes.
    $('delivery-password').value = '';
    if (error?.kind === 'WrongPasswordsEndedSession') {
      await endSession(() => errorText(error), 'error');
      return;
    }
    showError('delivery-error', error);
    // Asked here, the password confirms a change of destinations, not a rotation.
    if (error?.kind === 'Confirmation' && error.reason === 'passwordRequired') $('delivery-error').textContent = t('delivery.passwordRequired');
    $(error?.kind === 'Confirmation' ? 'delivery-password' : 'delivery-command').focus();
  }
}

function onSave(event) {
  event.preventDefault();
  const target = {
    name: $('delivery-name').value,
    command: $('delivery-command').value,
    timeoutS: Number($('delivery-timeout').value) || 0,
    alsoCopy: $('delivery-also-copy').checked,
  };
  const destinations = [...destinationsOf(loggedInProfile())];
  if (editing === null) destinations.push(target);
  else destinations[editing] = target;
  save(destinations, t('delivery.saved', { name: target.name.trim() }), 'delivery-name');
}

function edit(index) {
  showError('delivery-error', null);
  $('delivery-status').textContent = '';
  fillForm(index);
  $('delivery-name').focus();
}

function cancelEdit() {
  const index = editing;
  showError('delivery-error', null);
  fillForm(null);
  rowAt(index, '.destination-edit')?.focus();
}

function rowAt(index, selector) {
  return document.querySelector(`#destination-list li[data-index="${index}"] ${selector}`);
}

/// Moves one place up (-1) or down (1); the focus stays on the moved destination's button, or
/// its other arrow once it reached an end.
function move(index, step) {
  const destinations = [...destinationsOf(loggedInProfile())];
  const to = index + step;
  if (to < 0 || to >= destinations.length) return;
  const [moved] = destinations.splice(index, 1);
  destinations.splice(to, 0, moved);
  const status = t('delivery.moved', { name: moved.name, position: to + 1 });
  save(destinations, status, () => {
    const same = rowAt(to, step < 0 ? '.destination-up' : '.destination-down');
    return same && !same.disabled ? same : rowAt(to, step < 0 ? '.destination-down' : '.destination-up');
  });
}

function remove(index) {
  const destinations = [...destinationsOf(loggedInProfile())];
  const [removed] = destinations.splice(index, 1);
  const status = destinations.length ? t('delivery.removedOne', { name: removed.name }) : t('delivery.removed');
  // The focus goes to the next line's name, or the form when none is left.
  save(destinations, status, () => rowAt(Math.min(index, destinations.length - 1), '.destination-edit') || $('delivery-name'));
}

export function initDestinations() {
  $('delivery-form').addEventListener('submit', onSave);
  $('delivery-cancel').addEventListener('click', cancelEdit);
  $('delivery-check').addEventListener('click', () => checkDestinations($('delivery-check'), 'delivery-check-results', 'delivery-check-error'));
  $('delivery-preset').addEventListener('change', changePreset);
  for (let i = 0; i < FIELD_COUNT; i += 1) $(`delivery-field-${i}`).addEventListener('input', fillCommand);
  // A status said in the last language goes rather than stay in it.
  on('language:changed', () => {
    renderIntro();
    renderList();
    renderPresetFields();
    renderFormTitle();
    $('delivery-status').textContent = '';
  });
}
