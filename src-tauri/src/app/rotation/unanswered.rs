//! After a regenerate that got no usable answer: the key is read again on the settle schedule
//! (`rules::settle_schedule`), because the server may still be carrying the rotation out. Meanwhile the
//! window is told "no answer yet; checking until …", and the rotation slot stays taken. A
//! change is reported the moment it is seen; "not rotated" only once the last check still
//! showed the old key. Never a guess.

use chrono::Utc;

use super::RotationRow;
use crate::app::AppState;
use crate::rules::app_error::AppError;
use crate::rules::settle_schedule::{verdict, Seen, Verdict};
use crate::store::history::RotationOutcome;
use crate::wire::AppEvent;

impl AppState {
    /// Settles a rotation whose answer never came (`status`: the status that was not a
    /// definite refusal; `None`: no answer at all). Its history row says "could not tell"
    /// until a check decides, and is corrected then.
    pub(super) async fn settle_unknown_outcome(&self, row: &RotationRow<'_>, status: Option<u16>) -> AppError {
        let gave_up = tokio::time::Instant::now();
        let checking_until = Utc::now() + self.settle.span();
        let planned = self.settle.checks();
        let row_time = row.record(None, RotationOutcome::Unknown, Vec::new());
        let active = row.active;
        let mut done = 0;
        for offset in self.settle.offsets() {
            tokio::time::sleep_until(gave_up + *offset).await;
            // One request a check: the schedule is the retry.
            let read = active.client.current_key_once(&active.session.jwt).await;
            done += 1;
            let seen = match &read {
                Ok(key) if row.rotated(key) => Seen::Changed,
                Ok(_) => Seen::Unchanged,
                Err(_) => Seen::Unreadable,
            };
            let checked_for_s = offset.as_secs();
            match (verdict(&self.settle, done, seen), read) {
                (Verdict::Rotated, Ok(key)) => {
                    let _ = self.history.set_outcome(row_time, RotationOutcome::RotatedSecretLost, Some(key.key_prefix.clone()));
                    self.remember_key(active, key);
                    return AppError::RotationOutcomeUnknown { rotated: true, status, checks: done, checked_for_s };
                }
                (Verdict::NotRotated, Ok(key)) => {
                    let _ = self.history.set_outcome(row_time, RotationOutcome::NotRotated, None);
                    self.remember_key(active, key);
                    return AppError::RotationOutcomeUnknown { rotated: false, status, checks: done, checked_for_s };
                }
                // The session is over: nothing more can be read with it.
                (_, Err(AppError::SessionEnded)) => return AppError::RotationOutcomeUnreadable { status },
                (Verdict::Checking, _) => {
                    self.emit(AppEvent::RotationChecking { checking_until, checks_done: done, checks_planned: planned, status });
                }
                _ => return AppError::RotationOutcomeUnreadable { status },
            }
        }
        AppError::RotationOutcomeUnreadable { status }
    }
}
