//! The truth at the dangerous moment, with no window: an unanswered rotation is settled only by
//! the whole check schedule, a late commit is reported as rotated, a new key removed from the
//! clipboard leaves a notice, a rotation the session cannot see through is refused, a session
//! opened with the remembered password must type it again, and a slow keychain holds up no
//! other command. Against the sandbox over real HTTP.

use crate::support;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use certopay_keys::certopay::ClientOptions;
use certopay_keys::platform::keychain::{Keychain, KeychainStatus};
use certopay_keys::rules::app_error::{AppError, ConfirmationRefusal};
use certopay_keys::rules::lock_reason::LockReason;
use certopay_keys::rules::settle_schedule::SettleSchedule;
use certopay_keys::store::history::RotationOutcome;
use certopay_keys::store::removed_notice::RemovedNoticeFile;
use certopay_keys::wire::{AppEvent, LogoutOutcome, RemovalCause};
use certopay_sandbox::{Options, DEMO_PASSWORD};
use serde_json::json;
use support::app::{arm, requests_to, served_key, LIVE};
use support::harness::{harness, harness_keychain, harness_settling, quick_settle, recorded_events, Harness, MemoryKeychain};
use support::rotation::payment_status;
use zeroize::Zeroizing;

const KEY_READS: &str = "GET /api/api-keys/me";

