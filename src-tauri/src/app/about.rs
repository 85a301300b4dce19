//! Settings → About: the version, and how this copy of the app is updated.

use super::AppState;
use crate::platform::update_policy::updates_disabled_by_organisation;
use crate::rules::update_status::update_status;
use crate::wire::About;

impl AppState {
    /// Blocking on Windows (the registry).
    pub fn about(&self) -> About {
        About {
            version: env!("CARGO_PKG_VERSION").to_string(),
            updates: update_status(updates_disabled_by_organisation(), cfg!(target_os = "linux")),
        }
    }
}
