//! Closing the window quits the app, or, when the app lives in the tray (started with the
//! computer), puts the window back there. When quitting would lose a rotation's answer or the
//! secret on the clipboard, the window is asked first; a second press quits once the rotation
//! is settled, so a hung page can never keep the app open.

use std::sync::atomic::{AtomicBool, Ordering};

use tauri::{Manager, Runtime};

use crate::app::AppState;
use crate::wire::AppEvent;

/// Whether the window is already asking about a close: a second press of the close button
/// then quits anyway.
#[derive(Default)]
pub struct CloseQuestion(AtomicBool);

impl CloseQuestion {
    fn ask(&self) -> bool {
        !self.0.swap(true, Ordering::SeqCst)
    }

    pub fn reset(&self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// The close button was pressed.
pub(super) fn on_close_requested<R: Runtime>(window: &tauri::Window<R>, api: &tauri::CloseRequestApi) {
    // Started with the computer, the app lives in the tray: the window goes back there, and
    // the session, the clipboard's timer and the reminders go on as they were.
    if window.state::<super::background::TrayIconShown>().is_shown() {
        api.prevent_close();
        let _ = window.hide();
        return;
    }
    let state = window.state::<AppState>();
    // Nothing to lose: the window closes, and the exit that follows quits (`quit`, off the
    // main thread).
    if !state.quitting_loses_something() {
        return;
    }
    api.prevent_close();
    if window.state::<CloseQuestion>().ask() {
        state.emit(AppEvent::CloseRequested { rotation_in_flight: state.rotation_in_flight() });
    } else {
        let app = window.app_handle().clone();
        tauri::async_runtime::spawn(async move {
            app.state::<AppState>().quit().await;
            app.exit(0);
        });
    }
}
