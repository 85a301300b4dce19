//! The machine sleeps and wakes (logind's `PrepareForSleep` on the desktop's stand-in system
//! bus), with "lock when the computer sleeps" off so the session lives through it: after each
//! wake the key is read exactly once, and a key past its period is reminded once that day,
//! never a second time on the next wake.

use crate::support;

use std::time::{Duration, Instant};

use certopay_sandbox::{Options, DEMO_PASSWORD};
use serde_json::json;
use support::app::{log_in, open, requests_to, sandbox, wait_dashboard, LIVE, ONE_WINDOW};
use support::notifications::NotificationService;
use support::system_bus::prepare_for_sleep;

const KEY_READ: &str = "GET /api/api-keys/me";

/// Waits until the sandbox has answered `count` key reads.
async fn wait_for_key_reads(sb: &certopay_sandbox::Sandbox, count: u64) {
    let started = Instant::now();
    while requests_to(sb, KEY_READ).await < count {
        assert!(started.elapsed() < Duration::from_secs(20), "no key read after the wake");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn after_each_wake_the_key_is_read_once_and_a_due_key_is_reminded_once_that_day() {
    let _one = ONE_WINDOW.lock().await;
    let notifications = NotificationService::start();
    let sb = sandbox(Options::default()).await;
    let w = open(&sb).await;
    let saved = w
        .invoke(
            "save_preferences",
            json!({"preferences": {"rotationPeriodDays": 90, "clipboardClearSeconds": 60, "idleLockMinutes": 10,
                   "language": "en", "lockOnScreenLock": false}}),
        )
        .await;
    assert_eq!(saved["ok"]["lockOnScreenLock"], false, "{saved}");
    log_in(&w, LIVE, DEMO_PASSWORD).await;
    wait_dashboard(&w).await;
    // The start looked before any key was seen: nothing reminded yet.
    assert_eq!(notifications.shown(), []);

    let mut reads = requests_to(&sb, KEY_READ).await;
    for wake in 1..=2 {
        prepare_for_sleep(true);
        prepare_for_sleep(false);
        wait_for_key_reads(&sb, reads + 1).await;
        // The reminders were looked at before the window was told to read the key.
        let shown = notifications.shown();
        assert_eq!(shown.len(), 1, "wake {wake}: one reminder that day, never two: {shown:?}");
        assert_eq!(shown[0].body, "Sandbox: the key is 120 days old, past your rotation period of 90 days.");
        // A Refresh after it: its read is the only other one (no second read came from the wake).
        w.click("#refresh").await;
        w.wait_for("document.querySelector('#refresh').textContent === 'Refresh'", "the refresh").await;
        assert_eq!(requests_to(&sb, KEY_READ).await, reads + 2, "wake {wake}: one read for the wake, one for Refresh");
        reads += 2;
    }
    assert!(w.visible("#view-dashboard").await, "the session lived through the sleep");
    w.close().await;
}
