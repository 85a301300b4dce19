//! Milestones for `make bench` (login, key, window shown), timed from the process's own start
//! as the kernel knows it. A production run prints nothing.

/// Milestones for `make bench`: with CERTOPAY_KEYS_TIMINGS=1, each is printed on stderr as
/// milliseconds since the process started. A production run prints nothing.
pub fn mark(milestone: &str) {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *ON.get_or_init(|| std::env::var("CERTOPAY_KEYS_TIMINGS").as_deref() == Ok("1")) {
        eprintln!("CERTOPAY_KEYS_TIMING {milestone} {:.1}", since_start().as_secs_f64() * 1000.0);
    }
}

/// Time since this process started, from the kernel's own start time.
fn since_start() -> std::time::Duration {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let start = *START.get_or_init(|| {
        let now = std::time::Instant::now();
        now.checked_sub(process_age().unwrap_or_default()).unwrap_or(now)
    });
    start.elapsed()
}

/// How long ago the kernel started this process (Linux: /proc/self/stat and /proc/uptime).
fn process_age() -> Option<std::time::Duration> {
    #[cfg(target_os = "linux")]
    {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        let start_ticks: f64 = stat.rsplit(')').next()?.split_whitespace().nth(19)?.parse().ok()?;
        // SAFETY: sysconf reads a constant.
        let ticks_per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
        let uptime: f64 = std::fs::read_to_string("/proc/uptime").ok()?.split_whitespace().next()?.parse().ok()?;
        Some(std::time::Duration::from_secs_f64((uptime - start_ticks / ticks_per_second).max(0.0)))
    }
    #[cfg(not(target_os = "linux"))]
    None
}
