/// Every command the window may call. Each gets an `allow-…` permission, and the capability
/// file in `capabilities/` grants exactly these.
const COMMANDS: &[&str] = &[
    "app_snapshot",
    "login",
    "current_key",
    "logout",
    "renew_session",
    "session_ended",
    "save_profile",
    "remove_profile",
    "select_profile",
    "save_preferences",
    "set_remember_password",
    "set_proxy_password",
    "network_overview",
    "set_delivery_target",
    "preset_command",
    "begin_rotation",
    "confirm_rotation",
    "cancel_rotation",
    "clear_clipboard_now",
    "clipboard_status",
    "rotation_history",
    "subscribe_events",
    "stop_rollout_watch",
    "wait_for_rotation",
    "cancel_quit",
    "quit",
    "report_activity",
    "mark_timing",
];

fn main() {
    // tauri-build watches its default capabilities folder, not the one named below: without
    // this line an edited capability file would not reach the binary until a clean build.
    println!("cargo:rerun-if-changed=src-tauri/capabilities");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .capabilities_path_pattern("./src-tauri/capabilities/**/*")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
