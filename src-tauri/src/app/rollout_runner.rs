//! The rollout watch, run: after a rotation, re-read the key on the schedule `rules::rollout_watch`
//! keeps, tell the window, and write the outage into the rotation history when it ends. It
//! runs only while its session lives: the session owns the task and stops it when it goes.

use std::sync::{Arc, Weak};
use std::time::Instant;

use chrono::{DateTime, Utc};

use super::{ActiveSession, AppState, EventHub};
use crate::rules::api_key::ApiKey;
use crate::rules::app_error::AppError;
use crate::rules::rollout_watch::{Observation, RolloutWatch, Step, Watch, LIMIT};
use crate::store::history::{History, Rollout};
use crate::wire::{AppEvent, RolloutStatus};

/// The running watch; dropping it stops it.
pub(super) struct WatchTask {
    task: tokio::task::AbortHandle,
    delivered_at: DateTime<Utc>,
}

impl Drop for WatchTask {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn status(watch: Watch, delivered_at: DateTime<Utc>) -> RolloutStatus {
    RolloutStatus { watch, rotated_at: delivered_at, limit_minutes: LIMIT.as_secs() / 60, rate_limited_until: None }
}

/// The wall-clock time of `at`, checked: an instant from a server's wait may be far off.
fn wall_clock(at: Instant) -> Option<DateTime<Utc>> {
    let ahead = chrono::Duration::from_std(at.saturating_duration_since(Instant::now())).ok()?;
    Utc::now().checked_add_signed(ahead)
}

fn observation(read: Result<ApiKey, AppError>) -> Observation {
    match read {
        Ok(key) => Observation::Key { id: key.id, last_used_at: key.last_used_at },
        Err(AppError::RateLimited { retry_after_s }) => {
            Observation::RateLimited { retry_after: retry_after_s.map(std::time::Duration::from_secs) }
        }
        Err(AppError::SessionEnded | AppError::NotLoggedIn) => Observation::SessionEnded,
        Err(_) => Observation::Failed,
    }
}

async fn run_watch(
    session: Weak<ActiveSession>,
    mut watch: RolloutWatch,
    delivered_at: DateTime<Utc>,
    history: Arc<History>,
    events: Arc<EventHub>,
    history_time: DateTime<Utc>,
) {
    events.emit(AppEvent::Rollout(status(watch.state(), delivered_at)));
    loop {
        match watch.step(Instant::now()) {
            Step::Sleep(wait) => tokio::time::sleep(wait).await,
            Step::Read => {
                let sent = Instant::now();
                // Only while the session lives, and with a single request: the watch keeps its
                // own pace, so the client's retries would break its per-minute cap.
                let seen = match session.upgrade() {
                    Some(active) => observation(active.client.current_key_once(&active.session.jwt).await),
                    None => Observation::SessionEnded,
                };
                let rate_limited = matches!(seen, Observation::RateLimited { .. });
                watch.observe(sent, seen);
                if rate_limited && watch.state() == Watch::Waiting {
                    let waiting =
                        RolloutStatus { rate_limited_until: wall_clock(watch.next_read_at()), ..status(watch.state(), delivered_at) };
                    events.emit(AppEvent::Rollout(waiting));
                }
            }
            Step::Done => break,
        }
    }
    let rollout = match watch.state() {
        Watch::InUse { after, .. } => Some(Rollout::InUseAfter { seconds: after.as_secs() }),
        Watch::NotSeen => Some(Rollout::NotSeenWithin { minutes: LIMIT.as_secs() / 60 }),
        Watch::Waiting | Watch::Stopped => None,
    };
    if let Some(rollout) = rollout {
        let _ = history.set_rollout(history_time, rollout);
    }
    events.emit(AppEvent::Rollout(status(watch.state(), delivered_at)));
}

impl AppState {
    /// Starts watching the new key of `active`'s rotation recorded at `history_time`. The
    /// server's `createdAt` is the rotation time its `lastUsedAt` is compared with.
    /// `delivered_by_command`: the key went straight to where the systems read it, so the first
    /// read comes a few seconds after, not one interval after.
    pub(super) fn start_rollout_watch(
        &self,
        active: &Arc<ActiveSession>,
        new_key: &ApiKey,
        history_time: DateTime<Utc>,
        delivered_by_command: bool,
    ) {
        let delivered_at = Utc::now();
        let mut watch = RolloutWatch::new(&new_key.id, new_key.created_at.unwrap_or(delivered_at), Instant::now());
        if delivered_by_command {
            watch = watch.first_read_after(crate::rules::rollout_watch::AFTER_DELIVERY);
        }
        let task =
            tokio::spawn(run_watch(Arc::downgrade(active), watch, delivered_at, self.history.clone(), self.events.clone(), history_time));
        *active.rollout.lock().unwrap() = Some(WatchTask { task: task.abort_handle(), delivered_at });
    }

    /// Stops the watch by hand; the window is told it stopped.
    pub fn stop_rollout_watch(&self) {
        let Some(active) = self.session.lock().unwrap().clone() else { return };
        let stopped = active.rollout.lock().unwrap().take();
        if let Some(task) = stopped {
            let delivered_at = task.delivered_at;
            drop(task);
            self.emit(AppEvent::Rollout(status(Watch::Stopped, delivered_at)));
        }
    }
}
