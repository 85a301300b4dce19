//! A rotation's whole life, in one place: step 1 (what the session must still have, the
//! clipboard, the key), step 2 (the typed label, the password where the session was opened
//! with the remembered one), the regenerate request sent once, what each answer means, the
//! checks after an unanswered one (`unanswered`), the delivery to the destinations
//! (`destinations`) or the clipboard and its clear, the history row; one rotation at a time (`slot`); the dry run of the
//! destinations (`dry_run`).

mod destinations;
mod dry_run;
mod slot;
mod unanswered;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use zeroize::Zeroizing;

use super::{ActiveSession, AppState};
use crate::certopay::{RegenerateError, Regenerated};
use crate::platform::clipboard::ClearOutcome;
use crate::platform::randomness::random_bytes;
use crate::rules::api_key::{bare_prefix, ApiKey, KeyMode};
use crate::rules::app_error::{AppError, ConfirmationRefusal};
use crate::rules::delivery_target::DeliveryTarget;
use crate::rules::rotation_guard::ConfirmedTarget;
use crate::store::history::{DestinationOutcome, HistoryEntry, RotationOutcome};
use crate::wire::{ClipboardStatus, DeliveryResult, RotationDialog, RotationResult, RotationWarning};
use destinations::{Delivered, OpenDestinations};
pub(in crate::app) use slot::RotationSlot;

impl AppState {
    /// What a rotation needs of the session once confirmed: the regenerate's answer (the
    /// request timeout), the checks of an unanswered one (the settle schedule), the profile's
    /// delivery (ready, then done, each within its limit) and time to paste the new key (the
    /// clipboard's clear delay). By default, with no delivery: 20 s + 2 min + 60 s: 3 min 20 s.
    pub fn rotation_needs(&self) -> Duration {
        self.client_options.request_timeout
            + self.settle.span()
            + self.delivery_span()
            + Duration::from_secs(u64::from(self.settings().clipboard_clear_seconds))
    }

    /// All the delivery of the session's profile may take, ready and done: its destinations
    /// run at once, so the longest of them; zero without one.
    pub(in crate::app) fn delivery_span(&self) -> Duration {
        let profile_id = self.session.lock().unwrap().as_ref().map(|active| active.session.profile_id.clone());
        let destinations = profile_id.and_then(|id| self.profile(&id).ok()).map(|profile| profile.destinations).unwrap_or_default();
        destinations.iter().map(DeliveryTarget::whole_span).max().unwrap_or_default()
    }

    /// Refuses a rotation the session could not see through: it would end, and clear the new
    /// key, before the user had it.
    fn check_time_left(&self, active: &ActiveSession) -> Result<(), AppError> {
        let needed = self.rotation_needs();
        let left = (active.session.expires_at - crate::platform::app_clock::now()).to_std().unwrap_or_default();
        if left >= needed {
            return Ok(());
        }
        let renewable = self
            .profile(&active.session.profile_id)
            .is_ok_and(|p| p.remember_password && p.email.eq_ignore_ascii_case(&active.session.email))
            && self.keychain.status().available;
        Err(AppError::SessionEndsTooSoon { left_s: left.as_secs(), needed_s: needed.as_secs(), renewable })
    }

    /// Step 1: checks the session's time left, the clipboard and the key, and issues a
    /// confirmation.
    pub async fn begin_rotation(&self) -> Result<RotationDialog, AppError> {
        if self.rotation_in_flight() {
            return Err(AppError::RotationInProgress);
        }
        let active = self.active_session()?;
        if active.is_rotation_forbidden() {
            return Err(AppError::Forbidden);
        }
        self.check_time_left(&active)?;
        // A secret that cannot be delivered would be lost, and the old key with it.
        self.clipboard.check()?;
        let key = self.read_key(&active).await?;
        self.remember_key(&active, key.clone());
        let confirmation = active.guard.lock().unwrap().begin(&key, Instant::now(), random_bytes());
        let profile = self.profile(&active.session.profile_id).ok();
        let profile_name = profile.as_ref().map(|p| p.name.clone()).unwrap_or_default();
        Ok(RotationDialog {
            confirmation_token: confirmation.token,
            expires_in_s: confirmation.expires_in.as_secs(),
            profile_name,
            label: key.label.clone(),
            typed_prefix: bare_prefix(&key.key_prefix).to_string(),
            mode: KeyMode::of(&key.key_prefix),
            key_prefix: key.key_prefix,
            password_required: active.opened_by_keychain,
            destinations: profile.as_ref().map(|p| destinations::plans(&p.destinations)).unwrap_or_default(),
        })
    }

    pub fn cancel_rotation(&self) {
        if let Some(active) = self.session.lock().unwrap().as_ref() {
            active.guard.lock().unwrap().cancel();
        }
    }

