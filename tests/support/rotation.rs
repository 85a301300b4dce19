//! What the rotation window tests share: the X11 clipboard as another program sees it, the
//! sandbox's payment endpoint, and the two confirmation steps as a user takes them.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use certopay_sandbox::Sandbox;
use serde_json::{json, Value};

use super::app::sandbox_jwt;
use super::webdriver::{Window, PATIENCE};

/// What another program pasting from the clipboard gets (`None`: nothing).
pub fn clipboard_text() -> Option<String> {
    let output = Command::new("xclip").args(["-o", "-selection", "clipboard"]).output().expect("xclip runs (package xclip)");
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    (output.status.success() && !text.is_empty()).then_some(text)
}

pub fn clipboard_targets() -> String {
    let output = Command::new("xclip").args(["-o", "-selection", "clipboard", "-t", "TARGETS"]).output().unwrap();
    String::from_utf8_lossy(&output.stdout).to_string()
}

/// Copies text as another program would (xclip keeps serving it in the background).
pub fn copy_elsewhere(text: &str) {
    use std::io::Write;
    let mut child = Command::new("xclip")
        .args(["-i", "-selection", "clipboard"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    child.wait().unwrap();
}

/// Waits for the clipboard to say what is expected (another process's view of it).
pub async fn wait_clipboard(expected: Option<&str>, what: &str) {
    let started = Instant::now();
    while clipboard_text().as_deref() != expected {
        assert!(started.elapsed() < PATIENCE, "waited for the clipboard to be {what}; it holds {:?}", clipboard_text().map(|t| t.len()));
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub async fn payment_status(sb: &Sandbox, secret: &str) -> u16 {
    let response = reqwest::Client::new().get(format!("{}/api/customers", sb.url())).header("X-Api-Key", secret).send().await.unwrap();
    response.status().as_u16()
}

/// Rotates through the sandbox API as the merchant once did: the secret their servers hold.
pub async fn secret_in_use(sb: &Sandbox, email: &str) -> String {
    let jwt = sandbox_jwt(sb, email).await;
    let body: Value = reqwest::Client::new()
        .post(format!("{}/api/api-keys/me/regenerate", sb.url()))
        .bearer_auth(jwt)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["apiKey"].as_str().unwrap().to_string()
}

pub async fn set_delays(w: &Window, clear_seconds: u32, idle_minutes: u32) {
    let saved = w
        .invoke(
            "save_preferences",
            json!({"preferences": {
                "rotationPeriodDays": 90, "clipboardClearSeconds": clear_seconds,
                "idleLockMinutes": idle_minutes, "language": null
            }}),
        )
        .await;
    assert_eq!(saved["ok"]["clipboardClearSeconds"], clear_seconds, "{saved}");
}

/// Both steps through the window, as a user does them, up to the dialog closing.
pub async fn rotate_through_the_window(w: &Window, typed: &str, shots: Option<&str>) {
    send_rotation(w, typed, shots).await;
    w.wait_for("!document.querySelector('#rotate-step2').open", "the dialog to close").await;
}

/// Both steps through the window, up to pressing "Rotate now".
pub async fn send_rotation(w: &Window, typed: &str, shots: Option<&str>) {
    w.click("#rotate-open").await;
    w.wait_for("document.querySelector('#rotate-step1').open", "step 1").await;
    if let Some(prefix) = shots {
        w.screenshot(&format!("{prefix}-step1-light")).await;
    }
    w.click("#rotate-continue").await;
    w.wait_for("document.querySelector('#rotate-step2').open", "step 2").await;
    assert_eq!(
        w.script("return document.querySelector('#rotate-now').disabled;", vec![]).await,
        json!(true),
        "Rotate now waits for the typed label"
    );
    w.type_into("#rotate-typed", "Chave errada").await;
    assert_eq!(w.script("return document.querySelector('#rotate-now').disabled;", vec![]).await, json!(true));
    w.type_into("#rotate-typed", typed).await;
    assert_eq!(w.script("return document.querySelector('#rotate-now').disabled;", vec![]).await, json!(false));
    if let Some(prefix) = shots {
        w.screenshot(&format!("{prefix}-step2-light")).await;
    }
    w.click("#rotate-now").await;
}
