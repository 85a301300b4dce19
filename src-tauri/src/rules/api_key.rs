//! The API key as the server describes it, and what follows from its prefix. Plain Rust:
//! shared by the client, the rotation guard and the window's views.

use chrono::{DateTime, Utc};
use serde::Serialize;

/// The key's metadata as the server sent it. `key_prefix` and `masked_key` are shown exactly
/// as received, never rebuilt.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiKey {
    pub id: String,
    pub label: String,
    pub key_prefix: String,
    pub masked_key: Option<String>,
    pub active: bool,
    pub rate_limit: Option<u64>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: Option<DateTime<Utc>>,
}

/// How much of a secret's start a shown field may hold: the prefix's 16 characters and a few
/// more. Any longer run is the secret itself, or most of it.
const REVEALING_RUN: usize = 20;

impl ApiKey {
    /// Whether a field shown to the person (prefix, mask, label, id) holds `secret`, or more of
    /// its start than a prefix does: a server that answered so is malformed for display, and
    /// these details never reach the window, the history or a notice.
    pub fn reveals(&self, secret: &str) -> bool {
        let run = secret.get(..REVEALING_RUN.min(secret.len())).unwrap_or(secret);
        if run.len() < 8 {
            return false;
        }
        let shown = [Some(&self.key_prefix), self.masked_key.as_ref(), Some(&self.label), Some(&self.id)];
        shown.into_iter().flatten().any(|field| field.contains(run))
    }
}

/// LIVE or TEST, read from the prefix; anything else is shown as an unknown type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum KeyMode {
    Live,
    Test,
    Unknown,
}

impl KeyMode {
    pub fn of(prefix: &str) -> KeyMode {
        if prefix.starts_with("sk_live_") {
            KeyMode::Live
        } else if prefix.starts_with("sk_test_") {
            KeyMode::Test
        } else {
            KeyMode::Unknown
        }
    }
}

impl ApiKey {
    /// Whole days since the key was created, as of `now`: `age_in_days`.
    pub fn age_days(&self, now: DateTime<Utc>) -> Option<i64> {
        age_in_days(self.created_at, now)
    }

    /// Whether the key is older than the rotation period: the dashboard's warning.
    pub fn rotation_due(&self, rotation_period_days: u32, now: DateTime<Utc>) -> bool {
        past_rotation_period(self.created_at, rotation_period_days, now)
    }
}

/// Whole days since a key was created, as of `now` (never below zero: a server clock ahead
/// of this one gives 0). `None` when the server did not say when.
pub fn age_in_days(created_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<i64> {
    created_at.map(|created| (now - created).num_days().max(0))
}

/// Whether a key created at `created_at` is older than the rotation period, as of `now`.
pub fn past_rotation_period(created_at: Option<DateTime<Utc>>, rotation_period_days: u32, now: DateTime<Utc>) -> bool {
    age_in_days(created_at, now).is_some_and(|days| days > i64::from(rotation_period_days))
}

/// The prefix as typed: without the trailing `...` the API shows.
pub fn bare_prefix(prefix: &str) -> &str {
    prefix.trim_end_matches('.').trim_end_matches('…')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_whose_shown_fields_hold_the_secret_reveals_it() {
        let secret = "sk_live_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8s9t0";
        let key = |prefix: &str, masked: &str| ApiKey {
            id: "key_1".into(),
            label: "Chave principal".into(),
            key_prefix: prefix.into(),
            masked_key: Some(masked.into()),
            active: true,
            rate_limit: None,
            last_used_at: None,
            created_at: None,
        };
        assert!(!key("sk_live_a1b2c3d4...", "sk_live_a1b2c3d4...••••••••••").reveals(secret), "a prefix is not the secret");
        assert!(key(secret, "sk_live_a1b2c3d4...••••••••••").reveals(secret), "the whole secret as the prefix");
        assert!(key("sk_live_a1b2c3d4...", secret).reveals(secret), "an unmasked mask");
        assert!(key("sk_live_a1b2c3d4e5f6g7...", "x").reveals(secret), "most of it");
    }

    #[test]
    fn a_key_is_due_after_its_period_not_on_its_last_day() {
        let now: DateTime<Utc> = "2026-12-05T12:00:00Z".parse().unwrap();
        let created = |days: i64| ApiKey {
            id: "k".into(),
            label: String::new(),
            key_prefix: "sk_live_a1b2c3d4...".into(),
            masked_key: None,
            active: true,
            rate_limit: None,
            last_used_at: None,
            created_at: Some(now - chrono::TimeDelta::days(days)),
        };
        assert_eq!(created(90).age_days(now), Some(90));
        assert!(!created(90).rotation_due(90, now));
        assert!(created(91).rotation_due(90, now));
        assert_eq!(created(-3).age_days(now), Some(0), "a server clock ahead gives no negative age");
        let unknown = ApiKey { created_at: None, ..created(0) };
        assert_eq!(unknown.age_days(now), None);
        assert!(!unknown.rotation_due(1, now));
    }

    #[test]
    fn mode_comes_from_the_prefix() {
        assert_eq!(KeyMode::of("sk_live_a1b2c3d4..."), KeyMode::Live);
        assert_eq!(KeyMode::of("sk_test_a1b2c3d4..."), KeyMode::Test);
        assert_eq!(KeyMode::of("pk_live_x"), KeyMode::Unknown);
        assert_eq!(serde_json::to_value(KeyMode::Live).unwrap(), "live");
        assert_eq!(bare_prefix("sk_live_a1b2c3d4..."), "sk_live_a1b2c3d4");
    }
}
