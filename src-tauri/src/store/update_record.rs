//! The last update check, kept beside the settings (`update-check.json`, 0600, written whole)
//! so that checks stay daily across starts and Settings → About can say when and what. The
//! package itself is never kept between runs: it is verified in memory and written only to be
//! run. Plain Rust.

use std::path::{Path, PathBuf};

use crate::rules::update_feed::UpdateCheck;
use crate::store::private_files::{read_capped, write_atomically};

pub struct UpdateRecordFile {
    path: PathBuf,
    last: Option<UpdateCheck>,
}

impl UpdateRecordFile {
    /// What an earlier run kept; a file that cannot be read is no check (the next one is due).
    pub fn open(settings_dir: &Path) -> Self {
        let path = settings_dir.join("update-check.json");
        let last = read_capped(&path).ok().flatten().and_then(|bytes| serde_json::from_slice(&bytes).ok());
        UpdateRecordFile { path, last }
    }

    pub fn last(&self) -> Option<&UpdateCheck> {
        self.last.as_ref()
    }

    /// Keeps `check` as the last one. In memory even when the file cannot be written: the
    /// window says what was found either way.
    pub fn record(&mut self, check: UpdateCheck) -> std::io::Result<()> {
        let bytes = serde_json::to_vec_pretty(&check).expect("a check serializes");
        self.last = Some(check);
        write_atomically(&self.path, &bytes)
    }
}
