//! Rotation in the real window under Xvfb, against the sandbox: both confirmations, the
//! secret read back from the X11 clipboard by another process (xclip) while the app runs,
//! the clear timer, logout, the viewer's 403, the unknown outcome, and that the secret and
//! the JWT end up nowhere but the clipboard.

use crate::support;

use std::path::Path;
use std::time::{Duration, Instant};

use certopay_sandbox::{Options, DEMO_PASSWORD};
use serde_json::{json, Value};
use support::app::{arm, log_in, open, open_logged_in, sandbox, served_key, wait_dashboard, JWT_START, LIVE, ONE_WINDOW};
use support::rotation::{
    clipboard_targets, clipboard_text, copy_elsewhere, payment_status, rotate_through_the_window, secret_in_use, set_delays, wait_clipboard,
};

/// Every file under a folder, searched for a text (bytes, so binary files count too).
fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).into_iter().flatten().flatten().map(|e| e.path()));
        } else if let Ok(bytes) = std::fs::read(&path) {
            if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                found.push(path.display().to_string());
            }
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread")]
async fn both_steps_deliver_the_secret_once_and_the_old_key_dies() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let old_secret = secret_in_use(&sb, LIVE).await;
    assert_eq!(payment_status(&sb, &old_secret).await, 200);
    let w = open_logged_in(&sb, LIVE).await;
    copy_elsewhere("what the user had copied");

    w.click("#rotate-open").await;
    w.wait_for("document.querySelector('#rotate-step1').open", "step 1").await;
    assert_eq!(w.text("#rotate-step1-title").await, "Rotate the API key of the profile Sandbox?");
    let step1 = w.text("#rotate-step1").await;
    for sentence in
        ["LIVE KEY", "stops working at once", "fails (401) until it has the new key", "copied to the clipboard once. It is never shown."]
    {
        assert!(step1.contains(sentence), "step 1 says {sentence:?}: {step1}");
    }
    assert_eq!(clipboard_text().as_deref(), Some("what the user had copied"), "the clipboard check did not clobber it");
    // Escape backs out and nothing happens.
    w.press("\u{E00C}").await;
    w.wait_for("!document.querySelector('#rotate-step1').open", "step 1 to close").await;
    let before = served_key(&sb, LIVE).await;

    rotate_through_the_window(&w, "Chave principal", Some("rotate")).await;
    w.wait_for("!document.querySelector('#rotation-result').hidden", "the result").await;
    let served = served_key(&sb, LIVE).await;
    assert_ne!(served["keyPrefix"], before["keyPrefix"]);
    let new_prefix = served["keyPrefix"].as_str().unwrap();
    assert_eq!(
        w.text("#rotation-result-text").await,
        format!("New key {new_prefix} copied to the clipboard. It will be cleared in 60 s. It will not be shown again.")
    );
    assert_eq!(w.text("#key-prefix").await, new_prefix, "the dashboard shows the new key");
    w.screenshot("rotate-result-light").await;

    let secret = clipboard_text().expect("the secret is on the clipboard");
    assert!(secret.starts_with(new_prefix.trim_end_matches("...")), "the new prefix starts the delivered secret");
    assert!(clipboard_targets().contains("x-kde-passwordManagerHint"), "marked for password managers: {}", clipboard_targets());
    assert_eq!(payment_status(&sb, &old_secret).await, 401, "the old key is refused");
    assert_eq!(payment_status(&sb, &secret).await, 200, "the new key works");

    // The secret is nowhere in the window or in what invoke returns.
    let mut returned = String::new();
    for command in ["app_snapshot", "current_key", "rotation_history", "clipboard_status"] {
        returned.push_str(&w.invoke(command, json!({})).await.to_string());
    }
    let page = w.page_dump().await;
    for (haystack, place) in [(&page, "page"), (&returned, "invoke results")] {
        assert!(!haystack.contains(&secret[8..]), "the secret is in the {place}");
        assert!(!haystack.contains(JWT_START), "a JWT is in the {place}");
    }
    let history = w.invoke("rotation_history", json!({})).await;
    assert_eq!(history["ok"][0]["outcome"], "rotated");
    assert_eq!(history["ok"][0]["newPrefix"], new_prefix);
    assert_eq!(history["ok"][0]["oldPrefix"], before["keyPrefix"]);
    assert!(w.text("#history-rows").await.contains("Rotated"));

    // A spent or invented confirmation is refused without reaching the server.
    for token in ["", "0000"] {
        let refused = w.invoke("confirm_rotation", json!({"confirmationToken": token, "typed": "Chave principal"})).await;
        assert_eq!(refused["err"]["kind"], "Confirmation", "{refused}");
        assert_eq!(refused["err"]["reason"], "missing");
    }
    assert_eq!(served_key(&sb, LIVE).await["keyPrefix"], served["keyPrefix"], "nothing rotated");

    w.click("#clipboard-clear").await;
    w.wait_for("document.querySelector('#rotation-result-countdown').textContent === 'The clipboard was cleared.'", "the clear").await;
    assert_eq!(clipboard_text(), None, "cleared, and the old content not restored");

    let home = w.close().await;
    let leaks = files_containing(home.path(), &secret[8..]);
    assert!(leaks.is_empty(), "the secret is in {leaks:?}");
    let leaks = files_containing(home.path(), JWT_START);
    assert!(leaks.is_empty(), "a JWT is in {leaks:?}");
    let log = std::fs::read_to_string(home.path().join("app.log")).unwrap_or_default();
    assert!(!log.contains(&secret[8..]) && !log.contains(JWT_START), "the log holds a secret or a JWT");
    let history_file = std::fs::read_to_string(home.path().join("data/com.certopay.keys/rotation-history.jsonl")).unwrap();
    assert!(history_file.contains(new_prefix), "the history is on disk, with prefixes only");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_clipboard_is_cleared_after_the_delay_unless_the_user_copied_something_else() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = open_logged_in(&sb, "admin@test.example").await;
    set_delays(&w, 2, 10).await;

    rotate_through_the_window(&w, "Homologação", None).await;
    w.wait_for("!document.querySelector('#rotation-result').hidden", "the result").await;
    let secret = clipboard_text().expect("delivered");
    assert!(secret.starts_with("sk_test_"));
    assert!(w.text("#rotation-result-text").await.contains("It will be cleared in 2 s."));
    wait_clipboard(None, "cleared after 2 s").await;
    w.wait_for("document.querySelector('#rotation-result-countdown').textContent === 'The clipboard was cleared.'", "the window to say so")
        .await;

    // Time enough to copy something else before the clear comes.
    set_delays(&w, 5, 10).await;
    rotate_through_the_window(&w, "Homologação", None).await;
    w.wait_for("!document.querySelector('#rotation-result').hidden", "the result").await;
    assert!(clipboard_text().is_some_and(|t| t.starts_with("sk_test_")));
    copy_elsewhere("my own note");
    w.wait_for(
        "document.querySelector('#rotation-result-countdown').textContent.startsWith('You copied something else')",
        "the clear to leave the user's copy alone",
    )
    .await;
    assert_eq!(clipboard_text().as_deref(), Some("my own note"));
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_clear_countdown_starts_when_the_window_says_it_even_after_a_slow_details_read() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = open_logged_in(&sb, "admin@test.example").await;
    set_delays(&w, 8, 10).await;
    w.click("#rotate-open").await;
    w.wait_for("document.querySelector('#rotate-step1').open", "step 1").await;
    w.click("#rotate-continue").await;
    w.wait_for("document.querySelector('#rotate-step2').open", "step 2").await;
    w.type_into("#rotate-typed", "Homologação").await;
    // The answer brings the secret but not the key's details, and reading them is slow: longer
    // than the clear's whole delay.
    arm(&sb, json!({"path": "/api/api-keys/me/regenerate", "kind": "no_details"})).await;
    arm(&sb, json!({"path": "/api/api-keys/me", "kind": "latency", "delayMs": 12000})).await;
    w.click("#rotate-now").await;
    w.wait_for_within("!document.querySelector('#rotation-result').hidden", "the result", Duration::from_secs(30)).await;
    let shown = Instant::now();
    let secret = clipboard_text().expect("the key is on the clipboard when the window says it was copied");
    assert!(secret.starts_with("sk_test_"));
    assert!(w.text("#rotation-result-text").await.contains("It will be cleared in 8 s."));
    w.screenshot("rotate-slow-details-countdown-light").await;
    wait_clipboard(None, "cleared at the end of the countdown").await;
    let held = shown.elapsed();
    assert!(held >= Duration::from_secs(5), "the key was cleared {held:?} after the window said it had 8 s");
    w.wait_for("document.querySelector('#rotation-result-countdown').textContent === 'The clipboard was cleared.'", "the window to say so")
        .await;
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn logging_out_clears_the_clipboard_first() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = open_logged_in(&sb, LIVE).await;
    // The bare prefix confirms as well as the label.
    let prefix = w.text("#key-prefix").await;
    rotate_through_the_window(&w, prefix.trim_end_matches("..."), None).await;
    w.wait_for("!document.querySelector('#rotation-result').hidden", "the result").await;
    assert!(clipboard_text().is_some());
    // Logging out now would clear the new secret: the window asks first.
    w.click("#logout").await;
    w.wait_for("document.querySelector('#confirm-dialog').open", "the question").await;
    w.click("#confirm-yes").await;
    w.wait_for("!document.querySelector('#view-login').hidden", "the login screen").await;
    assert_eq!(clipboard_text(), None, "logout cleared the secret");
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_viewer_is_refused_and_rotation_stays_off() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let before = served_key(&sb, LIVE).await;
    let w = open_logged_in(&sb, "viewer@live.example").await;
    rotate_through_the_window(&w, "Chave principal", None).await;
    w.wait_for("!document.querySelector('#rotation-error').hidden", "the refusal").await;
    assert_eq!(w.text("#rotation-error").await, "This account is not allowed to rotate keys. Nothing was rotated.");
    assert_eq!(w.script("return document.querySelector('#rotate-open').disabled;", vec![]).await, json!(true));
    assert_eq!(w.text("#rotate-reason").await, "This account is not allowed to rotate keys.");
    assert_eq!(served_key(&sb, LIVE).await["keyPrefix"], before["keyPrefix"]);
    w.screenshot("rotate-forbidden-light").await;
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn no_answer_is_settled_by_reading_the_key_again() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = open_logged_in(&sb, LIVE).await;
    copy_elsewhere("unchanged");

    let before = served_key(&sb, LIVE).await;
    arm(&sb, json!({"path": "/api/api-keys/me/regenerate", "kind": "drop_after_commit"})).await;
    rotate_through_the_window(&w, "Chave principal", None).await;
    w.wait_for("!document.querySelector('#rotation-error').hidden", "the outcome").await;
    assert_eq!(
        w.text("#rotation-error").await,
        "The key was rotated, but the new secret was lost on the way: the old key no longer works. Rotate again to get a new secret."
    );
    let after = served_key(&sb, LIVE).await;
    assert_ne!(after["keyPrefix"], before["keyPrefix"]);
    w.wait_for(
        &format!("document.querySelector('#key-prefix').textContent === {}", after["keyPrefix"]),
        "the dashboard to show the new key",
    )
    .await;
    assert_eq!(clipboard_text().as_deref(), Some("unchanged"), "no secret came, none was copied");
    w.screenshot("rotate-secret-lost-light").await;

    arm(&sb, json!({"path": "/api/api-keys/me/regenerate", "kind": "status", "status": 503})).await;
    rotate_through_the_window(&w, "Chave principal", None).await;
    w.wait_for("document.querySelector('#rotation-error').textContent.startsWith('The key was not rotated')", "the outcome").await;
    assert_eq!(served_key(&sb, LIVE).await["keyPrefix"], after["keyPrefix"], "the old key is still current");

    arm(&sb, json!({"path": "/api/api-keys/me/regenerate", "kind": "no_secret"})).await;
    rotate_through_the_window(&w, "Chave principal", None).await;
    w.wait_for("document.querySelector('#rotation-error').textContent.includes('carried no secret')", "the outcome").await;

    let outcomes: Vec<Value> =
        w.invoke("rotation_history", json!({})).await["ok"].as_array().unwrap().iter().map(|e| e["outcome"].clone()).collect();
    assert_eq!(outcomes, [json!("rotatedSecretLost"), json!("notRotated"), json!("rotatedSecretLost")]);
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_idle_window_locks_clears_the_clipboard_and_keeps_the_email() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = open(&sb).await;
    // Saved before logging in, as the window reads its settings when a session starts.
    set_delays(&w, 600, 1).await;
    log_in(&w, LIVE, DEMO_PASSWORD).await;
    wait_dashboard(&w).await;
    rotate_through_the_window(&w, "Chave principal", None).await;
    w.wait_for("!document.querySelector('#rotation-result').hidden", "the result").await;
    assert!(clipboard_text().is_some());
    // No input for the idle delay (1 minute, the shortest): the session is dropped.
    w.wait_for_within("!document.querySelector('#view-login').hidden", "the idle lock", Duration::from_secs(90)).await;
    assert_eq!(w.text("#notice").await, "Locked after 1 min without activity. Log in again to continue.");
    assert_eq!(clipboard_text(), None, "the lock cleared the secret");
    assert_eq!(w.value("#login-email").await, LIVE);
    assert_eq!(w.invoke("current_key", json!({})).await["err"]["kind"], "NotLoggedIn", "the JWT is gone");
    w.close().await;
}
