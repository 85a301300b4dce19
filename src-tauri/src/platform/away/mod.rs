//! The desktop saying the user stepped away: the screensaver became active (session bus:
//! `org.freedesktop.ScreenSaver` or `org.gnome.ScreenSaver` `ActiveChanged(true)`) or the
//! machine is about to sleep (system bus: logind's `PrepareForSleep(true)`); and that the
//! machine woke up again (`PrepareForSleep(false)`). Each is reported to `on_signal`, from a
//! thread of its own per bus. On Windows: the session locked or was disconnected
//! (`WM_WTSSESSION_CHANGE`), the machine is suspending or resumed (`WM_POWERBROADCAST` with
//! `PBT_APMSUSPEND`, `PBT_APMRESUMEAUTOMATIC`), as a hidden window of its own hears them. One file per system:
//! `linux.rs`, `windows.rs`; macOS reports nothing here yet.

#[cfg(target_os = "linux")]
mod linux;
#[cfg(windows)]
mod windows;

use crate::rules::lock_reason::LockReason;

/// What the desktop tells: the user stepped away (the screen locked, the machine going to
/// sleep: never `Idle`, which is the app's own), or the machine woke from sleep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeskSignal {
    Away(LockReason),
    Resumed,
    /// Windows: the system ends the session now (`WM_ENDSESSION`), whatever the app said: what
    /// must not outlive the app (a key on the clipboard) goes at once.
    SessionEnding,
}

/// Listens on the session and system buses, where they exist; a bus that cannot be reached is
/// skipped (the idle lock still applies). On Windows, returns once its window listens, and
/// holds a shutdown while `shutdown_wait` gives a reason (`WM_QUERYENDSESSION` answered no,
/// with that reason for Windows to show). macOS reports nothing here yet.
pub fn watch(
    on_signal: impl Fn(DeskSignal) + Send + Sync + Clone + 'static,
    shutdown_wait: impl Fn() -> Option<String> + Send + Sync + 'static,
) {
    #[cfg(target_os = "linux")]
    linux::watch(on_signal);
    #[cfg(windows)]
    windows::watch(Box::new(on_signal), Box::new(shutdown_wait));
    #[cfg(not(any(target_os = "linux", windows)))]
    let _ = on_signal;
    #[cfg(not(windows))]
    let _ = shutdown_wait;
}

/// What a Windows message says about the user stepping away or the machine waking, if anything.
pub fn away_on_windows(message: u32, wparam: usize) -> Option<DeskSignal> {
    // The values of WM_WTSSESSION_CHANGE, WM_POWERBROADCAST and their codes (WinUser.h).
    const WM_POWERBROADCAST: u32 = 0x0218;
    const WM_WTSSESSION_CHANGE: u32 = 0x02B1;
    const WTS_CONSOLE_DISCONNECT: usize = 0x2;
    const WTS_REMOTE_DISCONNECT: usize = 0x4;
    const WTS_SESSION_LOCK: usize = 0x7;
    const PBT_APMSUSPEND: usize = 0x4;
    // Sent on every resume, whether or not a person is there (PBT_APMRESUMESUSPEND follows
    // only when one is: counting both would be two resumes).
    const PBT_APMRESUMEAUTOMATIC: usize = 0x12;
    const WM_ENDSESSION: u32 = 0x0016;
    match (message, wparam) {
        // A Remote Desktop or console disconnect leaves the session, and its clipboard, running
        // with nobody at it: the same as a lock.
        (WM_WTSSESSION_CHANGE, WTS_SESSION_LOCK | WTS_CONSOLE_DISCONNECT | WTS_REMOTE_DISCONNECT) => {
            Some(DeskSignal::Away(LockReason::ScreenLocked))
        }
        (WM_POWERBROADCAST, PBT_APMSUSPEND) => Some(DeskSignal::Away(LockReason::Sleeping)),
        (WM_POWERBROADCAST, PBT_APMRESUMEAUTOMATIC) => Some(DeskSignal::Resumed),
        // TRUE: the session ends; FALSE: the shutdown was cancelled.
        (WM_ENDSESSION, 1) => Some(DeskSignal::SessionEnding),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_messages_that_mean_the_user_stepped_away() {
        assert_eq!(away_on_windows(0x02B1, 0x7), Some(DeskSignal::Away(LockReason::ScreenLocked)), "WTS_SESSION_LOCK");
        assert_eq!(away_on_windows(0x02B1, 0x4), Some(DeskSignal::Away(LockReason::ScreenLocked)), "WTS_REMOTE_DISCONNECT");
        assert_eq!(away_on_windows(0x02B1, 0x8), None, "WTS_SESSION_UNLOCK");
        assert_eq!(away_on_windows(0x0218, 0x4), Some(DeskSignal::Away(LockReason::Sleeping)), "PBT_APMSUSPEND");
        assert_eq!(away_on_windows(0x0218, 0x12), Some(DeskSignal::Resumed), "PBT_APMRESUMEAUTOMATIC");
        assert_eq!(away_on_windows(0x0218, 0x7), None, "PBT_APMRESUMESUSPEND: the same resume, said again");
        assert!(!matches!(away_on_windows(0x0218, 0x12), Some(DeskSignal::Away(_))), "PBT_APMRESUMEAUTOMATIC is no stepping away");
        assert_eq!(away_on_windows(0x0010, 0x7), None, "WM_CLOSE");
        assert_eq!(away_on_windows(0x0016, 1), Some(DeskSignal::SessionEnding), "WM_ENDSESSION, the session ends");
        assert_eq!(away_on_windows(0x0016, 0), None, "WM_ENDSESSION, the shutdown was cancelled");
    }
}
