//! The sentence left when a freshly delivered secret was removed from the clipboard before its
//! time (a lock, the session's end, a logout or quit): kept in a small file of the app's own,
//! so that even a quit is said at the next start. It names the key's prefix and why, never
//! the secret. Plain Rust.

use std::path::{Path, PathBuf};

use crate::rules::secret_removed::SecretRemoved;
use crate::store::private_files::{read_capped, write_atomically};

pub struct RemovedNoticeFile {
    path: PathBuf,
}

impl RemovedNoticeFile {
    pub fn new(data_dir: &Path) -> Self {
        RemovedNoticeFile { path: data_dir.join("secret-removed.json") }
    }

    /// The notice left by an earlier run, if any; an unreadable file is no notice.
    pub fn load(&self) -> Option<SecretRemoved> {
        let bytes = read_capped(&self.path).ok()??;
        serde_json::from_slice(&bytes).ok()
    }

    pub fn save(&self, notice: &SecretRemoved) -> std::io::Result<()> {
        write_atomically(&self.path, serde_json::to_string(notice).expect("notice serializes").as_bytes())
    }

    pub fn remove(&self) -> std::io::Result<()> {
        match std::fs::remove_file(&self.path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::secret_removed::RemovalCause;

    #[test]
    fn a_notice_outlives_the_run_until_removed() {
        let dir = tempfile::tempdir().unwrap();
        let file = RemovedNoticeFile::new(dir.path());
        assert_eq!(file.load(), None);
        let notice = SecretRemoved {
            key_prefix: Some("sk_live_ab12cd34...".into()),
            profile: "Produção".into(),
            cause: RemovalCause::Quit,
            at: chrono::DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
        };
        file.save(&notice).unwrap();
        assert_eq!(RemovedNoticeFile::new(dir.path()).load(), Some(notice));
        file.remove().unwrap();
        file.remove().unwrap();
        assert_eq!(file.load(), None);
    }
}
