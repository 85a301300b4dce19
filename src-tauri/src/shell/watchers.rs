//! The lock's two sources, started with the app: the session clock (the idle lock and the
//! session's end, waking only when one is due) and the desktop's screen lock and sleep. What
//! each does is `AppState::run_session_clock` and `AppState::lock_away`. And the machine waking
//! from sleep: what the app's timers would have done meanwhile, once each (`after_resume`);
//! on Windows, a shutdown held while a rotation is in flight, and the session's end.

use tauri::{AppHandle, Manager, Runtime};

use crate::app::AppState;
use crate::platform::away::{self, DeskSignal};
use crate::rules::shutdown_wait::shutdown_wait_reason;
use crate::wire::AppEvent;

pub(super) fn watch_for_the_lock<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>().inner().clone();
    tauri::async_runtime::spawn(async move { state.run_session_clock().await });
    let handle = app.clone();
    let waits = app.state::<AppState>().inner().clone();
    away::watch(
        move |signal| {
            let handle = handle.clone();
            match signal {
                // The session ending does not wait for the async runtime: the clipboard goes now.
                DeskSignal::SessionEnding => handle.state::<AppState>().quit_now(),
                DeskSignal::Away(away) => drop(tauri::async_runtime::spawn(async move {
                    handle.state::<AppState>().lock_away(away).await;
                })),
                DeskSignal::Resumed => drop(tauri::async_runtime::spawn(async move { after_resume(&handle).await })),
            }
        },
        // A shutdown waits for a rotation in flight (Windows shows why; the person may go on).
        move || waits.rotation_in_flight().then(|| shutdown_wait_reason(&waits.language()).to_string()),
    );
}

/// The machine woke from sleep. The app's own timers count no time asleep (the monotonic
/// clock stands still), so nothing fires late in a burst; instead, once: the session clock
/// looks again (a session may have run out meanwhile), the reminders are looked at (once a
/// day per profile still holds), the update check runs if due, and the window is told, so it
/// reads the key once.
async fn after_resume<R: Runtime>(app: &AppHandle<R>) {
    let state = app.state::<AppState>().inner().clone();
    state.session_clock_changed();
    super::reminders::remind_once(app).await;
    state.check_for_updates(false).await;
    state.emit(AppEvent::Resumed);
}
