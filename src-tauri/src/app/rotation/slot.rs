//! The rotation slot: one rotation at a time, enforced here. It is taken from the moment a
//! regenerate is sent until its outcome is settled (the checks of an unanswered one included)
//! and its secret delivered; whatever would end the session waits for it, bounded.

use std::sync::Mutex;
use std::time::Duration;

use crate::app::AppState;

/// The slot's state, owned here: whether a rotation is out (true from the moment a regenerate
/// is sent until its outcome is settled, the checks of an unanswered one included, and its
/// secret delivered), and how long an ending session waits for it: fixed when the slot was
/// claimed, whatever changes in the profile meanwhile.
pub(in crate::app) struct RotationSlot {
    flight: tokio::sync::watch::Sender<bool>,
    wait: Mutex<Duration>,
}

impl Default for RotationSlot {
    fn default() -> Self {
        RotationSlot { flight: tokio::sync::watch::Sender::new(false), wait: Mutex::new(Duration::ZERO) }
    }
}

impl RotationSlot {
    /// Follows the slot: a receiver that sees it taken and given back.
    pub(in crate::app) fn follow(&self) -> tokio::sync::watch::Receiver<bool> {
        self.flight.subscribe()
    }
}

/// The rotation slot, taken; it is given back when this is dropped, whatever happened.
pub(in crate::app) struct RotationClaim<'a>(&'a tokio::sync::watch::Sender<bool>);

impl Drop for RotationClaim<'_> {
    fn drop(&mut self) {
        self.0.send_replace(false);
    }
}

impl AppState {
    /// Claims the rotation slot if it is free: while the claim lives, no other rotation (nor
    /// an ending session) can take it.
    pub(in crate::app) fn try_claim_rotation(&self) -> Option<RotationClaim<'_>> {
        let claimed = self.slot.flight.send_if_modified(|busy| !std::mem::replace(busy, true));
        if claimed {
            // What it may take is what the profile needs now: a target removed meanwhile
            // shortens no one's wait.
            *self.slot.wait.lock().unwrap() = self.rotation_wait();
        }
        claimed.then_some(RotationClaim(&self.slot.flight))
    }

    /// How long an action that would end the session waits for a rotation in flight: the
    /// regenerate request, the checks of an unanswered one, the profile's delivery (ready and
    /// done), and the read of the new key's details after it, each within its timeout. So a
    /// lock during a long delivery waits for its verdict, and a key that then goes to the
    /// clipboard is cleared by the session's end with the removed-key notice.
    fn rotation_wait(&self) -> Duration {
        let timeout = self.client_options.request_timeout;
        timeout * (self.client_options.get_retries + 2) + self.settle.bound(timeout) + self.delivery_span() + Duration::from_secs(5)
    }

    /// Waits (bounded) for a rotation in flight to be settled, then claims the slot, so that
    /// nothing new starts while the session ends.
    pub(in crate::app) async fn claim_slot_when_free(&self) -> Option<RotationClaim<'_>> {
        let mut free = self.slot.follow();
        let claim = async {
            loop {
                if free.wait_for(|busy| !busy).await.is_err() {
                    return None;
                }
                if let Some(claim) = self.try_claim_rotation() {
                    return Some(claim);
                }
            }
        };
        tokio::time::timeout(self.slot_wait_bound(), claim).await.ok().flatten()
    }

    /// The longest a session's end waits, from now, for the rotation in flight.
    pub(in crate::app) fn slot_wait_bound(&self) -> Duration {
        (*self.slot.wait.lock().unwrap()).max(self.rotation_wait())
    }

    /// Whether a rotation is out now: its request, or the checks after an unanswered one.
    pub fn rotation_in_flight(&self) -> bool {
        *self.slot.flight.borrow()
    }
}
