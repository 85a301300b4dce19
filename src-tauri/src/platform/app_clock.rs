//! The app's clock: the calendar time it reads, and the long waits of its timers (the session
//! clock, the reminders, the update checks). One place, so that a build made for `make soak`
//! (feature `fast-clock`, never in a package) can live a day of the app's time in minutes:
//! `CERTOPAY_KEYS_CLOCK_SPEED=N` runs it N times faster, counted from
//! `CERTOPAY_KEYS_CLOCK_ORIGIN_MS` (Unix milliseconds; the sandbox's clock takes the same two,
//! so app and server agree on the time). Every other build reads the system's clocks, and the
//! variables do nothing. A rotation's own second-scale waits (the rollout watch, the settle
//! checks, the clipboard) stay on the real clock: the soak does not rotate.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

/// The calendar time now, by the app's clock.
pub fn now() -> DateTime<Utc> {
    fast::now()
}

/// A moment on the app's monotonic clock (for idle delays): `Instant::now()`, or ahead of it
/// as fast as the app's clock runs.
pub fn monotonic() -> Instant {
    fast::monotonic()
}

/// Waits `span` of the app's time.
pub async fn sleep(span: Duration) {
    tokio::time::sleep(fast::real_span(span)).await;
}

/// Waits until `moment` of `monotonic()`.
pub async fn sleep_until(moment: Instant) {
    sleep(moment.saturating_duration_since(monotonic())).await;
}

#[cfg(not(feature = "fast-clock"))]
mod fast {
    use super::*;

    pub fn now() -> DateTime<Utc> {
        Utc::now()
    }

    pub fn monotonic() -> Instant {
        Instant::now()
    }

    pub fn real_span(span: Duration) -> Duration {
        span
    }
}

#[cfg(feature = "fast-clock")]
mod fast {
    use std::sync::OnceLock;

    use super::*;

    struct Speed {
        times: u32,
        origin: DateTime<Utc>,
        started: Instant,
    }

    fn speed() -> &'static Speed {
        static SPEED: OnceLock<Speed> = OnceLock::new();
        SPEED.get_or_init(|| {
            let variable = |name: &str| std::env::var(name).ok().and_then(|v| v.parse::<i64>().ok());
            let times = variable("CERTOPAY_KEYS_CLOCK_SPEED").and_then(|t| u32::try_from(t).ok()).unwrap_or(1).max(1);
            let origin = variable("CERTOPAY_KEYS_CLOCK_ORIGIN_MS").and_then(DateTime::from_timestamp_millis).unwrap_or_else(Utc::now);
            Speed { times, origin, started: Instant::now() }
        })
    }

    pub fn now() -> DateTime<Utc> {
        let s = speed();
        let real = Utc::now();
        s.origin + (real - s.origin) * i32::try_from(s.times).unwrap_or(i32::MAX)
    }

    pub fn monotonic() -> Instant {
        let s = speed();
        s.started + s.started.elapsed() * s.times
    }

    pub fn real_span(span: Duration) -> Duration {
        span / speed().times
    }
}
