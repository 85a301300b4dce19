//! Everything the window receives, in one place: the structs commands return and the enums the
//! window switches on, all serialized in camelCase. Display data only: no token, no secret.
//! Errors, nested ones included, cross as `WireError` (`{kind, message, …}`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use crate::certopay::TrustStore;
pub use crate::platform::clipboard::ClearOutcome;
pub use crate::platform::keychain::KeychainStatus;
pub use crate::rules::api_key::KeyMode;
pub use crate::rules::delivery_failure::DeliveryFailure;
pub use crate::rules::jwt::SessionView;
pub use crate::rules::proxy_route::ProxySource;
pub use crate::rules::rotation_reminder::RotationReminder;
pub use crate::rules::secret_removed::{RemovalCause, SecretRemoved};
pub use crate::rules::seen_key::SeenKey;
pub use crate::rules::settings::Settings;
pub use crate::rules::update_feed::UpdateCheck;
pub use crate::rules::update_status::UpdateStatus;
pub use crate::store::history::{HistoryEntry, Rollout, RotationOutcome};
pub use crate::store::settings_store::{LoadNotice, LoadProblem};

use crate::rules::app_error::AppError;
use crate::rules::rollout_watch::Watch;

/// An error as the window receives it, from a command or inside a result:
/// `{kind, message, …fields}`. Every error that crosses to the window goes through this type.
#[derive(Debug, Clone, PartialEq)]
pub struct WireError(pub AppError);

impl From<AppError> for WireError {
    fn from(e: AppError) -> Self {
        WireError(e)
    }
}

impl Serialize for WireError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut value = serde_json::to_value(&self.0).map_err(serde::ser::Error::custom)?;
        if let Some(object) = value.as_object_mut() {
            object.insert("message".into(), self.0.to_string().into());
            // An unanswered rotation's verdict: the window says it, it does not work it out.
            if let Some(verdict) = self.0.rotation_verdict() {
                object.insert("verdict".into(), serde_json::to_value(verdict).map_err(serde::ser::Error::custom)?);
            }
        }
        value.serialize(serializer)
    }
}

/// Everything the window needs to draw itself on start.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppSnapshot {
    pub settings: Settings,
    pub keychain: KeychainStatus,
    pub session: Option<SessionView>,
    pub settings_notice: Option<LoadNotice>,
    pub settings_path: String,
    /// The base URL given at launch was refused.
    pub launch_error: Option<WireError>,
    /// The launch address, when it is not the loopback: it serves this run only.
    pub launch_only: Option<String>,
    /// The system's language ("en" or "pt-BR"), which "Automático" follows.
    pub system_language: &'static str,
    /// A new key removed from the clipboard before its time: said until the next login or rotation.
    pub secret_removed: Option<SecretRemoved>,
}

/// Why "Rotate key…" is off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RotationBlocked {
    /// The server refused this account a rotation (403).
    Forbidden,
    /// No clipboard to deliver a secret to.
    Clipboard,
}

/// The key as the dashboard shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct KeyView {
    pub label: String,
    pub key_prefix: String,
    pub masked_key: Option<String>,
    pub mode: KeyMode,
    pub active: bool,
    pub rate_limit: Option<u64>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: Option<DateTime<Utc>>,
    pub age_days: Option<i64>,
    pub rotation_period_days: u32,
    pub rotation_due: bool,
    pub rotation_blocked: Option<RotationBlocked>,
    pub clipboard_problem: Option<String>,
}

/// A login: the session, and what did not go as asked without stopping it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginResult {
    pub session: SessionView,
    /// The keychain or settings could not be written; the login itself worked.
    pub warnings: Vec<WireError>,
    /// The settings as the login left them (e-mail, selected profile): one round trip fewer.
    pub settings: Settings,
}

/// What happened when the session ended by itself.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionEnded {
    /// Logged in again with the remembered password.
    pub renewed: Option<SessionView>,
    pub profile_id: Option<String>,
    pub email: Option<String>,
    /// Why logging in again did not work, when it was tried.
    pub renew_error: Option<WireError>,
}

/// A saved profile, and whether saving it forgot a remembered password (its address changed).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileSaved {
    pub settings: Settings,
    pub password_forgotten: bool,
}

