// Settings: where the logged-in profile's new keys go (its delivery target). Saving or removing
// one needs the account password, checked in Rust: the page alone cannot set where a live key goes.

import { api } from '../../api.js';
import { $, showError } from '../../dom.js';
import { on } from '../../events.js';
import { checkDestinations } from '../../destination_checks.js';
import { errorText } from '../../errors.js';
import { t } from '../../i18n.js';
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

function loggedInProfile() {
  return store.session ? profileById(store.session.profileId) : null;
}

/// The form for the profile the user is logged in to, filled with its target if it has one.
export function renderDelivery() {
  const profile = loggedInProfile();
  $('delivery-form').hidden = !profile;
  showError('delivery-error', null);
  renderIntro();
  if (!profile) return;
  const target = profile.delivery;
  $('delivery-name').value = target?.name || '';
  $('delivery-command').value = target?.command || '';
  $('delivery-timeout').value = target?.timeoutS || 30;
  $('delivery-also-copy').checked = Boolean(target?.alsoCopy);
  $('delivery-password').value = '';
  $('delivery-remove').hidden = !target;
  // The dry run, for a saved target; its last verdicts go with the form.
  $('delivery-check-group').hidden = !target;
  $('delivery-check-results').replaceChildren();
  showError('delivery-check-error', null);
  renderPresetFields();
}

function renderIntro() {
  const profile = loggedInProfile();
  if (!profile) {
    $('delivery-intro').textContent = t('delivery.logInFirst');
    return;
  }
  const target = profile.delivery;
  $('delivery-intro').textContent = target
    ? t('delivery.current', { profile: profile.name, name: target.name })
    : t('delivery.none', { profile: profile.name });
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

async function save(target) {
  showError('delivery-error', null);
  $('delivery-status').textContent = '';
  const profile = loggedInProfile();
  try {
    store.settings = await api.setDeliveryTarget(profile.id, target, $('delivery-password').value);
    $('delivery-status').textContent = target ? t('delivery.saved', { name: target.name.trim() }) : t('delivery.removed');
    renderDelivery();
  } catch (error) {
    // What the user typed stays; only the password goes.
    $('delivery-password').value = '';
    if (error?.kind === 'WrongPasswordsEndedSession') {
      await endSession(() => errorText(error), 'error');
      return;
    }
    showError('delivery-error', error);
    $(error?.kind === 'Confirmation' ? 'delivery-password' : 'delivery-command').focus();
  }
}

function onSave(event) {
  event.preventDefault();
  save({
    name: $('delivery-name').value,
    command: $('delivery-command').value,
    timeoutS: Number($('delivery-timeout').value) || 0,
    alsoCopy: $('delivery-also-copy').checked,
  });
}

export function initDelivery() {
  $('delivery-form').addEventListener('submit', onSave);
  $('delivery-remove').addEventListener('click', () => save(null));
  $('delivery-check').addEventListener('click', () => checkDestinations($('delivery-check'), 'delivery-check-results', 'delivery-check-error'));
  $('delivery-preset').addEventListener('change', changePreset);
  for (let i = 0; i < FIELD_COUNT; i += 1) $(`delivery-field-${i}`).addEventListener('input', fillCommand);
  // A status said in the last language goes rather than stay in it.
  on('language:changed', () => { renderIntro(); renderPresetFields(); $('delivery-status').textContent = ''; });
}
