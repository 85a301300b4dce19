//! The lock's two sources, started with the app: a watchdog on the last activity (each second)
//! and the desktop's screen lock and sleep. What each does is `AppState::lock_if_idle` and
//! `AppState::lock_away`.

use std::time::{Duration, Instant};

use tauri::{Manager, Runtime};

use crate::app::AppState;
use crate::platform::away;

pub(super) fn watch_for_the_lock<R: Runtime>(app: &tauri::AppHandle<R>) {
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut every_second = tokio::time::interval(Duration::from_secs(1));
        loop {
            every_second.tick().await;
            handle.state::<AppState>().lock_if_idle(Instant::now()).await;
        }
    });
    let handle = app.clone();
    away::watch(move |away| {
        let handle = handle.clone();
        tauri::async_runtime::spawn(async move {
            handle.state::<AppState>().lock_away(away).await;
        });
    });
}
