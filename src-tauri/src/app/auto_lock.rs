//! The lock, kept in Rust: a session idle past the idle delay, or whose user stepped away
//! (screen locked, machine going to sleep), ends here, whatever the window does. The window
//! only reports activity; a hung or crashed webview cannot keep a session alive. A session
//! that runs out ends here too (`run_session_clock`), so a window hidden in the tray, whose
//! page timers stop, still has its session end on time.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::AppState;
use crate::platform::app_clock;
use crate::rules::lock_reason::LockReason;
use crate::rules::secret_removed::RemovalCause;
use crate::wire::AppEvent;

/// The session clock wakes at least this often while a session is open: the monotonic clock
/// stands still while the computer sleeps and the wall clock can be moved, so a session's end
/// (a wall-clock time) is looked at again once a minute, and never more often when nothing is due.
const LOOK_AGAIN_AT_MOST_AFTER: Duration = Duration::from_secs(60);

/// The session clock's own state: the user's last action (for the idle lock), and what wakes
/// the clock when its next moment changes.
pub(super) struct SessionClock {
    last_activity: std::sync::Mutex<Instant>,
    changed: tokio::sync::Notify,
}

impl Default for SessionClock {
    fn default() -> Self {
        SessionClock { last_activity: std::sync::Mutex::new(app_clock::monotonic()), changed: tokio::sync::Notify::new() }
    }
}

impl AppState {
    /// How long a session may sit without the user's activity before it locks (Settings).
    pub fn idle_delay(&self) -> Duration {
        Duration::from_secs(u64::from(self.settings().idle_lock_minutes) * 60)
    }

    /// The user did something: the idle delay starts again.
    pub fn touch(&self) {
        *self.session_clock.last_activity.lock().unwrap() = app_clock::monotonic();
    }

    /// The idle lock and the session's end, for the app's whole life: it sleeps until the next
    /// one is due (a minute at most, see `LOOK_AGAIN_AT_MOST_AFTER`), and without a session
    /// until one starts. No timer ticks while nothing is due.
    pub async fn run_session_clock(&self) {
        let mut flight = self.slot.follow();
        loop {
            // Armed before the deadline is read, so a session started meanwhile is not missed.
            let changed = self.session_clock.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            if self.rotation_in_flight() {
                // Neither ends a session during a rotation: its answer comes first.
                let _ = flight.wait_for(|busy| !busy).await;
                continue;
            }
            match self.next_session_deadline(app_clock::monotonic(), app_clock::now()) {
                None => changed.await,
                Some(deadline) => {
                    tokio::select! {
                        () = app_clock::sleep_until(deadline) => {}
                        () = &mut changed => {}
                    }
                }
            }
            if self.lock_if_idle(app_clock::monotonic()).await {
                continue;
            }
            if let Some(ended) = self.end_session_if_run_out(app_clock::now()).await {
                self.emit(AppEvent::SessionRanOut(ended));
            }
        }
    }

    /// When the session clock must look next: the idle lock's moment or the session's end,
    /// whichever comes first, a minute from now at most; `None` without a session.
    fn next_session_deadline(&self, now: Instant, wall_now: DateTime<Utc>) -> Option<Instant> {
        let expires_at = self.session.lock().unwrap().as_ref()?.session.expires_at;
        let idle_lock_at = *self.session_clock.last_activity.lock().unwrap() + self.idle_delay();
        let runs_out_at = now + (expires_at - wall_now).to_std().unwrap_or(Duration::ZERO);
        Some(idle_lock_at.min(runs_out_at).min(now + LOOK_AGAIN_AT_MOST_AFTER))
    }

    /// Something the session clock's next moment depends on changed: a session started, the
    /// idle delay was set, or the machine woke (the wall clock jumped).
    pub fn session_clock_changed(&self) {
        self.session_clock.changed.notify_one();
    }

    /// Ends the session if it ran out at `now` (renewed with a remembered password, as the
    /// window's own `session_ended` does).
    async fn end_session_if_run_out(&self, now: DateTime<Utc>) -> Option<crate::wire::SessionEnded> {
        let ran_out = self.session.lock().unwrap().as_ref().is_some_and(|s| s.session.expires_at <= now);
        if !ran_out {
            return None;
        }
        Some(self.session_ended().await)
    }

    /// Ends the session if it has been idle for the idle delay at `now`. Never while a
    /// rotation's request is out: its answer comes first. Returns whether it locked.
    pub async fn lock_if_idle(&self, now: Instant) -> bool {
        if self.session.lock().unwrap().is_none() || self.rotation_in_flight() {
            return false;
        }
        if now.saturating_duration_since(*self.session_clock.last_activity.lock().unwrap()) < self.idle_delay() {
            return false;
        }
        self.lock(LockReason::Idle).await
    }

    /// The screen locked or the machine is going to sleep: end the session, unless the user
    /// turned that off in settings.
    pub async fn lock_away(&self, away: LockReason) -> bool {
        if !self.settings().lock_on_screen_lock {
            return false;
        }
        self.lock(away).await
    }

    /// Ends the session (the clipboard first, a rotation in flight settled before) and tells
    /// the window why.
    async fn lock(&self, reason: LockReason) -> bool {
        let ended = self.end_session(RemovalCause::from(reason)).await;
        if ended.is_some() {
            self.emit(AppEvent::Locked { reason, idle_minutes: self.settings().idle_lock_minutes });
        }
        ended.is_some()
    }
}
