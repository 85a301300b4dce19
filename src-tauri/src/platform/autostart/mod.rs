//! Starting with the computer, for this user only, the program's path quoted: Linux's autostart
//! entry (`xdg_autostart`), Windows' `Run` value under HKCU (`run_key`). Written by the app itself: the
//! autostart plugin wrote both unquoted, and on Windows under HKLM when the app ran elevated.
//! macOS keeps the plugin (`shell::background`).

#[cfg(windows)]
mod run_key;
#[cfg(target_os = "linux")]
mod xdg_autostart;

#[cfg(windows)]
pub use run_key::{disable, enable, is_enabled};
#[cfg(target_os = "linux")]
pub use xdg_autostart::{disable, enable, is_enabled};
