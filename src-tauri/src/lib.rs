//! CertoPay Keys. Layers as folders, each importing only those below it (checked by
//! `tests/core/layers.rs`):
//! - `rules`: what is allowed and what things mean; no I/O, no clock, no OS, no HTTP.
//! - `platform`: per-OS code (clipboard, keychain, the desktop stepping away, running a
//!   delivery command, the system's language and proxy, the process's hardening).
//! - `certopay`: the HTTP client. `store`: the app's private files.
//! - `app`: orchestration (`AppState`), with no window. `wire`: all the window receives.
//! - `shell` and `commands`: the only Tauri code.

pub mod app;
pub mod certopay;
pub mod platform;
pub mod rules;
mod shell;
pub mod store;
pub mod wire;

pub use shell::{run, run_app};
