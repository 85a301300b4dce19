//! Starts a verified update's installer. Windows only: the NSIS install, silent, told it is an
//! update (`/UPDATE`): it waits for this process to end, replaces the app and starts it again.
//! Linux packages are updated by the system's package manager, never by the app.
//!
//! Between the check of the installer's bytes and its start, no other process may change it:
//! the file is held open (`HeldInstaller`) with a share mode that lets others read it, never
//! write, rename or delete it; its bytes are read back through that handle and compared with
//! the verified ones; the installer is started while the handle is held, and only then let go.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::rules::app_error::AppError;

/// The installer's arguments: silent, and an update (wait for the app, start it afterwards).
pub const INSTALLER_ARGS: [&str; 2] = ["/S", "/UPDATE"];

/// A verified installer held open: while this lives, no other process can change it.
pub struct HeldInstaller {
    path: PathBuf,
    _held: File,
}

impl HeldInstaller {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn failed(path: &Path, what: impl std::fmt::Display) -> AppError {
    AppError::UpdateFailed { detail: format!("{}: {what}", path.display()) }
}

/// Opens the installer written at `path` so that nobody else may change it, and reads it back
/// through that handle: it must be `verified`, byte for byte.
pub fn hold_verified(path: &Path, verified: &[u8]) -> Result<HeldInstaller, AppError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(windows)]
    {
        use std::os::windows::fs::OpenOptionsExt;
        // FILE_SHARE_READ alone: others may read (the installer's own start does), never
        // write, rename or delete.
        const FILE_SHARE_READ: u32 = 0x1;
        options.share_mode(FILE_SHARE_READ);
    }
    let mut held = options.open(path).map_err(|e| failed(path, e))?;
    let mut bytes = Vec::with_capacity(verified.len());
    held.read_to_end(&mut bytes).map_err(|e| failed(path, e))?;
    if bytes != verified {
        return Err(failed(path, "the file on disk is not the verified installer"));
    }
    Ok(HeldInstaller { path: path.to_path_buf(), _held: held })
}

/// Starts the held installer; the hold is let go by the caller once this returns.
pub fn start_installer(installer: &HeldInstaller) -> Result<(), AppError> {
    if !cfg!(windows) {
        return Err(AppError::UpdateFailed { detail: "this system's package manager updates the app".into() });
    }
    // A child of ours outlives us on Windows: the installer goes on once the app has quit.
    std::process::Command::new(installer.path()).args(INSTALLER_ARGS).spawn().map(drop).map_err(|e| failed(installer.path(), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_changed_after_the_check_is_not_held() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("setup.exe");
        std::fs::write(&path, b"the verified installer").unwrap();
        assert!(hold_verified(&path, b"the verified installer").is_ok());
        std::fs::write(&path, b"another program").unwrap();
        let refused = hold_verified(&path, b"the verified installer").err().expect("refused");
        assert!(refused.to_string().contains("not the verified installer"), "{refused}");
    }

    /// Under Wine: while held, another writer, a rename over it and a delete are all refused
    /// (a sharing violation), and a reader is let in; let go, the file is free again.
    #[cfg(windows)]
    #[test]
    fn while_held_nobody_can_change_or_replace_the_installer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("setup.exe");
        std::fs::write(&path, b"the verified installer").unwrap();
        let other = dir.path().join("other.exe");
        std::fs::write(&other, b"another program").unwrap();
        let held = hold_verified(&path, b"the verified installer").unwrap();
        let sharing_violation = Some(32);
        let write = std::fs::OpenOptions::new().write(true).open(&path).map(drop);
        assert_eq!(write.err().and_then(|e| e.raw_os_error()), sharing_violation, "a writer");
        assert_eq!(std::fs::remove_file(&path).err().and_then(|e| e.raw_os_error()), sharing_violation, "a delete");
        assert!(std::fs::rename(&other, &path).is_err(), "a rename over it");
        assert_eq!(std::fs::read(&path).unwrap(), b"the verified installer", "a reader is let in, and reads it unchanged");
        drop(held);
        std::fs::write(&path, b"free again").unwrap();
    }
}
