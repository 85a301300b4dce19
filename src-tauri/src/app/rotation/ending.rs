//! The end of a rotation's life, and of the session around it: the rotation slot (one at a
//! time, and what would end the session waits for it), and what ending the session does to a
//! freshly delivered secret: the clipboard is cleared before anything else goes, and a secret
//! removed before its time leaves a sentence for the login screen and the dashboard.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use super::super::{ActiveSession, AppState};
use crate::clipboard::ClearOutcome;
use crate::wire::{LogoutOutcome, RemovalCause, SecretRemoved};

/// The rotation slot, taken; it is given back when this is dropped, whatever happened.
pub(in crate::app) struct RotationClaim<'a>(&'a tokio::sync::watch::Sender<bool>);

impl Drop for RotationClaim<'_> {
    fn drop(&mut self) {
        self.0.send_replace(false);
    }
}

impl AppState {
    /// Claims the rotation slot if it is free: while the claim lives, no other rotation (nor
    /// an ending session) can take it.
    pub(in crate::app) fn try_claim_rotation(&self) -> Option<RotationClaim<'_>> {
        let claimed = self.flight.send_if_modified(|busy| !std::mem::replace(busy, true));
        claimed.then_some(RotationClaim(&self.flight))
    }

    /// How long an action that would end the session waits for a rotation in flight: the
    /// regenerate request, the checks of an unanswered one, and the read of the new key's
    /// details after a delivery, each within its timeout.
    fn rotation_wait(&self) -> Duration {
        let timeout = self.client_options.request_timeout;
        timeout * (self.client_options.get_retries + 2) + self.settle.bound(timeout) + Duration::from_secs(5)
    }

    /// Waits (bounded) for a rotation in flight to be settled, then claims the slot, so that
    /// nothing new starts while the session ends.
    pub(in crate::app) async fn settle_rotation(&self) -> Option<RotationClaim<'_>> {
        let mut free = self.flight.subscribe();
        let claim = async {
            loop {
                if free.wait_for(|busy| !busy).await.is_err() {
                    return None;
                }
                if let Some(claim) = self.try_claim_rotation() {
                    return Some(claim);
                }
            }
        };
        tokio::time::timeout(self.rotation_wait(), claim).await.ok().flatten()
    }

    /// Whether a rotation is out now: its request, or the checks after an unanswered one.
    pub fn rotation_in_flight(&self) -> bool {
        *self.flight.borrow()
    }

    /// Ends the session once a rotation in flight is settled, the clipboard first: a delivered
    /// secret still on it is cleared before anything else goes, and if it was still there,
    /// the notice says so (`cause`). Logout, the lock, expiry and quit all pass here. Returns
    /// the session that ended; dropping it ends all it owned.
    pub(in crate::app) async fn end_session(&self, cause: RemovalCause) -> Option<Arc<ActiveSession>> {
        let _settled = self.settle_rotation().await;
        let ending = self.session.lock().unwrap().clone();
        if let Ok(ClearOutcome::Cleared) = self.clipboard.clear_if_ours(None) {
            self.note_removed_secret(cause, ending.as_deref());
        }
        self.session.lock().unwrap().take()
    }

    /// A new secret was cleared from the clipboard before its time: the user may not have
    /// pasted it, and the old key is dead. Said until the next login or rotation.
    fn note_removed_secret(&self, cause: RemovalCause, ending: Option<&ActiveSession>) {
        let key_prefix = self.delivered_prefix.lock().unwrap().clone();
        let profile = ending.and_then(|a| self.profile(&a.session.profile_id).ok()).map(|p| p.name).unwrap_or_default();
        let notice = SecretRemoved { key_prefix, profile, cause, at: Utc::now() };
        // Kept on disk so that a quit is said at the next start; in memory either way.
        let _ = self.removed_notice.save(&notice);
        *self.secret_removed.lock().unwrap() = Some(notice);
    }

    /// The notice about a removed secret, if one is due.
    pub fn secret_removed(&self) -> Option<SecretRemoved> {
        self.secret_removed.lock().unwrap().clone()
    }

    /// A login or a new rotation: the notice has been read and acted on.
    pub(in crate::app) fn forget_removed_secret(&self) {
        if self.secret_removed.lock().unwrap().take().is_some() {
            let _ = self.removed_notice.remove();
        }
    }

    /// Logs out once a rotation in flight has its outcome. Unless `force`, a new secret still
    /// on the clipboard stops it: the window asks first, since logging out clears it.
    pub async fn logout(&self, force: bool) -> LogoutOutcome {
        if !force {
            let _settled = self.settle_rotation().await;
            if self.clipboard.holds_secret() {
                return LogoutOutcome::SecretOnClipboard;
            }
        }
        drop(self.end_session(RemovalCause::LoggedOut).await);
        LogoutOutcome::LoggedOut
    }

    /// Whether quitting now would lose something: a rotation's answer, or a secret on the
    /// clipboard (quitting clears it).
    pub fn quitting_loses_something(&self) -> bool {
        self.rotation_in_flight() || self.clipboard.holds_secret()
    }

    /// The app is quitting: a rotation in flight is waited for, then the clipboard is cleared
    /// before everything else goes.
    pub async fn quit(&self) {
        drop(self.end_session(RemovalCause::Quit).await);
    }
}