    /// Step 2: checks the confirmation (and the password, where the session was opened with
    /// the remembered one) without touching the network, then sends the regenerate request
    /// once and delivers the secret to the clipboard. One at a time: while one is in flight,
    /// checks of an unanswered one included, another is refused before anything is checked.
    pub async fn confirm_rotation(
        &self,
        token: &str,
        typed: &str,
        password: Option<Zeroizing<String>>,
    ) -> Result<RotationResult, AppError> {
        let _in_flight = self.try_claim_rotation().ok_or(AppError::RotationInProgress)?;
        let active = self.active_session()?;
        // Step 2 may come up to two minutes after step 1: the session must still see it through.
        self.check_time_left(&active)?;
        // The password's digest is computed whether or not the confirmation is valid, so a
        // check costs the same either way; it is judged (and a wrong one counted) only for a
        // valid confirmation, after the token.
        let person = if active.opened_by_keychain { active.check_password(password.as_deref().map(String::as_str)) } else { Ok(()) };
        let known_key = active.last_key_id();
        let confirmed = active.guard.lock().unwrap().confirm_as(token, typed, known_key.as_deref(), Instant::now(), person);
        let target = match confirmed {
            Ok(target) => target,
            Err(reason @ (ConfirmationRefusal::PasswordMismatch | ConfirmationRefusal::PasswordRequired)) => {
                return Err(self.password_refused(&active, reason, true).await)
            }
            Err(reason) => return Err(AppError::Confirmation { reason }),
        };

        let row = RotationRow { state: self, active: &active, target: &target };
        let hidden = |word: &str| active.is_own_secret(word);
        let targets = self.profile(&active.session.profile_id).map(|p| p.destinations).unwrap_or_default();
        // Every destination is proven before the old key dies: started, and ready to read.
        let destinations = destinations::open_all(targets, &hidden).await?;
        // A new rotation ends the watch of the last one, and the notice of a removed secret
        // (not one stopped before it began: the last rotation's watch goes on).
        drop(active.rollout.lock().unwrap().take());
        self.forget_removed_secret();
        let answer = active.client.regenerate(&active.session.jwt).await;
        let destinations = match answer.is_ok() {
            true => Some(destinations),
            // No secret to give: every command is killed before it sees end of input.
            false => {
                destinations.abandon_all().await;
                None
            }
        };
        match answer {
            Ok(regenerated) => {
                let destinations = destinations.expect("kept for an answer with a secret");
                self.deliver_new_key(&active, &row, regenerated, destinations, &hidden).await
            }
            Err(RegenerateError::Refused(error)) => {
                row.record(None, RotationOutcome::NotRotated, Vec::new());
                match error {
                    AppError::Forbidden => active.forbid_rotation(),
                    AppError::SessionEnded => self.forget_session(&active),
                    _ => {}
                }
                Err(error)
            }
            Err(RegenerateError::NoAnswer) => Err(self.settle_unknown_outcome(&row, None).await),
            Err(RegenerateError::UnclearAnswer { status }) => Err(self.settle_unknown_outcome(&row, Some(status)).await),
            Err(RegenerateError::RotatedWithoutSecret) => {
                let reread = active.client.current_key(&active.session.jwt).await.ok();
                row.record(reread.as_ref().map(|k| k.key_prefix.clone()), RotationOutcome::RotatedSecretLost, Vec::new());
                if let Some(key) = reread {
                    self.remember_key(&active, key);
                }
                Err(AppError::RotatedWithoutSecret)
            }
        }
    }

