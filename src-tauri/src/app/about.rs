//! Settings → About: the version, how this copy of the app is updated, when the feed was
//! last asked and what it said, and the offer of a verified newer version.

use super::AppState;
use crate::wire::About;

impl AppState {
    /// Blocking on Windows (the registry).
    pub fn about(&self) -> About {
        let offer = self.updates.offer();
        About {
            version: super::updates::THIS_VERSION.to_string(),
            updates: self.update_status(),
            last_check: self.last_update_check(),
            offer,
        }
    }
}
