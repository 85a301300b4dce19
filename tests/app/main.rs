//! The app without a window: `AppState` against the sandbox over real HTTP (logins, the key,
//! rotations and their unanswered outcomes, delivery over a real SSH server, office networks
//! through a real Squid), and the commands through Tauri's IPC on the mock runtime.

#[path = "../support/mod.rs"]
mod support;

mod app_state;
mod audit_record;
// SSH and Squid run where the tests run natively, not in the Windows build under Wine.
#[cfg(unix)]
mod delivery;
#[cfg(unix)]
mod destinations;
#[cfg(unix)]
mod env_file;
mod ipc;
#[cfg(unix)]
mod office_network;
mod overview;
mod unanswered_rotations;
// The Tauri CLI's signer and Squid run where the tests run natively.
#[cfg(unix)]
mod updates;
