// Settings → "Rotation record": the history exported for an auditor, as CSV or as a page to
// print, to a place the user picks in the system's save dialog. Rust writes the file; the
// window only says where it went.

import { api } from '../../api.js';
import { $, showError } from '../../dom.js';
import { t, formatNumber } from '../../i18n.js';

async function exportRecord(kind) {
  showError('record-error', null);
  $('record-status').textContent = '';
  const buttons = [$('record-csv'), $('record-page')];
  for (const button of buttons) button.disabled = true;
  try {
    const done = await api.exportRotationHistory(kind, document.documentElement.lang, t('record.dialogTitle'));
    // Cancelled in the dialog: nothing to say.
    if (done) {
      const saved = done.rows === 1 ? t('record.savedOne', { path: done.path }) : t('record.saved', { rows: formatNumber(done.rows), path: done.path });
      $('record-status').textContent = saved;
    }
  } catch (error) {
    showError('record-error', error);
  } finally {
    for (const button of buttons) button.disabled = false;
  }
}

export function initRecord() {
  $('record-csv').addEventListener('click', () => exportRecord('csv'));
  $('record-page').addEventListener('click', () => exportRecord('page'));
}
