//! Starting with the computer, minimized to the tray (Tauri's autostart and tray), so a
//! reminder comes without opening the app. Off by default; offered only where a tray shows.
//! Started so (`--minimized`), the window stays hidden and the tray's menu offers: open, the
//! profiles whose keys are due, quit.

use tauri::menu::{IsMenuItem, Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager, Runtime};
#[cfg(not(any(target_os = "linux", windows)))]
use tauri_plugin_autostart::ManagerExt;

use crate::app::AppState;
use crate::rules::app_error::{AppError, InputField, InputProblem};
use crate::rules::rotation_reminder::{tray_due_item, tray_words};
use crate::wire::BackgroundStart;

/// Whether the app shows its icon in the tray (this run was started with the computer): then
/// closing the window puts it back there, and Quit is the tray menu's.
#[derive(Default)]
pub struct TrayIconShown(std::sync::atomic::AtomicBool);

impl TrayIconShown {
    pub fn is_shown(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

/// The argument the computer starts the app with.
const MINIMIZED: &str = "--minimized";
/// The autostart entry's name.
const ENTRY_NAME: &str = "CertoPay Keys";

/// This run was started by the computer, to wait in the tray.
pub fn started_minimized() -> bool {
    std::env::args().skip(1).any(|arg| arg == MINIMIZED)
}

/// The autostart plugin, registered under the app's name with `--minimized`: macOS only. On
/// Linux and Windows the app writes its own entry (`platform::autostart`): the plugin's leaves
/// the path unquoted, and on Windows goes machine-wide when the app runs elevated.
#[cfg(not(any(target_os = "linux", windows)))]
pub fn autostart_plugin<R: Runtime>() -> tauri::plugin::TauriPlugin<R> {
    tauri_plugin_autostart::Builder::new().app_name(ENTRY_NAME).args([MINIMIZED]).build()
}

#[cfg(any(target_os = "linux", windows))]
fn starts_with_the_computer<R: Runtime>(_app: &AppHandle<R>) -> bool {
    crate::platform::autostart::is_enabled(ENTRY_NAME)
}

#[cfg(not(any(target_os = "linux", windows)))]
fn starts_with_the_computer<R: Runtime>(app: &AppHandle<R>) -> bool {
    app.autolaunch().is_enabled().unwrap_or(false)
}

#[cfg(any(target_os = "linux", windows))]
fn start_with_the_computer<R: Runtime>(_app: &AppHandle<R>, on: bool) -> Result<(), String> {
    let done =
        if on { crate::platform::autostart::enable(ENTRY_NAME, &[MINIMIZED]) } else { crate::platform::autostart::disable(ENTRY_NAME) };
    done.map_err(|e| e.to_string())
}

#[cfg(not(any(target_os = "linux", windows)))]
fn start_with_the_computer<R: Runtime>(app: &AppHandle<R>, on: bool) -> Result<(), String> {
    let done = if on { app.autolaunch().enable() } else { app.autolaunch().disable() };
    done.map_err(|e| e.to_string())
}

/// Whether a tray shows here, and whether the app starts with the computer. Blocking.
pub fn background_status<R: Runtime>(app: &AppHandle<R>) -> BackgroundStart {
    let tray_missing = crate::platform::system_tray::tray_missing();
    let enabled = starts_with_the_computer(app);
    BackgroundStart { tray_available: tray_missing.is_none(), tray_missing, enabled }
}

/// Turns starting with the computer on or off. Refused where no tray would show the app.
pub fn set_background_start<R: Runtime>(app: &AppHandle<R>, on: bool) -> Result<BackgroundStart, AppError> {
    if on && crate::platform::system_tray::tray_missing().is_some() {
        return Err(AppError::invalid(InputField::BackgroundStart, InputProblem::NoTray));
    }
    start_with_the_computer(app, on).map_err(|e| AppError::Settings { detail: format!("start with the computer: {e}") })?;
    Ok(background_status(app))
}

fn show_window<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.show();
        let _ = window.unminimize();
        let _ = window.set_focus();
    }
}

/// The tray icon and its menu, in the settings' language: open, the profiles due, quit.
pub fn show_in_the_tray<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let state = app.state::<AppState>();
    let language = state.language();
    let words = tray_words(&language);
    let open = MenuItem::with_id(app, "open", words.open, true, None::<&str>)?;
    let due: Vec<MenuItem<R>> = state
        .profile_overview(crate::platform::app_clock::now())
        .into_iter()
        .filter(|row| row.rotation_due)
        .map(|row| {
            MenuItem::with_id(
                app,
                format!("due:{}", row.id),
                tray_due_item(&row.name, row.age_days.unwrap_or_default(), &language),
                true,
                None::<&str>,
            )
        })
        .collect::<tauri::Result<_>>()?;
    let quit = MenuItem::with_id(app, "quit", words.quit, true, None::<&str>)?;
    let (first_line, second_line) = (PredefinedMenuItem::separator(app)?, PredefinedMenuItem::separator(app)?);
    let mut items: Vec<&dyn IsMenuItem<R>> = vec![&open, &first_line];
    items.extend(due.iter().map(|item| item as &dyn IsMenuItem<R>));
    if !due.is_empty() {
        items.push(&second_line);
    }
    items.push(&quit);
    let menu = Menu::with_items(app, &items)?;
    let mut tray = TrayIconBuilder::with_id("main").tooltip("CertoPay Keys").menu(&menu).on_menu_event(|app, event| {
        match event.id().as_ref() {
            "quit" => app.exit(0),
            // "open", or a profile that is due: the window, to log in and rotate.
            _ => show_window(app),
        }
    });
    if let Some(icon) = app.default_window_icon().cloned() {
        tray = tray.icon(icon);
    }
    tray.build(app)?;
    app.state::<TrayIconShown>().0.store(true, std::sync::atomic::Ordering::SeqCst);
    Ok(())
}
