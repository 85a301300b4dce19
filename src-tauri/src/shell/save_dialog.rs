//! The system's save dialog (GTK on Linux, the common dialog on Windows), through rfd: made on
//! the main thread, as the toolkit requires, and waited for off it, so the window keeps
//! answering while the person chooses.

use std::path::PathBuf;

use tauri::{AppHandle, Runtime};

/// Where the person chose to save `file_name`, or `None` when they cancelled (or no dialog
/// could be shown).
pub(crate) async fn ask_where_to_save<R: Runtime>(
    app: &AppHandle<R>,
    title: &str,
    file_name: &str,
    filter: &str,
    extension: &str,
) -> Option<PathBuf> {
    let dialog = rfd::AsyncFileDialog::new().set_title(title).set_file_name(file_name).add_filter(filter, &[extension]);
    let (made, dialog_future) = tokio::sync::oneshot::channel();
    app.run_on_main_thread(move || {
        let _ = made.send(dialog.save_file());
    })
    .ok()?;
    let chosen = dialog_future.await.ok()?.await?;
    Some(chosen.path().to_path_buf())
}
