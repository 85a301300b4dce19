//! The overview's file: each profile's key as last seen, and when its last reminder came,
//! kept beside the settings (0600, written whole). Display metadata only: never the secret,
//! the mask, the token or a password. Plain Rust.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::rules::seen_key::SeenKey;
use crate::rules::settings::LAUNCH_PROFILE_ID;
use crate::store::private_files::{read_capped, write_atomically};

/// What is kept for one profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeenProfile {
    pub key: Option<SeenKey>,
    pub reminded_at: Option<DateTime<Utc>>,
}

/// The file and what it holds, by profile id.
pub struct SeenKeysFile {
    path: PathBuf,
    profiles: BTreeMap<String, SeenProfile>,
}

impl SeenKeysFile {
    /// Reads what an earlier run kept; a file that cannot be read or parsed is an empty
    /// overview (it is display data: the next login sees the key again).
    pub fn open(settings_dir: &Path) -> Self {
        let path = settings_dir.join("seen-keys.json");
        let profiles = read_capped(&path).ok().flatten().and_then(|bytes| serde_json::from_slice(&bytes).ok()).unwrap_or_default();
        SeenKeysFile { path, profiles }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn get(&self, profile_id: &str) -> Option<&SeenProfile> {
        self.profiles.get(profile_id)
    }

    /// Keeps `key` as the profile's key as last seen.
    pub fn record_key(&mut self, profile_id: &str, key: SeenKey) -> std::io::Result<()> {
        self.change(|profiles| profiles.entry(profile_id.to_string()).or_default().key = Some(key))
    }

    pub fn record_reminder(&mut self, profile_id: &str, at: DateTime<Utc>) -> std::io::Result<()> {
        self.change(|profiles| profiles.entry(profile_id.to_string()).or_default().reminded_at = Some(at))
    }

    /// Forgets a removed profile.
    pub fn forget(&mut self, profile_id: &str) -> std::io::Result<()> {
        if !self.profiles.contains_key(profile_id) {
            return Ok(());
        }
        self.change(|profiles| {
            profiles.remove(profile_id);
        })
    }

    /// Changes a copy, writes it, and only then keeps it: memory never says what the file does
    /// not. The launch profile serves one run: it is kept in memory only.
    fn change(&mut self, edit: impl FnOnce(&mut BTreeMap<String, SeenProfile>)) -> std::io::Result<()> {
        let mut next = self.profiles.clone();
        edit(&mut next);
        let on_disk: BTreeMap<&String, &SeenProfile> = next.iter().filter(|(id, _)| *id != LAUNCH_PROFILE_ID).collect();
        write_atomically(&self.path, &serde_json::to_vec_pretty(&on_disk).expect("seen keys serialize"))?;
        self.profiles = next;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_across_runs_and_forgotten_with_the_profile() {
        let dir = tempfile::tempdir().unwrap();
        let mut file = SeenKeysFile::open(dir.path());
        assert_eq!(file.get("loja"), None);
        let key = SeenKey {
            label: "Loja Centro".into(),
            key_prefix: "sk_live_ab12cd34".into(),
            created_at: Some("2026-08-01T00:00:00Z".parse().unwrap()),
            last_used_at: None,
            active: true,
            seen_at: "2026-12-05T10:00:00Z".parse().unwrap(),
        };
        file.record_key("loja", key.clone()).unwrap();
        file.record_reminder("loja", key.seen_at).unwrap();
        let again = SeenKeysFile::open(dir.path());
        assert_eq!(
            again.get("loja"),
            Some(&SeenProfile { key: Some(key.clone()), reminded_at: Some("2026-12-05T10:00:00Z".parse().unwrap()) })
        );
        file.forget("loja").unwrap();
        assert_eq!(SeenKeysFile::open(dir.path()).get("loja"), None);
        file.record_key(LAUNCH_PROFILE_ID, key.clone()).unwrap();
        assert!(file.get(LAUNCH_PROFILE_ID).is_some(), "seen this run");
        assert_eq!(SeenKeysFile::open(dir.path()).get(LAUNCH_PROFILE_ID), None, "never written: it serves one run");
        std::fs::write(file.path(), b"{not json").unwrap();
        assert_eq!(SeenKeysFile::open(dir.path()).get("loja"), None, "an unreadable file is an empty overview");
    }
}
