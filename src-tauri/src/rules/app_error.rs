//! Every failure the window must tell apart. Texts name what happened, never a secret, a
//! token or a response body. How an error crosses to the window is `wire::WireError`.

use serde::Serialize;

use crate::rules::delivery_failure::DeliveryFailure;

/// What an update waits for before it may be installed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum UpdateWait {
    /// A rotation is in flight: its answer would be lost.
    Rotation,
    /// A new key is on the clipboard: quitting clears it.
    Clipboard,
}

/// Which of the window's fields Rust refused. The window says `invalid.<field>.<reason>` from
/// its catalogue; `InputField::problems` lists the reasons each field can have, and a test
/// walks them all through both catalogues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum InputField {
    BackgroundStart,
    BaseUrl,
    ClipboardClearSeconds,
    DeliveryCommand,
    DeliveryName,
    DeliveryTimeout,
    Destinations,
    Email,
    IdleLockMinutes,
    Language,
    Name,
    Password,
    Profile,
    Profiles,
    Proxy,
    ProxyUser,
    RotationPeriodDays,
}

/// Why a field was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum InputProblem {
    /// Empty where something is needed.
    Required,
    NotAUrl,
    NotHttps,
    NotAnEmail,
    NotAProxy,
    /// The system's proxy setting is not an address the app can use.
    SystemNotAProxy,
    /// Another one already has this name.
    Duplicate,
    OutOfRange,
    /// Names something that does not exist (a profile, a language).
    Unknown,
    /// The last profile cannot go.
    Last,
    NotLoggedIn,
    TooMany,
    /// A .bat or .cmd file: a shell would run it.
    BatchFile,
    UnbalancedQuotes,
    /// This desktop has no tray to wait in.
    NoTray,
}

impl InputField {
    pub const ALL: [InputField; 17] = [
        InputField::BackgroundStart,
        InputField::BaseUrl,
        InputField::ClipboardClearSeconds,
        InputField::DeliveryCommand,
        InputField::DeliveryName,
        InputField::DeliveryTimeout,
        InputField::Destinations,
        InputField::Email,
        InputField::IdleLockMinutes,
        InputField::Language,
        InputField::Name,
        InputField::Password,
        InputField::Profile,
        InputField::Profiles,
        InputField::Proxy,
        InputField::ProxyUser,
        InputField::RotationPeriodDays,
    ];

    /// Every reason this field can be refused for: each pair has its sentence.
    pub fn problems(self) -> &'static [InputProblem] {
        use InputProblem::*;
        match self {
            InputField::BackgroundStart => &[NoTray],
            InputField::BaseUrl => &[Required, NotAUrl, NotHttps],
            InputField::ClipboardClearSeconds | InputField::IdleLockMinutes | InputField::RotationPeriodDays => &[OutOfRange],
            InputField::DeliveryCommand => &[Required, UnbalancedQuotes, BatchFile],
            InputField::DeliveryName => &[Required, Duplicate],
            InputField::DeliveryTimeout => &[OutOfRange],
            InputField::Destinations => &[TooMany],
            InputField::Email => &[Required, NotAnEmail],
            InputField::Language => &[Unknown],
            InputField::Name => &[Required, Duplicate],
            InputField::Password => &[Required],
            InputField::Profile => &[Unknown, Last, NotLoggedIn],
            InputField::Profiles => &[Required],
            InputField::Proxy => &[Required, NotAProxy, SystemNotAProxy],
            InputField::ProxyUser => &[Required],
        }
    }
}

/// What a rotation whose answer never came (or came as an error, or unreadable) turned out to
/// be, as the window says it (`rotate.<verdict>`): decided here, from what the checks saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum RotationVerdict {
    /// Seen by a later check, not the first: the server finished after the app gave up.
    RotatedAfterAll,
    /// The server answered with an error, yet the key had changed at the first check.
    ServerErrorRotated,
    /// No answer, and the key had changed at the first check: its secret is lost.
    RotatedSecretLost,
    /// The server answered with an error; the whole schedule saw the old key.
    ServerErrorNotRotated,
    /// No answer; the whole schedule saw the old key.
    NotRotated,
    /// The server answered with an error and the key could not be re-read.
    ServerErrorUnreadable,
    /// No answer and the key could not be re-read.
    Unreadable,
}

