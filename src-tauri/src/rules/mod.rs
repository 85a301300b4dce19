//! What is allowed and what things mean, with no I/O, no clock of its own, no OS and no HTTP:
//! each file named after its main type. Everything else builds on these.

pub mod api_key;
pub mod app_error;
pub mod autostart_entry;
pub mod base_url;
pub mod delivery_failure;
pub mod delivery_target;
pub mod jwt;
pub mod language;
pub mod lock_reason;
pub mod password_check;
pub mod proxy_route;
pub mod rollout_watch;
pub mod rotation_guard;
pub mod rotation_reminder;
pub mod rust_words;
pub mod secret_removed;
pub mod seen_key;
pub mod settings;
pub mod settle_schedule;
pub mod shutdown_wait;
pub mod update_feed;
pub mod update_status;
