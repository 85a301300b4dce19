//! The app's own process: kept out of core dumps, so a crash cannot write the JWT, a typed
//! password or a new secret to disk through the system's dump handler. Plain Rust.

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

/// Turns core dumps off for this process: no core file (`RLIMIT_CORE` 0) and, on Linux, not
/// dumpable at all (`PR_SET_DUMPABLE` 0, which also keeps other processes of the same user
/// from attaching to read its memory). Child processes start afresh when they exec.
pub fn disable_core_dumps() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let none = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: setrlimit reads the struct we pass and nothing else.
        if unsafe { libc::setrlimit(libc::RLIMIT_CORE, &none) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    #[cfg(target_os = "linux")]
    {
        // SAFETY: PR_SET_DUMPABLE takes one integer argument; the rest are ignored.
        if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn core_dumps_are_off_afterwards() {
        super::disable_core_dumps().unwrap();
        // SAFETY: PR_GET_DUMPABLE takes no arguments.
        assert_eq!(unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) }, 0);
        let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
        let core = limits.lines().find(|l| l.starts_with("Max core file size")).unwrap();
        assert_eq!(core.split_whitespace().skip(4).take(2).collect::<Vec<_>>(), ["0", "0"], "{core}");
    }
}
