//! Starts a verified update's installer. Windows only: the NSIS install, silent, told it is an
//! update (`/UPDATE`): it waits for this process to end, replaces the app and starts it again.
//! Linux packages are updated by the system's package manager, never by the app.

use std::path::Path;

use crate::rules::app_error::AppError;

/// The installer's arguments: silent, and an update (wait for the app, start it afterwards).
pub const INSTALLER_ARGS: [&str; 2] = ["/S", "/UPDATE"];

pub fn start_installer(installer: &Path) -> Result<(), AppError> {
    if !cfg!(windows) {
        return Err(AppError::UpdateFailed { detail: "this system's package manager updates the app".into() });
    }
    // A child of ours outlives us on Windows: the installer goes on once the app has quit.
    std::process::Command::new(installer)
        .args(INSTALLER_ARGS)
        .spawn()
        .map(drop)
        .map_err(|e| AppError::UpdateFailed { detail: format!("{}: {e}", installer.display()) })
}