/// The preferences form, as the window sends it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Preferences {
    pub rotation_period_days: u32,
    pub clipboard_clear_seconds: u32,
    pub idle_lock_minutes: u32,
    pub language: Option<String>,
    /// Absent: left as it is.
    #[serde(default)]
    pub lock_on_screen_lock: Option<bool>,
    /// Absent: left as it is.
    #[serde(default)]
    pub reminders: Option<bool>,
}

/// How a profile's requests go now, as Settings says it. Never a password.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProxyInUse {
    pub profile_id: String,
    /// "direct", "via" or "platformSettings".
    pub kind: &'static str,
    /// The proxy's address, without any user or password.
    pub address: Option<String>,
    pub source: Option<ProxySource>,
    /// The variable it came from (`HTTPS_PROXY`, `ALL_PROXY`).
    pub variable: Option<&'static str>,
    pub user: Option<String>,
    /// Why the setting cannot be used.
    pub error: Option<WireError>,
}

/// What the rotation history is exported as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ExportKind {
    /// A CSV file for a spreadsheet.
    Csv,
    /// A page to print (HTML the system's browser opens).
    Page,
}

/// An export written: where, and how many rotations it holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExportDone {
    pub path: String,
    pub rows: usize,
}

/// Settings → About.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct About {
    pub version: String,
    pub updates: UpdateStatus,
    /// When the feed was last asked and what it said (kept across starts).
    pub last_check: Option<UpdateCheck>,
    /// A newer version this run downloaded and verified: what the window offers.
    pub offer: Option<UpdateOffer>,
}

/// "Version 0.2.0 is available: what changed …"
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOffer {
    pub version: String,
    pub notes: String,
}

/// Starting with the computer, minimized to the tray, as Settings shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BackgroundStart {
    /// This desktop shows tray icons; without one the box stays off.
    pub tray_available: bool,
    /// Why not, for the details line.
    pub tray_missing: Option<String>,
    /// The app starts with the computer (the system's own autostart entry says so).
    pub enabled: bool,
}

/// One profile in the overview before any login: its key as last seen, if ever.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileRow {
    pub id: String,
    pub name: String,
    pub base_url: String,
    /// LIVE or TEST from the seen prefix; unknown when never seen.
    pub mode: KeyMode,
    /// Label, prefix, created, last used, active, and when it was seen.
    pub seen: Option<SeenKey>,
    pub age_days: Option<i64>,
    /// Older than the rotation period as last seen.
    pub rotation_due: bool,
    pub rotation_period_days: u32,
    /// The session open now is this profile's.
    pub in_session: bool,
}

/// The network as Settings shows it: each profile's way out, and the certificates trusted.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkOverview {
    pub profiles: Vec<ProxyInUse>,
    pub trust_store: TrustStore,
}

/// What step 1 of a rotation shows, with the token step 2 must bring back.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RotationDialog {
    pub confirmation_token: String,
    pub expires_in_s: u64,
    pub profile_name: String,
    pub label: String,
    pub key_prefix: String,
    /// The prefix as it may be typed in step 2: without `...`.
    pub typed_prefix: String,
    pub mode: KeyMode,
    /// The session was opened or renewed with the remembered password: step 2 asks for it.
    pub password_required: bool,
    /// Where the new key will go: the profile's destinations, in order (none: the clipboard).
    pub destinations: Vec<DeliveryPlan>,
}

/// Step 1's word on one of the profile's destinations.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryPlan {
    pub name: String,
    /// Its program is there and can be run; if not, the rotation will stop before the old key dies.
    pub program_found: bool,
}

/// One destination's dry run: started as a rotation would, then stopped before any input.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DestinationCheck {
    pub name: String,
    /// Ready to take a key, this long after it was started.
    pub ready_ms: Option<u64>,
    /// Not ready, and why: a rotation now would be refused before the old key dies.
    pub failure: Option<DeliveryFailure>,
    /// What it printed, bounded and screened: for the details line.
    pub output: String,
}

/// Something odd about a delivered secret; it was delivered all the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RotationWarning {
    /// No `sk_live_`/`sk_test_` start.
    OddShape,
    /// It does not start with the new key's prefix.
    PrefixMismatch,
    /// The new key could not be read back.
    MetadataUnavailable,
    /// Delivered by the command; the extra copy to the clipboard failed.
    ClipboardCopyFailed,
}

