//! Starting with the computer, minimized to the tray, on the test desktop: without a tray the
//! box stays off and says why; with one (a real StatusNotifierWatcher on the desktop's D-Bus)
//! the box writes the desktop's autostart entry, and the app started by that entry waits in
//! the tray (no window), reminds through a real notification service, and offers open, the
//! profiles due and quit in the tray's menu, read and clicked over D-Bus as a panel does.

use crate::support;

use std::time::Duration;

use certopay_sandbox::Options;
use serde_json::json;
use support::app::{choose_language, open_settings, sandbox, ONE_WINDOW};
use support::notifications::NotificationService;
use support::status_notifier::{click, menu_of, Tray};
use support::webdriver::{Launch, Window};
use support::window_manager::{shown_window_of, until_shown};

use crate::overview::first_run_seeing_both_keys;

async fn open_the_background_box(w: &Window) {
    open_settings(w).await;
    w.wait_for("document.querySelector('#pref-background-hint').textContent !== ''", "the tray's line").await;
    w.script("document.querySelector('#pref-background').scrollIntoView({block: 'center'});", vec![]).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_tray_the_box_stays_off_and_says_why_in_both_languages() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = Window::open(Launch { base_url: &sb.url(), env: vec![], home: None }).await;
    open_the_background_box(&w).await;
    let state = w.script("const b = document.querySelector('#pref-background'); return [b.checked, b.disabled];", vec![]).await;
    assert_eq!(state, json!([false, true]), "off, and cannot be turned on");
    assert_eq!(
        w.text("#pref-background-hint").await,
        "This desktop has no system tray, so the app cannot wait there: starting with the computer stays off."
    );
    assert!(w.text("#pref-background-hint-details code").await.contains("StatusNotifierWatcher"), "the technical reason");
    // The window cannot turn it on behind the box's back either.
    let refused = w.invoke("set_background_start", json!({"on": true})).await;
    assert_eq!(refused["err"]["kind"], "InvalidInput", "{refused}");
    w.screenshot("settings-no-tray-light").await;
    choose_language(&w, "pt-BR").await;
    w.wait_for("document.querySelector('#pref-background-hint').textContent.startsWith('Esta área')", "Portuguese").await;
    w.screenshot("pt-settings-no-tray-light").await;
}

/// The command line the desktop's autostart entry runs (in `$XDG_CONFIG_HOME/autostart`, as the
/// window's launch sets it), read as a desktop reads `Exec`. A word left unquoted fails the
/// test: the program's path must be quoted.
fn autostart_command(home: &std::path::Path) -> Option<Vec<String>> {
    let entry = std::fs::read_to_string(home.join("config/autostart/CertoPay Keys.desktop")).ok()?;
    let exec = entry.lines().find_map(|line| line.strip_prefix("Exec="))?;
    Some(certopay_keys::rules::autostart_entry::exec_words(exec).unwrap_or_else(|e| panic!("{e}")))
}

