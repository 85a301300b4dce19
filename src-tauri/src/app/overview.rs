//! Every profile's key at a glance before any login, and the reminders when one gets old:
//! from what each session last saw of its key (`store::seen_keys`), no request made.

use std::sync::Mutex;

use chrono::{DateTime, Utc};

use super::AppState;
use crate::rules::api_key::{ApiKey, KeyMode};
use crate::rules::app_error::AppError;
use crate::rules::rotation_reminder::RotationReminder;
use crate::rules::seen_key::SeenKey;
use crate::store::seen_keys::SeenKeysFile;
use crate::wire::ProfileRow;

/// Each profile's key as last seen, and when it was last reminded: the overview's and the
/// reminders' own state (kept in `store::seen_keys`'s file).
pub(super) struct SeenKeys(Mutex<SeenKeysFile>);

impl SeenKeys {
    pub(super) fn new(file: SeenKeysFile) -> Self {
        SeenKeys(Mutex::new(file))
    }

    /// Forgets a removed profile's row: an error names the file that could not be written.
    pub(super) fn forget(&self, profile_id: &str) -> Result<(), AppError> {
        let mut file = self.0.lock().unwrap();
        file.forget(profile_id).map_err(|e| AppError::Settings { detail: format!("{}: {e}", file.path().display()) })
    }
}

impl AppState {
    /// The overview's rows, one per profile in the settings' order, as of `now`.
    pub fn profile_overview(&self, now: DateTime<Utc>) -> Vec<ProfileRow> {
        let settings = self.settings();
        let seen = self.seen_keys.0.lock().unwrap();
        let in_session = self.session.lock().unwrap().as_ref().map(|active| active.session.profile_id.clone());
        settings
            .profiles
            .iter()
            .map(|profile| {
                let key = seen.get(&profile.id).and_then(|kept| kept.key.clone());
                ProfileRow {
                    id: profile.id.clone(),
                    name: profile.name.clone(),
                    base_url: profile.base_url.clone(),
                    mode: key.as_ref().map_or(KeyMode::Unknown, |k| KeyMode::of(&k.key_prefix)),
                    age_days: key.as_ref().and_then(|k| k.age_days(now)),
                    rotation_due: key.as_ref().is_some_and(|k| k.rotation_due(settings.rotation_period_days, now)),
                    rotation_period_days: settings.rotation_period_days,
                    in_session: in_session.as_deref() == Some(profile.id.as_str()),
                    seen: key,
                }
            })
            .collect()
    }

    /// Keeps what the overview shows of a key just read in a session of `profile_id`. A file
    /// that cannot be written only leaves the overview older: the session goes on.
    pub(super) fn record_seen_key(&self, profile_id: &str, key: &ApiKey) {
        let _ = self.seen_keys.0.lock().unwrap().record_key(profile_id, SeenKey::of(key, crate::platform::app_clock::now()));
    }

    /// The profiles whose keys are past the rotation period as last seen and that had no
    /// reminder within a day, marked reminded now. Empty when reminders are off. The names
    /// and ages only: a notification never shows a prefix.
    pub fn take_due_reminders(&self, now: DateTime<Utc>) -> Vec<RotationReminder> {
        let settings = self.settings();
        if !settings.reminders {
            return Vec::new();
        }
        let mut seen = self.seen_keys.0.lock().unwrap();
        let mut due = Vec::new();
        for profile in &settings.profiles {
            let Some(kept) = seen.get(&profile.id) else { continue };
            let Some(key) = &kept.key else { continue };
            let reminded_ahead = kept.reminded_at.is_some_and(|at| at > now);
            if !key.reminder_due(settings.rotation_period_days, kept.reminded_at, now) {
                // A reminder written while the clock was ahead counts from now: a day of this
                // clock's time, not until the clock catches up.
                if reminded_ahead {
                    let _ = seen.record_reminder(&profile.id, now);
                }
                continue;
            }
            let age_days = key.age_days(now).unwrap_or_default();
            // Said once a day: only a reminder that was written down is given.
            if seen.record_reminder(&profile.id, now).is_ok() {
                due.push(RotationReminder { profile_id: profile.id.clone(), profile_name: profile.name.clone(), age_days });
            }
        }
        due
    }
}
