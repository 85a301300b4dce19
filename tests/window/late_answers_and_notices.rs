//! The truth at the dangerous moment, in the real window under Xvfb: a commit that comes after
//! the app gave up is shown as "no answer yet", then "rotated after all" with the new prefix
//! and the history corrected; a screen lock right after delivery leaves the "removed from the
//! clipboard" notice on the login screen (English and Portuguese); a rotation near the end of
//! the session is refused with its sentence and a way on; after a login with the remembered
//! password, step 2 asks for the password.

use crate::support;

use std::time::Duration;

use certopay_sandbox::{Options, DEMO_PASSWORD};
use serde_json::{json, Value};
use support::app::{arm, log_in, log_in_remembering, open, sandbox, screen_locks, served_key, wait_dashboard, LIVE, ONE_WINDOW};
use support::rotation::{clipboard_text, copy_elsewhere, payment_status, rotate_through_the_window, wait_clipboard};
use support::webdriver::{Launch, Window, APP_SETTLE_MS};

const REGENERATE: &str = "/api/api-keys/me/regenerate";

async fn history_outcomes(w: &Window) -> Vec<Value> {
    w.invoke("rotation_history", json!({})).await["ok"].as_array().unwrap().iter().map(|e| e["outcome"].clone()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_late_commit_says_no_answer_yet_then_rotated_after_all() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    // The app gives up after 1 s and checks at once, then 1, 2.5, 5 and 8 s later; the server
    // commits 3 s after the request came, when the app has already checked twice.
    let env = vec![("CERTOPAY_KEYS_REQUEST_TIMEOUT_MS", "1000".to_string()), ("CERTOPAY_KEYS_SETTLE_MS", "0,1000,2500,5000,8000".into())];
    let w = Window::open(Launch { base_url: &sb.url(), env, home: None }).await;
    log_in(&w, LIVE, DEMO_PASSWORD).await;
    wait_dashboard(&w).await;
    let before = served_key(&sb, LIVE).await["keyPrefix"].clone();
    copy_elsewhere("the user's own copy");

    arm(&sb, json!({"path": REGENERATE, "kind": "late_commit", "delayMs": 3000})).await;
    rotate_through_the_window(&w, "Chave principal", None).await;
    w.wait_for("!document.querySelector('#rotation-checking').hidden", "the 'no answer yet' banner").await;
    let checking = w.text("#rotation-checking").await;
    assert!(
        checking.starts_with("No answer yet. So far the key has not changed; the app keeps checking until ")
            && checking.ends_with(". Don’t rotate again until then."),
        "{checking}"
    );
    assert_eq!(
        w.script("return document.querySelector('#rotate-open').disabled;", vec![]).await,
        json!(true),
        "no second rotation meanwhile"
    );
    assert!(w.visible("#key-prefix").await, "the rest of the window stays usable");
    w.screenshot("rotate-checking-light").await;

    w.wait_for("!document.querySelector('#rotation-error').hidden", "the outcome").await;
    assert_eq!(
        w.text("#rotation-error").await,
        "The key was rotated after all: the server finished late, and the new key never reached this app. The old key no longer works: rotate again now."
    );
    assert!(!w.visible("#rotation-checking").await, "the banner gave way to the outcome");
    let after = served_key(&sb, LIVE).await["keyPrefix"].clone();
    assert_ne!(after, before, "the sandbox committed late");
    w.wait_for(&format!("document.querySelector('#key-prefix').textContent === {after}"), "the dashboard to show the new key").await;
    assert_eq!(history_outcomes(&w).await, [json!("rotatedSecretLost")], "the history row was corrected");
    w.wait_for("document.querySelector('#history-rows').textContent.includes('Rotated, secret lost')", "the history table").await;
    assert_eq!(clipboard_text().as_deref(), Some("the user's own copy"), "no secret came, none was copied");
    w.screenshot("rotate-rotated-after-all-light").await;
    w.close().await;
}

/// Logs in, rotates, and sends the screensaver's "active" signal right after delivery.
async fn lock_after_delivery(w: &Window, sb: &certopay_sandbox::Sandbox) -> String {
    log_in(w, LIVE, DEMO_PASSWORD).await;
    wait_dashboard(w).await;
    rotate_through_the_window(w, "Chave principal", None).await;
    w.wait_for("!document.querySelector('#rotation-result').hidden", "the result").await;
    let prefix = served_key(sb, LIVE).await["keyPrefix"].as_str().unwrap().to_string();
    let secret = clipboard_text().expect("the new key is on the clipboard");
    assert!(secret.starts_with(prefix.trim_end_matches('.')));
    screen_locks();
    w.wait_for("!document.querySelector('#view-login').hidden", "the login screen").await;
    wait_clipboard(None, "the clipboard to be cleared").await;
    assert_eq!(payment_status(sb, &secret).await, 200, "the removed key is the live one: the notice matters");
    prefix
}

#[tokio::test(flavor = "multi_thread")]
async fn a_screen_lock_after_delivery_leaves_the_notice_on_the_login_screen() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = open(&sb).await;
    let prefix = lock_after_delivery(&w, &sb).await;
    assert_eq!(
        w.text("#secret-removed").await,
        format!(
            "The new key {prefix} was removed from the clipboard when the screen locked. If you had not pasted it yet, log in and rotate again: the old key no longer works."
        )
    );
    w.screenshot("login-secret-removed-light").await;
    // Kept until the next login.
    log_in(&w, LIVE, DEMO_PASSWORD).await;
    wait_dashboard(&w).await;
    assert!(!w.visible("#secret-removed").await);
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_notice_speaks_portuguese() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let env = vec![("LANG", "pt_BR.UTF-8".to_string()), ("LANGUAGE", String::new())];
    let w = Window::open(Launch { base_url: &sb.url(), env, home: None }).await;
    let prefix = lock_after_delivery(&w, &sb).await;
    assert_eq!(
        w.text("#secret-removed").await,
        format!(
            "A chave nova {prefix} foi apagada da área de transferência quando a tela foi bloqueada. Se você ainda não a tinha colado, entre e troque a chave de novo: a chave antiga não funciona mais."
        )
    );
    w.screenshot("pt-login-secret-removed-light").await;
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rotation_near_the_end_of_the_session_is_refused_with_a_way_on() {
    let _one = ONE_WINDOW.lock().await;
    // 100 s of session; a rotation needs 20 s + 2 min + 60 s.
    let sb = sandbox(Options { token_ttl: Duration::from_secs(100), ..Options::default() }).await;
    let w = Window::open(Launch { base_url: &sb.url(), env: vec![("CERTOPAY_KEYS_SETTLE_MS", APP_SETTLE_MS.into())], home: None }).await;
    log_in(&w, LIVE, DEMO_PASSWORD).await;
    wait_dashboard(&w).await;
    w.click("#rotate-open").await;
    w.wait_for("!document.querySelector('#rotation-error').hidden", "the refusal").await;
    let refusal = w.text("#rotation-error").await;
    assert!(refusal.starts_with("Your session ends in "), "{refusal}");
    assert!(
        refusal.ends_with(
            ", and a rotation needs 3 min 20 s: time for CertoPay’s answer, for checks if it is slow, and to paste the new key. Log in again first, then rotate."
        ),
        "{refusal}"
    );
    assert!(!w.script("return document.querySelector('#rotate-step1').open;", vec![]).await.as_bool().unwrap(), "no step 1");
    assert!(w.visible("#rotate-relogin").await);
    assert!(!w.visible("#rotate-renew").await, "no remembered password to renew with");
    w.screenshot("rotate-too-soon-light").await;
    w.click("#rotate-relogin").await;
    w.wait_for("!document.querySelector('#view-login').hidden", "the login screen").await;
    assert_eq!(w.text("#notice").await, "Log in again, then rotate: a new session has time to see the rotation through.");
    assert_eq!(w.value("#login-email").await, LIVE);
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn after_a_login_with_the_remembered_password_step_2_asks_for_it() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = open(&sb).await;
    log_in_remembering(&w, LIVE, DEMO_PASSWORD).await;
    wait_dashboard(&w).await;
    w.click("#logout").await;
    w.wait_for("!document.querySelector('#view-login').hidden", "the login screen").await;
    // The remembered password alone: nobody typed it.
    w.click("#login-submit").await;
    wait_dashboard(&w).await;

    w.click("#rotate-open").await;
    w.wait_for("document.querySelector('#rotate-step1').open", "step 1").await;
    assert_eq!(w.script("return document.activeElement.id;", vec![]).await, json!("rotate-step1-title"), "the focus on the title");
    w.click("#rotate-continue").await;
    w.wait_for("document.querySelector('#rotate-step2').open", "step 2").await;
    assert!(w.visible("#rotate-password").await, "step 2 asks for the password");
    assert_eq!(
        w.text("#rotate-password-hint").await,
        "This session was opened with the remembered password. To rotate, type it again: it is checked on this computer and sent nowhere."
    );
    w.type_into("#rotate-typed", "Chave principal").await;
    assert_eq!(w.script("return document.querySelector('#rotate-now').disabled;", vec![]).await, json!(true), "not without the password");
    w.type_into("#rotate-password", "not-the-password").await;
    w.screenshot("rotate-step2-password-light").await;
    w.click("#rotate-now").await;
    w.wait_for("!document.querySelector('#rotate-step2-error').hidden", "the refusal").await;
    assert_eq!(w.text("#rotate-step2-error").await, "That is not this account’s password. Check what you typed.");
    assert!(
        w.script("return document.querySelector('#rotate-step2').open;", vec![]).await.as_bool().unwrap(),
        "the dialog stays to correct it"
    );
    assert_eq!(history_outcomes(&w).await.len(), 0, "nothing was sent");

    w.type_into("#rotate-password", DEMO_PASSWORD).await;
    w.click("#rotate-now").await;
    w.wait_for("!document.querySelector('#rotation-result').hidden", "the result").await;
    let secret = clipboard_text().expect("the new key is on the clipboard");
    assert_eq!(payment_status(&sb, &secret).await, 200);
    let page = w.script("return document.documentElement.outerHTML;", vec![]).await;
    assert!(!page.as_str().unwrap().contains(DEMO_PASSWORD), "the typed password left no trace in the page");
    w.close().await;
}
