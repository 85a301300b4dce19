//! `AppState`, the app's whole behaviour short of the window, against the sandbox over real
//! HTTP. No display and no D-Bus: the clipboard and the keychain are in-memory stand-ins that
//! keep what they are given, so each test can read back what the app did with them.

use crate::support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use certopay_keys::app::{AppParts, AppState};
use certopay_keys::certopay::{CertoPayClient, ClientOptions};
use certopay_keys::platform::clipboard::SecretClipboard;
use certopay_keys::rules::app_error::{AppError, ConfirmationRefusal, InputField, InputProblem};
use certopay_keys::store::history::{History, RotationOutcome};
use certopay_keys::store::settings_store::SettingsStore;
use certopay_keys::wire::{AppEvent, KeyMode, LockReason, LogoutOutcome, RotationBlocked};
use certopay_sandbox::{Options, DEMO_PASSWORD};
use serde_json::json;
use support::app::{arm, requests_to, sandbox, served_key, LIVE};
use support::harness::{harness, harness_with, quick_settle, recorded_events, rotation_in_flight, MemoryKeychain};
use support::rotation::payment_status;
use zeroize::Zeroizing;

const VIEWER: &str = "viewer@live.example";

#[tokio::test]
async fn login_then_the_key_as_served() {
    let h = harness(Options::default()).await;
    let wrong = h.state.login(&h.profile_id, LIVE, Zeroizing::new("wrong".into()), false).await;
    assert_eq!(wrong.unwrap_err(), AppError::InvalidCredentials);
    assert_eq!(h.state.current_key().await.unwrap_err(), AppError::NotLoggedIn);

    h.log_in(LIVE).await;
    let key = h.state.current_key().await.unwrap();
    let served = served_key(&h.sb, LIVE).await;
    assert_eq!(key.key_prefix, served["keyPrefix"]);
    assert_eq!(key.masked_key.as_deref(), served["maskedKey"].as_str());
    assert_eq!(key.mode, KeyMode::Live);
    assert!(key.rotation_due, "the live demo key is past 90 days");
    assert_eq!(key.rotation_blocked, None);
    assert_eq!(h.state.settings().selected().unwrap().email, LIVE, "the e-mail is remembered");

    assert_eq!(h.state.logout(false).await, LogoutOutcome::LoggedOut);
    assert_eq!(h.state.current_key().await.unwrap_err(), AppError::NotLoggedIn);
    assert_eq!(h.state.settings().selected().unwrap().email, LIVE, "and kept after logout");
}