impl AppError {
    /// The verdict of an unanswered rotation's error; `None` for any other error.
    pub fn rotation_verdict(&self) -> Option<RotationVerdict> {
        Some(match *self {
            AppError::RotationOutcomeUnknown { rotated: true, checks, .. } if checks > 1 => RotationVerdict::RotatedAfterAll,
            AppError::RotationOutcomeUnknown { rotated: true, status: Some(_), .. } => RotationVerdict::ServerErrorRotated,
            AppError::RotationOutcomeUnknown { rotated: true, status: None, .. } => RotationVerdict::RotatedSecretLost,
            AppError::RotationOutcomeUnknown { rotated: false, status: Some(_), .. } => RotationVerdict::ServerErrorNotRotated,
            AppError::RotationOutcomeUnknown { rotated: false, status: None, .. } => RotationVerdict::NotRotated,
            AppError::RotationOutcomeUnreadable { status: Some(_) } => RotationVerdict::ServerErrorUnreadable,
            AppError::RotationOutcomeUnreadable { status: None } => RotationVerdict::Unreadable,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all_fields = "camelCase")]
pub enum AppError {
    #[error("wrong e-mail or password")]
    InvalidCredentials,
    /// Installing the update now would end a rotation's wait or clear a new key: later.
    #[error("the update waits: {reason:?}")]
    UpdateWaits { reason: UpdateWait },
    /// Updates are off now (the organisation's policy): nothing is installed.
    #[error("updates are turned off for this computer")]
    UpdatesTurnedOff,
    /// No verified update is in memory to install.
    #[error("no verified update to install")]
    NoUpdate,
    /// The update's installer could not be written or started; the app keeps running.
    #[error("the update could not be started: {detail}")]
    UpdateFailed { detail: String },
    /// The JWT ended (by `exp` or the server's word) or was refused: back to login.
    #[error("the session has ended")]
    SessionEnded,
    #[error("not logged in")]
    NotLoggedIn,
    /// The account's password was typed wrong too many times (to rotate, or to set a delivery
    /// target): the session ended.
    #[error("too many wrong passwords; the session ended")]
    WrongPasswordsEndedSession,
    /// After too many wrong passwords for this profile, its remembered password is not used
    /// until the person types the password at a login.
    #[error("the remembered password is held back until the password is typed")]
    RememberedPasswordHeld,
    /// The login's token had already ended by this computer's clock: the clock is about
    /// `minutes` ahead of the server's (at least that many when the token does not say when
    /// it was issued). Not a session; nothing is renewed.
    #[error("this computer's clock is {minutes} minutes ahead of the server's")]
    ClockAhead { minutes: u64 },
    #[error("this account may not do this")]
    Forbidden,
    #[error("this account has no API key")]
    NoKey,
    #[error("too many requests; wait {retry_after_s:?} s")]
    RateLimited { retry_after_s: Option<u64> },
    /// A 400: what the server said about the input, as it said it.
    #[error("the server refused the input: {}", messages.join("; "))]
    BadRequest { messages: Vec<String> },
    #[error("could not reach the server: {detail}")]
    Network { detail: String, timed_out: bool },
    /// The server's certificate was refused (`problem` says why); the connection never opened.
    #[error("the server's certificate was refused: {detail}")]
    Certificate { problem: CertificateProblem, detail: String },
    /// The server's name could not be found.
    #[error("the server's name could not be found: {detail}")]
    NameNotFound { detail: String },
    /// The proxy asked for a password, refused the way to the server, or could not be reached.
    #[error("the proxy failed: {detail}")]
    Proxy { problem: ProxyProblem, detail: String },
    /// Nothing listens at the server's address.
    #[error("the connection was refused: {detail}")]
    ConnectionRefused { detail: String },
    #[error("the server failed (HTTP {status})")]
    Server { status: u16 },
    #[error("the server's answer could not be read: {detail}")]
    Malformed { detail: String },
    #[error("unexpected answer (HTTP {status})")]
    Unexpected { status: u16 },
    #[error("{field:?}: {reason:?}")]
    InvalidInput { field: InputField, reason: InputProblem },
    #[error("settings could not be saved: {detail}")]
    Settings { detail: String },
    #[error("keychain: {detail}")]
    Keychain { detail: String },
    /// The export of the rotation history could not be written where the user chose.
    #[error("the export could not be written to {path}: {detail}")]
    ExportFailed { path: String, detail: String },
    #[error("clipboard: {detail}")]
    Clipboard { detail: String },
    #[error("confirmation refused: {reason}")]
    Confirmation { reason: ConfirmationRefusal },
    /// The regenerate request was sent and no usable answer came (`status`: the status that
    /// was not a definite refusal, `None`: no answer at all); the key was read again on the
    /// settle schedule until it changed (`rotated`) or the schedule ran out. `checks` reads
    /// were made, the deciding one `checked_for_s` after the app gave up on the answer.
    #[error("{}; the key was {} ({checks} checks over {checked_for_s} s)", answer_text(*status), if *rotated { "rotated but the secret was lost" } else { "not rotated" })]
    RotationOutcomeUnknown { rotated: bool, status: Option<u16>, checks: u32, checked_for_s: u64 },
    /// Neither the answer nor the last re-read could tell whether the key was rotated.
    #[error("{}, and the key could not be re-read", answer_text(*status))]
    RotationOutcomeUnreadable { status: Option<u16> },
    /// The session ends before a rotation could be seen through: it needs `needed_s` (the
    /// answer, the checks of a slow one, time to paste), and `left_s` are left. `renewable`:
    /// a remembered password can renew the session first.
    #[error("the session ends in {left_s} s and a rotation needs {needed_s} s")]
    SessionEndsTooSoon { left_s: u64, needed_s: u64, renewable: bool },
    /// A regenerate is already in flight: one rotation at a time.
    #[error("a rotation is in progress")]
    RotationInProgress,
    /// A 200 to regenerate with no secret in it: the old key is gone.
    #[error("the key was rotated but the answer carried no secret")]
    RotatedWithoutSecret,
    /// The profile's delivery command failed before the rotation (it could not start, ended,
    /// or was not ready in time): nothing was regenerated, the current key keeps working.
    /// `output`: what the command printed, screened.
    #[error("could not reach {name}; the key was not rotated")]
    DeliveryNotReady { name: String, failure: DeliveryFailure, output: String },
    /// The key was rotated and the secret came, but the clipboard refused it.
    #[error("the key was rotated but the secret could not be put on the clipboard: {detail}")]
    RotatedClipboardFailed { detail: String },
}

impl AppError {
    /// The window's `field` refused for `reason` (one of `field.problems()`).
    pub fn invalid(field: InputField, reason: InputProblem) -> AppError {
        debug_assert!(field.problems().contains(&reason), "{field:?} is never refused for {reason:?}: add it to its problems");
        AppError::InvalidInput { field, reason }
    }
}

fn answer_text(status: Option<u16>) -> String {
    match status {
        Some(status) => format!("the server answered the rotation with an error (HTTP {status})"),
        None => "no answer to the rotation".into(),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ConfirmationRefusal {
    Missing,
    Expired,
    Used,
    OtherKey,
    TypedTextMismatch,
    /// The session was opened with the remembered password: step 2 needs it typed again.
    PasswordRequired,
    /// The password typed in step 2 is not the account's.
    PasswordMismatch,
}

impl std::fmt::Display for ConfirmationRefusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let text = match self {
            ConfirmationRefusal::Missing => "no confirmation was started",
            ConfirmationRefusal::Expired => "the confirmation expired",
            ConfirmationRefusal::Used => "the confirmation was already used",
            ConfirmationRefusal::OtherKey => "the confirmation is for another key",
            ConfirmationRefusal::TypedTextMismatch => "the typed text does not match the key",
            ConfirmationRefusal::PasswordRequired => "the password is needed to rotate",
            ConfirmationRefusal::PasswordMismatch => "the password is not right",
        };
        f.write_str(text)
    }
}

/// Why the server's certificate was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum CertificateProblem {
    /// Issued by an authority this computer does not trust (a company's inspecting proxy
    /// whose authority is not installed, or a self-made certificate).
    Untrusted,
    /// Issued for another name.
    WrongName,
    Expired,
    NotYetValid,
    /// Any other refusal (revoked, bad signature, unusable).
    Other,
}

/// What went wrong with the proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ProxyProblem {
    /// It asks for a user and password (407), or refused the ones given.
    AuthRequired,
    /// It answered, and would not or could not open the way to the server.
    Refused,
    /// The proxy itself could not be reached.
    Unreachable,
}
