//! A profile's destinations during a rotation: all started together and proven ready before
//! the regenerate (one that cannot be stops them all, before any of them has read a byte),
//! then all given the secret at once, each judged by its own process.

use chrono::{DateTime, Utc};
use futures_util::future::join_all;
use futures_util::stream::{FuturesUnordered, StreamExt};

use crate::platform::command_runner::{self, find_program, DeliveryReport, OpenDelivery};
use crate::rules::app_error::AppError;
use crate::rules::delivery_failure::DeliveryFailure;
use crate::rules::delivery_target::DeliveryTarget;
use crate::wire::DeliveryPlan;

type Hidden<'a> = &'a (dyn Fn(&str) -> bool + Sync);

/// Every destination of the profile, started and ready to read, in the person's order.
pub(super) struct OpenDestinations {
    open: Vec<(DeliveryTarget, OpenDelivery)>,
}

/// One destination's verdict once the secret was written to it.
pub(super) struct Delivered {
    pub target: DeliveryTarget,
    pub report: DeliveryReport,
    /// When its command had the whole key and ended well (delivered only).
    pub at: Option<DateTime<Utc>>,
}

/// Step 1's word on each destination: its name, and whether its program can be run here.
pub(super) fn plans(targets: &[DeliveryTarget]) -> Vec<DeliveryPlan> {
    targets
        .iter()
        .map(|target| DeliveryPlan {
            name: target.name.clone(),
            program_found: target.words().ok().and_then(|w| find_program(&w[0])).is_some(),
        })
        .collect()
}

/// Starts every destination at once and waits until all are ready. The first that cannot be
/// (it ends, fails its ready check, or is not ready in time) ends the wait: the ones still
/// starting are stopped where they are, the ready ones killed, none ever sees end of input;
/// the error names that destination with its own words.
pub(super) async fn open_all(targets: Vec<DeliveryTarget>, hidden: Hidden<'_>) -> Result<OpenDestinations, AppError> {
    let mut opened: Vec<Option<OpenDelivery>> = targets.iter().map(|_| None).collect();
    let mut failed = None;
    {
        let mut starting: FuturesUnordered<_> =
            targets.iter().enumerate().map(|(index, target)| async move { (index, command_runner::open(target, hidden).await) }).collect();
        while let Some((index, started)) = starting.next().await {
            match started {
                Ok(open) => opened[index] = Some(open),
                Err(report) => {
                    failed = Some((targets[index].name.clone(), report.outcome.err(), report.output));
                    break;
                }
            }
        }
        // Dropped here: a command still starting is killed with all it started (its
        // `OpenDelivery` stops its tree when dropped) before its input is closed.
    }
    let mut open: Vec<(DeliveryTarget, OpenDelivery)> =
        targets.into_iter().zip(opened).filter_map(|(target, open)| open.map(|open| (target, open))).collect();
    // The first ready may have ended while the last was getting ready.
    if failed.is_none() {
        failed = open
            .iter_mut()
            .find_map(|(target, delivery)| delivery.still_ready().err().map(|f| (target.name.clone(), Some(f), String::new())));
    }
    match failed {
        None => Ok(OpenDestinations { open }),
        Some((name, failure, output)) => {
            abandon(open).await;
            Err(not_ready(name, failure, output))
        }
    }
}

impl OpenDestinations {
    /// There is no secret to give (refused, unknown): every command is killed before it ever
    /// sees end of input.
    pub async fn abandon_all(self) {
        abandon(self.open).await;
    }

    /// Writes the secret to every destination at once and waits for each verdict.
    pub async fn deliver_all(self, secret: &str, hidden: Hidden<'_>) -> Vec<Delivered> {
        join_all(self.open.into_iter().map(|(target, open)| async move {
            let report = open.deliver(secret, hidden).await;
            let at = report.outcome.is_ok().then(Utc::now);
            Delivered { target, report, at }
        }))
        .await
    }
}

async fn abandon(open: Vec<(DeliveryTarget, OpenDelivery)>) {
    join_all(open.into_iter().map(|(_, delivery)| delivery.abandon())).await;
}

/// A destination could not be proven before the rotation: nothing was regenerated.
fn not_ready(name: String, failure: Option<DeliveryFailure>, output: String) -> AppError {
    let failure = failure.unwrap_or(DeliveryFailure::Failed { detail: String::new() });
    AppError::DeliveryNotReady { name, failure, output }
}
