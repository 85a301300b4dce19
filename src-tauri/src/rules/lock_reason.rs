//! Why the lock ended a session: idle past the delay, or the user stepped away (the screen
//! locked, the machine going to sleep). The desktop's signals (`platform::away`), the lock
//! (`app::auto_lock`) and the window's notice all speak this one type.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LockReason {
    /// No activity for the idle delay.
    Idle,
    /// The screen locked (or, on Windows, the session was disconnected).
    ScreenLocked,
    /// The machine is going to sleep.
    Sleeping,
}
