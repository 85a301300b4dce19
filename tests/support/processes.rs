//! Processes a test started, seen as the kernel sees them (`/proc`, Linux).

use std::time::{Duration, Instant};

/// Whether process `pid` still runs: one gone, or a zombie its parent has not reaped yet, does
/// not (it never runs code again).
pub fn running(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| !stat.rsplit(") ").next().unwrap_or("").starts_with('Z'))
}

/// Waits until process `pid` no longer runs; fails with `still` after `patience`.
pub async fn wait_until_ended(pid: &str, patience: Duration, still: &str) {
    let started = Instant::now();
    while running(pid) {
        assert!(started.elapsed() < patience, "{still}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
