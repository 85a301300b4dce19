//! The two confirmations a rotation needs, enforced here and not only in the window: step 1
//! issues a one-time token bound to the key; step 2 must bring it back, in time, once, with
//! the key's label (or prefix) typed out. Only then may the regenerate request be sent,
//! exactly once. Each session owns its own guard, so a token never outlives its session.
//! Plain Rust: no tauri, no HTTP here.

use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::rules::api_key::{bare_prefix, ApiKey};
use crate::rules::app_error::ConfirmationRefusal;

/// How long step 2 may follow step 1.
pub const CONFIRMATION_TTL: Duration = Duration::from_secs(120);

/// What step 1 hands the window: the token to bring back.
#[derive(Debug, Clone)]
pub struct Confirmation {
    pub token: String,
    pub expires_in: Duration,
}

/// The key a confirmed rotation is for.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfirmedTarget {
    pub key_id: String,
    pub key_prefix: String,
    pub label: String,
}

struct Pending {
    token_sha256: [u8; 32],
    key: ConfirmedTarget,
    issued_at: Instant,
}

pub struct RotationGuard {
    ttl: Duration,
    pending: Option<Pending>,
    /// Tokens already spent, so a replay is told apart from a token never issued.
    spent: Vec<[u8; 32]>,
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// Whether the typed text names this key: its label, or its prefix without `...`.
pub fn typed_matches(typed: &str, key: &ConfirmedTarget) -> bool {
    let typed = typed.trim();
    !typed.is_empty() && ((!key.label.trim().is_empty() && typed == key.label.trim()) || typed == bare_prefix(&key.key_prefix))
}

impl Default for RotationGuard {
    fn default() -> Self {
        RotationGuard::new(CONFIRMATION_TTL)
    }
}

impl RotationGuard {
    pub fn new(ttl: Duration) -> Self {
        RotationGuard { ttl, pending: None, spent: Vec::new() }
    }

    /// Step 1: a fresh token for this key, made of `fresh` (32 random bytes). An earlier
    /// unconfirmed one is void.
    pub fn begin(&mut self, key: &ApiKey, now: Instant, fresh: [u8; 32]) -> Confirmation {
        let token: String = fresh.iter().map(|b| format!("{b:02x}")).collect();
        self.pending = Some(Pending {
            token_sha256: digest(&token),
            key: ConfirmedTarget { key_id: key.id.clone(), key_prefix: key.key_prefix.clone(), label: key.label.clone() },
            issued_at: now,
        });
        Confirmation { token, expires_in: self.ttl }
    }

    /// Step 2. `current_key_id` is the key the session knows now. On success the token is
    /// spent: the caller sends the regenerate request once.
    pub fn confirm(
        &mut self,
        token: &str,
        typed: &str,
        current_key_id: Option<&str>,
        now: Instant,
    ) -> Result<ConfirmedTarget, ConfirmationRefusal> {
        self.confirm_as(token, typed, current_key_id, now, Ok(()))
    }

    /// Step 2 with the person's check (the password typed again, already compared): judged
    /// only once the token and the typed text are right, and a refusal keeps the token, so
    /// the password can be typed again within the time left.
    pub fn confirm_as(
        &mut self,
        token: &str,
        typed: &str,
        current_key_id: Option<&str>,
        now: Instant,
        person: Result<(), ConfirmationRefusal>,
    ) -> Result<ConfirmedTarget, ConfirmationRefusal> {
        let hash = digest(token);
        if self.spent.contains(&hash) {
            return Err(ConfirmationRefusal::Used);
        }
        let pending = match &self.pending {
            Some(p) if !token.is_empty() && p.token_sha256 == hash => p,
            _ => return Err(ConfirmationRefusal::Missing),
        };
        if now.duration_since(pending.issued_at) >= self.ttl {
            self.pending = None;
            return Err(ConfirmationRefusal::Expired);
        }
        if current_key_id != Some(pending.key.key_id.as_str()) {
            return Err(ConfirmationRefusal::OtherKey);
        }
        if !typed_matches(typed, &pending.key) {
            // A typo keeps the token: the user may correct it within the time left.
            return Err(ConfirmationRefusal::TypedTextMismatch);
        }
        person?;
        let pending = self.pending.take().expect("checked above");
        self.spent.push(pending.token_sha256);
        Ok(pending.key)
    }

