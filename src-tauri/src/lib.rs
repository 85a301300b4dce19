//! CertoPay Keys: wiring. Everything the app does is plain Rust in `app` and the modules it
//! uses (client, key, session, rotation, clipboard, keychain, settings, history); `commands`
//! is the thin layer the window calls, and `wire` is all the window receives.

pub mod app;
pub mod base_url;
pub mod certopay;
pub mod clipboard;
mod commands;
pub mod delivery;
pub mod desktop_lock;
pub mod error;
pub mod history;
pub mod key;
pub mod keychain;
pub mod locale;
pub mod private_files;
pub mod process;
pub mod proxy;
pub mod removed_notice;
pub mod rollout;
pub mod rotation;
pub mod session;
pub mod settings;
pub mod settings_store;
pub mod settle;
pub mod startup_failure;
#[cfg(windows)]
pub mod windows_text;
pub mod wire;

use std::sync::atomic::{AtomicBool, Ordering};

use tauri::{Manager, Runtime};

/// The keychain service name under which remembered passwords are stored.
pub const KEYCHAIN_SERVICE: &str = "CertoPay Keys";

/// The base URL given at launch: `--base-url URL`, else `CERTOPAY_KEYS_BASE_URL`.
fn launch_base_url() -> Option<String> {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--base-url" {
            return args.next();
        }
        if let Some(url) = arg.strip_prefix("--base-url=") {
            return Some(url.to_string());
        }
    }
    std::env::var("CERTOPAY_KEYS_BASE_URL").ok().filter(|u| !u.trim().is_empty())
}

/// A number list from the environment, in a build made for tests (feature `webdriver`) only:
/// the window tests of slow servers shorten the app's waits with it. Every other build has
/// the waits the code says.
fn test_millis(name: &str) -> Option<Vec<std::time::Duration>> {
    if !cfg!(feature = "webdriver") {
        return None;
    }
    let text = std::env::var(name).ok()?;
    text.split(',').map(|n| n.trim().parse().ok().map(std::time::Duration::from_millis)).collect()
}

/// The client's timeouts; a test build may shorten the request timeout (CERTOPAY_KEYS_REQUEST_TIMEOUT_MS).
fn client_options() -> certopay::ClientOptions {
    let defaults = certopay::ClientOptions::default();
    match test_millis("CERTOPAY_KEYS_REQUEST_TIMEOUT_MS").and_then(|t| t.first().copied()) {
        Some(request_timeout) => certopay::ClientOptions { request_timeout, ..defaults },
        None => defaults,
    }
}

/// The checks after an unanswered rotation; a test build may shorten them (CERTOPAY_KEYS_SETTLE_MS="0,500,1000").
fn settle_schedule() -> settle::SettleSchedule {
    test_millis("CERTOPAY_KEYS_SETTLE_MS").map(settle::SettleSchedule::new).unwrap_or_default()
}

/// The main window, from `tauri.conf.json`. It is always incognito (nothing cached to disk),
/// except in a build made for tests (feature `webdriver`) driven by WebDriver: WebKitGTK only
/// lets automation control a persistent web context. Every other build ignores the switch.
fn open_main_window<R: Runtime>(app: &tauri::App<R>) -> tauri::Result<()> {
    let config = app.config().app.windows.iter().find(|w| w.label == "main").expect("main window in tauri.conf.json").clone();
    let automation = cfg!(feature = "webdriver") && std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() == Ok("true");
    tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?
        .incognito(!automation)
        .on_navigation(is_app_page)
        // The window title follows the page's: the rollout watch shows its state there.
        .on_document_title_changed(|window, title| {
            let _ = window.set_title(&title);
        })
        .on_new_window(|_, _| tauri::webview::NewWindowResponse::Deny)
        .build()?;
    Ok(())
}

/// The window shows the app's own pages and nothing else: no remote navigation.
fn is_app_page(url: &url::Url) -> bool {
    match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        // How the app's own origin looks on Windows.
        "http" | "https" => url.host_str() == Some("tauri.localhost"),
        _ => false,
    }
}

