#![allow(dead_code)]

pub mod app;
pub mod catalogue;
pub mod company_ca;
pub mod harness;
// A notification daemon on the test desktop's D-Bus (Linux).
#[cfg(target_os = "linux")]
pub mod notifications;
pub mod own_process;
// What a test's processes are doing, from /proc (where the tests run natively).
#[cfg(unix)]
pub mod processes;
// Release binaries started without WebDriver, for the benchmarks (Linux).
#[cfg(target_os = "linux")]
pub mod release_app;
pub mod rotation;
// A service of the test's own on the test desktop's D-Bus (Linux).
#[cfg(target_os = "linux")]
pub mod session_bus;
pub mod source_files;
// What logind says on the desktop's stand-in system bus (Linux).
#[cfg(target_os = "linux")]
pub mod system_bus;
// A desktop's tray (a StatusNotifierWatcher) on the test desktop's D-Bus (Linux).
#[cfg(target_os = "linux")]
pub mod status_notifier;
// Squid and OpenSSH run only where the tests run natively (not the Windows build under Wine).
#[cfg(unix)]
pub mod squid;
#[cfg(unix)]
pub mod sshd;
// Update keys and signatures from the Tauri CLI (npm's prebuilt binary, for Linux).
#[cfg(unix)]
pub mod update_signer;
pub mod webdriver;
// The close button as a window manager presses it, on the test desktop (Linux, X11).
#[cfg(target_os = "linux")]
pub mod window_manager;
