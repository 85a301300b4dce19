//! The end of a session, whatever ends it (logout, the lock, expiry, quit): it waits for a
//! rotation in flight (`rotation::slot`), then clears a freshly delivered secret from the
//! clipboard before anything else goes, and a secret removed before its time leaves a sentence
//! for the login screen and the dashboard.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};

use super::{ActiveSession, AppState};
use crate::platform::clipboard::ClearOutcome;
use crate::rules::app_error::{AppError, ConfirmationRefusal};
use crate::rules::secret_removed::{RemovalCause, SecretRemoved};
use crate::store::removed_notice::RemovedNoticeFile;
use crate::wire::LogoutOutcome;

/// The removed-key notice's state: the prefix of the last secret delivered to the clipboard,
/// and the notice itself once that secret was removed before its time (said on the login
/// screen and the dashboard until the next login or rotation; kept on disk too, so that a quit
/// is said at the next start).
pub(super) struct RemovedKeyNotice {
    delivered_prefix: Mutex<Option<String>>,
    notice: Mutex<Option<SecretRemoved>>,
    file: RemovedNoticeFile,
}

impl RemovedKeyNotice {
    /// The notice a quit left on disk, if any.
    pub(super) fn load(file: RemovedNoticeFile) -> Self {
        RemovedKeyNotice { delivered_prefix: Mutex::new(None), notice: Mutex::new(file.load()), file }
    }

    /// A new secret went to the clipboard (its prefix, when known).
    pub(in crate::app) fn delivered(&self, prefix: Option<String>) {
        *self.delivered_prefix.lock().unwrap() = prefix;
    }
}

impl AppState {
    /// Ends the session once a rotation in flight is settled, the clipboard first: a delivered
    /// secret still on it is cleared before anything else goes, and if it was still there,
    /// the notice says so (`cause`). Logout, the lock, expiry and quit all pass here. Returns
    /// the session that ended; dropping it ends all it owned.
    pub(in crate::app) async fn end_session(&self, cause: RemovalCause) -> Option<Arc<ActiveSession>> {
        let _settled = self.claim_slot_when_free().await;
        self.end_session_now(cause)
    }

    /// Ends the session at once, the clipboard first: for a caller that holds the rotation
    /// slot, or found it free.
    fn end_session_now(&self, cause: RemovalCause) -> Option<Arc<ActiveSession>> {
        let ending = self.session.lock().unwrap().clone();
        if let Ok(ClearOutcome::Cleared) = self.clipboard.clear_if_ours(None) {
            self.note_removed_secret(cause, ending.as_deref());
        }
        self.session.lock().unwrap().take()
    }

    /// A password typed to rotate or to set a delivery target was refused: a wrong one is
    /// counted for the profile, and the last one it takes ends the session (`holds_slot`: the
    /// caller is the rotation in flight; otherwise a rotation in flight is waited for, as by
    /// every other session end). A missing one is only refused.
    pub(in crate::app) async fn password_refused(&self, active: &ActiveSession, reason: ConfirmationRefusal, holds_slot: bool) -> AppError {
        if reason != ConfirmationRefusal::PasswordMismatch || !self.password_limit.count(&active.session.profile_id) {
            return AppError::Confirmation { reason };
        }
        let _settled = if holds_slot { None } else { self.claim_slot_when_free().await };
        drop(self.end_session_now(RemovalCause::WrongPasswords));
        AppError::WrongPasswordsEndedSession
    }

    /// A new secret was cleared from the clipboard before its time: the user may not have
    /// pasted it, and the old key is dead. Said until the next login or rotation.
    fn note_removed_secret(&self, cause: RemovalCause, ending: Option<&ActiveSession>) {
        let key_prefix = self.removed_key.delivered_prefix.lock().unwrap().clone();
        let profile = ending.and_then(|a| self.profile(&a.session.profile_id).ok()).map(|p| p.name).unwrap_or_default();
        let notice = SecretRemoved { key_prefix, profile, cause, at: crate::platform::app_clock::now() };
        // Kept on disk so that a quit is said at the next start; in memory either way.
        let _ = self.removed_key.file.save(&notice);
        *self.removed_key.notice.lock().unwrap() = Some(notice);
    }

    /// The notice about a removed secret, if one is due.
    pub fn secret_removed(&self) -> Option<SecretRemoved> {
        self.removed_key.notice.lock().unwrap().clone()
    }

    /// A login or a new rotation: the notice has been read and acted on.
    pub(in crate::app) fn forget_removed_secret(&self) {
        if self.removed_key.notice.lock().unwrap().take().is_some() {
            let _ = self.removed_key.file.remove();
        }
    }

    /// Logs out once a rotation in flight has its outcome. Unless `force`, a new secret still
    /// on the clipboard stops it: the window asks first, since logging out clears it.
    pub async fn logout(&self, force: bool) -> LogoutOutcome {
        if !force {
            let _settled = self.claim_slot_when_free().await;
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

    /// When a quit asked now is done at the latest, if something holds it up (a rotation in
    /// flight: its answer, its delivery); `None`: at once.
    pub fn quit_waits_until(&self) -> Option<DateTime<Utc>> {
        self.rotation_in_flight().then(|| Utc::now() + chrono::Duration::from_std(self.slot_wait_bound()).unwrap_or_default())
    }

    /// The app ends without a quit (the system ends it): the session and the clipboard at once,
    /// waiting for nothing.
    pub fn quit_now(&self) {
        drop(self.end_session_now(RemovalCause::Quit));
    }
}
