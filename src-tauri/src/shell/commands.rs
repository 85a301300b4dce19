//! The window's commands: thin wrappers that unwrap arguments and call `AppState`. Those a
//! user's action calls count as activity for the idle lock. None blocks the main thread: what
//! touches the keychain or a file, or may pause, is async and runs on a thread of its own
//! (`AppState::off_thread`).

use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State};
use zeroize::Zeroizing;

use crate::app::AppState;
use crate::rules::delivery_target::{DeliveryTarget, Preset};
use crate::rules::settings::Profile;
use crate::shell::CloseQuestion;
use crate::wire::{
    About, AppEvent, AppSnapshot, BackgroundStart, ClearOutcome, ClipboardStatus, DestinationCheck, ExportDone, ExportKind, HistoryEntry,
    KeyView, LoginResult, LogoutOutcome, NetworkOverview, Preferences, ProfileRow, ProfileSaved, RotationDialog, RotationResult,
    SessionEnded, Settings, UpdateCheck, WireError,
};

type Result<T> = std::result::Result<T, WireError>;

#[tauri::command]
pub fn app_snapshot(state: State<'_, AppState>) -> AppSnapshot {
    state.snapshot()
}

#[tauri::command]
pub async fn login(state: State<'_, AppState>, profile_id: String, email: String, password: String, remember: bool) -> Result<LoginResult> {
    state.touch();
    let password = Zeroizing::new(password);
    Ok(state.login(&profile_id, &email, password, remember).await?)
}

#[tauri::command]
pub async fn current_key(state: State<'_, AppState>) -> Result<KeyView> {
    // Not activity: the window reads the key by itself too (a session renewed while hidden, a
    // wake from sleep); a person's clicks and keys are reported as they happen.
    Ok(state.current_key().await?)
}

/// Waits for a rotation in flight; unless `force`, a secret on the clipboard stops it.
#[tauri::command]
pub async fn logout(state: State<'_, AppState>, force: bool) -> Result<LogoutOutcome> {
    state.touch();
    Ok(state.logout(force).await)
}

/// A milestone the window reached, for `make bench` (printed only with CERTOPAY_KEYS_TIMINGS=1).
#[tauri::command]
pub fn mark_timing(milestone: String) {
    if matches!(
        milestone.as_str(),
        "login form interactive" | "login sent" | "login answered" | "key requested" | "key answered" | "key on screen"
    ) {
        crate::platform::timing_marks::mark(&milestone);
    }
}

/// The user did something in the window: the idle delay starts again.
#[tauri::command]
pub fn report_activity(state: State<'_, AppState>) {
    state.touch();
}

/// The window's channel for what Rust tells it unasked (the rollout watch, a close request).
#[tauri::command]
pub fn subscribe_events(state: State<'_, AppState>, channel: Channel<AppEvent>) {
    state.subscribe(move |event| {
        let _ = channel.send(event);
    });
}

/// Asks where to save the rotation history (the system's save dialog, titled `title` in the
/// window's language), then writes it there; `None` when the user cancelled.
#[tauri::command]
pub async fn export_rotation_history<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    kind: ExportKind,
    language: String,
    title: String,
) -> Result<Option<ExportDone>> {
    state.touch();
    let (filter, extension) = match kind {
        ExportKind::Csv => ("CSV", "csv"),
        ExportKind::Page => ("HTML", "html"),
    };
    let file_name =
        format!("certopay-rotations-{}.{extension}", crate::platform::app_clock::now().with_timezone(&chrono::Local).format("%Y-%m-%d"));
    let Some(path) = crate::shell::save_dialog::ask_where_to_save(&app, &title, &file_name, filter, extension).await else {
        return Ok(None);
    };
    Ok(Some(state.off_thread(move |s| s.export_rotation_history(&path, kind, &language)).await?))
}

/// Settings → About: the version and how it is updated.
#[tauri::command]
pub async fn about(state: State<'_, AppState>) -> Result<About> {
    Ok(state.off_thread(|s| s.about()).await)
}

/// Settings → About's "Check now": the feed asked at once; `None` when this copy checks none.
#[tauri::command]
pub async fn check_for_updates(state: State<'_, AppState>) -> Result<Option<UpdateCheck>> {
    state.touch();
    Ok(state.check_for_updates(true).await)
}

/// "Install and restart": the verified installer started, then the app quits the usual way
/// (the installer waits for it, then starts it again). Refused while a rotation is in flight
/// or a new key is on the clipboard.
#[tauri::command]
pub async fn install_update<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Result<()> {
    state.touch();
    let installer = state.off_thread(|s| s.hold_update_installer()).await?;
    crate::platform::update_installer::start_installer(&installer)?;
    // Started: the hold on its file is let go (the installer has its own).
    drop(installer);
    app.exit(0);
    Ok(())
}

/// Whether this desktop has a tray and the app starts with the computer (Settings).
#[tauri::command]
pub async fn background_start<R: Runtime>(app: AppHandle<R>) -> BackgroundStart {
    tauri::async_runtime::spawn_blocking(move || crate::shell::background_status(&app)).await.expect("the status is read")
}

/// Starts the app with the computer, minimized to the tray, or no longer.
#[tauri::command]
pub async fn set_background_start<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>, on: bool) -> Result<BackgroundStart> {
    state.touch();
    Ok(tauri::async_runtime::spawn_blocking(move || crate::shell::set_background_start(&app, on)).await.expect("the change is made")?)
}