/// What one of the profile's destinations did with the new key.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryResult {
    pub name: String,
    /// Delivered, in this long.
    pub elapsed_ms: Option<u64>,
    /// Not delivered, and why: the key went to the clipboard for it.
    pub failure: Option<DeliveryFailure>,
    /// What the command printed, bounded and screened: for the details line.
    pub output: String,
    /// Where the key now is, as the command said (the SSH preset: the file on the server).
    pub destination: Option<String>,
    /// When the command had the key (delivered only).
    pub delivered_at: Option<DateTime<Utc>>,
    /// The `.env` preset added the variable's line at the end: the file did not set it.
    pub appended: bool,
}

/// A rotation that delivered its secret: to the destinations, the clipboard, or both.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RotationResult {
    pub new_prefix: Option<String>,
    pub clear_in_s: u32,
    /// When the clipboard is cleared: the window counts down to this moment, which is counted
    /// from when this result was sent, not from the copy.
    pub clear_at: Option<DateTime<Utc>>,
    pub warnings: Vec<RotationWarning>,
    pub key: Option<KeyView>,
    /// The secret is on the clipboard (no destination, a failed one, or "also copy").
    pub on_clipboard: bool,
    /// Each destination's verdict, in the profile's order.
    pub deliveries: Vec<DeliveryResult>,
}

/// Whether a delivered secret is still waiting to be cleared, and what the last clear did.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClipboardStatus {
    pub holds_secret: bool,
    pub last_outcome: Option<ClearOutcome>,
}

/// What a logout (or a quit) did. It waits for a rotation in flight first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LogoutOutcome {
    LoggedOut,
    /// Not done: a new secret is on the clipboard and going on would clear it. The window asks.
    SecretOnClipboard,
}

/// The rollout watch, as the dashboard and the window title show it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RolloutStatus {
    /// Where it stands (`state`; for a key in use, since when and how long after the rotation).
    #[serde(flatten)]
    pub watch: Watch,
    /// When the secret was delivered, by this computer's clock: "2 min 10 s since the rotation".
    pub rotated_at: DateTime<Utc>,
    pub limit_minutes: u64,
    /// CertoPay answered the last read with 429: the next read goes out at this time (by this
    /// computer's clock), so the window can say why nothing moves.
    pub rate_limited_until: Option<DateTime<Utc>>,
}

/// Why the lock ended the session (the rules' one type, as the window receives it).
pub use crate::rules::lock_reason::LockReason;

