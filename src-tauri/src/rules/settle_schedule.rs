//! How long an unanswered rotation is watched before the app may say "not rotated". Plain
//! Rust: no tauri, no HTTP, no clock of its own.
//!
//! A regenerate that got no usable answer may still be running on the server: its handler goes
//! on after the app gave up, and the old key dies whenever it commits. A re-read right after
//! proves nothing. So the key is read again at growing intervals after the app gave up: at
//! once, then 5, 15, 30, 60 and 120 s. Why these: servers and the gateways in front of them cut
//! a request off after 30 to 120 s (60 s is the common default of reverse proxies and load
//! balancers); a handler still running past two minutes has been cut off by its own front. The
//! early checks see a fast late commit within seconds; the spacing keeps the checks (6) far
//! below any rate limit. A key, once rotated, never comes back, so the last check alone decides
//! "not rotated": if it still shows the old key, no earlier moment can have rotated it.

use std::time::Duration;

/// Seconds after the app gave up on the answer at which the key is read again.
pub const DEFAULT_CHECKS_S: [u64; 6] = [0, 5, 15, 30, 60, 120];

#[derive(Debug, Clone, PartialEq)]
pub struct SettleSchedule {
    /// When each check is due, counted from the moment the app gave up; rising.
    offsets: Vec<Duration>,
}

impl Default for SettleSchedule {
    fn default() -> Self {
        SettleSchedule::new(DEFAULT_CHECKS_S.iter().map(|s| Duration::from_secs(*s)).collect())
    }
}

impl SettleSchedule {
    /// A schedule of these offsets, sorted; an empty list is one check at once.
    pub fn new(mut offsets: Vec<Duration>) -> Self {
        offsets.sort();
        if offsets.is_empty() {
            offsets.push(Duration::ZERO);
        }
        SettleSchedule { offsets }
    }

    pub fn offsets(&self) -> &[Duration] {
        &self.offsets
    }

    /// From giving up to the last check.
    pub fn span(&self) -> Duration {
        *self.offsets.last().expect("never empty")
    }

    pub fn checks(&self) -> u32 {
        self.offsets.len() as u32
    }

    /// The longest the whole settle can take when each read may take up to `read_timeout`:
    /// a read that overruns its slot delays the next one, never more than one read at a time.
    pub fn bound(&self, read_timeout: Duration) -> Duration {
        self.span().max(read_timeout * self.checks()) + read_timeout
    }
}

/// What the checks have seen so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// The key is not the one the rotation was for: the server carried it out.
    Changed,
    /// Still the old key.
    Unchanged,
    /// The read failed (network, rate limit, server error).
    Unreadable,
}

/// What the whole schedule tells, once it ran out (or a change was seen).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Still running: more checks are due.
    Checking,
    Rotated,
    NotRotated,
    /// The last check could not read the key: nobody can tell.
    Unknown,
}

/// Folds what check number `done` (1-based) saw into the verdict: a change ends it at once;
/// otherwise only the last check decides.
pub fn verdict(schedule: &SettleSchedule, done: u32, seen: Seen) -> Verdict {
    match seen {
        Seen::Changed => Verdict::Rotated,
        _ if done < schedule.checks() => Verdict::Checking,
        Seen::Unchanged => Verdict::NotRotated,
        Seen::Unreadable => Verdict::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_checks_for_two_minutes_after_giving_up() {
        let s = SettleSchedule::default();
        assert_eq!(s.checks(), 6);
        assert_eq!(s.span(), Duration::from_secs(120));
        assert_eq!(s.offsets()[0], Duration::ZERO, "the first check at once");
        // Every read timing out at 20 s still ends within 140 s of giving up.
        assert_eq!(s.bound(Duration::from_secs(20)), Duration::from_secs(140));
        assert_eq!(SettleSchedule::new(vec![]).checks(), 1);
    }

    #[test]
    fn only_a_change_ends_early_and_only_the_last_check_says_not_rotated() {
        let s = SettleSchedule::new(vec![Duration::ZERO, Duration::from_secs(1), Duration::from_secs(2)]);
        assert_eq!(verdict(&s, 1, Seen::Unchanged), Verdict::Checking);
        assert_eq!(verdict(&s, 1, Seen::Changed), Verdict::Rotated);
        assert_eq!(verdict(&s, 2, Seen::Unreadable), Verdict::Checking);
        assert_eq!(verdict(&s, 3, Seen::Unchanged), Verdict::NotRotated);
        assert_eq!(verdict(&s, 3, Seen::Unreadable), Verdict::Unknown);
        assert_eq!(verdict(&s, 3, Seen::Changed), Verdict::Rotated);
    }
}