/// Every profile's key as last seen, for the overview beside the login form.
#[tauri::command]
pub fn profile_overview(state: State<'_, AppState>) -> Vec<ProfileRow> {
    state.profile_overview(crate::platform::app_clock::now())
}

#[tauri::command]
pub fn stop_rollout_watch(state: State<'_, AppState>) {
    state.touch();
    state.stop_rollout_watch();
}

/// Waits for a rotation in flight, then says whether its secret is on the clipboard.
#[tauri::command]
pub async fn wait_for_rotation(state: State<'_, AppState>) -> Result<ClipboardStatus> {
    Ok(state.wait_for_rotation().await)
}

/// The user chose to stay after closing the window: a later close asks again.
#[tauri::command]
pub fn cancel_quit(question: State<'_, CloseQuestion>) {
    question.reset();
}

/// Quits: a rotation in flight is waited for, the clipboard cleared, the session ended.
#[tauri::command]
pub async fn quit<R: Runtime>(app: AppHandle<R>, state: State<'_, AppState>) -> Result<()> {
    state.quit().await;
    app.exit(0);
    Ok(())
}

/// Renews the session with the remembered password (before a rotation it could not see through).
#[tauri::command]
pub async fn renew_session(state: State<'_, AppState>) -> Result<LoginResult> {
    state.touch();
    Ok(state.renew_session().await?)
}

#[tauri::command]
pub async fn session_ended(state: State<'_, AppState>) -> Result<SessionEnded> {
    Ok(state.session_ended().await)
}

#[tauri::command]
pub async fn save_profile(state: State<'_, AppState>, profile: Profile) -> Result<ProfileSaved> {
    state.touch();
    Ok(state.off_thread(move |s| s.save_profile(profile)).await?)
}

#[tauri::command]
pub async fn remove_profile(state: State<'_, AppState>, profile_id: String) -> Result<Settings> {
    state.touch();
    Ok(state.off_thread(move |s| s.remove_profile(&profile_id)).await?)
}

#[tauri::command]
pub async fn select_profile(state: State<'_, AppState>, profile_id: String) -> Result<Settings> {
    state.touch();
    Ok(state.off_thread(move |s| s.select_profile(&profile_id)).await?)
}

#[tauri::command]
pub async fn save_preferences(state: State<'_, AppState>, preferences: Preferences) -> Result<Settings> {
    state.touch();
    Ok(state.off_thread(move |s| s.save_preferences(preferences)).await?)
}

/// The proxy's password goes to the keychain only.
#[tauri::command]
pub async fn set_proxy_password(state: State<'_, AppState>, profile_id: String, password: String) -> Result<()> {
    state.touch();
    let password = Zeroizing::new(password);
    Ok(state.off_thread(move |s| s.set_proxy_password(&profile_id, password)).await?)
}

/// Sets where the profile's new keys go, the whole list in order; the account password must be
/// typed (the window alone cannot change where a key goes).
#[tauri::command]
pub async fn set_destinations(
    state: State<'_, AppState>,
    profile_id: String,
    destinations: Vec<DeliveryTarget>,
    password: String,
) -> Result<Settings> {
    state.touch();
    let password = Zeroizing::new(password);
    Ok(state.set_destinations(&profile_id, destinations, &password).await?)
}

/// A preset's command line from the names the person typed.
#[tauri::command]
pub fn preset_command(preset: Preset, fields: Vec<String>) -> String {
    let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
    crate::rules::delivery_target::preset_command(preset, &fields)
}

#[tauri::command]
pub async fn network_overview(state: State<'_, AppState>) -> Result<NetworkOverview> {
    Ok(state.off_thread(|s| s.network_overview()).await)
}

#[tauri::command]
pub async fn set_remember_password(state: State<'_, AppState>, profile_id: String, remember: bool) -> Result<Settings> {
    state.touch();
    Ok(state.off_thread(move |s| s.set_remember_password(&profile_id, remember)).await?)
}

/// The dry run: each destination started and stopped before any input; nothing is written.
#[tauri::command]
pub async fn check_destinations(state: State<'_, AppState>) -> Result<Vec<DestinationCheck>> {
    state.touch();
    Ok(state.check_destinations().await?)
}

#[tauri::command]
pub async fn begin_rotation(state: State<'_, AppState>) -> Result<RotationDialog> {
    state.touch();
    Ok(state.begin_rotation().await?)
}

/// `password`: asked for when the session was opened with the remembered one.
#[tauri::command]
pub async fn confirm_rotation(
    state: State<'_, AppState>,
    confirmation_token: String,
    typed: String,
    password: Option<String>,
) -> Result<RotationResult> {
    state.touch();
    Ok(state.confirm_rotation(&confirmation_token, &typed, password.map(Zeroizing::new)).await?)
}

#[tauri::command]
pub fn cancel_rotation(state: State<'_, AppState>) {
    state.touch();
    state.cancel_rotation();
}

/// Async: a busy clipboard is tried again after short pauses.
#[tauri::command]
pub async fn clear_clipboard_now(state: State<'_, AppState>) -> Result<ClearOutcome> {
    state.touch();
    Ok(state.off_thread(|s| s.clear_clipboard_now()).await?)
}

#[tauri::command]
pub fn clipboard_status(state: State<'_, AppState>) -> ClipboardStatus {
    state.clipboard_status()
}

#[tauri::command]
pub async fn rotation_history(state: State<'_, AppState>) -> Result<Vec<HistoryEntry>> {
    Ok(state.off_thread(|s| s.rotation_history()).await)
}
