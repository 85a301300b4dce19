//! The app hidden in the tray (started as the computer starts it, the window never shown, or
//! put back there with the close button): the page's timers stop there, so what must happen on
//! time is Rust's. A session that runs out ends, and an idle one locks to the second, with
//! nobody looking; the window says so when it is opened. What happens there (a lock, a
//! reminder) never opens the window.

use crate::support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use certopay_sandbox::{Options, DEMO_PASSWORD};
use serde_json::json;
use support::app::{log_in, sandbox, wait_dashboard, LIVE, ONE_WINDOW};
use support::notifications::NotificationService;
use support::rotation::set_delays;
use support::status_notifier::{click, started_in_the_tray, Tray};
use support::system_bus::prepare_for_sleep;
use support::webdriver::{Launch, Window};
use support::window_manager::{close_and_wait_hidden, shown_window_of};

/// Started in the tray, with its window hidden, then logged in through the login form (typed
/// by script: a hidden window takes no clicks), the dashboard loaded behind the hidden window.
async fn hidden_and_logged_in(sb: &certopay_sandbox::Sandbox, tray: &Tray, idle_minutes: u32) -> Window {
    let w = Window::open_with_args(Launch { base_url: &sb.url(), env: vec![], home: None }, &["--minimized"]).await;
    tray.wait_for_item(Duration::from_secs(30)).await;
    assert_eq!(w.script("return document.visibilityState;", vec![]).await, json!("hidden"), "the window is hidden");
    set_delays(&w, 600, idle_minutes).await;
    w.script(
        "document.querySelector('#login-email').value = arguments[0];
         document.querySelector('#login-password').value = arguments[1];
         document.querySelector('#login-form').requestSubmit();",
        vec![json!(LIVE), json!(DEMO_PASSWORD)],
    )
    .await;
    w.wait_for(
        "!document.querySelector('#view-dashboard').hidden && !document.querySelector('#view-dashboard').hasAttribute('aria-busy')",
        "the dashboard, behind the hidden window",
    )
    .await;
    w
}

/// Milliseconds since the epoch, as the page's `Date.now()` counts them.
fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as u64
}

#[tokio::test(flavor = "multi_thread")]
async fn hidden_in_the_tray_a_session_that_runs_out_ends_on_time() {
    let _one = ONE_WINDOW.lock().await;
    let tray = Tray::start();
    let sb = sandbox(Options { token_ttl: Duration::from_secs(4), ..Options::default() }).await;
    let w = hidden_and_logged_in(&sb, &tray, 10).await;
    // The page draws nothing while hidden: the session's end comes from Rust.
    w.wait_for("!document.querySelector('#view-login').hidden", "the login screen after the session ran out").await;
    assert_eq!(w.script("return document.visibilityState;", vec![]).await, json!("hidden"), "still hidden");
    assert_eq!(w.text("#notice").await, "Your session ended. Log in again to continue.");
    assert_eq!(w.invoke("current_key", json!({})).await["err"]["kind"], "NotLoggedIn", "the JWT is gone");
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn hidden_in_the_tray_a_sleep_ends_the_session_and_the_wake_reminds_without_showing_the_window() {
    let _one = ONE_WINDOW.lock().await;
    let notifications = NotificationService::start();
    let tray = Tray::start();
    let sb = sandbox(Options::default()).await;
    let w = hidden_and_logged_in(&sb, &tray, 10).await;
    // The login saw the key, 120 days old: due. The machine sleeps and wakes.
    prepare_for_sleep(true);
    prepare_for_sleep(false);
    let shown = notifications.wait_for(1, Duration::from_secs(20)).await;
    assert_eq!(shown[0].summary, "Time to rotate an API key");
    w.wait_for("!document.querySelector('#view-login').hidden", "the login screen after the sleep").await;
    assert_eq!(w.text("#notice").await, "Locked because the screen locked or the computer went to sleep. Log in again to continue.");
    // Neither the reminder nor the lock opened the window: no shown window, the page hidden.
    assert_eq!(shown_window_of(w.app_pid()), None, "the window stayed in the tray");
    assert_eq!(w.script("return document.visibilityState;", vec![]).await, json!("hidden"), "the page stayed hidden");
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn hidden_in_the_tray_an_idle_session_locks_to_the_second() {
    let _one = ONE_WINDOW.lock().await;
    let tray = Tray::start();
    let sb = sandbox(Options::default()).await;
    let w = hidden_and_logged_in(&sb, &tray, 1).await;
    // The page notes when the login screen comes back; nothing it does counts as activity.
    w.script(
        "const view = document.querySelector('#view-login');
         new MutationObserver(() => { if (!view.hidden && !window.lockSeenAt) window.lockSeenAt = Date.now(); })
           .observe(view, { attributes: true, attributeFilter: ['hidden'] });",
        vec![],
    )
    .await;
    // The person's last action, as the window reports it.
    let acted_after = now_ms();
    assert!(w.invoke("report_activity", json!({})).await.get("ok").is_some());
    let acted_before = now_ms();
    let locked_at = w
        .wait_for_within("window.lockSeenAt || false", "the idle lock", Duration::from_secs(90))
        .await
        .as_u64()
        .expect("the time the login screen came back");
    assert!(locked_at >= acted_after + 60_000, "locked {} ms after the last action: early", locked_at - acted_after);
    assert!(locked_at <= acted_before + 61_000, "locked {} ms after the last action: more than a second late", locked_at - acted_before);
    assert_eq!(w.text("#notice").await, "Locked after 1 min without activity. Log in again to continue.");
    assert_eq!(w.script("return document.visibilityState;", vec![]).await, json!("hidden"), "the lock did not show the window");
    w.close().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn in_the_tray_the_close_button_puts_the_window_back_there_with_the_session_kept() {
    let _one = ONE_WINDOW.lock().await;
    let tray = Tray::start();
    let sb = sandbox(Options::default()).await;
    let (w, item, open, quit) = started_in_the_tray(&sb.url(), &tray).await;
    let click_entry = |id| {
        let item = item.clone();
        tokio::task::spawn_blocking(move || click(&item, id))
    };
    click_entry(open).await.unwrap();
    w.wait_for("document.visibilityState === 'visible'", "the window shown").await;
    log_in(&w, LIVE, DEMO_PASSWORD).await;
    wait_dashboard(&w).await;

    // The close button, as the window manager sends it: the window goes, the app stays.
    let pid = w.app_pid();
    assert!(shown_window_of(pid).is_some(), "the shown window");
    close_and_wait_hidden(pid).await;
    w.wait_for("document.visibilityState === 'hidden'", "the window back in the tray").await;
    assert!(support::processes::running(&pid.to_string()), "the app quit");
    assert_eq!(shown_window_of(pid), None, "a window is still shown");
    assert!(w.invoke("app_snapshot", json!({})).await["ok"]["session"]["email"] == LIVE, "the session is kept");

    // Open shows it again as it was: the dashboard, drawn again at once.
    click_entry(open).await.unwrap();
    w.wait_for("document.visibilityState === 'visible'", "the window shown again").await;
    assert!(w.visible("#view-dashboard").await, "the dashboard as it was");
    w.screenshot("tray-window-opened-again-light").await;

    // Quit is the tray menu's: the app ends.
    click_entry(quit).await.unwrap();
    support::processes::wait_until_ended(&pid.to_string(), Duration::from_secs(20), "Quit did not end the app").await;
    w.close().await;
}
