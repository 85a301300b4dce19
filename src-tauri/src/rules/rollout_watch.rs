//! The rollout watch's schedule: after a rotation, when to re-read the key to see the
//! merchant's systems start using the new one, and when to stop. Pure logic on a clock the
//! caller passes in; `app::rollout_runner` runs it against the server. Plain Rust: no tauri, no I/O.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::{Serialize, Serializer};

/// How often the key is read while waiting.
pub const INTERVAL: Duration = Duration::from_secs(15);
/// Never more reads than this in any minute, whatever else happens.
pub const MAX_READS_PER_MINUTE: usize = 4;
/// The first read after a delivery command took the key: its systems read it within seconds.
pub const AFTER_DELIVERY: Duration = Duration::from_secs(3);
/// How long the watch waits for the new key to be used before it gives up.
pub const LIMIT: Duration = Duration::from_secs(30 * 60);
/// The longest backoff after failed reads without a `Retry-After`.
pub const MAX_BACKOFF: Duration = Duration::from_secs(120);

const MINUTE: Duration = Duration::from_secs(60);

/// Where the watch stands: the one type for it, in the rules and on the wire (`state`, and for
/// a key in use `inUseSince` and `inUseAfterS`, whole seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum Watch {
    /// The new key has not been seen in use yet.
    Waiting,
    /// First seen in use: its `lastUsedAt`, and how long after the rotation that was (the
    /// outage the integrations saw).
    InUse {
        #[serde(rename = "inUseSince")]
        since: DateTime<Utc>,
        #[serde(rename = "inUseAfterS", serialize_with = "whole_seconds")]
        after: Duration,
    },
    /// Not seen in use within `LIMIT`.
    NotSeen,
    /// The session ended or the server refused the token: nothing more can be read.
    Stopped,
}

fn whole_seconds<S: Serializer>(span: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_u64(span.as_secs())
}

/// What one read of the key said.
#[derive(Debug, Clone, PartialEq)]
pub enum Observation {
    /// The key as read: its id and when it was last used.
    Key { id: String, last_used_at: Option<DateTime<Utc>> },
    /// 429: wait this long (or back off when the server did not say).
    RateLimited { retry_after: Option<Duration> },
    /// Anything else that failed but may pass (network, 5xx).
    Failed,
    /// The session is over.
    SessionEnded,
}

/// What the caller should do now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Read,
    Sleep(Duration),
    Done,
}

#[derive(Debug)]
pub struct RolloutWatch {
    key_id: String,
    rotated_at: DateTime<Utc>,
    started: Instant,
    /// The most recent reads, for the per-minute cap.
    reads: VecDeque<Instant>,
    not_before: Instant,
    failures: u32,
    state: Watch,
}

impl RolloutWatch {
    /// The first read comes `first` after the start instead (the per-minute cap still holds).
    pub fn first_read_after(mut self, first: Duration) -> Self {
        self.not_before = self.started + first;
        self
    }

    /// Watches the key `key_id`, rotated at `rotated_at` (the server's time when it said it).
    /// The first read comes one interval after `now`.
    pub fn new(key_id: &str, rotated_at: DateTime<Utc>, now: Instant) -> Self {
        RolloutWatch {
            key_id: key_id.to_string(),
            rotated_at,
            started: now,
            reads: VecDeque::new(),
            not_before: now + INTERVAL,
            failures: 0,
            state: Watch::Waiting,
        }
    }

    pub fn state(&self) -> Watch {
        self.state
    }

    pub fn rotated_at(&self) -> DateTime<Utc> {
        self.rotated_at
    }

    /// The earliest a read may go out: after the backoff, and never a fifth read in a minute.
    fn due(&self) -> Instant {
        let cap = if self.reads.len() >= MAX_READS_PER_MINUTE {
            self.reads[self.reads.len() - MAX_READS_PER_MINUTE] + MINUTE
        } else {
            self.started
        };
        self.not_before.max(cap)
    }

    /// When the next read goes out: when it is due, or the watch's end if that comes first.
    pub fn next_read_at(&self) -> Instant {
        self.due().min(self.started + LIMIT)
    }

    pub fn step(&mut self, now: Instant) -> Step {
        if self.state != Watch::Waiting {
            return Step::Done;
        }
        let deadline = self.started + LIMIT;
        if now >= deadline {
            self.state = Watch::NotSeen;
            return Step::Done;
        }
        let due = self.due();
        if now >= due {
            Step::Read
        } else {
            Step::Sleep(due.min(deadline) - now)
        }
    }

    /// Takes in what a read (sent at `now`) said.
    pub fn observe(&mut self, now: Instant, observation: Observation) {
        if self.state != Watch::Waiting {
            return;
        }
        self.reads.push_back(now);
        while self.reads.len() > MAX_READS_PER_MINUTE {
            self.reads.pop_front();
        }
        match observation {
            Observation::Key { id, last_used_at } => {
                self.failures = 0;
                self.not_before = now + INTERVAL;
                // A key only counts once it is the new key, used after the rotation.
                if let Some(used) = last_used_at.filter(|used| id == self.key_id && *used >= self.rotated_at) {
                    let after = (used - self.rotated_at).to_std().unwrap_or_default();
                    self.state = Watch::InUse { since: used, after };
                }
            }
            Observation::RateLimited { retry_after: Some(wait) } => {
                // Checked: a wait from outside can be as long as anything; past the watch's
                // end it only ends the watch.
                self.not_before = now.checked_add(wait.max(INTERVAL)).unwrap_or(self.started + LIMIT);
            }
            Observation::RateLimited { retry_after: None } | Observation::Failed => {
                self.failures += 1;
                let backoff = INTERVAL.saturating_mul(2u32.saturating_pow(self.failures)).min(MAX_BACKOFF);
                self.not_before = now + backoff;
            }
            Observation::SessionEnded => self.state = Watch::Stopped,
        }
    }

