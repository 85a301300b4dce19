//! The shell: the only place that knows Tauri. It builds the app (its state from the
//! plain-Rust parts, its window, its commands: `commands.rs`, thin), starts the lock's
//! watchers and the rotation reminders, asks before a close that would lose something, and
//! says so when the window cannot open.

mod background;
mod close_question;
mod commands;
mod launch_options;
mod quit;
mod reminders;
pub(crate) mod save_dialog;
mod update_checks;
mod watchers;

use tauri::{Manager, Runtime};

pub use background::{background_status, set_background_start};
pub use close_question::CloseQuestion;

use crate::app::{AppParts, AppState};
use crate::platform::clipboard::SecretClipboard;
use crate::platform::keychain::OsKeychain;
use crate::platform::timing_marks::mark;
use crate::store::history::History;
use crate::store::settings_store::SettingsStore;

/// The keychain service name under which remembered passwords are stored.
const KEYCHAIN_SERVICE: &str = "CertoPay Keys";

/// The main window, from `tauri.conf.json`. It is always incognito (nothing cached to disk),
/// except in a build made for tests (feature `webdriver`) driven by WebDriver: WebKitGTK only
/// lets automation control a persistent web context. Every other build ignores the switch.
/// `visible`: false for a run that waits in the tray.
fn open_main_window<R: Runtime>(app: &tauri::App<R>, visible: bool) -> tauri::Result<()> {
    let config = app.config().app.windows.iter().find(|w| w.label == "main").expect("main window in tauri.conf.json").clone();
    let automation = cfg!(feature = "webdriver") && std::env::var("TAURI_WEBVIEW_AUTOMATION").as_deref() == Ok("true");
    tauri::WebviewWindowBuilder::from_config(app.handle(), &config)?
        .incognito(!automation)
        .visible(visible)
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
    crate::platform::web_process::set_switches();
    if let Err(e) = crate::platform::process_hardening::disable_core_dumps() {
        eprintln!("CertoPay Keys: core dumps could not be turned off: {e}");
    }
    run_app(tauri::Builder::default()).run(|app, event| quit::on_run_event(app, &event));
}

/// The app on any runtime: its state, its window, its commands. `run` gives it the real
/// runtime; tests give it Tauri's mock runtime to call commands through IPC.
pub fn run_app<R: Runtime>(builder: tauri::Builder<R>) -> tauri::App<R> {
    let builder = builder.manage(quit::QuitProgress::default());
    // Linux's notification is the app's own (`platform::notification`): one D-Bus stack.
    #[cfg(not(target_os = "linux"))]
    let builder = builder.plugin(tauri_plugin_notification::init());
    // Linux's and Windows' autostart entries are the app's own (`platform::autostart`).
    #[cfg(not(any(target_os = "linux", windows)))]
    let builder = builder.plugin(background::autostart_plugin());
    builder
        .setup(|app| {
            let parts = AppParts {
                store: SettingsStore::new(&app.path().app_config_dir()?),
                keychain: Box::new(OsKeychain::open(KEYCHAIN_SERVICE)),
                // One clipboard owner for the app's whole life.
                clipboard: SecretClipboard::open(),
                history: History::new(&app.path().app_data_dir()?),
                client_options: launch_options::client_options(),
                settle: launch_options::settle_schedule(),
                update_source: launch_options::update_source(),
            };
            app.manage(AppState::new(parts, launch_options::launch_base_url().as_deref()));
            app.manage(CloseQuestion::default());
            app.manage(background::TrayIconShown::default());
            watchers::watch_for_the_lock(app.handle());
            reminders::remind_when_due(app.handle());
            update_checks::check_when_due(app.handle());
            // Started with the computer: the window waits hidden, the tray shows the app, where
            // there is a tray (else the window opens as usual).
            let in_the_tray = background::started_minimized() && crate::platform::system_tray::tray_missing().is_none();
            // A setup error would end in a panic inside Tauri, silent in a release build.
            if let Err(e) = open_main_window(app, !in_the_tray) {
                crate::platform::startup_failure::tell_and_exit(&e.to_string());
            }
            if in_the_tray {
                if let Err(e) = background::show_in_the_tray(app.handle()) {
                    // No icon after all: the window, so the app is never running unseen.
                    eprintln!("CertoPay Keys: the tray icon could not be made: {e}");
                    if let Some(window) = app.get_webview_window("main") {
                        let _ = window.show();
                    }
                }
            }
            mark("window shown");
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
            commands::profile_overview,
            commands::export_rotation_history,
            commands::background_start,
            commands::set_background_start,
            commands::about,
            commands::check_for_updates,
            commands::install_update,
            commands::set_destinations,
            commands::preset_command,
            commands::check_destinations,
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
                close_question::on_close_requested(window, api);
            }
        })
        .build(tauri::generate_context!("tauri.conf.json"))
        .expect("error while building CertoPay Keys")
}
