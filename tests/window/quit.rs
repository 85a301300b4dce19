//! Quitting from the tray while a rotation's delivery is under way: the window shows what the
//! quit waits for and keeps answering (the main thread is never blocked), and the app ends
//! once the delivery has its verdict.

use crate::support;

use std::time::Duration;

use certopay_sandbox::{Options, DEMO_PASSWORD};
use serde_json::json;
use support::app::{log_in, open_settings, sandbox, wait_dashboard, LIVE, ONE_WINDOW};
use support::rotation::send_rotation;
use support::status_notifier::{click, started_in_the_tray, Tray};

#[tokio::test(flavor = "multi_thread")]
async fn quitting_from_the_tray_during_a_delivery_says_what_it_waits_for_and_the_window_keeps_answering() {
    let _one = ONE_WINDOW.lock().await;
    let tray = Tray::start();
    let sb = sandbox(Options::default()).await;
    // Started as the computer starts it: in the tray.
    let (w, item, open, quit) = started_in_the_tray(&sb.url(), &tray).await;
    tokio::task::spawn_blocking({
        let item = item.clone();
        move || click(&item, open)
    })
    .await
    .unwrap();
    log_in(&w, LIVE, DEMO_PASSWORD).await;
    wait_dashboard(&w).await;

    // A destination that takes the key, then works for a while before its verdict.
    let dir = tempfile::tempdir().unwrap();
    let done = dir.path().join("done");
    let slow = format!("sh -c 'cat > /dev/null; sleep 6; touch {}'", done.display());
    open_settings(&w).await;
    w.wait_for("!document.querySelector('#delivery-form').hidden", "the destinations form").await;
    w.type_into("#delivery-name", "Servidor lento").await;
    w.type_into("#delivery-command", &slow).await;
    w.type_into("#delivery-password", DEMO_PASSWORD).await;
    w.click("#delivery-save").await;
    w.wait_for("document.querySelector('#delivery-status').textContent === 'Destination Servidor lento saved.'", "saved").await;
    w.click("#close-settings").await;
    send_rotation(&w, "Chave principal", None).await;
    w.wait_for("!document.querySelector('#rotate-step2-wait').hidden", "the rotation under way").await;

    // Quit from the tray: the window says what the quit waits for, and keeps answering.
    let pid = w.app_pid();
    tokio::task::spawn_blocking(move || click(&item, quit)).await.unwrap();
    w.wait_for(
        "document.querySelector('#notice').textContent.startsWith('Quitting once the rotation under way has its answer: at most ')",
        "the quit's sentence",
    )
    .await;
    assert!(!done.exists(), "the delivery is still working: the window answered while the quit waited");
    assert_eq!(w.script("return 6 * 7;", vec![]).await, json!(42));
    w.screenshot("quit-waits-for-rotation-light").await;

    // The app ends once the delivery has its verdict, never before.
    support::processes::wait_until_ended(&pid.to_string(), Duration::from_secs(60), "the app did not end").await;
    assert!(done.exists(), "the app ended before the delivery's verdict");
    w.close().await;
}
