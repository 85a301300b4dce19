//! The dry run before the day: each of the profile's destinations started as a rotation would
//! start it and waited for until ready, then stopped before any input. Nothing is written
//! anywhere and no key is rotated; ops staff learn today that tomorrow's rotation can be
//! delivered.

use std::time::Instant;

use futures_util::future::join_all;

use crate::app::AppState;
use crate::platform::command_runner;
use crate::rules::app_error::AppError;
use crate::wire::DestinationCheck;

impl AppState {
    /// Checks every destination of the logged-in profile. Not while a rotation is in flight
    /// (its own commands are running).
    pub async fn check_destinations(&self) -> Result<Vec<DestinationCheck>, AppError> {
        if self.rotation_in_flight() {
            return Err(AppError::RotationInProgress);
        }
        let active = self.active_session()?;
        let profile = self.profile(&active.session.profile_id)?;
        let hidden = |word: &str| active.is_own_secret(word);
        let hidden: &(dyn Fn(&str) -> bool + Sync) = &hidden;
        // All at once, as a rotation starts them: each one's time is its own.
        let checks = join_all(profile.destinations.iter().map(|target| async move {
            let started = Instant::now();
            match command_runner::open(target, hidden).await {
                Ok(open) => {
                    let ready_ms = started.elapsed().as_millis() as u64;
                    // Stopped before any input: it never sees end of input, so it writes nothing.
                    open.abandon().await;
                    DestinationCheck { name: target.name.clone(), ready_ms: Some(ready_ms), failure: None, output: String::new() }
                }
                Err(report) => {
                    DestinationCheck { name: target.name.clone(), ready_ms: None, failure: report.outcome.err(), output: report.output }
                }
            }
        }))
        .await;
        Ok(checks)
    }
}