    /// The session ended or the user stopped the watch.
    pub fn stop(&mut self) {
        if self.state == Watch::Waiting {
            self.state = Watch::Stopped;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rotated() -> DateTime<Utc> {
        "2026-11-29T16:29:00Z".parse().unwrap()
    }

    fn key(last_used: Option<&str>) -> Observation {
        Observation::Key { id: "new".into(), last_used_at: last_used.map(|t| t.parse().unwrap()) }
    }

    /// Runs the watch on a pretend clock; `answer` says what each read returns.
    fn run(mut answer: impl FnMut(usize) -> Observation) -> (RolloutWatch, Vec<Duration>) {
        let start = Instant::now();
        let mut now = start;
        let mut watch = RolloutWatch::new("new", rotated(), now);
        let mut reads = Vec::new();
        loop {
            match watch.step(now) {
                Step::Read => {
                    reads.push(now - start);
                    let observation = answer(reads.len());
                    watch.observe(now, observation);
                }
                Step::Sleep(d) => now += d,
                Step::Done => return (watch, reads),
            }
        }
    }

    #[test]
    fn reads_every_15_s_and_gives_up_after_30_min() {
        let (watch, reads) = run(|_| key(None));
        assert_eq!(watch.state(), Watch::NotSeen);
        assert_eq!(reads[0], Duration::from_secs(15), "the first read waits one interval");
        assert!(reads.windows(2).all(|w| w[1] - w[0] == INTERVAL));
        assert_eq!(reads.len(), 119, "15 s to 29 min 45 s");
        assert!(*reads.last().unwrap() < LIMIT);
    }

    #[test]
    fn the_first_use_after_the_rotation_ends_the_watch() {
        let (watch, reads) = run(|n| if n < 3 { key(None) } else { key(Some("2026-11-29T16:32:12Z")) });
        assert_eq!(reads.len(), 3);
        assert_eq!(watch.state(), Watch::InUse { since: "2026-11-29T16:32:12Z".parse().unwrap(), after: Duration::from_secs(192) });
        assert_eq!(run(|_| key(Some("2026-11-29T16:28:59Z"))).0.state(), Watch::NotSeen, "a use before the rotation is not the new key's");
        let other = run(|_| Observation::Key { id: "old".into(), last_used_at: Some("2026-11-29T16:30:00Z".parse().unwrap()) });
        assert_eq!(other.0.state(), Watch::NotSeen, "another key's use does not count");
    }

    #[test]
    fn never_more_than_four_reads_in_any_minute() {
        // Failures, rate limits with short waits and plain reads, mixed.
        let (_, reads) = run(|n| match n % 3 {
            0 => Observation::RateLimited { retry_after: Some(Duration::from_secs(1)) },
            1 => Observation::Failed,
            _ => key(None),
        });
        for (i, read) in reads.iter().enumerate() {
            let in_minute = reads[i..].iter().take_while(|r| **r < *read + MINUTE).count();
            assert!(in_minute <= MAX_READS_PER_MINUTE, "{in_minute} reads in the minute from {read:?}");
        }
    }

    #[test]
    fn a_429_waits_retry_after_and_failures_back_off() {
        let (_, reads) = run(|n| {
            if n == 1 {
                Observation::RateLimited { retry_after: Some(Duration::from_secs(90)) }
            } else {
                key(Some("2026-11-29T16:40:00Z"))
            }
        });
        assert_eq!(reads, [Duration::from_secs(15), Duration::from_secs(105)]);
        let (_, reads) = run(|n| if n <= 3 { Observation::Failed } else { key(Some("2026-11-29T16:40:00Z")) });
        assert_eq!(reads, [15, 45, 105, 225].map(Duration::from_secs), "30 s, 60 s, 120 s");
    }

    #[test]
    fn a_wait_as_long_as_anything_ends_the_watch_at_its_limit() {
        let start = Instant::now();
        let mut watch = RolloutWatch::new("new", rotated(), start);
        watch.observe(start + INTERVAL, Observation::RateLimited { retry_after: Some(Duration::MAX) });
        assert_eq!(watch.step(start + INTERVAL), Step::Sleep(LIMIT - INTERVAL), "it sleeps until the watch's end, not past it");
        assert_eq!(watch.next_read_at(), start + LIMIT, "and says the next check is at the end");
        assert_eq!(watch.step(start + LIMIT), Step::Done);
        assert_eq!(watch.state(), Watch::NotSeen);
    }

    #[test]
    fn the_end_of_the_session_or_a_stop_by_hand_ends_it() {
        let (watch, reads) = run(|n| if n == 2 { Observation::SessionEnded } else { key(None) });
        assert_eq!((watch.state(), reads.len()), (Watch::Stopped, 2));
        let mut watch = RolloutWatch::new("new", rotated(), Instant::now());
        watch.stop();
        assert_eq!(watch.step(Instant::now() + INTERVAL), Step::Done);
        assert_eq!(watch.state(), Watch::Stopped);
    }
}
