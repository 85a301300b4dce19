//! Rotation in the real window on a slow, flaky network (the sandbox's latency and status
//! faults): a sent request is never hidden, one dialog per press, logout waits for the answer
//! and asks before clearing the new secret, exact words per outcome, and the rollout watch
//! until the merchant's systems use the new key.

use crate::support;

use std::process::Command;
use std::time::Duration;

use certopay_sandbox::Options;
use serde_json::json;
use support::app::{arm, open_logged_in, requests_to, sandbox, served_key, LIVE, ONE_WINDOW};
use support::rotation::{clipboard_text, payment_status, rotate_through_the_window, send_rotation, wait_clipboard};
use support::webdriver::{Window, PATIENCE};

const REGENERATE: &str = "/api/api-keys/me/regenerate";
const KEY_READ: &str = "GET /api/api-keys/me";

async fn wait_rotating(w: &Window) {
    w.wait_for("document.querySelector('#rotate-now').textContent === 'Rotating…'", "Rotating…").await;
}

/// The titles of the X11 windows, as the window manager and the taskbar read them.
fn x11_window_titles() -> String {
    let output = Command::new("xwininfo").args(["-root", "-tree"]).output().expect("xwininfo runs (package x11-utils)");
    String::from_utf8_lossy(&output.stdout).to_string()
}

