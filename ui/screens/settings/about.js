// Settings → About: the version, and how this copy is updated (the organisation's policy, the
// system's package manager, a daily check of CertoPay's signed updates, or not at all), when
// the last check was and what it found, as Rust reads them.

import { api } from '../../api.js';
import { $, setDetails } from '../../dom.js';
import { on } from '../../events.js';
import { t, formatLocal } from '../../i18n.js';

let about = null;

/// Why an update was not offered, in a sentence.
function problemText(problem) {
  switch (problem.kind) {
    case 'signedForAnotherFile':
      return t('update.problem.signedForAnotherFile', { expected: problem.expected, signed: problem.signed ?? t('update.noFile') });
    case 'signedForAnotherVersion':
      return t('update.problem.signedForAnotherVersion', { announced: problem.announced, signed: problem.signed ?? t('update.noVersion') });
    default:
      return t(`update.problem.${problem.kind}`);
  }
}

function resultText(outcome) {
  switch (outcome.kind) {
    case 'upToDate':
      return t('update.result.upToDate');
    case 'available':
      return t('update.result.available', { version: outcome.version });
    default:
      return problemText(outcome.problem);
  }
}

function render() {
  if (!about) return;
  $('about-version').textContent = t('about.version', { version: about.version });
  $('about-updates').textContent = t(`about.${about.updates}`);
  const checks = about.updates === 'checked';
  const last = about.lastCheck;
  const line = $('about-last-check');
  line.hidden = !checks;
  line.textContent = !checks ? '' : last ? t('about.lastCheck', { when: formatLocal(last.checkedAt), result: resultText(last.outcome) }) : t('about.neverChecked');
  // The problem's technical side (the network's words) in the details line.
  line.dataset.outcome = last?.outcome.kind ?? '';
  setDetails(line, last?.outcome.problem?.detail ?? '');
  $('about-check-now').hidden = !checks;
}

async function refresh() {
  try {
    about = await api.about();
  } catch {
    about = null;
  }
  render();
}

async function checkNow() {
  const button = $('about-check-now');
  button.disabled = true;
  button.textContent = t('about.checking');
  try {
    await api.checkForUpdates();
  } finally {
    button.disabled = false;
    button.textContent = t('about.checkNow');
    await refresh();
  }
}

export function initAbout() {
  $('about-check-now').addEventListener('click', checkNow);
  on('view:shown', async (view) => {
    if (view === 'settings') await refresh();
  });
  on('app:updateChecked', refresh);
  on('language:changed', render);
}
