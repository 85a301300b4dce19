//! Quitting, whatever asks for it (the window's close button, the tray's Quit, the system), never
//! blocks the main thread: the exit is held back while the quit waits (for a rotation in flight:
//! its answer, its delivery) off the main thread, the window shows what it waits for and until
//! when, and keeps answering; then the app exits.

use std::sync::atomic::{AtomicU8, Ordering};

use tauri::{AppHandle, Manager, RunEvent, Runtime};

use crate::app::AppState;
use crate::wire::AppEvent;

const RUNNING: u8 = 0;
const QUITTING: u8 = 1;
const SETTLED: u8 = 2;

/// Where the app is in quitting: running, quitting (the quit waits off the main thread), or
/// settled (the exit that follows may go).
#[derive(Default)]
pub struct QuitProgress(AtomicU8);

/// The app's run loop events that end it.
pub(super) fn on_run_event<R: Runtime>(app: &AppHandle<R>, event: &RunEvent) {
    let (Some(state), Some(progress)) = (app.try_state::<AppState>(), app.try_state::<QuitProgress>()) else { return };
    match event {
        RunEvent::ExitRequested { api, code, .. } => {
            match progress.0.compare_exchange(RUNNING, QUITTING, Ordering::SeqCst, Ordering::SeqCst) {
                Ok(_) => {}
                // The exit the settled quit asked for.
                Err(SETTLED) => return,
                // Asked again while quitting: the quit under way decides.
                Err(_) => {
                    api.prevent_exit();
                    return;
                }
            }
            api.prevent_exit();
            if let Some(until) = state.quit_waits_until() {
                // What it waits for, where the person can see it: the window, even from the tray.
                if let Some(window) = app.get_webview_window("main") {
                    let _ = window.show();
                    let _ = window.unminimize();
                }
                state.emit(AppEvent::Quitting { until });
            }
            let (app, code) = (app.clone(), code.unwrap_or(0));
            tauri::async_runtime::spawn(async move {
                app.state::<AppState>().quit().await;
                app.state::<QuitProgress>().0.store(SETTLED, Ordering::SeqCst);
                app.exit(code);
            });
        }
        // Ending without a quit (the system ends the app): the clipboard at least, at once.
        RunEvent::Exit if progress.0.load(Ordering::SeqCst) != SETTLED => state.quit_now(),
        _ => {}
    }
}
