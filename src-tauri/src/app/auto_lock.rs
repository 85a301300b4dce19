//! The lock, kept in Rust: a session idle past the idle delay, or whose user stepped away
//! (screen locked, machine going to sleep), ends here, whatever the window does. The window
//! only reports activity; a hung or crashed webview cannot keep a session alive.

use std::time::{Duration, Instant};

use super::AppState;
use crate::platform::away::Away;
use crate::rules::secret_removed::RemovalCause;
use crate::wire::{AppEvent, LockReason};

impl AppState {
    /// The user did something: the idle delay starts again.
    pub fn touch(&self) {
        *self.last_activity.lock().unwrap() = Instant::now();
    }

    /// Ends the session if it has been idle for the idle delay at `now`. Never while a
    /// rotation's request is out: its answer comes first. Returns whether it locked.
    pub async fn lock_if_idle(&self, now: Instant) -> bool {
        if self.session.lock().unwrap().is_none() || self.rotation_in_flight() {
            return false;
        }
        let idle_for = Duration::from_secs(u64::from(self.settings().idle_lock_minutes) * 60);
        if now.saturating_duration_since(*self.last_activity.lock().unwrap()) < idle_for {
            return false;
        }
        self.lock(LockReason::Idle).await
    }

    /// The screen locked or the machine is going to sleep: end the session, unless the user
    /// turned that off in settings.
    pub async fn lock_away(&self, away: Away) -> bool {
        if !self.settings().lock_on_screen_lock {
            return false;
        }
        self.lock(match away {
            Away::ScreenLocked => LockReason::ScreenLocked,
            Away::Sleeping => LockReason::Sleeping,
        })
        .await
    }

    /// Ends the session (the clipboard first, a rotation in flight settled before) and tells
    /// the window why.
    async fn lock(&self, reason: LockReason) -> bool {
        let cause = match reason {
            LockReason::Idle => RemovalCause::Idle,
            LockReason::ScreenLocked => RemovalCause::ScreenLocked,
            LockReason::Sleeping => RemovalCause::Sleeping,
        };
        let ended = self.end_session(cause).await;
        if ended.is_some() {
            self.emit(AppEvent::Locked { reason, idle_minutes: self.settings().idle_lock_minutes });
        }
        ended.is_some()
    }
}
