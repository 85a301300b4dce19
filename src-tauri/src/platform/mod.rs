//! Code that differs by operating system, one concern a file (or a folder with a file per
//! system), each behind `cfg(target_os)` inside: the clipboard, the keychain, the desktop
//! saying the user stepped away, running a delivery command and stopping all it started,
//! GNOME's proxy settings, the system's language, whether the desktop has a tray, whether IT
//! turned updates off, starting an update's installer, the process's hardening, the window's
//! web process's switches, and bench timings.

pub(crate) mod app_clock;
#[cfg(any(target_os = "linux", windows))]
pub(crate) mod autostart;
pub mod away;
pub mod clipboard;
pub(crate) mod command_runner;
pub(crate) mod gnome_proxy;
pub mod keychain;
#[cfg(target_os = "linux")]
pub(crate) mod notification;
#[cfg(windows)]
pub(crate) mod private_folder;
pub(crate) mod process_hardening;
pub(crate) mod process_tree;
pub mod randomness;
pub(crate) mod startup_failure;
pub(crate) mod system_language;
pub(crate) mod system_tray;
pub(crate) mod timing_marks;
pub(crate) mod update_installer;
pub(crate) mod update_policy;
pub(crate) mod web_process;
#[cfg(windows)]
pub(crate) mod windows_registry;
#[cfg(windows)]
pub(crate) mod windows_text;