/// The app on the real runtime (Wry), until it quits.
pub fn run() {
    if let Err(e) = process::disable_core_dumps() {
        eprintln!("CertoPay Keys: core dumps could not be turned off: {e}");
    }
    run_app(tauri::Builder::default()).run(|app, event| {
        if let tauri::RunEvent::ExitRequested { .. } | tauri::RunEvent::Exit = event {
            if let Some(state) = app.try_state::<app::AppState>() {
                tauri::async_runtime::block_on(state.quit());
            }
        }
    });
}

/// The lock, in Rust: a watchdog on the last activity, and the desktop's screen lock and sleep.
fn watch_for_the_lock<R: Runtime>(app: &tauri::AppHandle<R>) {
    let handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let mut every_second = tokio::time::interval(std::time::Duration::from_secs(1));
        loop {
            every_second.tick().await;
            handle.state::<app::AppState>().lock_if_idle(std::time::Instant::now()).await;
        }
    });
    let handle = app.clone();
    desktop_lock::watch(move |away| {
        let handle = handle.clone();
        tauri::async_runtime::spawn(async move {
            handle.state::<app::AppState>().lock_away(away).await;
        });
    });
}

/// Whether the window is already asking about a close: a second press of the close button
/// then quits anyway, so a hung page can never keep the app open.
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

/// Closing the window quits the app. When that would lose a rotation's answer or the secret on
/// the clipboard, the window is asked first; a second press quits once the rotation is settled.
fn on_close_requested<R: Runtime>(window: &tauri::Window<R>, api: &tauri::CloseRequestApi) {
    let state = window.state::<app::AppState>();
    if !state.quitting_loses_something() {
        tauri::async_runtime::block_on(state.quit());
        return;
    }
    api.prevent_close();
    if window.state::<CloseQuestion>().ask() {
        state.emit(wire::AppEvent::CloseRequested { rotation_in_flight: state.rotation_in_flight() });
    } else {
        let app = window.app_handle().clone();
        tauri::async_runtime::spawn(async move {
            app.state::<app::AppState>().quit().await;
            app.exit(0);
        });
    }
}

/// The app on any runtime: its state, its window, its commands. `run` gives it the real
/// runtime; tests give it Tauri's mock runtime to call commands through IPC.
pub fn run_app<R: Runtime>(builder: tauri::Builder<R>) -> tauri::App<R> {
    builder
        .setup(|app| {
            let parts = app::AppParts {
                store: settings_store::SettingsStore::new(&app.path().app_config_dir()?),
                keychain: Box::new(keychain::OsKeychain::open(KEYCHAIN_SERVICE)),
                // One clipboard owner for the app's whole life.
                clipboard: clipboard::SecretClipboard::open(),
                history: history::History::new(&app.path().app_data_dir()?),
                client_options: client_options(),
                settle: settle_schedule(),
            };
            app.manage(app::AppState::new(parts, launch_base_url().as_deref()));
            app.manage(CloseQuestion::default());
            watch_for_the_lock(app.handle());
            // A setup error would end in a panic inside Tauri, silent in a release build.
            if let Err(e) = open_main_window(app) {
                startup_failure::tell_and_exit(&e.to_string());
            }
            process::mark("window shown");
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_snapshot,
            commands::login,
            commands::current_key,
            commands::logout,
            commands::renew_session,
            commands::session_ended,
            commands::save_profile,
            commands::remove_profile,
            commands::select_profile,
            commands::save_preferences,
            commands::set_remember_password,
            commands::set_proxy_password,
            commands::network_overview,
            commands::set_delivery_target,
            commands::preset_command,
            commands::begin_rotation,
            commands::confirm_rotation,
            commands::cancel_rotation,
            commands::clear_clipboard_now,
            commands::clipboard_status,
            commands::rotation_history,
            commands::subscribe_events,
            commands::stop_rollout_watch,
            commands::wait_for_rotation,
            commands::cancel_quit,
            commands::quit,
            commands::report_activity,
            commands::mark_timing,
        ])
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                on_close_requested(window, api);
            }
        })
        .build(tauri::generate_context!("tauri.conf.json"))
        .expect("error while building CertoPay Keys")
}
