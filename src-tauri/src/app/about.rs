//! Settings → About: the version, how this copy of the app is updated, when the feed was
//! last asked and what it said, and the offer of a verified newer version.

use super::AppState;
use crate::wire::{About, UpdateOffer};

impl AppState {
    /// Blocking on Windows (the registry).
    pub fn about(&self) -> About {
        let offer = self
            .verified_update
            .lock()
            .unwrap()
            .as_ref()
            .map(|update| UpdateOffer { version: update.release.version.to_string(), notes: update.release.notes.clone() });
        About {
            version: super::updates::THIS_VERSION.to_string(),
            updates: self.update_status(),
            last_check: self.last_update_check(),
            offer,
        }
    }
}
