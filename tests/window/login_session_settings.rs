//! The real window under Xvfb, driven through WebKitWebDriver, against the sandbox over real
//! HTTP. Run by `make test`, which provides the display, D-Bus and an unlocked keychain.

use crate::support;

use std::time::Duration;

use certopay_sandbox::{Options, DEMO_PASSWORD};
use serde_json::{json, Value};
use support::app::{
    keychain_lookup, log_in, log_in_remembering, log_out, nothing_listens_url, open, open_logged_in, open_settings, sandbox, screen_locks,
    served_key, wait_dashboard, JWT_START, LIVE, ONE_WINDOW,
};
use support::webdriver::{Launch, Window};

fn same_instant(shown: &Value, served: &Value) -> bool {
    let parse = |v: &Value| chrono::DateTime::parse_from_rfc3339(v.as_str().unwrap_or("")).ok();
    parse(shown).is_some() && parse(shown) == parse(served)
}

/// Checks every dashboard field against what the sandbox serves for this account.
async fn assert_dashboard_matches(w: &Window, served: &Value, expect: &Expect) {
    assert_eq!(w.text("#key-prefix").await, served["keyPrefix"].as_str().unwrap());
    assert_eq!(w.text("#key-masked").await, served["maskedKey"].as_str().unwrap());
    assert_eq!(w.text("#key-label").await, expect.label);
    assert_eq!(w.text("#key-mode").await, expect.mode);
    assert_eq!(w.text("#key-state").await, if expect.active { "Active" } else { "INACTIVE" });
    assert_eq!(w.visible("#key-inactive").await, !expect.active, "the inactive banner");
    if !expect.active {
        assert!(w.text("#key-inactive").await.contains("401"));
    }
    assert_eq!(w.text("#key-rate").await, format!("{} requests per minute", served["rateLimit"]));
    assert_eq!(w.text("#key-last-used").await, expect.last_used);
    let shown_last_used = w.script("return document.querySelector('#key-last-used').dataset.iso || null;", vec![]).await;
    if served["lastUsedAt"].is_null() {
        assert!(shown_last_used.is_null());
    } else {
        assert!(same_instant(&shown_last_used, &served["lastUsedAt"]), "{shown_last_used} vs {}", served["lastUsedAt"]);
        let exact = w.text("#key-last-used-exact").await;
        assert!(exact.contains("(your time)") && exact.ends_with("UTC"), "{exact}");
    }
    let shown_created = w.script("return document.querySelector('#key-created').dataset.iso;", vec![]).await;
    assert!(same_instant(&shown_created, &served["createdAt"]));
    assert_eq!(w.text("#key-age").await, expect.age);
    assert_eq!(w.visible("#key-due").await, expect.due, "the rotation-period warning");
}

struct Expect {
    label: &'static str,
    mode: &'static str,
    active: bool,
    last_used: &'static str,
    age: &'static str,
    due: bool,
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_then_right_password_then_every_field_as_served() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = open(&sb).await;
    assert_eq!(w.text("#login-profile option:checked").await, "Sandbox");
    w.screenshot("login-light").await;

    // Keyboard only: the e-mail has the focus, and Tab walks the form in reading order.
    let focused = || w.script("return document.activeElement.id;", vec![]);
    assert_eq!(focused().await, "login-email");
    for next in ["login-password", "login-remember", "login-submit"] {
        w.press("\u{E004}").await;
        assert_eq!(focused().await, next);
    }

    log_in(&w, LIVE, "not-the-password").await;
    w.wait_for("!document.querySelector('#login-error').hidden", "the login error").await;
    assert_eq!(w.text("#login-error").await, "Wrong e-mail or password.");
    assert_eq!(w.value("#login-email").await, LIVE, "the e-mail is kept");

    // Enter submits.
    w.type_into("#login-password", &format!("{DEMO_PASSWORD}\u{E007}")).await;
    wait_dashboard(&w).await;
    let live = served_key(&sb, LIVE).await;
    assert_dashboard_matches(
        &w,
        &live,
        &Expect { label: "Chave principal", mode: "LIVE", active: true, last_used: "4 minutes ago", age: "120 days", due: true },
    )
    .await;
    assert!(w.text("#session-line").await.starts_with(&format!("Logged in as {LIVE}")));
    w.screenshot("dashboard-light").await;
    log_out(&w).await;
    assert_eq!(w.value("#login-email").await, LIVE, "the e-mail is remembered for the profile");

