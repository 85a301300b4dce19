//! Rotation: step 1 and step 2, the regenerate request sent once, the outcomes it can have,
//! the clipboard and the history.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;

use super::{ActiveSession, AppState};
use crate::certopay::RegenerateError;
use crate::clipboard::ClearOutcome;
use crate::error::AppError;
use crate::history::{HistoryEntry, RotationOutcome};
use crate::key::{bare_prefix, KeyMode};
use crate::rotation::ConfirmedTarget;
use crate::wire::{ClipboardStatus, RotationDialog, RotationResult, RotationWarning};

impl AppState {
    /// Step 1: checks the session, the clipboard and the key, and issues a confirmation.
    pub async fn begin_rotation(&self) -> Result<RotationDialog, AppError> {
        if self.rotation_in_flight() {
            return Err(AppError::RotationInProgress);
        }
        let active = self.active_session()?;
        if active.is_rotation_forbidden() {
            return Err(AppError::Forbidden);
        }
        // A secret that cannot be delivered would be lost, and the old key with it.
        self.clipboard.check()?;
        let key = self.read_key(&active).await?;
        self.remember_key(&active, key.clone());
        let confirmation = active.guard.lock().unwrap().begin(&key, Instant::now());
        let profile_name = self.profile(&active.session.profile_id).map(|p| p.name).unwrap_or_default();
        Ok(RotationDialog {
            confirmation_token: confirmation.token,
            expires_in_s: confirmation.expires_in.as_secs(),
            profile_name,
            label: key.label.clone(),
            typed_prefix: bare_prefix(&key.key_prefix).to_string(),
            mode: KeyMode::of(&key.key_prefix),
            key_prefix: key.key_prefix,
        })
    }

    pub fn cancel_rotation(&self) {
        if let Some(active) = self.session.lock().unwrap().as_ref() {
            active.guard.lock().unwrap().cancel();
        }
    }

