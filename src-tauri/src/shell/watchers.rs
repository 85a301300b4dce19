//! The lock's two sources, started with the app: the session clock (the idle lock and the
//! session's end, waking only when one is due) and the desktop's screen lock and sleep. What
//! each does is `AppState::run_session_clock` and `AppState::lock_away`.

use tauri::{Manager, Runtime};

use crate::app::AppState;
use crate::platform::away;

pub(super) fn watch_for_the_lock<R: Runtime>(app: &tauri::AppHandle<R>) {
    let state = app.state::<AppState>().inner().clone();
    tauri::async_runtime::spawn(async move { state.run_session_clock().await });
    let handle = app.clone();
    away::watch(move |away| {
        let handle = handle.clone();
        tauri::async_runtime::spawn(async move {
            handle.state::<AppState>().lock_away(away).await;
        });
    });
}