    for (email, expect) in [
        (
            "admin@test.example",
            Expect { label: "Homologação", mode: "TEST", active: true, last_used: "3 hours ago", age: "20 days", due: false },
        ),
        (
            "admin@inactive.example",
            Expect { label: "Chave antiga", mode: "LIVE", active: false, last_used: "last month", age: "200 days", due: true },
        ),
        (
            "admin@unused.example",
            Expect { label: "API key (no label)", mode: "TEST", active: true, last_used: "never", age: "2 days", due: false },
        ),
    ] {
        log_in(&w, email, DEMO_PASSWORD).await;
        wait_dashboard(&w).await;
        assert_dashboard_matches(&w, &served_key(&sb, email).await, &expect).await;
        if email.starts_with("admin@inactive") {
            w.screenshot("dashboard-inactive-light").await;
        }
        log_out(&w).await;
    }
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_jwt_never_reaches_the_page_or_what_invoke_returns() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = open(&sb).await;
    let profile_id = w.invoke("app_snapshot", json!({})).await["ok"]["settings"]["selectedProfile"].clone();
    let mut returned = Vec::new();
    returned.push(w.invoke("login", json!({"profileId": profile_id, "email": LIVE, "password": DEMO_PASSWORD, "remember": false})).await);
    returned.push(w.invoke("app_snapshot", json!({})).await);
    returned.push(w.invoke("current_key", json!({})).await);
    returned.push(w.invoke("session_ended", json!({})).await);
    for value in &returned {
        assert!(value.get("ok").is_some(), "{value}");
    }
    assert!(returned[0]["ok"]["session"]["expiresAt"].is_string(), "the window learns when the session ends");
    let text = serde_json::to_string(&returned).unwrap();
    assert!(!text.contains(JWT_START), "a token in what invoke returned: {text}");
    // Nor can a crash write it to disk: the app's process makes no core dump.
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", w.app_pid())).unwrap();
    let core = limits.lines().find(|l| l.starts_with("Max core file size")).unwrap();
    assert_eq!(core.split_whitespace().skip(4).take(2).collect::<Vec<_>>(), ["0", "0"], "{core}");

