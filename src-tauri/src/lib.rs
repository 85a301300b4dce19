//! CertoPay Keys: wiring. The CertoPay client, session, settings and keychain are plain Rust
//! modules; `commands` is the thin layer the window calls.

pub mod certopay;
mod commands;
pub mod error;
pub mod keychain;
pub mod session;
pub mod settings;
pub mod state;

use tauri::Manager;

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
fn open_main_window(app: &tauri::App) -> tauri::Result<()> {
    let config = app.config().app.windows.iter().find(|w| w.label == "main").expect("main window in tauri.conf.json").clone();
    let automation = cfg!(debug_assertions) && std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() == Ok("true");
    tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?.incognito(!automation).build()?;
    Ok(())
}

pub fn run() {
    tauri::Builder::default()
        .setup(|app| {
            let config_dir = app.path().app_config_dir()?;
            let store = settings::SettingsStore::new(&config_dir);
            let keychain = keychain::Keychain::open(KEYCHAIN_SERVICE);
            let launch_url = launch_base_url();
            let state = state::AppState::new(store, keychain, certopay::ClientOptions::default(), launch_url.as_deref());
            app.manage(state);
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
        ])
        .run(tauri::generate_context!("tauri.conf.json"))
        .expect("error while running CertoPay Keys");
}
