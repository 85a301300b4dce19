//! What the overview keeps of each profile's key between sessions, and when a reminder is due.
//! Display metadata only (label, prefix, created, last used, active, when seen): never the
//! secret, the mask, the token or a password. Plain Rust: the caller passes the clock.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::rules::api_key::{age_in_days, past_rotation_period, ApiKey};

/// A profile's key as it was last read in a session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SeenKey {
    pub label: String,
    pub key_prefix: String,
    pub created_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub active: bool,
    /// When it was read, by this computer's clock.
    pub seen_at: DateTime<Utc>,
}

/// How long after a reminder for a profile the next one may come.
pub const REMIND_AGAIN_AFTER: Duration = Duration::hours(24);

impl SeenKey {
    /// What is kept of `key`, read at `seen_at`: the mask and the id stay behind.
    pub fn of(key: &ApiKey, seen_at: DateTime<Utc>) -> SeenKey {
        SeenKey {
            label: key.label.clone(),
            key_prefix: key.key_prefix.clone(),
            created_at: key.created_at,
            last_used_at: key.last_used_at,
            active: key.active,
            seen_at,
        }
    }

    /// Whole days since the key was created, as of `now`.
    pub fn age_days(&self, now: DateTime<Utc>) -> Option<i64> {
        age_in_days(self.created_at, now)
    }

    /// Older than the rotation period, as of `now` (the key may have been rotated elsewhere
    /// since it was seen: the overview says when it was seen).
    pub fn rotation_due(&self, rotation_period_days: u32, now: DateTime<Utc>) -> bool {
        past_rotation_period(self.created_at, rotation_period_days, now)
    }

    /// A reminder is due: the key is past its period, and no reminder for this profile came
    /// within the last day. One "in the future" came after a clock that has since moved back
    /// (an hour, or from days ahead): it counts as just now, never as long ago, so it is not said
    /// twice (the caller writes it down as now: `AppState::take_due_reminders`).
    pub fn reminder_due(&self, rotation_period_days: u32, reminded_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
        let quiet = reminded_at.is_none_or(|at| now.signed_duration_since(at) >= REMIND_AGAIN_AFTER);
        self.rotation_due(rotation_period_days, now) && quiet
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(created: &str) -> SeenKey {
        SeenKey {
            label: "Loja".into(),
            key_prefix: "sk_live_abcd1234".into(),
            created_at: Some(created.parse().unwrap()),
            last_used_at: None,
            active: true,
            seen_at: "2026-12-01T10:00:00Z".parse().unwrap(),
        }
    }

    fn at(time: &str) -> DateTime<Utc> {
        time.parse().unwrap()
    }

    #[test]
    fn a_key_past_its_period_is_due_once_a_day() {
        let now = at("2026-12-05T09:00:00Z");
        let old = seen("2026-08-01T00:00:00Z");
        assert_eq!(old.age_days(now), Some(126));
        assert!(old.rotation_due(90, now));
        assert!(old.reminder_due(90, None, now));
        assert!(!old.reminder_due(90, Some(at("2026-12-04T10:00:00Z")), now), "reminded 23 h ago");
        assert!(old.reminder_due(90, Some(at("2026-12-04T09:00:00Z")), now), "reminded a day ago");
        // A reminder "in the future" came before the clock moved back: not said again.
        assert!(!old.reminder_due(90, Some(at("2026-12-05T10:00:00Z")), now), "the clock moved back an hour");
        assert!(!old.reminder_due(90, Some(at("2027-01-01T00:00:00Z")), now), "the clock was weeks ahead");
        assert!(!old.reminder_due(200, None, now), "under a longer period");
        let young = seen("2026-11-20T00:00:00Z");
        assert!(!young.rotation_due(90, now) && !young.reminder_due(90, None, now));
    }
}