/// Waits until an X11 window's title contains `text` (the native title follows the page's a
/// moment later, through the main loop).
async fn wait_x11_title(text: &str) {
    let started = std::time::Instant::now();
    while !x11_window_titles().contains(text) {
        assert!(started.elapsed() < PATIENCE, "no window titled {text:?}:\n{}", x11_window_titles());
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn escape_and_cancel_during_the_call_keep_the_dialog_and_the_secret_arrives() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = open_logged_in(&sb, LIVE).await;
    arm(&sb, json!({"path": REGENERATE, "kind": "latency", "delayMs": 4000})).await;
    send_rotation(&w, "Chave principal", None).await;
    wait_rotating(&w).await;

    assert!(w.text("#rotate-step2-wait").await.starts_with("The rotation has been sent. Waiting for CertoPay’s answer"));
    w.press("\u{E00C}").await;
    w.click("#rotate-cancel2").await;
    let state = "const d = document.querySelector('#rotate-step2');
                 return [d.open, document.querySelector('#rotate-cancel2').disabled, !document.querySelector('#rotate-step2-wait').hidden];";
    assert_eq!(w.script(state, vec![]).await, json!([true, true, true]), "Escape and Cancel do not hide it");
    w.screenshot("rotate-rotating-light").await;

    w.wait_for("!document.querySelector('#rotation-result').hidden", "the result").await;
    let new_prefix = served_key(&sb, LIVE).await["keyPrefix"].as_str().unwrap().to_string();
    let secret = clipboard_text().expect("the secret arrived on the clipboard");
    assert!(secret.starts_with(new_prefix.trim_end_matches("...")));
    assert_eq!(w.script("return document.querySelector('#rotate-step2').open;", vec![]).await, json!(false));
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_double_press_of_rotate_opens_one_dialog() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = open_logged_in(&sb, LIVE).await;
    // Step 1 reads the key once: count those reads, however the button is pressed.
    let reads_before = requests_to(&sb, KEY_READ).await;
    arm(&sb, json!({"path": "/api/api-keys/me", "kind": "latency", "delayMs": 1500, "count": 2})).await;
    w.script("const b = document.querySelector('#rotate-open'); b.click(); b.click();", vec![]).await;
    assert_eq!(
        w.script("const b = document.querySelector('#rotate-open'); return [b.disabled, b.textContent];", vec![]).await,
        json!([true, "Preparing…"]),
        "busy while step 1 is prepared"
    );
    w.click("#rotate-open").await;
    w.wait_for("document.querySelector('#rotate-step1').open", "step 1").await;
    assert_eq!(requests_to(&sb, KEY_READ).await, reads_before + 1, "one step 1");
    w.press("\u{E00C}").await;
    w.wait_for("!document.querySelector('#rotate-step1').open", "step 1 to close").await;
    // Once the key reads quickly again, a Refresh round trip is longer than any late answer.
    w.click("#refresh").await;
    w.wait_for("document.querySelector('#refresh').textContent === 'Refresh'", "the refresh").await;
    assert_eq!(requests_to(&sb, KEY_READ).await, reads_before + 2, "step 1 and the refresh, nothing more");
    assert_eq!(w.script("return document.querySelectorAll('dialog[open]').length;", vec![]).await, json!(0));
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn logout_during_the_call_waits_shows_the_result_and_asks() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = open_logged_in(&sb, LIVE).await;
    arm(&sb, json!({"path": REGENERATE, "kind": "latency", "delayMs": 3000})).await;
    send_rotation(&w, "Chave principal", None).await;
    wait_rotating(&w).await;

    w.click("#logout").await;
    w.wait_for("document.querySelector('#notice').textContent.startsWith('A rotation is in progress')", "why the logout waits").await;
    w.wait_for("document.querySelector('#confirm-dialog').open", "the question").await;
    assert!(!w.visible("#view-login").await, "not logged out yet");
    assert!(w.visible("#rotation-result").await, "the result is shown");
    assert_eq!(w.text("#confirm-text").await, "The new key is on your clipboard. Logging out clears it: paste it first.");
    assert_eq!(w.text("#confirm-yes").await, "Log out anyway");
    assert_eq!(w.text("#confirm-no").await, "Stay");
    w.screenshot("logout-asks-light").await;
    let secret = clipboard_text().expect("delivered");

    w.click("#confirm-no").await;
    w.wait_for("!document.querySelector('#confirm-dialog').open", "the question to close").await;
    assert!(w.visible("#view-dashboard").await);
    assert_eq!(clipboard_text().as_deref(), Some(secret.as_str()), "Stay keeps the secret on the clipboard");

    w.click("#logout").await;
    w.wait_for("document.querySelector('#confirm-dialog').open", "the question again").await;
    w.click("#confirm-yes").await;
    w.wait_for("!document.querySelector('#view-login').hidden", "the login screen").await;
    wait_clipboard(None, "cleared by the logout").await;
    // Nothing that named the key stays in the page.
    for id in ["#rotation-result-text", "#rotate-step1-key", "#rotate-typed-label", "#key-prefix", "#rollout-text"] {
        assert_eq!(w.text(id).await, "", "{id} is emptied");
    }
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_error_is_told_apart_and_replaces_the_earlier_result() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = open_logged_in(&sb, LIVE).await;
    rotate_through_the_window(&w, "Chave principal", None).await;
    w.wait_for("!document.querySelector('#rotation-result').hidden", "the first result").await;
    let prefix = served_key(&sb, LIVE).await["keyPrefix"].clone();

    arm(&sb, json!({"path": REGENERATE, "kind": "status", "status": 502})).await;
    rotate_through_the_window(&w, "Chave principal", None).await;
    w.wait_for("!document.querySelector('#rotation-error').hidden", "the outcome").await;
    assert_eq!(
        w.text("#rotation-error").await,
        "The key was not rotated: CertoPay answered with an error, and the app checked the key 3 times over 1 s. Your current key still works; try again in a moment."
    );
    assert_eq!(w.text("#rotation-error-details code").await, "HTTP 502");
    assert!(!w.visible("#rotation-result").await, "the earlier result is gone");
    assert_eq!(served_key(&sb, LIVE).await["keyPrefix"], prefix);

    // A label of any length, with no spaces, stays inside the card and the dialogs.
    let long = "Chave_de_integracao_do_ERP_financeiro_da_loja_matriz_e_das_filiais_".repeat(3);
    w.script("document.querySelector('#key-label').textContent = arguments[0];", vec![json!(long)]).await;
    let fits = "const card = document.querySelector('#key-label').closest('.card');
                return card.scrollWidth <= card.clientWidth && document.documentElement.scrollWidth <= window.innerWidth;";
    assert_eq!(w.script(fits, vec![]).await, json!(true), "the long label overflows the card");
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_rollout_watch_sees_the_new_key_in_use() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = open_logged_in(&sb, LIVE).await;
    rotate_through_the_window(&w, "Chave principal", None).await;
    w.wait_for("!document.querySelector('#rollout').hidden", "the watch").await;
    let waiting = w.text("#rollout-text").await;
    assert!(waiting.starts_with("Waiting for your systems to use the new key: "), "{waiting}");
    assert!(waiting.ends_with("since the rotation. Until then every payment request with the old key fails."), "{waiting}");
    wait_x11_title("Waiting for the new key (").await;
    w.screenshot("rollout-waiting-light").await;

    // The merchant's server starts using the secret from the clipboard.
    let secret = clipboard_text().expect("delivered");
    assert_eq!(payment_status(&sb, &secret).await, 200);
    w.wait_for_within(
        "document.querySelector('#rollout-text').textContent.startsWith('Your systems are using the new key since ')",
        "the watch to see the new key in use",
        Duration::from_secs(25),
    )
    .await;
    w.screenshot("rollout-done-light").await;
    wait_x11_title("New key in use").await;
    w.wait_for("document.querySelector('#history-rows td:last-child').textContent.startsWith('after ')", "the history row").await;
    w.close().await;
}