    /// Step 2: checks the confirmation without touching the network, then sends the
    /// regenerate request once and delivers the secret to the clipboard. One at a time: while
    /// one is in flight, another is refused before anything is checked or sent.
    pub async fn confirm_rotation(&self, token: &str, typed: &str) -> Result<RotationResult, AppError> {
        let _in_flight = self.try_claim_rotation().ok_or(AppError::RotationInProgress)?;
        let active = self.active_session()?;
        let known_key = active.last_key_id();
        let target = active
            .guard
            .lock()
            .unwrap()
            .confirm(token, typed, known_key.as_deref(), Instant::now())
            .map_err(|reason| AppError::Confirmation { reason })?;
        // A new rotation ends the watch of the last one.
        drop(active.rollout.lock().unwrap().take());
        let outcome = active.client.regenerate(&active.session.jwt).await;
        // Returns the entry's time, which names it when the rollout watch fills it in.
        let record = |new_prefix: Option<String>, outcome: RotationOutcome| {
            let time = Utc::now();
            let _ = self.history.append(&HistoryEntry {
                time,
                profile: self.profile(&active.session.profile_id).map(|p| p.name).unwrap_or_default(),
                email: active.session.email.clone(),
                old_prefix: target.key_prefix.clone(),
                new_prefix,
                outcome,
                rollout: None,
            });
            time
        };
        let regenerated = match outcome {
            Ok(regenerated) => regenerated,
            Err(RegenerateError::Refused(error)) => {
                record(None, RotationOutcome::NotRotated);
                match error {
                    AppError::Forbidden => active.forbid_rotation(),
                    AppError::SessionExpired => self.forget_session(&active),
                    _ => {}
                }
                return Err(error);
            }
            Err(RegenerateError::NoAnswer) => return Err(self.settle_unknown_outcome(&active, &target, None, record).await),
            Err(RegenerateError::ServerError { status }) => {
                return Err(self.settle_unknown_outcome(&active, &target, Some(status), record).await)
            }
            Err(RegenerateError::RotatedWithoutSecret) => {
                let reread = active.client.current_key(&active.session.jwt).await.ok();
                record(reread.as_ref().map(|k| k.key_prefix.clone()), RotationOutcome::RotatedSecretLost);
                if let Some(key) = reread {
                    self.remember_key(&active, key);
                }
                return Err(AppError::RotatedWithoutSecret);
            }
        };

        let delivery = match self.clipboard.deliver(&regenerated.secret) {
            Ok(delivery) => delivery,
            Err(e) => {
                record(regenerated.metadata.as_ref().map(|k| k.key_prefix.clone()), RotationOutcome::RotatedSecretLost);
                return Err(AppError::RotatedClipboardFailed { detail: e.to_string() });
            }
        };
        let clear_in_s = self.settings().clipboard_clear_seconds;
        let clipboard = self.clipboard.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_secs(u64::from(clear_in_s))).await;
            let _ = clipboard.clear_if_ours(Some(delivery));
        });

        let mut warnings = Vec::new();
        if !(regenerated.secret.starts_with("sk_live_") || regenerated.secret.starts_with("sk_test_")) {
            warnings.push(RotationWarning::OddShape);
        }
        let metadata = match regenerated.metadata.clone() {
            Some(m) => Some(m),
            None => active.client.current_key(&active.session.jwt).await.ok(),
        };
        match &metadata {
            Some(m) if !regenerated.secret.starts_with(bare_prefix(&m.key_prefix)) => warnings.push(RotationWarning::PrefixMismatch),
            None => warnings.push(RotationWarning::MetadataUnavailable),
            _ => {}
        }
        // The secret is zeroized here; only its clipboard copy and hash remain.
        drop(regenerated);
        let new_prefix = metadata.as_ref().map(|m| m.key_prefix.clone());
        let recorded_at = record(new_prefix.clone(), RotationOutcome::Rotated);
        // The user needs time to paste the secret: the idle delay starts again.
        self.touch();
        if let Some(new_key) = &metadata {
            self.start_rollout_watch(&active, new_key, recorded_at);
        }
        let key = metadata.map(|m| self.remember_key(&active, m));
        Ok(RotationResult { new_prefix, clear_in_s, warnings, key })
    }

    /// The request went out and no usable answer came (`status`: the server's 5xx; `None`: no
    /// answer at all): re-read the key with the same token and say which it is. Never a guess.
    async fn settle_unknown_outcome(
        &self,
        active: &Arc<ActiveSession>,
        target: &ConfirmedTarget,
        status: Option<u16>,
        record: impl Fn(Option<String>, RotationOutcome) -> chrono::DateTime<Utc>,
    ) -> AppError {
        match active.client.current_key(&active.session.jwt).await {
            Ok(key) => {
                let rotated = key.id != target.key_id || key.key_prefix != target.key_prefix;
                if rotated {
                    record(Some(key.key_prefix.clone()), RotationOutcome::RotatedSecretLost);
                } else {
                    record(None, RotationOutcome::NotRotated);
                }
                self.remember_key(active, key);
                AppError::RotationOutcomeUnknown { rotated, status }
            }
            Err(_) => {
                record(None, RotationOutcome::Unknown);
                AppError::RotationOutcomeUnreadable { status }
            }
        }
    }

    pub fn clear_clipboard_now(&self) -> Result<ClearOutcome, AppError> {
        self.clipboard.clear_if_ours(None)
    }

    /// The clipboard's status once a rotation in flight has its outcome (bounded wait).
    pub async fn wait_for_rotation(&self) -> ClipboardStatus {
        let _settled = self.settle_rotation().await;
        self.clipboard_status()
    }

    /// Whether a delivered secret is still waiting to be cleared, and what the last clear did.
    pub fn clipboard_status(&self) -> ClipboardStatus {
        ClipboardStatus { holds_secret: self.clipboard.holds_secret(), last_outcome: self.clipboard.last_outcome() }
    }

    pub fn rotation_history(&self) -> Vec<HistoryEntry> {
        self.history.newest_first()
    }
}
