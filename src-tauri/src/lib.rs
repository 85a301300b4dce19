//! CertoPay Keys: wiring. Everything the app does is plain Rust in `app` and the modules it
//! uses (client, key, session, rotation, clipboard, keychain, settings, history); `commands`
//! is the thin layer the window calls, and `wire` is all the window receives.

pub mod app;
pub mod base_url;
pub mod certopay;
pub mod clipboard;
mod commands;
pub mod error;
pub mod history;
pub mod key;
pub mod keychain;
pub mod rotation;
pub mod session;
pub mod settings;
pub mod wire;

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

/// The main window, from `tauri.conf.json`. It is always incognito (nothing cached to disk),
/// except in a debug build driven by WebDriver: WebKitGTK only lets automation control a
/// persistent web context, so the end-to-end tests run that one build without it. A release
/// build ignores the automation switch.
fn open_main_window<R: Runtime>(app: &tauri::App<R>) -> tauri::Result<()> {
    let config = app.config().app.windows.iter().find(|w| w.label == "main").expect("main window in tauri.conf.json").clone();
    let automation = cfg!(debug_assertions) && std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() == Ok("true");
    tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?
        .incognito(!automation)
        .on_navigation(is_app_page)
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
    run_app(tauri::Builder::default()).run(|app, event| {
        if let tauri::RunEvent::ExitRequested { .. } | tauri::RunEvent::Exit = event {
            if let Some(state) = app.try_state::<app::AppState>() {
                state.on_quit();
            }
        }
    });
}

/// The app on any runtime: its state, its window, its commands. `run` gives it the real
/// runtime; tests give it Tauri's mock runtime to call commands through IPC.
pub fn run_app<R: Runtime>(builder: tauri::Builder<R>) -> tauri::App<R> {
    builder
        .setup(|app| {
            let parts = app::AppParts {
                store: settings::SettingsStore::new(&app.path().app_config_dir()?),
                keychain: Box::new(keychain::OsKeychain::open(KEYCHAIN_SERVICE)),
                // One clipboard owner for the app's whole life.
                clipboard: clipboard::SecretClipboard::open(),
                history: history::History::new(&app.path().app_data_dir()?),
                client_options: certopay::ClientOptions::default(),
            };
            app.manage(app::AppState::new(parts, launch_base_url().as_deref()));
            open_main_window(app)?;
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_snapshot,
            commands::login,
            commands::current_key,
            commands::logout,
            commands::session_ended,
            commands::save_profile,
            commands::remove_profile,
            commands::select_profile,
            commands::save_preferences,
            commands::set_remember_password,
            commands::begin_rotation,
            commands::confirm_rotation,
            commands::cancel_rotation,
            commands::clear_clipboard_now,
            commands::clipboard_status,
            commands::rotation_history,
        ])
        .on_window_event(|window, event| {
            // Closing the window quits the app: the clipboard is cleared before anything else.
            if let tauri::WindowEvent::CloseRequested { .. } = event {
                window.state::<app::AppState>().on_quit();
            }
        })
        .build(tauri::generate_context!("tauri.conf.json"))
        .expect("error while building CertoPay Keys")
}