fn checking_events(events: &Mutex<Vec<AppEvent>>) -> Vec<u32> {
    events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| if let AppEvent::RotationChecking { checks_done, .. } = e { Some(*checks_done) } else { None })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_commit_after_the_timeout_is_reported_as_rotated_never_as_not_rotated() {
    // The app gives up after 800 ms; the server commits 3 s after the request came, as a real
    // handler that outlives its client does. The checks run at 0, 0.5, 1.5, 3 and 6 s after
    // giving up: the commit falls between the third and the fourth, over 2 s after the first,
    // so even a loaded machine's first check comes before it.
    let client =
        ClientOptions { request_timeout: Duration::from_millis(800), backoff: Duration::from_millis(20), ..ClientOptions::default() };
    let schedule = SettleSchedule::new([0, 500, 1500, 3000, 6000].map(Duration::from_millis).to_vec());
    let h = harness_settling(Options::default(), client, schedule).await;
    let events = recorded_events(&h);
    h.log_in(LIVE).await;
    let before = h.state.current_key().await.unwrap().key_prefix;
    let old_secret_check = served_key(&h.sb, LIVE).await;
    assert_eq!(old_secret_check["keyPrefix"], before.as_str());

    arm(&h.sb, json!({"path": "/api/api-keys/me/regenerate", "kind": "late_commit", "delayMs": 3000})).await;
    let outcome = h.rotate().await.unwrap_err();
    let AppError::RotationOutcomeUnknown { rotated, status: None, checks, .. } = outcome else { panic!("{outcome:?}") };
    assert!(rotated, "the late commit was seen");
    assert!(checks >= 2, "not by the first check, which came before the commit: {checks}");
    assert!(checking_events(&events).len() as u32 == checks - 1, "the window was told it was still checking before each later check");

    // The history row was corrected, never left at "not rotated", and names the new key.
    let rows = h.state.rotation_history();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].outcome, RotationOutcome::RotatedSecretLost);
    let now = h.state.current_key().await.unwrap().key_prefix;
    assert_ne!(now, before);
    assert_eq!(rows[0].new_prefix.as_deref(), Some(now.as_str()));
    assert_eq!(h.clipboard.text(), None, "no secret ever reached the app");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_drop_before_any_commit_is_not_rotated_only_after_the_whole_schedule() {
    let h = Arc::new(harness(Options::default()).await);
    let events = recorded_events(&h);
    h.log_in(LIVE).await;
    let before = h.state.current_key().await.unwrap().key_prefix;
    arm(&h.sb, json!({"path": "/api/api-keys/me/regenerate", "kind": "drop"})).await;
    let dialog = h.state.begin_rotation().await.unwrap();
    let reads_before = requests_to(&h.sb, KEY_READS).await;

    let rotating = {
        let h = h.clone();
        tokio::spawn(async move { h.state.confirm_rotation(&dialog.confirmation_token, &dialog.label, None).await })
    };
    let outcome = rotating.await.unwrap().unwrap_err();
    assert_eq!(outcome, AppError::RotationOutcomeUnknown { rotated: false, status: None, checks: 3, checked_for_s: 0 });
    assert_eq!(requests_to(&h.sb, KEY_READS).await - reads_before, 3, "every check of the schedule was made");
    assert_eq!(checking_events(&events), vec![1, 2], "still checking after the first and the second");
    assert_eq!(h.last_outcome(), RotationOutcome::NotRotated);
    assert_eq!(h.state.current_key().await.unwrap().key_prefix, before);
    assert!(!h.state.rotation_in_flight(), "the slot is free once settled");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_slot_stays_taken_while_the_checks_run() {
    let schedule = SettleSchedule::new([0, 1000, 2000].map(Duration::from_millis).to_vec());
    let client = ClientOptions { backoff: Duration::from_millis(20), ..ClientOptions::default() };
    let h = Arc::new(harness_settling(Options::default(), client, schedule).await);
    let events = recorded_events(&h);
    h.log_in(LIVE).await;
    arm(&h.sb, json!({"path": "/api/api-keys/me/regenerate", "kind": "status", "status": 504})).await;
    let dialog = h.state.begin_rotation().await.unwrap();
    let rotating = {
        let h = h.clone();
        tokio::spawn(async move { h.state.confirm_rotation(&dialog.confirmation_token, &dialog.label, None).await })
    };
    // Once the window has been told "still checking", a new rotation is refused, yet the key
    // can still be viewed.
    while checking_events(&events).is_empty() {
        assert!(!rotating.is_finished(), "settled before any 'still checking': {:?}", rotating.await);
        tokio::task::yield_now().await;
    }
    assert_eq!(h.state.begin_rotation().await.unwrap_err(), AppError::RotationInProgress);
    assert!(h.state.current_key().await.is_ok());
    let outcome = rotating.await.unwrap().unwrap_err();
    assert!(matches!(outcome, AppError::RotationOutcomeUnknown { rotated: false, status: Some(504), checks: 3, .. }), "{outcome:?}");
    assert!(h.state.begin_rotation().await.is_ok());
}

#[tokio::test]
async fn a_408_and_a_302_are_settled_by_reading_again() {
    let h = harness(Options::default()).await;
    h.log_in(LIVE).await;
    for status in [408u16, 302] {
        let reads_before = requests_to(&h.sb, KEY_READS).await;
        arm(&h.sb, json!({"path": "/api/api-keys/me/regenerate", "kind": "status", "status": status})).await;
        let dialog = h.state.begin_rotation().await.unwrap();
        let outcome = h.state.confirm_rotation(&dialog.confirmation_token, &dialog.label, None).await.unwrap_err();
        assert_eq!(outcome, AppError::RotationOutcomeUnknown { rotated: false, status: Some(status), checks: 3, checked_for_s: 0 });
        // One read for step 1, then the three checks.
        assert_eq!(requests_to(&h.sb, KEY_READS).await - reads_before, 4, "{status}");
    }
}

async fn rotated(h: &Harness) -> String {
    let result = h.rotate().await.unwrap();
    assert!(h.clipboard.text().is_some());
    result.new_prefix.unwrap()
}

#[tokio::test]
async fn a_delivered_key_removed_by_a_lock_an_expiry_a_forced_logout_or_a_quit_leaves_a_notice() {
    let h = harness(Options::default()).await;
    let data = h.files.path().join("data");
    for cause in [RemovalCause::ScreenLocked, RemovalCause::SessionEnded, RemovalCause::LoggedOut, RemovalCause::Quit] {
        h.log_in(LIVE).await;
        assert_eq!(h.state.secret_removed(), None, "a login ends the last notice");
        let prefix = rotated(&h).await;
        match cause {
            RemovalCause::ScreenLocked => assert!(h.state.lock_away(LockReason::ScreenLocked).await),
            RemovalCause::SessionEnded => drop(h.state.session_ended().await),
            RemovalCause::LoggedOut => assert_eq!(h.state.logout(true).await, LogoutOutcome::LoggedOut),
            _ => h.state.quit().await,
        }
        assert_eq!(h.clipboard.text(), None, "{cause:?} cleared the clipboard");
        let notice = h.state.secret_removed().unwrap_or_else(|| panic!("{cause:?} left no notice"));
        assert_eq!((notice.cause, notice.key_prefix.as_deref()), (cause, Some(prefix.as_str())));
        assert_eq!(h.state.snapshot().secret_removed, Some(notice.clone()), "the login screen gets it");
        assert_eq!(RemovedNoticeFile::new(&data).load(), Some(notice), "and the next start too");
    }

    // A secret the user replaced (pasted and copied something else) was not removed: no notice.
    h.log_in(LIVE).await;
    rotated(&h).await;
    *h.clipboard.0.lock().unwrap() = Some("something the user copied".into());
    assert!(h.state.lock_away(LockReason::ScreenLocked).await);
    assert_eq!(h.state.secret_removed(), None);
    assert_eq!(RemovedNoticeFile::new(&data).load(), None);
}

#[tokio::test]
async fn a_rotation_the_session_cannot_see_through_is_refused() {
    // A rotation needs 20 s for the answer, the checks (0.2 s here) and 60 s to paste: 80 s.
    let h = harness(Options { token_ttl: Duration::from_secs(70), ..Options::default() }).await;
    h.log_in(LIVE).await;
    let reads = requests_to(&h.sb, KEY_READS).await;
    let refused = h.state.begin_rotation().await.unwrap_err();
    let AppError::SessionEndsTooSoon { left_s, needed_s: 80, renewable: false } = refused else { panic!("{refused:?}") };
    assert!(left_s <= 70, "{left_s}");
    assert_eq!(requests_to(&h.sb, KEY_READS).await, reads, "refused before asking the server");

    // With the password remembered, the session can be renewed first.
    h.state.logout(true).await;
    h.state.login(&h.profile_id, LIVE, Zeroizing::new(DEMO_PASSWORD.into()), true).await.unwrap();
    assert!(matches!(h.state.begin_rotation().await, Err(AppError::SessionEndsTooSoon { renewable: true, .. })));
    let renewed = h.state.renew_session().await.unwrap();
    assert!(renewed.session.expires_at > chrono::Utc::now());
}

#[tokio::test]
async fn a_session_opened_with_the_remembered_password_must_type_it_to_rotate() {
    let h = harness(Options::default()).await;
    h.state.login(&h.profile_id, LIVE, Zeroizing::new(DEMO_PASSWORD.into()), true).await.unwrap();
    assert!(!h.state.begin_rotation().await.unwrap().password_required, "typed at login: the person is there");
    h.state.logout(true).await;

    // Logged in by the keychain alone.
    h.state.login(&h.profile_id, LIVE, Zeroizing::new(String::new()), true).await.unwrap();
    let logins = requests_to(&h.sb, "POST /api/auth/login").await;
    let dialog = h.state.begin_rotation().await.unwrap();
    assert!(dialog.password_required);
    let confirm = |password: Option<&str>| {
        h.state.confirm_rotation(&dialog.confirmation_token, &dialog.label, password.map(|p| Zeroizing::new(p.to_string())))
    };
    for (password, reason) in [
        (None, ConfirmationRefusal::PasswordRequired),
        (Some(""), ConfirmationRefusal::PasswordRequired),
        (Some("wrong"), ConfirmationRefusal::PasswordMismatch),
    ] {
        assert_eq!(confirm(password).await.unwrap_err(), AppError::Confirmation { reason }, "{password:?}");
    }
    assert!(h.state.rotation_history().is_empty(), "nothing was sent");
    let result = confirm(Some(DEMO_PASSWORD)).await.unwrap();
    assert_eq!(requests_to(&h.sb, "POST /api/auth/login").await, logins, "the password was checked here, sent nowhere");
    let secret = h.clipboard.text().unwrap();
    assert!(secret.starts_with(result.new_prefix.unwrap().trim_end_matches('.')));
    assert_eq!(payment_status(&h.sb, &secret).await, 200);

    // A session renewed by itself is the desk too.
    drop(h.state.session_ended().await);
    assert!(h.state.begin_rotation().await.unwrap().password_required);
}

/// A keychain whose calls wait until the test lets them go, as one that asks to be unlocked.
struct SlowKeychain {
    inner: MemoryKeychain,
    entered: Mutex<mpsc::Sender<()>>,
    release: Mutex<mpsc::Receiver<()>>,
    done: Arc<AtomicBool>,
}

impl SlowKeychain {
    fn wait(&self) {
        self.entered.lock().unwrap().send(()).unwrap();
        // Bounded, so a regression fails the test instead of hanging it.
        let _ = self.release.lock().unwrap().recv_timeout(Duration::from_secs(20));
        self.done.store(true, Ordering::SeqCst);
    }
}

impl Keychain for SlowKeychain {
    fn status(&self) -> &KeychainStatus {
        self.inner.status()
    }
    fn store(&self, origin: &str, email: &str, password: &str) -> Result<(), AppError> {
        self.wait();
        self.inner.store(origin, email, password)
    }
    fn fetch(&self, origin: &str, email: &str) -> Result<Option<Zeroizing<String>>, AppError> {
        self.inner.fetch(origin, email)
    }
    fn delete(&self, origin: &str, email: &str) -> Result<(), AppError> {
        self.wait();
        self.inner.delete(origin, email)
    }
}

/// One runtime thread only: a keychain call made on it would stop everything else.
#[tokio::test(flavor = "current_thread")]
async fn a_slow_keychain_holds_up_no_other_command() {
    let (entered_tx, entered) = mpsc::channel();
    let (release, release_rx) = mpsc::channel();
    let done = Arc::new(AtomicBool::new(false));
    let keychain = MemoryKeychain::new();
    let slow =
        SlowKeychain { inner: keychain.clone(), entered: Mutex::new(entered_tx), release: Mutex::new(release_rx), done: done.clone() };
    let client = ClientOptions { backoff: Duration::from_millis(20), ..ClientOptions::default() };
    let h = Arc::new(harness_keychain(Options::default(), client, quick_settle(), keychain.clone(), Box::new(slow)).await);

    // A login that remembers the password: the keychain is asked after the session opened.
    let logging_in = {
        let h = h.clone();
        tokio::spawn(async move { h.state.login(&h.profile_id, LIVE, Zeroizing::new(DEMO_PASSWORD.into()), true).await })
    };
    let entered = Arc::new(Mutex::new(entered));
    let wait_entered = |entered: Arc<Mutex<mpsc::Receiver<()>>>| async move {
        tokio::task::spawn_blocking(move || entered.lock().unwrap().recv_timeout(Duration::from_secs(20))).await.unwrap()
    };
    wait_entered(entered.clone()).await.expect("the keychain was asked");
    let key = h.state.current_key().await;
    assert!(key.is_ok(), "{key:?}");
    assert!(!done.load(Ordering::SeqCst), "the key was read while the keychain was still busy");
    release.send(()).unwrap();
    logging_in.await.unwrap().unwrap();
    assert_eq!(keychain.stored(&h.sb.url(), LIVE).as_deref(), Some(DEMO_PASSWORD));

    // The same for a settings change, as its command runs it.
    done.store(false, Ordering::SeqCst);
    let unticking = {
        let h = h.clone();
        tokio::spawn(async move { h.state.off_thread(|s| s.set_remember_password(&s.settings().selected_profile.unwrap(), false)).await })
    };
    wait_entered(entered).await.expect("the keychain was asked");
    assert!(h.state.current_key().await.is_ok());
    assert!(!done.load(Ordering::SeqCst));
    release.send(()).unwrap();
    unticking.await.unwrap().unwrap();
    assert_eq!(keychain.stored(&h.sb.url(), LIVE), None);
}