#[tokio::test(flavor = "multi_thread")]
async fn with_a_tray_the_app_starts_with_the_computer_in_the_tray_and_reminds_from_there() {
    let _one = ONE_WINDOW.lock().await;
    let tray = Tray::start();
    let notifications = NotificationService::start();
    let sb = sandbox(Options::default()).await;
    let home = first_run_seeing_both_keys(&sb).await;
    // The first runs' start had nothing to remind; this one will, from the tray.
    assert_eq!(notifications.shown(), []);

    // XDG_CONFIG_HOME (set by the launch): where the desktop's autostart folder is.
    let env = |home: &tempfile::TempDir| vec![("HOME", home.path().display().to_string())];
    let w = Window::open(Launch { base_url: &sb.url(), env: env(&home), home: Some(home) }).await;
    // That start reminded once: the next run's reminder would wait a day. Move it back a day.
    notifications.wait_for(1, Duration::from_secs(20)).await;
    open_the_background_box(&w).await;
    assert_eq!(w.script("return document.querySelector('#pref-background').disabled;", vec![]).await, json!(false));
    assert_eq!(
        w.text("#pref-background-hint").await,
        "Off unless you turn it on. The window opens from the tray icon, and reminders come without opening the app."
    );
    w.click("#pref-background").await;
    w.wait_for("document.querySelector('#pref-background').checked", "on").await;
    w.screenshot("settings-background-light").await;
    let home = w.close().await;
    let command = autostart_command(home.path()).expect("the desktop's autostart entry");
    assert!(command[0].ends_with("certopay-keys") && command[1..] == ["--minimized"], "{command:?}");

    // The computer starts: the entry's command, as the desktop runs it (with this test's
    // sandbox and files). A day has passed for the reminder: the record of it is moved back.
    let seen_file = home.path().join("config/com.certopay.keys/seen-keys.json");
    let yesterday = (chrono::Utc::now() - chrono::Duration::hours(25)).to_rfc3339();
    let seen = std::fs::read_to_string(&seen_file).unwrap();
    let mut kept: serde_json::Value = serde_json::from_str(&seen).unwrap();
    for profile in kept.as_object_mut().unwrap().values_mut() {
        if !profile["remindedAt"].is_null() {
            profile["remindedAt"] = json!(yesterday);
        }
    }
    std::fs::write(&seen_file, kept.to_string()).unwrap();
    let mut started = tokio::process::Command::new(&command[0])
        .args(&command[1..])
        .env("CERTOPAY_KEYS_BASE_URL", sb.url())
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .env("LANGUAGE", "en")
        .env("LANG", "en_US.UTF-8")
        .env_remove("TAURI_WEBVIEW_AUTOMATION")
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let item = tray.wait_for_item(Duration::from_secs(30)).await;
    // The menu as the panel reads it, once the item has published all of it.
    let asked = std::time::Instant::now();
    let menu = loop {
        let item = item.clone();
        let menu = tokio::task::spawn_blocking(move || menu_of(&item)).await.unwrap();
        if menu.len() >= 3 || asked.elapsed() > Duration::from_secs(20) {
            break menu;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let labels: Vec<&str> = menu.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(labels, ["Open CertoPay Keys", "Loja Centro: key 120 days old, rotation due", "Quit"], "{menu:?}");
    let shown = notifications.wait_for(2, Duration::from_secs(20)).await;
    assert_eq!(shown[1].body, "Loja Centro: the key is 120 days old, past your rotation period of 90 days.", "reminded from the tray");
    // No window: it waits in the tray. "Open" shows it.
    let pid = started.id().unwrap();
    assert_eq!(shown_window_of(pid), None, "a window is shown");
    let open = menu.iter().find(|e| e.label == "Open CertoPay Keys").unwrap().id;
    tokio::task::spawn_blocking({
        let item = item.clone();
        move || click(&item, open)
    })
    .await
    .unwrap();
    until_shown(pid, true, Duration::from_secs(20)).await.expect("Open did not show the window");

    // Quit from the tray's menu: the app ends.
    let quit = menu.iter().find(|e| e.label == "Quit").unwrap().id;
    tokio::task::spawn_blocking(move || click(&item, quit)).await.unwrap();
    let status = tokio::time::timeout(Duration::from_secs(20), started.wait()).await.expect("the app quit").unwrap();
    assert!(status.success(), "{status:?}");

    // Turned off again in the window: the entry goes.
    let w = Window::open(Launch { base_url: &sb.url(), env: env(&home), home: Some(home) }).await;
    open_the_background_box(&w).await;
    assert_eq!(w.script("return document.querySelector('#pref-background').checked;", vec![]).await, json!(true));
    w.click("#pref-background").await;
    w.wait_for("!document.querySelector('#pref-background').checked", "off").await;
    let home = w.close().await;
    assert_eq!(autostart_command(home.path()), None, "the autostart entry is removed");
}
