//! The notice a removed key leaves: a freshly delivered secret was taken off the clipboard
//! before its time, and the user may not have pasted it while the old key is already dead.
//! Which key (its prefix, never the secret), from which profile, why and when.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::rules::lock_reason::LockReason;

/// What removed a freshly delivered secret from the clipboard before its time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RemovalCause {
    ScreenLocked,
    Sleeping,
    Idle,
    /// The session ran out.
    SessionEnded,
    /// "Log out anyway".
    LoggedOut,
    /// "Quit anyway", or the app was closed.
    Quit,
    /// Too many wrong passwords were typed to rotate or to set a delivery target.
    WrongPasswords,
}

/// The sentence a removed secret leaves: which key, from which profile, why and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretRemoved {
    pub key_prefix: Option<String>,
    pub profile: String,
    pub cause: RemovalCause,
    pub at: DateTime<Utc>,
}
impl From<LockReason> for RemovalCause {
    /// A lock removes the secret for the lock's own reason.
    fn from(reason: LockReason) -> Self {
        match reason {
            LockReason::Idle => RemovalCause::Idle,
            LockReason::ScreenLocked => RemovalCause::ScreenLocked,
            LockReason::Sleeping => RemovalCause::Sleeping,
        }
    }
}