    /// Voids an unconfirmed token (cancel, logout, lock).
    pub fn cancel(&mut self) {
        self.pending = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str, label: &str) -> ApiKey {
        ApiKey {
            id: id.into(),
            label: label.into(),
            key_prefix: "sk_live_a1b2c3d4...".into(),
            masked_key: None,
            active: true,
            rate_limit: Some(100),
            last_used_at: None,
            created_at: None,
        }
    }

    fn begun() -> (RotationGuard, String, Instant) {
        let mut guard = RotationGuard::default();
        let now = Instant::now();
        let token = guard.begin(&key("k1", "Chave principal"), now, [1; 32]).token;
        (guard, token, now)
    }

    #[test]
    fn the_label_or_the_bare_prefix_confirms_once() {
        let (mut guard, token, now) = begun();
        let target = guard.confirm(&token, "Chave principal", Some("k1"), now).unwrap();
        assert_eq!(target.key_id, "k1");
        assert_eq!(guard.confirm(&token, "Chave principal", Some("k1"), now), Err(ConfirmationRefusal::Used));

        let (mut guard, token, now) = begun();
        assert!(guard.confirm(&token, " sk_live_a1b2c3d4 ", Some("k1"), now).is_ok());
    }

    #[test]
    fn no_token_or_an_unknown_one_is_missing() {
        let (mut guard, _token, now) = begun();
        assert_eq!(guard.confirm("", "Chave principal", Some("k1"), now), Err(ConfirmationRefusal::Missing));
        assert_eq!(guard.confirm("deadbeef", "Chave principal", Some("k1"), now), Err(ConfirmationRefusal::Missing));
        let mut fresh = RotationGuard::default();
        assert_eq!(fresh.confirm("deadbeef", "x", Some("k1"), now), Err(ConfirmationRefusal::Missing));
    }

    #[test]
    fn a_stale_token_is_expired() {
        let (mut guard, token, now) = begun();
        let later = now + CONFIRMATION_TTL;
        assert_eq!(guard.confirm(&token, "Chave principal", Some("k1"), later), Err(ConfirmationRefusal::Expired));
        assert_eq!(guard.confirm(&token, "Chave principal", Some("k1"), now), Err(ConfirmationRefusal::Missing), "and gone");
    }

    #[test]
    fn another_session_or_key_is_refused() {
        let (mut guard, token, now) = begun();
        // Each session has its own guard: another session's knows nothing of this token.
        let mut other_session = RotationGuard::default();
        assert_eq!(other_session.confirm(&token, "Chave principal", Some("k1"), now), Err(ConfirmationRefusal::Missing));
        assert_eq!(guard.confirm(&token, "Chave principal", Some("k2"), now), Err(ConfirmationRefusal::OtherKey));
        assert_eq!(guard.confirm(&token, "Chave principal", None, now), Err(ConfirmationRefusal::OtherKey));
    }

    #[test]
    fn wrong_typed_text_is_refused_and_can_be_corrected() {
        let (mut guard, token, now) = begun();
        for typed in ["", "chave principal", "Chave", "sk_live_a1b2c3d4...x", "sk_live_a1b2"] {
            assert_eq!(guard.confirm(&token, typed, Some("k1"), now), Err(ConfirmationRefusal::TypedTextMismatch), "{typed:?}");
        }
        assert!(guard.confirm(&token, "Chave principal", Some("k1"), now).is_ok());
    }

    #[test]
    fn an_empty_label_needs_the_prefix() {
        let mut guard = RotationGuard::default();
        let now = Instant::now();
        let token = guard.begin(&key("k1", ""), now, [2; 32]).token;
        assert_eq!(guard.confirm(&token, "", Some("k1"), now), Err(ConfirmationRefusal::TypedTextMismatch));
        assert!(guard.confirm(&token, "sk_live_a1b2c3d4", Some("k1"), now).is_ok());
    }

    #[test]
    fn a_new_begin_voids_the_old_token_and_cancel_voids_all() {
        let (mut guard, old, now) = begun();
        let new = guard.begin(&key("k1", "Chave principal"), now, [3; 32]).token;
        assert_ne!(old, new);
        assert_eq!(guard.confirm(&old, "Chave principal", Some("k1"), now), Err(ConfirmationRefusal::Missing));
        guard.cancel();
        assert_eq!(guard.confirm(&new, "Chave principal", Some("k1"), now), Err(ConfirmationRefusal::Missing));
    }
}
