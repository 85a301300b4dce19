//! The reminder when a key is past its rotation period: a system notification (Linux:
//! `platform::notification`; elsewhere Tauri's notification plugin) at start, and again every few hours while the app runs. Which profiles
//! are due, and once a day at most for each, is `AppState::take_due_reminders`.

use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime};
#[cfg(not(target_os = "linux"))]
use tauri_plugin_notification::NotificationExt;

use crate::app::AppState;
use crate::platform::app_clock;
use crate::rules::rotation_reminder::notification_text;

/// How often a running app looks again (a profile is still reminded once a day at most).
const LOOK_AGAIN_EVERY: Duration = Duration::from_secs(6 * 60 * 60);

pub fn remind_when_due<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            remind_once(&app).await;
            app_clock::sleep(LOOK_AGAIN_EVERY).await;
        }
    });
}

/// Reminds of the profiles due now and not reminded today (also after the machine woke).
pub(super) async fn remind_once<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>().inner().clone();
    let due = state.off_thread(|s| s.take_due_reminders(app_clock::now())).await;
    if let Some((title, body)) = notification_text(&due, state.settings().rotation_period_days, &state.language()) {
        // No notification service (a bare desktop): the overview still marks the row.
        show(app, title, body).await;
    }
}

#[cfg(target_os = "linux")]
async fn show<R: Runtime>(_app: &AppHandle<R>, title: String, body: String) {
    let _ = tokio::task::spawn_blocking(move || crate::platform::notification::show(&title, &body)).await;
}

#[cfg(not(target_os = "linux"))]
async fn show<R: Runtime>(app: &AppHandle<R>, title: String, body: String) {
    let _ = app.notification().builder().title(title).body(body).show();
}
