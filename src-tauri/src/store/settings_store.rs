//! The settings file: a small JSON file in the OS config dir, written whole (0600, synced,
//! renamed over the old one), read up to 1 MiB, and moved aside, never overwritten, when it
//! cannot be used. Plain Rust: no tauri here.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::rules::app_error::AppError;
use crate::rules::settings::Settings;
use crate::store::private_files::{read_capped, write_atomically, ReadProblem};

/// What was wrong with the settings file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LoadProblem {
    /// Not JSON, or values the app would refuse.
    Corrupt,
    /// It exists and could not be read.
    Unreadable,
    /// Over 1 MiB: not a file the app wrote.
    TooLarge,
}

impl LoadProblem {
    fn file_tag(self) -> &'static str {
        match self {
            LoadProblem::Corrupt => "corrupt",
            LoadProblem::Unreadable => "unreadable",
            LoadProblem::TooLarge => "too-large",
        }
    }
}

/// Why the settings file was not used as it was.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoadNotice {
    pub problem: LoadProblem,
    /// Where the old file was kept, when it could be moved aside.
    pub kept_as: Option<String>,
}

pub struct SettingsStore {
    path: PathBuf,
    /// Set when the file on disk could not be read nor moved aside: saving would destroy it.
    blocked: bool,
}

impl SettingsStore {
    pub fn new(dir: &Path) -> Self {
        SettingsStore { path: dir.join("settings.json"), blocked: false }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The settings, or defaults with a notice when the file is corrupt or unreadable. A
    /// corrupt file is moved aside, never overwritten.
    pub fn load(&mut self) -> (Settings, Option<LoadNotice>) {
        let problem = match read_capped(&self.path) {
            Ok(None) => return (Settings::default(), None),
            Err(ReadProblem::Unreadable) => LoadProblem::Unreadable,
            Err(ReadProblem::TooLarge) => LoadProblem::TooLarge,
            Ok(Some(bytes)) => match Settings::parse(&bytes) {
                Some(settings) => return (settings, None),
                None => LoadProblem::Corrupt,
            },
        };
        let aside =
            self.path.with_file_name(format!("settings.json.{}-{}", problem.file_tag(), chrono::Utc::now().format("%Y%m%dT%H%M%S")));
        let kept_as = match std::fs::rename(&self.path, &aside) {
            Ok(()) => Some(aside.display().to_string()),
            Err(_) => {
                self.blocked = true;
                None
            }
        };
        (Settings::default(), Some(LoadNotice { problem, kept_as }))
    }

    /// Writes the file whole (0600, synced, renamed over the old one): a crash leaves the old
    /// file or the new one, never half of one.
    pub fn save(&self, settings: &Settings) -> Result<(), AppError> {
        let fail = |e: std::io::Error| AppError::Settings { detail: format!("{}: {e}", self.path.display()) };
        if self.blocked {
            return Err(AppError::Settings {
                detail: format!("{} could not be read; move it away to save new settings", self.path.display()),
            });
        }
        settings.validate()?;
        write_atomically(&self.path, &serde_json::to_vec_pretty(settings).expect("settings serialize")).map_err(fail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::delivery_target::DeliveryTarget;

    #[test]
    fn saves_atomically_and_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SettingsStore::new(&dir.path().join("nested"));
        let mut s = Settings::default();
        s.profiles[0].email = "ana@loja.example".into();
        store.save(&s).unwrap();
        assert_eq!(store.load(), (s, None));
        let names: Vec<_> = std::fs::read_dir(dir.path().join("nested")).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, ["settings.json"], "no temporary file left behind");
    }

    #[test]
    fn a_file_with_one_delivery_target_loads_it_as_the_first_destination_and_keeps_everything_else() {
        // As the release before several destinations wrote it (`delivery`: the one target).
        let written = include_str!("../../../tests/fixtures/settings-with-one-delivery-target.json");
        let dir = tempfile::tempdir().unwrap();
        let mut store = SettingsStore::new(dir.path());
        std::fs::write(store.path(), written).unwrap();
        let (settings, notice) = store.load();
        assert_eq!(notice, None, "loaded, not set aside");
        let profile = settings.profile("p1a2b3c4d").unwrap();
        assert_eq!(
            profile.destinations,
            [DeliveryTarget {
                name: "Servidor da loja".into(),
                command: "ssh -o BatchMode=yes deploy@loja.example 'cat > /etc/loja/certopay.key'".into(),
                timeout_s: 45,
                also_copy: true,
            }]
        );
        assert_eq!(
            (profile.email.as_str(), profile.remember_password, settings.language.as_deref()),
            ("ana@loja.example", true, Some("pt-BR"))
        );
        assert_eq!(settings.profile("certopay").unwrap().destinations, []);
        // Saved again, it names the list, and reads back the same.
        store.save(&settings).unwrap();
        let again = std::fs::read_to_string(store.path()).unwrap();
        assert!(again.contains("\"destinations\": [") && !again.contains("\"delivery\""), "{again}");
        assert_eq!(store.load(), (settings, None));
    }

    #[test]
    fn a_corrupt_file_is_kept_aside_and_defaults_are_used() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SettingsStore::new(dir.path());
        std::fs::write(store.path(), b"{\"profiles\": [ not json").unwrap();
        let (settings, notice) = store.load();
        assert_eq!(settings, Settings::default());
        let notice = notice.unwrap();
        assert_eq!(notice.problem, LoadProblem::Corrupt);
        let kept = notice.kept_as.unwrap();
        assert_eq!(std::fs::read(&kept).unwrap(), b"{\"profiles\": [ not json");
        store.save(&settings).unwrap();
        assert!(Path::new(&kept).exists());

        // A file far larger than any the app writes is not read, and kept aside too.
        std::fs::write(store.path(), vec![b' '; 2 * 1024 * 1024]).unwrap();
        let (settings, notice) = store.load();
        assert_eq!(settings, Settings::default());
        assert_eq!(notice.unwrap().problem, LoadProblem::TooLarge);
    }
}