/// What Rust tells the window without being asked, through the channel it subscribed with.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum AppEvent {
    Rollout(RolloutStatus),
    /// The session was ended by the lock.
    Locked {
        reason: LockReason,
        idle_minutes: u32,
    },
    /// The window's close button was pressed while closing would lose something: the window
    /// waits for the rotation in flight, then asks.
    CloseRequested {
        rotation_in_flight: bool,
    },
    /// A rotation got no usable answer and the key has not changed so far: the app goes on
    /// checking until `checking_until`, and no new rotation may start before then.
    RotationChecking {
        checking_until: DateTime<Utc>,
        checks_done: u32,
        checks_planned: u32,
        status: Option<u16>,
    },
    /// The update feed was asked: Settings → About and the offer read again.
    UpdateChecked,
    /// The app is quitting and waits, at most until `until`, for the rotation in flight.
    Quitting {
        until: DateTime<Utc>,
    },
    /// The session ran out (ended by Rust's session clock, whether or not the window is shown):
    /// renewed with the remembered password, or ended.
    SessionRanOut(SessionEnded),
    /// The machine woke from sleep: the window reads the key once.
    Resumed,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::app_error::ConfirmationRefusal;
    use serde_json::json;

    #[test]
    fn serializes_kind_message_and_fields() {
        let e = WireError(AppError::RateLimited { retry_after_s: Some(12) });
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["kind"], "RateLimited");
        assert_eq!(v["retryAfterS"], 12);
        assert!(v["message"].as_str().unwrap().contains("12"));
        // The window looks a refusal's sentence up by this name (confirm.typedTextMismatch).
        let v = serde_json::to_value(WireError(AppError::Confirmation { reason: ConfirmationRefusal::TypedTextMismatch })).unwrap();
        assert_eq!(v["reason"], "typedTextMismatch");
        let v = serde_json::to_value(WireError(AppError::InvalidCredentials)).unwrap();
        assert_eq!(v, serde_json::json!({"kind": "InvalidCredentials", "message": "wrong e-mail or password"}));
        // An unanswered rotation comes with its verdict: rotated after all when a later check saw it.
        let unknown = |rotated, status, checks| AppError::RotationOutcomeUnknown { rotated, status, checks, checked_for_s: 4 };
        let verdict = |e: AppError| serde_json::to_value(WireError(e)).unwrap()["verdict"].clone();
        assert_eq!(verdict(unknown(true, None, 3)), "rotatedAfterAll");
        assert_eq!(verdict(unknown(true, Some(502), 2)), "rotatedAfterAll");
        assert_eq!(verdict(unknown(true, Some(502), 1)), "serverErrorRotated");
        assert_eq!(verdict(unknown(true, None, 1)), "rotatedSecretLost");
        assert_eq!(verdict(unknown(false, Some(502), 3)), "serverErrorNotRotated");
        assert_eq!(verdict(unknown(false, None, 3)), "notRotated");
        assert_eq!(verdict(AppError::RotationOutcomeUnreadable { status: Some(500) }), "serverErrorUnreadable");
        assert_eq!(verdict(AppError::RotationOutcomeUnreadable { status: None }), "unreadable");
        assert_eq!(verdict(AppError::NoKey), serde_json::Value::Null);
    }

    #[test]
    fn the_rollout_event_says_where_the_watch_stands_as_the_dashboard_reads_it() {
        let since: DateTime<Utc> = "2026-11-29T16:32:12Z".parse().unwrap();
        let at: DateTime<Utc> = "2026-11-29T16:29:00Z".parse().unwrap();
        let status = |watch| RolloutStatus { watch, rotated_at: at, limit_minutes: 30, rate_limited_until: None };
        let in_use =
            serde_json::to_value(AppEvent::Rollout(status(Watch::InUse { since, after: std::time::Duration::from_millis(192_400) })));
        assert_eq!(
            in_use.unwrap(),
            serde_json::json!({"kind": "rollout", "state": "inUse", "inUseSince": "2026-11-29T16:32:12Z", "inUseAfterS": 192,
                               "rotatedAt": "2026-11-29T16:29:00Z", "limitMinutes": 30, "rateLimitedUntil": null})
        );
        let waiting = serde_json::to_value(AppEvent::Rollout(status(Watch::NotSeen))).unwrap();
        assert_eq!(waiting["state"], "notSeen");
        assert!(waiting.get("inUseSince").is_none());
    }

    #[test]
    fn nested_errors_have_the_same_shape_as_command_errors() {
        let session = SessionView { email: "a@b.c".into(), profile_id: "p".into(), expires_at: DateTime::from_timestamp(0, 0).unwrap() };
        let login = LoginResult {
            session: session.clone(),
            warnings: vec![AppError::Keychain { detail: "locked".into() }.into()],
            settings: Settings::default(),
        };
        let warning = &serde_json::to_value(&login).unwrap()["warnings"][0];
        assert_eq!(warning["kind"], "Keychain");
        assert_eq!(warning["detail"], "locked");
        assert_eq!(warning["message"], "keychain: locked");

        let ended = SessionEnded { renewed: None, profile_id: None, email: None, renew_error: Some(AppError::InvalidCredentials.into()) };
        assert_eq!(
            serde_json::to_value(&ended).unwrap()["renewError"],
            json!({"kind": "InvalidCredentials", "message": "wrong e-mail or password"})
        );
    }

    #[test]
    fn enums_the_window_switches_on_are_camel_case() {
        assert_eq!(serde_json::to_value(RotationBlocked::Forbidden).unwrap(), "forbidden");
        assert_eq!(serde_json::to_value(RotationWarning::MetadataUnavailable).unwrap(), "metadataUnavailable");
        assert_eq!(serde_json::to_value(LoadProblem::Unreadable).unwrap(), "unreadable");
        assert_eq!(serde_json::to_value(KeyMode::Unknown).unwrap(), "unknown");
        assert_eq!(serde_json::to_value(LogoutOutcome::SecretOnClipboard).unwrap(), "secretOnClipboard");
        let event = AppEvent::CloseRequested { rotation_in_flight: true };
        assert_eq!(serde_json::to_value(event).unwrap(), json!({"kind": "closeRequested", "rotationInFlight": true}));
    }
}
