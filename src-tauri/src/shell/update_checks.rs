//! The update check: at start, then looked at again every hour while the app runs; whether
//! the feed is really asked (once a day, an hour after an unreachable one) is
//! `AppState::check_for_updates`. What it finds reaches the window as an event.

use std::time::Duration;

use tauri::{AppHandle, Manager, Runtime};

use crate::app::AppState;

const LOOK_AGAIN_EVERY: Duration = Duration::from_secs(60 * 60);

pub fn check_when_due<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        loop {
            let state = app.state::<AppState>().inner().clone();
            state.check_for_updates(false).await;
            crate::platform::app_clock::sleep(LOOK_AGAIN_EVERY).await;
        }
    });
}