    /// The server answered with the new secret: the old key is dead, so the secret goes at once
    /// to every destination of the profile, all together, and to the clipboard (retried there)
    /// when the profile has none, when any of them failed in any way (for that one), or when
    /// one asks for a copy too. It is zeroized once delivered.
    async fn deliver_new_key(
        &self,
        active: &Arc<ActiveSession>,
        row: &RotationRow<'_>,
        regenerated: Regenerated,
        destinations: OpenDestinations,
        hidden: &(dyn Fn(&str) -> bool + Sync),
    ) -> Result<RotationResult, AppError> {
        let delivered = destinations.deliver_all(&regenerated.secret, hidden).await;
        let outcomes: Vec<DestinationOutcome> =
            delivered.iter().map(|d| DestinationOutcome { name: d.target.name.clone(), delivered: d.report.outcome.is_ok() }).collect();
        let any_delivered = outcomes.iter().any(|o| o.delivered);
        let to_clipboard = outcomes.is_empty() || outcomes.iter().any(|o| !o.delivered) || delivered.iter().any(|d| d.target.also_copy);
        let mut warnings = Vec::new();
        let clipboard_delivery = if to_clipboard {
            match self.clipboard.copy_secret(&regenerated.secret) {
                Ok(number) => Some(number),
                // A destination has the key: only the copy failed (the result says which
                // destinations still need it).
                Err(_) if any_delivered => {
                    warnings.push(RotationWarning::ClipboardCopyFailed);
                    None
                }
                Err(e) => {
                    row.record(regenerated.metadata.as_ref().map(|k| k.key_prefix.clone()), RotationOutcome::RotatedSecretLost, outcomes);
                    return Err(AppError::RotatedClipboardFailed { detail: e.to_string() });
                }
            }
        } else {
            None
        };
        if !(regenerated.secret.starts_with("sk_live_") || regenerated.secret.starts_with("sk_test_")) {
            warnings.push(RotationWarning::OddShape);
        }
        let metadata = match regenerated.metadata.clone() {
            Some(m) => Some(m),
            // One short attempt: the key is already delivered, and its clear must not start
            // before the window says so. A re-read that shows the secret is no better: malformed
            // for display.
            None => tokio::time::timeout(DETAILS_REREAD_LIMIT, active.client.current_key_once(&active.session.jwt))
                .await
                .ok()
                .and_then(Result::ok)
                .filter(|key| !key.reveals(&regenerated.secret)),
        };
        match &metadata {
            Some(m) if !regenerated.secret.starts_with(bare_prefix(&m.key_prefix)) => warnings.push(RotationWarning::PrefixMismatch),
            None => warnings.push(RotationWarning::MetadataUnavailable),
            _ => {}
        }
        // The secret is zeroized here; only its clipboard copy and hash remain, if any.
        drop(regenerated);
        let new_prefix = metadata.as_ref().map(|m| m.key_prefix.clone());
        self.removed_key.delivered(new_prefix.clone());
        let recorded_at = row.record(new_prefix.clone(), RotationOutcome::Rotated, outcomes);
        // The user needs time to paste the secret: the idle delay starts again.
        self.touch();
        if let Some(new_key) = &metadata {
            // A delivered key is in use within seconds: the watch looks early.
            self.start_rollout_watch(active, new_key, recorded_at, any_delivered);
        }
        let key = metadata.map(|m| self.remember_key(active, m));
        let deliveries = delivered
            .into_iter()
            .map(|Delivered { target, report, at }| DeliveryResult {
                name: target.name,
                elapsed_ms: report.outcome.as_ref().ok().map(|d| d.as_millis() as u64),
                delivered_at: at,
                failure: report.outcome.err(),
                output: report.output,
                destination: report.destination,
                appended: report.appended,
            })
            .collect();
        // The clear's delay counts from now, as the result goes to the window: the person sees
        // "cleared in 60 s" with the whole 60 s still ahead, and the window counts down to
        // `clear_at`, the moment the timer below fires.
        let clear_in_s = self.settings().clipboard_clear_seconds;
        let clear_at = clipboard_delivery.map(|number| {
            let clipboard = self.clipboard.clone();
            let delay = Duration::from_secs(u64::from(clear_in_s));
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                let _ = clipboard.clear_if_ours(Some(number));
            });
            Utc::now() + chrono::Duration::seconds(i64::from(clear_in_s))
        });
        Ok(RotationResult { new_prefix, clear_in_s, clear_at, warnings, key, on_clipboard: clipboard_delivery.is_some(), deliveries })
    }

    pub fn clear_clipboard_now(&self) -> Result<ClearOutcome, AppError> {
        self.clipboard.clear_if_ours(None)
    }

    /// The clipboard's status once a rotation in flight has its outcome (bounded wait).
    pub async fn wait_for_rotation(&self) -> ClipboardStatus {
        let _settled = self.claim_slot_when_free().await;
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

/// The longest wait for the new key's details when the regenerate's answer lacked them: one
/// request, no retry.
const DETAILS_REREAD_LIMIT: Duration = Duration::from_secs(5);

/// The history row of one confirmed rotation.
struct RotationRow<'a> {
    state: &'a AppState,
    active: &'a ActiveSession,
    target: &'a ConfirmedTarget,
}

impl RotationRow<'_> {
    /// Writes the row (`deliveries`: each destination's verdict); returns its time, which names
    /// it when it is corrected or filled in.
    fn record(&self, new_prefix: Option<String>, outcome: RotationOutcome, deliveries: Vec<DestinationOutcome>) -> DateTime<Utc> {
        let time = crate::platform::app_clock::now();
        let _ = self.state.history.append(&HistoryEntry {
            time,
            profile: self.state.profile(&self.active.session.profile_id).map(|p| p.name).unwrap_or_default(),
            email: self.active.session.email.clone(),
            old_prefix: self.target.key_prefix.clone(),
            new_prefix,
            outcome,
            rollout: None,
            deliveries,
        });
        time
    }

    /// Whether `key` is no longer the key this rotation was for: the server carried it out.
    fn rotated(&self, key: &ApiKey) -> bool {
        key.id != self.target.key_id || key.key_prefix != self.target.key_prefix
    }
}