    log_in(&w, LIVE, DEMO_PASSWORD).await;
    wait_dashboard(&w).await;
    w.click("#refresh").await;
    w.wait_for("document.querySelector('#refresh').disabled === false", "refresh to finish").await;
    let page = w.page_dump().await;
    assert!(page.contains("sk_live_"), "the dump does read the page");
    assert!(!page.contains(JWT_START), "a token in the page");
    assert!(!page.contains(DEMO_PASSWORD), "the password stays in no field");
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_two_second_session_returns_to_login_with_the_email_kept() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options { token_ttl: Duration::from_secs(2), ..Options::default() }).await;
    let w = open_logged_in(&sb, LIVE).await;
    assert!(w.text("#session-line").await.contains("session ends in 0:0"), "the countdown shows in the last minutes");
    w.wait_for("!document.querySelector('#view-login').hidden", "the login screen after expiry").await;
    assert_eq!(w.text("#notice").await, "Your session ended. Log in again to continue.");
    assert_eq!(w.value("#login-email").await, LIVE);
    assert_eq!(w.text("#login-profile option:checked").await, "Sandbox");
    // The app dropped the session: its commands say so.
    assert_eq!(w.invoke("current_key", json!({})).await["err"]["kind"], "NotLoggedIn");
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_remembered_password_lives_in_the_secret_service_and_logs_in_again() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options { token_ttl: Duration::from_secs(3), ..Options::default() }).await;
    let w = open(&sb).await;
    let snapshot = w.invoke("app_snapshot", json!({})).await;
    assert_eq!(snapshot["ok"]["keychain"]["available"], true, "make test provides an unlocked Secret Service: {snapshot}");
    assert_eq!(keychain_lookup(&sb.url(), LIVE), None);

    log_in_remembering(&w, LIVE, DEMO_PASSWORD).await;
    wait_dashboard(&w).await;
    assert_eq!(keychain_lookup(&sb.url(), LIVE).as_deref(), Some(DEMO_PASSWORD), "stored in the real Secret Service");
    let settings_file = std::fs::read_to_string(w.home.path().join("config/com.certopay.keys/settings.json")).unwrap();
    assert!(!settings_file.contains(DEMO_PASSWORD));
    // The choice is kept for the launch profile, which lives for this run only (never on disk).
    let snapshot = w.invoke("app_snapshot", json!({})).await;
    let launch = snapshot["ok"]["settings"]["profiles"].as_array().unwrap().iter().find(|p| p["id"] == "launch").unwrap().clone();
    assert_eq!(launch["rememberPassword"], true);

    w.wait_for("document.querySelector('#notice').textContent.includes('logged in again')", "the app to log in again by itself").await;
    assert!(w.visible("#view-dashboard").await);
    assert_eq!(w.text("#notice").await, "Your session ended, so you were logged in again with the password saved in the keychain.");

    log_out(&w).await;
    assert_eq!(w.script("return document.querySelector('#login-remember').checked;", vec![]).await, json!(true));
    assert_eq!(
        w.script("return document.querySelector('#login-password').placeholder;", vec![]).await,
        json!("Saved in the keychain — leave empty to use it")
    );
    w.click("#login-remember").await;
    w.wait_for("document.querySelector('#login-password').placeholder === ''", "the stored password to be deleted").await;
    assert_eq!(keychain_lookup(&sb.url(), LIVE), None, "unticking deletes it");

    // Remembered again, then the profile's address changes: the password is forgotten, never
    // offered to the new server.
    w.click("#login-remember").await;
    log_in(&w, LIVE, DEMO_PASSWORD).await;
    wait_dashboard(&w).await;
    assert_eq!(keychain_lookup(&sb.url(), LIVE).as_deref(), Some(DEMO_PASSWORD));
    open_settings(&w).await;
    w.click("#profile-list button[aria-label='Edit Sandbox']").await;
    let moved = sb.url().replace("127.0.0.1", "localhost");
    w.type_into("#profile-url", &moved).await;
    w.click("#profile-form button[type=submit]").await;
    w.wait_for("document.querySelector('#profile-status').textContent.includes('forgotten')", "the sentence").await;
    assert_eq!(
        w.text("#profile-status").await,
        "Profile Sandbox saved. Its server address changed, so its remembered password was forgotten: type it at the next login."
    );
    assert_eq!(keychain_lookup(&sb.url(), LIVE), None, "forgotten in the Secret Service");
    assert_eq!(keychain_lookup(&moved, LIVE), None, "and not moved to the new address");
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn login_says_what_went_wrong_for_each_failure() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = open(&sb).await;
    let client = reqwest::Client::new();
    let arm = |fault: Value| {
        let client = client.clone();
        let url = format!("{}/__sandbox/faults", sb.url());
        async move { assert!(client.post(url).json(&fault).send().await.unwrap().status().is_success()) }
    };
    let attempt = |expected: &'static str| {
        let w = &w;
        async move {
            log_in(w, LIVE, DEMO_PASSWORD).await;
            w.wait_for("!document.querySelector('#login-error').hidden", "a login error").await;
            assert_eq!(w.text("#login-error").await, expected);
        }
    };
    arm(json!({"path": "/api/auth/login", "kind": "status", "status": 503})).await;
    attempt("The CertoPay server had a problem. Try again in a moment.").await;
    // The status code is for whoever looks further: in the details line, not the sentence.
    assert_eq!(w.text("#login-error-details code").await, "HTTP 503");
    assert_eq!(w.text("#login-error-details summary").await, "Technical details");
    arm(json!({"path": "/api/auth/login", "kind": "status", "status": 429, "retryAfter": 42})).await;
    attempt("Too many requests. Wait 42 seconds, then try again.").await;
    arm(json!({"path": "/api/auth/login", "kind": "html", "status": 200})).await;
    attempt("The server\u{2019}s answer could not be read. Try again; if it keeps happening, check the profile\u{2019}s address.").await;
    w.type_into("#login-email", "not-an-email").await;
    w.click("#login-submit").await;
    w.wait_for("document.querySelector('#login-error').textContent.includes('valid e-mail')", "the e-mail hint").await;
    w.screenshot("login-error-light").await;
    drop(w.close().await);

    // Nothing listens at the address, and the sentence says so.
    let url = nothing_listens_url();
    let w = Window::open(Launch { base_url: &url, env: vec![], home: None }).await;
    log_in(&w, LIVE, DEMO_PASSWORD).await;
    w.wait_for("!document.querySelector('#login-error').hidden", "a login error").await;
    assert_eq!(
        w.text("#login-error").await,
        "Nothing answered at the server\u{2019}s address: the connection was refused. Check the profile\u{2019}s address; if it is right, the server may be down."
    );
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn settings_refuse_plain_http_keep_what_was_typed_and_save_profiles() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = open(&sb).await;
    open_settings(&w).await;
    w.type_into("#profile-name", "Staging").await;
    w.type_into("#profile-url", "http://staging.certopay.example").await;
    w.click("#profile-form button[type=submit]").await;
    w.wait_for("!document.querySelector('#profile-error').hidden", "the URL error").await;
    assert!(w.text("#profile-error").await.starts_with("The address must start with https://"));
    assert_eq!(w.value("#profile-name").await, "Staging", "what the user typed is kept");
    assert_eq!(w.value("#profile-url").await, "http://staging.certopay.example");
    w.screenshot("settings-error-light").await;

    w.type_into("#profile-url", "https://staging.certopay.example").await;
    w.click("#profile-form button[type=submit]").await;
    w.wait_for("document.querySelector('#profile-list').textContent.includes('Staging')", "the new profile in the list").await;
    let saved = std::fs::read_to_string(w.home.path().join("config/com.certopay.keys/settings.json")).unwrap();
    assert!(saved.contains("https://staging.certopay.example"));

    w.type_into("#pref-rotation", "0").await;
    w.click("#prefs-form button[type=submit]").await;
    w.wait_for("!document.querySelector('#prefs-error').hidden", "the range error").await;
    assert_eq!(w.text("#prefs-error").await, "The rotation period must be between 1 and 3650 days.");
    w.type_into("#pref-rotation", "30").await;
    w.click("#prefs-form button[type=submit]").await;
    w.wait_for(
        "document.querySelector('#prefs-status').textContent === 'Preferences saved.'",
        "the preferences to save, said beside the button",
    )
    .await;
    w.screenshot("settings-light").await;

    // Escape closes settings; the login screen lists the new profile.
    w.press("\u{E00C}").await;
    w.wait_for("!document.querySelector('#view-login').hidden", "the login screen").await;
    let options = w.script("return [...document.querySelectorAll('#login-profile option')].map(o => o.textContent);", vec![]).await;
    assert_eq!(options, json!(["CertoPay", "Sandbox", "Staging"]));
    let home = w.close().await;

    // A second launch reads the same file back.
    let w = Window::open(Launch { base_url: &sb.url(), env: vec![], home: Some(home) }).await;
    assert_eq!(w.invoke("app_snapshot", json!({})).await["ok"]["settings"]["rotationPeriodDays"], 30);
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_corrupt_settings_file_is_reported_and_kept_aside() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config/com.certopay.keys");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("settings.json"), "{ this is not json").unwrap();
    let w = Window::open(Launch { base_url: &sb.url(), env: vec![], home: Some(home) }).await;
    let notice = w.text("#notice").await;
    assert!(notice.starts_with("Your settings file could not be read, so defaults are in use. The old file was kept as"), "{notice}");
    let kept: Vec<_> =
        std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).filter(|n| n.contains("corrupt")).collect();
    assert_eq!(kept.len(), 1);
    assert_eq!(std::fs::read_to_string(dir.join(&kept[0])).unwrap(), "{ this is not json");
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn dark_theme_screenshots() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = Window::open(Launch { base_url: &sb.url(), env: vec![("GTK_THEME", "Adwaita:dark".into())], home: None }).await;
    assert_eq!(
        w.script("return matchMedia('(prefers-color-scheme: dark)').matches;", vec![]).await,
        json!(true),
        "the system's dark theme reaches the page"
    );
    w.screenshot("login-dark").await;
    log_in(&w, LIVE, DEMO_PASSWORD).await;
    wait_dashboard(&w).await;
    w.screenshot("dashboard-dark").await;
    w.click("#rotate-open").await;
    w.wait_for("document.querySelector('#rotate-step1').open", "step 1").await;
    w.screenshot("rotate-step1-dark").await;
    w.click("#rotate-cancel1").await;
    w.wait_for("!document.querySelector('#rotate-step1').open", "step 1 to close").await;
    open_settings(&w).await;
    w.screenshot("settings-dark").await;
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_window_refuses_remote_pages_and_inline_scripts() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = open(&sb).await;
    let home = w.script("return location.href;", vec![]).await;
    assert!(home.as_str().unwrap().starts_with("tauri://localhost"), "{home}");
    w.script("location.href = arguments[0]; return null;", vec![json!(format!("{}/api/customers", sb.url()))]).await;
    w.script("window.open('https://v2.certopaybrasil.com'); return null;", vec![]).await;
    // Whatever the navigation did, the app's page is still the one loaded and answering.
    w.wait_for("document.body && document.body.dataset.ready === 'true' && location.href.startsWith('tauri://')", "the app page").await;
    assert_eq!(w.script("return location.href;", vec![]).await, home);
    // The CSP refuses inline script: an injected <script> never runs.
    // An allowed inline script runs as it is inserted, so the answer is known at once.
    let ran = w
        .script(
            "window.__inlineRan = false;
             const s = document.createElement('script'); s.textContent = 'window.__inlineRan = true;';
             document.body.append(s); return window.__inlineRan;",
            vec![],
        )
        .await;
    assert_eq!(ran, json!(false), "inline script ran despite the CSP");
    // The capability grants the app's own commands only: Tauri's core plugins are refused.
    for command in ["plugin:window|close", "plugin:event|emit", "plugin:webview|print"] {
        let answer = w.invoke(command, json!({})).await;
        let refusal = answer["err"].as_str().unwrap_or_default().to_string();
        assert!(refusal.contains("not allowed"), "{command} was not refused by the capability: {answer}");
    }
    assert!(w.invoke("app_snapshot", json!({})).await.get("ok").is_some());
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plain_http_launch_url_is_refused_with_a_sentence() {
    let _one = ONE_WINDOW.lock().await;
    let w = Window::open(Launch { base_url: "http://certopay.example", env: vec![], home: None }).await;
    assert_eq!(
        w.text("#notice").await,
        "The server address given at launch was refused: The address must start with https:// (plain http:// is allowed only for this computer: localhost or 127.0.0.1)."
    );
    assert_eq!(w.text("#login-profile option:checked").await, "CertoPay", "the default profile stays selected");
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_keychain_the_box_says_why_and_login_still_works() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    // A session bus that is not there: no Secret Service answers.
    let nowhere = vec![("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus".to_string())];
    let w = Window::open(Launch { base_url: &sb.url(), env: nowhere, home: None }).await;
    assert_eq!(w.script("return document.querySelector('#login-remember').disabled;", vec![]).await, json!(true));
    let reason = w.text("#login-remember-reason").await;
    assert!(reason.starts_with("The password cannot be remembered here:"), "{reason}");
    log_in(&w, LIVE, DEMO_PASSWORD).await;
    wait_dashboard(&w).await;
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_session_ends_when_the_screen_locks() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = open_logged_in(&sb, LIVE).await;
    screen_locks();
    w.wait_for("!document.querySelector('#view-login').hidden", "the login screen").await;
    assert_eq!(w.text("#notice").await, "Locked because the screen locked or the computer went to sleep. Log in again to continue.");
    assert_eq!(w.value("#login-email").await, LIVE, "the e-mail is kept");
    assert_eq!(w.invoke("current_key", json!({})).await["err"]["kind"], "NotLoggedIn", "the session is gone in Rust too");
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_launch_address_serves_that_run_only() {
    let _one = ONE_WINDOW.lock().await;
    // A real server's address: shown as such, never saved.
    let w = Window::open(Launch { base_url: "https://gateway.certopay.example", env: vec![], home: None }).await;
    assert!(w.visible("#login-launch-only").await);
    assert_eq!(
        w.text("#login-launch-only").await,
        "Opened for https://gateway.certopay.example, this run only: this address is not saved."
    );
    open_settings(&w).await;
    w.type_into("#pref-rotation", "45").await;
    w.click("#prefs-form button[type=submit]").await;
    w.wait_for("document.querySelector('#prefs-status').textContent === 'Preferences saved.'", "the preferences to save").await;
    let file = std::fs::read_to_string(w.home.path().join("config/com.certopay.keys/settings.json")).unwrap();
    assert!(file.contains("\"rotationPeriodDays\": 45") && !file.contains("gateway.certopay.example"), "{file}");
    w.close().await;

    // The sandbox on this computer: no warning, and its port is not saved either.
    let sb = sandbox(Options::default()).await;
    let w = open_logged_in(&sb, LIVE).await;
    log_out(&w).await;
    assert!(!w.visible("#login-launch-only").await);
    let file = std::fs::read_to_string(w.home.path().join("config/com.certopay.keys/settings.json")).unwrap();
    assert!(!file.contains(&sb.url()), "{file}");
    w.close().await;
}