#[tokio::test]
async fn a_remembered_password_logs_in_again_when_the_session_runs_out() {
    // Three seconds: the sandbox's `iat` and `exp` are whole seconds, so a one-second token
    // could be over before its answer was read (under Wine on a busy machine the login then
    // said, rightly, ClockAhead); this one lives at least two.
    let h = harness(Options { token_ttl: Duration::from_secs(3), ..Options::default() }).await;
    h.state.login(&h.profile_id, LIVE, Zeroizing::new(DEMO_PASSWORD.into()), true).await.unwrap();
    assert_eq!(h.keychain.stored(&h.sb.url(), LIVE).as_deref(), Some(DEMO_PASSWORD), "bound to the server's origin");
    assert!(h.state.settings().selected().unwrap().remember_password);

    // An empty password uses the remembered one.
    h.state.logout(true).await;
    h.state.login(&h.profile_id, LIVE, Zeroizing::new(String::new()), true).await.unwrap();

    // The one-second token runs out at its `exp`; from then on the session is over.
    let expires_at = h.state.snapshot().session.unwrap().expires_at;
    let left = (expires_at - chrono::Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(left).await;
    assert_eq!(h.state.current_key().await.unwrap_err(), AppError::SessionEnded);
    let ended = h.state.session_ended().await;
    assert_eq!(ended.email.as_deref(), Some(LIVE));
    assert!(ended.renewed.is_some(), "logged in again with the remembered password: {:?}", ended.renew_error);
    assert!(h.state.snapshot().session.is_some());

    // Unticking the box forgets it at once; the next run-out ends at the login screen.
    h.state.set_remember_password(&h.profile_id, false).unwrap();
    assert_eq!(h.keychain.stored(&h.sb.url(), LIVE), None);
    let ended = h.state.session_ended().await;
    assert!(ended.renewed.is_none());
    assert_eq!(ended.email.as_deref(), Some(LIVE), "the e-mail is kept for the login screen");
    assert!(h.state.snapshot().session.is_none());
}

/// A renewal with the remembered password is nobody's activity: a session renewed while the
/// person is away (hidden in the tray, say) still locks once they have been idle for the idle
/// delay, counted from when they typed.
#[tokio::test]
async fn a_session_renewed_with_the_remembered_password_still_locks_when_idle() {
    // Five seconds: at least four (whole-second `iat` and `exp`), so the renewal comes well
    // after the typed login's moment.
    let h = harness(Options { token_ttl: Duration::from_secs(5), ..Options::default() }).await;
    let typed_at = std::time::Instant::now();
    h.state.login(&h.profile_id, LIVE, Zeroizing::new(DEMO_PASSWORD.into()), true).await.unwrap();
    let expires_at = h.state.snapshot().session.unwrap().expires_at;
    tokio::time::sleep((expires_at - chrono::Utc::now()).to_std().unwrap_or_default()).await;
    let ended = h.state.session_ended().await;
    assert!(ended.renewed.is_some(), "renewed with the remembered password: {:?}", ended.renew_error);
    h.state.current_key().await.unwrap();

    assert!(h.state.lock_if_idle(typed_at + h.state.idle_delay() + Duration::from_secs(2)).await, "idle since the typed login: locked");
    assert!(h.state.snapshot().session.is_none());
}

#[tokio::test]
async fn a_rotation_delivers_the_secret_to_the_clipboard_once() {
    let h = harness(Options::default()).await;
    *h.clipboard.0.lock().unwrap() = Some("what the user had copied".into());
    h.log_in(LIVE).await;
    let old_prefix = h.state.current_key().await.unwrap().key_prefix;

    let dialog = h.state.begin_rotation().await.unwrap();
    assert_eq!(dialog.mode, KeyMode::Live);
    assert_eq!(h.clipboard.text().as_deref(), Some("what the user had copied"), "step 1 only reads the clipboard");
    let refused = h.state.confirm_rotation(&dialog.confirmation_token, "not the label", None).await;
    assert_eq!(refused.unwrap_err(), AppError::Confirmation { reason: ConfirmationRefusal::TypedTextMismatch });
    let result = h.state.confirm_rotation(&dialog.confirmation_token, &dialog.label, None).await.unwrap();

    let secret = h.clipboard.text().expect("the secret is on the clipboard");
    let new_prefix = result.new_prefix.clone().unwrap();
    assert_ne!(new_prefix, old_prefix);
    assert!(secret.starts_with(new_prefix.trim_end_matches('.')), "{new_prefix}");
    assert!(result.warnings.is_empty(), "{:?}", result.warnings);
    assert_eq!(payment_status(&h.sb, &secret).await, 200, "the new key works");
    assert_eq!(result.key.unwrap().key_prefix, new_prefix);
    assert_eq!(h.last_outcome(), RotationOutcome::Rotated);

    // The same confirmation cannot be used twice, and nothing is ever sent for it.
    let again = h.state.confirm_rotation(&dialog.confirmation_token, &dialog.label, None).await;
    assert_eq!(again.unwrap_err(), AppError::Confirmation { reason: ConfirmationRefusal::Used });
    assert_eq!(h.state.rotation_history().len(), 1);

    // Logging out would clear it: not without saying so first; then it clears what the app put there.
    assert!(h.state.clipboard_status().holds_secret);
    assert_eq!(h.state.logout(false).await, LogoutOutcome::SecretOnClipboard);
    assert_eq!(h.clipboard.text().as_deref(), Some(secret.as_str()), "still there");
    assert_eq!(h.state.logout(true).await, LogoutOutcome::LoggedOut);
    assert_eq!(h.clipboard.text(), None);
}

#[tokio::test]
async fn a_viewer_is_refused_and_rotation_stays_off_for_the_session() {
    let h = harness(Options::default()).await;
    h.log_in(VIEWER).await;
    assert_eq!(h.rotate().await.unwrap_err(), AppError::Forbidden);
    assert_eq!(h.last_outcome(), RotationOutcome::NotRotated);
    assert_eq!(h.state.current_key().await.unwrap().rotation_blocked, Some(RotationBlocked::Forbidden));
    assert_eq!(h.state.begin_rotation().await.unwrap_err(), AppError::Forbidden, "refused without asking the server again");

    // The refusal belonged to that session only.
    h.state.logout(true).await;
    h.log_in(VIEWER).await;
    assert_eq!(h.state.current_key().await.unwrap().rotation_blocked, None);
}

#[tokio::test]
async fn a_rate_limited_rotation_says_how_long_to_wait_and_rotates_nothing() {
    let h = harness(Options::default()).await;
    h.log_in(LIVE).await;
    let before = h.state.current_key().await.unwrap().key_prefix;
    arm(&h.sb, json!({"path": "/api/api-keys/me/regenerate", "kind": "status", "status": 429, "retryAfter": 30})).await;
    assert_eq!(h.rotate().await.unwrap_err(), AppError::RateLimited { retry_after_s: Some(30) });
    assert_eq!(h.last_outcome(), RotationOutcome::NotRotated);
    assert_eq!(h.state.current_key().await.unwrap().key_prefix, before);
    assert_eq!(h.clipboard.text(), None);
}

#[tokio::test]
async fn a_lost_answer_is_settled_by_reading_the_key_again() {
    let h = harness(Options::default()).await;
    h.log_in(LIVE).await;
    let before = h.state.current_key().await.unwrap().key_prefix;

    // The server rotated, then the connection dropped: the secret is lost, and the app says so.
    arm(&h.sb, json!({"path": "/api/api-keys/me/regenerate", "kind": "drop_after_commit"})).await;
    assert_eq!(
        h.rotate().await.unwrap_err(),
        AppError::RotationOutcomeUnknown { rotated: true, status: None, checks: 1, checked_for_s: 0 }
    );
    assert_eq!(h.last_outcome(), RotationOutcome::RotatedSecretLost);
    let after = h.state.current_key().await.unwrap().key_prefix;
    assert_ne!(after, before);
    assert_eq!(h.clipboard.text(), None);

    // A gateway failed before the server did anything: not rotated.
    arm(&h.sb, json!({"path": "/api/api-keys/me/regenerate", "kind": "status", "status": 503})).await;
    // Only once the whole schedule (three checks here) still saw the old key.
    assert_eq!(
        h.rotate().await.unwrap_err(),
        AppError::RotationOutcomeUnknown { rotated: false, status: Some(503), checks: 3, checked_for_s: 0 }
    );
    assert_eq!(h.last_outcome(), RotationOutcome::NotRotated);
    assert_eq!(h.state.current_key().await.unwrap().key_prefix, after);

    // A 200 with no secret: the old key is gone and the app says a new rotation is needed.
    arm(&h.sb, json!({"path": "/api/api-keys/me/regenerate", "kind": "no_secret"})).await;
    assert_eq!(h.rotate().await.unwrap_err(), AppError::RotatedWithoutSecret);
    assert_eq!(h.last_outcome(), RotationOutcome::RotatedSecretLost);
    assert_ne!(h.state.current_key().await.unwrap().key_prefix, after);
}

#[tokio::test]
async fn a_confirmation_dies_with_its_session() {
    let h = harness(Options::default()).await;
    h.log_in(LIVE).await;
    let dialog = h.state.begin_rotation().await.unwrap();
    h.state.logout(true).await;
    h.log_in(LIVE).await;
    let refused = h.state.confirm_rotation(&dialog.confirmation_token, &dialog.label, None).await;
    assert_eq!(refused.unwrap_err(), AppError::Confirmation { reason: ConfirmationRefusal::Missing });
    assert!(h.state.rotation_history().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn without_a_clipboard_rotation_is_off_with_the_reason() {
    let sb = sandbox(Options::default()).await;
    let files = tempfile::tempdir().unwrap();
    let parts = AppParts {
        store: SettingsStore::new(files.path()),
        keychain: Box::new(MemoryKeychain::new()),
        clipboard: SecretClipboard::with_backend(Err("no display".into())),
        history: History::new(files.path()),
        client_options: ClientOptions::default(),
        settle: quick_settle(),
        update_source: None,
    };
    let state = AppState::new(parts, Some(&sb.url()));
    let profile_id = state.settings().selected_profile.unwrap();
    state.login(&profile_id, LIVE, Zeroizing::new(DEMO_PASSWORD.into()), false).await.unwrap();
    let key = state.current_key().await.unwrap();
    assert_eq!(key.rotation_blocked, Some(RotationBlocked::Clipboard));
    assert_eq!(key.clipboard_problem.as_deref(), Some("no display"));
    assert_eq!(state.begin_rotation().await.unwrap_err(), AppError::Clipboard { detail: "no display".into() });
}

#[tokio::test(flavor = "multi_thread")]
async fn one_rotation_at_a_time() {
    let h = Arc::new(harness(Options::default()).await);
    h.log_in(LIVE).await;
    let rotating = rotation_in_flight(&h, 1500).await;
    let reads = requests_to(&h.sb, "GET /api/api-keys/me").await;

    // Neither step of a second rotation gets through while the first is out, and neither
    // sends anything.
    assert_eq!(h.state.begin_rotation().await.unwrap_err(), AppError::RotationInProgress);
    assert_eq!(h.state.confirm_rotation("any", "Chave principal", None).await.unwrap_err(), AppError::RotationInProgress);
    assert_eq!(requests_to(&h.sb, "GET /api/api-keys/me").await, reads);

    let result = rotating.await.unwrap().unwrap();
    assert!(result.new_prefix.is_some());
    assert_eq!(requests_to(&h.sb, "POST /api/api-keys/me/regenerate").await, 1, "one regenerate was sent");
    assert_eq!(h.state.rotation_history().len(), 1);
    assert!(h.state.begin_rotation().await.is_ok(), "and the next may start once it is settled");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_logout_during_the_call_waits_for_its_outcome() {
    let h = Arc::new(harness(Options::default()).await);
    h.log_in(LIVE).await;
    let rotating = rotation_in_flight(&h, 1500).await;

    // Asked during the call, the logout comes back only after the secret was delivered, and
    // does not clear it unasked.
    assert_eq!(h.state.logout(false).await, LogoutOutcome::SecretOnClipboard);
    assert_eq!(h.last_outcome(), RotationOutcome::Rotated);
    let secret = h.clipboard.text().expect("the secret arrived and stayed");
    assert_eq!(payment_status(&h.sb, &secret).await, 200);
    assert!(rotating.await.unwrap().is_ok());
    assert!(h.state.snapshot().session.is_some(), "still logged in");

    // Forced, during another call: the clear comes after the secret, so none is left behind.
    let rotating = rotation_in_flight(&h, 1500).await;
    assert_eq!(h.state.logout(true).await, LogoutOutcome::LoggedOut);
    assert!(rotating.await.unwrap().is_ok());
    assert_eq!(h.clipboard.text(), None, "cleared after the second secret arrived, not before");
    assert!(h.state.snapshot().session.is_none());
}

/// Every operation against every fault the sandbox has: the kind the window is told, no panic,
/// and the settings and history left as they were. One row a case, printed as a table.
#[tokio::test(flavor = "multi_thread")]
async fn fault_matrix() {
    let timeout = Duration::from_millis(800);
    let options = ClientOptions { request_timeout: timeout, backoff: Duration::from_millis(20), ..ClientOptions::default() };
    let h = harness_with(Options::default(), options.clone()).await;
    h.log_in(LIVE).await;
    let settings_before = h.state.settings();
    let watch_client = CertoPayClient::new(&h.sb.url(), options).unwrap();
    let watch_jwt = watch_client.login(LIVE, DEMO_PASSWORD).await.unwrap().jwt;

    let timed_out = AppError::Network { detail: "the server did not answer in time".into(), timed_out: true };
    // A change is seen by the first check; "not rotated" only after all three of quick_settle.
    let unknown = |rotated: bool, status: Option<u16>| AppError::RotationOutcomeUnknown {
        rotated,
        status,
        checks: if rotated { 1 } else { 3 },
        checked_for_s: 0,
    };
    let too_large = AppError::Malformed { detail: "the answer is larger than 64 KiB".into() };
    let faults: Vec<(&str, serde_json::Value)> = vec![
        ("latency past the timeout", json!({"kind": "latency", "delayMs": 2000})),
        ("500", json!({"kind": "status", "status": 500})),
        ("502", json!({"kind": "status", "status": 502})),
        ("503", json!({"kind": "status", "status": 503})),
        ("429 with Retry-After", json!({"kind": "status", "status": 429, "retryAfter": 30})),
        ("HTML page", json!({"kind": "html"})),
        ("truncated JSON", json!({"kind": "truncated_json"})),
        ("oversized body", json!({"kind": "oversized", "bytes": 1048576})),
        ("trickled body", json!({"kind": "trickle", "intervalMs": 100})),
        ("commit, then drop", json!({"kind": "drop_after_commit"})),
    ];
    // What each operation is expected to say, fault by fault, in the order above.
    let login = [
        timed_out.clone(),
        AppError::Server { status: 500 },
        AppError::Server { status: 502 },
        AppError::Server { status: 503 },
        AppError::RateLimited { retry_after_s: Some(30) },
        AppError::Server { status: 502 },
        AppError::Malformed { detail: "the login answer is not the expected JSON".into() },
        too_large.clone(),
        timed_out.clone(),
        AppError::Network { detail: "the connection failed (connection closed before message completed)".into(), timed_out: false },
    ];
    let read = |truncated: &str| {
        let mut row = login.clone();
        row[6] = AppError::Malformed { detail: truncated.into() };
        row
    };
    let key_read = read("the key answer is not JSON");
    let regenerate = [
        unknown(false, None),
        unknown(false, Some(500)),
        unknown(false, Some(502)),
        unknown(false, Some(503)),
        AppError::RateLimited { retry_after_s: Some(30) },
        unknown(false, Some(502)),
        AppError::RotatedWithoutSecret,
        unknown(false, None),
        unknown(false, None),
        unknown(true, None),
    ];

    let mut table = vec![format!("| {:<24} | {:<10} | {} |", "fault", "operation", "the window is told")];
    let mut rotations = 0;
    for (i, (fault, spec)) in faults.iter().enumerate() {
        for operation in ["login", "key read", "regenerate", "watch read"] {
            let path = match operation {
                "login" => "/api/auth/login",
                "regenerate" => "/api/api-keys/me/regenerate",
                _ => "/api/api-keys/me",
            };
            let dialog = if operation == "regenerate" { Some(h.state.begin_rotation().await.unwrap()) } else { None };
            let mut armed = spec.clone();
            armed["path"] = json!(path);
            armed["count"] = json!(3); // enough for a GET's retries
            arm(&h.sb, armed).await;
            let got = match operation {
                "login" => h.state.login(&h.profile_id, LIVE, Zeroizing::new(DEMO_PASSWORD.into()), false).await.map(drop),
                "key read" => h.state.current_key().await.map(drop),
                "regenerate" => {
                    let dialog = dialog.unwrap();
                    rotations += 1;
                    h.state.confirm_rotation(&dialog.confirmation_token, &dialog.label, None).await.map(drop)
                }
                _ => watch_client.current_key_once(&watch_jwt).await.map(drop),
            };
            reqwest::Client::new().delete(format!("{}/__sandbox/faults", h.sb.url())).send().await.unwrap();
            let expected = match operation {
                "login" => &login[i],
                "regenerate" => &regenerate[i],
                _ => &key_read[i],
            };
            table.push(format!("| {fault:<24} | {operation:<10} | {} |", got.as_ref().map_or_else(|e| format!("{e:?}"), |_| "ok".into())));
            assert_eq!(got.as_ref().err(), Some(expected), "{fault} on {operation}");
            // A failed login leaves the session that was there; log in again if it went.
            if h.state.snapshot().session.is_none() {
                h.log_in(LIVE).await;
            }
        }
    }
    println!("{}", table.join("\n"));
    assert_eq!(h.state.settings(), settings_before, "settings intact");
    assert_eq!(h.state.rotation_history().len(), rotations, "one history row per regenerate sent, all readable");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_idle_lock_is_rusts_and_waits_for_a_rotation() {
    let h = Arc::new(harness(Options::default()).await);
    let events = recorded_events(&h);
    h.log_in(LIVE).await;
    let idle = Duration::from_secs(10 * 60);
    let start = Instant::now();
    assert!(!h.state.lock_if_idle(start + idle - Duration::from_secs(1)).await, "not yet");

    // A rotation's call holds the lock off; its delivery restarts the idle delay.
    let rotating = rotation_in_flight(&h, 800).await;
    assert!(!h.state.lock_if_idle(start + idle * 2).await, "never during the call");
    rotating.await.unwrap().unwrap();
    let delivered = Instant::now();
    assert!(!h.state.lock_if_idle(delivered + idle - Duration::from_secs(1)).await);
    assert!(h.clipboard.text().is_some());

    // No activity from the window at all: the watchdog's clock alone ends the session.
    assert!(h.state.lock_if_idle(delivered + idle).await);
    assert!(h.state.snapshot().session.is_none());
    assert_eq!(h.clipboard.text(), None, "the clipboard was cleared");
    assert_eq!(h.state.settings().selected().unwrap().email, LIVE, "the e-mail is kept");
    let locked = AppEvent::Locked { reason: LockReason::Idle, idle_minutes: 10 };
    assert_eq!(events.lock().unwrap().last(), Some(&locked));
}

#[tokio::test]
async fn stepping_away_locks_unless_turned_off() {
    let h = harness(Options::default()).await;
    let events = recorded_events(&h);
    h.log_in(LIVE).await;
    assert!(h.state.lock_away(LockReason::ScreenLocked).await);
    assert!(h.state.snapshot().session.is_none());
    assert_eq!(events.lock().unwrap().last(), Some(&AppEvent::Locked { reason: LockReason::ScreenLocked, idle_minutes: 10 }));

    let mut preferences: serde_json::Value = json!({"rotationPeriodDays": 90, "clipboardClearSeconds": 60, "idleLockMinutes": 10});
    preferences["lockOnScreenLock"] = json!(false);
    h.state.save_preferences(serde_json::from_value(preferences).unwrap()).unwrap();
    h.log_in(LIVE).await;
    assert!(!h.state.lock_away(LockReason::Sleeping).await);
    assert!(h.state.snapshot().session.is_some(), "turned off in settings");
}

#[tokio::test]
async fn a_remembered_password_stays_with_its_server() {
    let h = harness(Options::default()).await;
    h.state.login(&h.profile_id, LIVE, Zeroizing::new(DEMO_PASSWORD.into()), true).await.unwrap();
    h.state.logout(true).await;
    let mut profile = h.state.settings().profile(&h.profile_id).unwrap().clone();

    // Same server, new name: the password stays.
    profile.name = "Sandbox renamed".into();
    assert!(!h.state.save_profile(profile.clone()).unwrap().password_forgotten);
    assert_eq!(h.keychain.stored(&h.sb.url(), LIVE).as_deref(), Some(DEMO_PASSWORD));

    // A new address: the password is forgotten, and an empty one is never sent to the new server.
    profile.base_url = h.sb.url().replace("127.0.0.1", "localhost");
    let saved = h.state.save_profile(profile.clone()).unwrap();
    assert!(saved.password_forgotten);
    assert_eq!(h.keychain.stored(&h.sb.url(), LIVE), None);
    assert!(!saved.settings.profile(&h.profile_id).unwrap().remember_password);
    let empty = h.state.login(&h.profile_id, LIVE, Zeroizing::new(String::new()), false).await;
    assert_eq!(empty.unwrap_err(), AppError::invalid(InputField::Password, InputProblem::Required));

    // A keychain that refuses the delete: the profile stays, and nothing is left orphaned.
    h.state.login(&h.profile_id, LIVE, Zeroizing::new(DEMO_PASSWORD.into()), true).await.unwrap();
    *h.keychain.refuse_deletes.lock().unwrap() = true;
    assert!(matches!(h.state.remove_profile(&h.profile_id), Err(AppError::Keychain { .. })));
    assert!(h.state.settings().profile(&h.profile_id).is_some(), "kept");
    *h.keychain.refuse_deletes.lock().unwrap() = false;
    h.state.remove_profile(&h.profile_id).unwrap();
    assert_eq!(h.keychain.stored(&profile.base_url, LIVE), None, "gone with its profile");
}

#[tokio::test]
async fn a_regenerate_answer_that_shows_the_secret_in_its_prefix_never_shows_it() {
    let h = harness(Options::default()).await;
    h.log_in(LIVE).await;
    arm(&h.sb, json!({"path": "/api/api-keys/me/regenerate", "kind": "secret_in_prefix"})).await;
    let result = h.rotate().await.unwrap();
    let secret = h.clipboard.text().expect("the secret is on the clipboard, as always");
    assert_eq!(payment_status(&h.sb, &secret).await, 200);
    // The answer's details are dropped; the prefix shown is the one a re-read gave.
    let prefix = result.new_prefix.clone().expect("the re-read's prefix");
    assert!(secret.starts_with(prefix.trim_end_matches('.')) && prefix.len() < 24, "{prefix}");
    assert!(!serde_json::to_string(&result).unwrap().contains(&secret[..20]), "the window's copy");
    assert!(!serde_json::to_string(&h.state.rotation_history()).unwrap().contains(&secret[..20]), "the history");
    // Logging out clears the clipboard and leaves the notice: it names the prefix only.
    h.state.logout(true).await;
    let notice = h.state.secret_removed().expect("the removed-key notice");
    assert!(!serde_json::to_string(&notice).unwrap().contains(&secret[..20]), "the notice");
    for file in support::source_files::every_file(h.files.path()) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(!String::from_utf8_lossy(&bytes).contains(&secret[..20]), "{} holds the secret", file.display());
    }
}

#[tokio::test]
async fn a_token_already_ended_by_this_computers_clock_is_not_a_session() {
    // The server's clock is 20 minutes behind this computer's: its 15-minute token has ended here.
    let h = harness(Options { clock_behind: Duration::from_secs(20 * 60), ..Options::default() }).await;
    let refused = h.state.login(&h.profile_id, LIVE, Zeroizing::new(DEMO_PASSWORD.into()), false).await.unwrap_err();
    assert_eq!(refused, AppError::ClockAhead { minutes: 20 });
    assert!(matches!(h.state.active_session(), Err(AppError::NotLoggedIn)), "not a session");
    assert_eq!(requests_to(&h.sb, "POST /api/auth/login").await, 1, "one login, never renewed in a loop");
}

/// A delivery target that reads the key and stores nothing: what a wrong password tries to set.
fn reading_target() -> Vec<certopay_keys::rules::delivery_target::DeliveryTarget> {
    vec![certopay_keys::rules::delivery_target::DeliveryTarget {
        name: "Servidor da loja".into(),
        command: "sh -c 'cat > /dev/null'".into(),
        timeout_s: 10,
        also_copy: false,
    }]
}

#[tokio::test]
async fn five_wrong_passwords_end_the_session_and_a_sixth_finds_none() {
    let h = harness(Options::default()).await;
    h.log_in(LIVE).await;
    let target = reading_target;
    let mismatch = AppError::Confirmation { reason: ConfirmationRefusal::PasswordMismatch };
    for attempt in 1..=4 {
        assert_eq!(h.state.set_destinations(&h.profile_id, target(), "guess").await.unwrap_err(), mismatch, "attempt {attempt}");
    }
    // An empty one is only refused, never counted.
    let required = AppError::Confirmation { reason: ConfirmationRefusal::PasswordRequired };
    assert_eq!(h.state.set_destinations(&h.profile_id, target(), "").await.unwrap_err(), required);
    assert_eq!(h.state.set_destinations(&h.profile_id, target(), "guess").await.unwrap_err(), AppError::WrongPasswordsEndedSession);
    assert!(matches!(h.state.active_session(), Err(AppError::NotLoggedIn)), "the fifth ended the session");
    // The sixth, even the right one, finds no session to set a target in.
    assert_eq!(h.state.set_destinations(&h.profile_id, target(), DEMO_PASSWORD).await.unwrap_err(), AppError::NotLoggedIn);
    assert_eq!(h.state.settings().profile(&h.profile_id).unwrap().destinations, vec![]);
}

#[tokio::test]
async fn the_wrong_password_limit_holds_across_a_new_login_and_a_renewal_until_the_person_types_it() {
    let h = harness(Options::default()).await;
    h.state.login(&h.profile_id, LIVE, Zeroizing::new(DEMO_PASSWORD.into()), true).await.unwrap();
    let target = reading_target;
    let mismatch = AppError::Confirmation { reason: ConfirmationRefusal::PasswordMismatch };
    for attempt in 1..=2 {
        assert_eq!(h.state.set_destinations(&h.profile_id, target(), "guess").await.unwrap_err(), mismatch, "attempt {attempt}");
    }
    // A page script renews the session with the remembered password, then logs in with it again:
    // neither starts the count again.
    h.state.renew_session().await.unwrap();
    assert_eq!(h.state.set_destinations(&h.profile_id, target(), "guess").await.unwrap_err(), mismatch, "attempt 3");
    h.state.login(&h.profile_id, LIVE, Zeroizing::new(String::new()), true).await.unwrap();
    assert_eq!(h.state.set_destinations(&h.profile_id, target(), "guess").await.unwrap_err(), mismatch, "attempt 4");
    assert_eq!(h.state.set_destinations(&h.profile_id, target(), "guess").await.unwrap_err(), AppError::WrongPasswordsEndedSession);
    assert!(matches!(h.state.active_session(), Err(AppError::NotLoggedIn)), "the fifth ended the session");
    // The remembered password is held back now: not for a login, not for a renewal.
    let held = h.state.login(&h.profile_id, LIVE, Zeroizing::new(String::new()), true).await.unwrap_err();
    assert_eq!(held, AppError::RememberedPasswordHeld);
    assert!(matches!(h.state.active_session(), Err(AppError::NotLoggedIn)));
    let ended = h.state.session_ended().await;
    assert!(ended.renewed.is_none(), "no renewal with the held password");
    assert_eq!(ended.renew_error.map(|e| e.0), Some(AppError::RememberedPasswordHeld));
    // The person types it: a fresh count, and the remembered password works again.
    h.state.login(&h.profile_id, LIVE, Zeroizing::new(DEMO_PASSWORD.into()), true).await.unwrap();
    for attempt in 1..=4 {
        assert_eq!(h.state.set_destinations(&h.profile_id, target(), "guess").await.unwrap_err(), mismatch, "again {attempt}");
    }
    h.state.set_destinations(&h.profile_id, target(), DEMO_PASSWORD).await.unwrap();
    h.state.login(&h.profile_id, LIVE, Zeroizing::new(String::new()), true).await.unwrap();
}

#[tokio::test]
async fn step_2_judges_the_password_only_for_a_valid_confirmation_and_counts_the_wrong_ones() {
    let h = harness(Options::default()).await;
    // Opened with the remembered password: step 2 asks for it.
    h.state.login(&h.profile_id, LIVE, Zeroizing::new(DEMO_PASSWORD.into()), true).await.unwrap();
    h.state.login(&h.profile_id, LIVE, Zeroizing::new(String::new()), true).await.unwrap();
    let dialog = h.state.begin_rotation().await.unwrap();
    let guess = || Some(Zeroizing::new("guess".to_string()));
    // A page script without the confirmation learns nothing about the password, and costs no try.
    for _ in 0..10 {
        let refused = h.state.confirm_rotation("not-the-token", &dialog.label, guess()).await.unwrap_err();
        assert_eq!(refused, AppError::Confirmation { reason: ConfirmationRefusal::Missing });
    }
    for attempt in 1..=4 {
        let refused = h.state.confirm_rotation(&dialog.confirmation_token, &dialog.label, guess()).await.unwrap_err();
        assert_eq!(refused, AppError::Confirmation { reason: ConfirmationRefusal::PasswordMismatch }, "attempt {attempt}");
    }
    let before = served_key(&h.sb, LIVE).await["keyPrefix"].clone();
    let fifth = h.state.confirm_rotation(&dialog.confirmation_token, &dialog.label, guess()).await.unwrap_err();
    assert_eq!(fifth, AppError::WrongPasswordsEndedSession);
    let sixth = h.state.confirm_rotation(&dialog.confirmation_token, &dialog.label, Some(Zeroizing::new(DEMO_PASSWORD.into()))).await;
    assert!(matches!(sixth, Err(AppError::NotLoggedIn)), "{sixth:?}");
    assert_eq!(served_key(&h.sb, LIVE).await["keyPrefix"], before, "nothing was rotated");
    assert_eq!(requests_to(&h.sb, "POST /api/api-keys/me/regenerate").await, 0);
}
