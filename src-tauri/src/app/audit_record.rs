//! The rotation record an auditor asks for: the whole history, written where the user chose,
//! as CSV or as a page to print, in the window's language and this computer's time zone.

use std::path::Path;

use chrono::Local;

use super::AppState;
use crate::platform::app_clock;
use crate::rules::app_error::AppError;
use crate::store::history_export::{rotation_csv, rotation_page, write_export};
use crate::wire::{ExportDone, ExportKind};

impl AppState {
    /// Writes the history to `path` (whole, or not at all). Blocking: a file is synced.
    pub fn export_rotation_history(&self, path: &Path, kind: ExportKind, language: &str) -> Result<ExportDone, AppError> {
        let entries = self.history.oldest_first();
        let text = match kind {
            ExportKind::Csv => rotation_csv(&entries, language, &Local),
            ExportKind::Page => rotation_page(&entries, language, &Local, app_clock::now()),
        };
        let shown = path.display().to_string();
        write_export(path, &text).map_err(|e| AppError::ExportFailed { path: shown.clone(), detail: e.to_string() })?;
        Ok(ExportDone { path: shown, rows: entries.len() })
    }
}
