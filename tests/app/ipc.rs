//! The commands through Tauri's IPC on the mock runtime: the same app `run` starts (its
//! state, its window, its capability file), with no webview. A command the capability grants
//! answers; a core command it does not grant is refused before it runs.

use crate::support;

use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::Manager;

fn request(command: &str, args: Value) -> InvokeRequest {
    InvokeRequest {
        cmd: command.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: "tauri://localhost".parse().unwrap(),
        body: InvokeBody::Json(args),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.into(),
    }
}

#[test]
fn commands_answer_through_ipc_and_core_commands_are_refused() {
    // It sets the app's folders and launch address in the environment: alone in its process.
    if support::own_process::run_alone(concat!(module_path!(), "::commands_answer_through_ipc_and_core_commands_are_refused")) {
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sb = runtime.block_on(support::app::sandbox(Default::default()));
    let home = tempfile::tempdir().unwrap();
    // The app's own files in a scratch folder; the launch address is the sandbox's.
    std::env::set_var("XDG_CONFIG_HOME", home.path().join("config"));
    std::env::set_var("XDG_DATA_HOME", home.path().join("data"));
    std::env::set_var("CERTOPAY_KEYS_BASE_URL", sb.url());

    let mut app = certopay_keys::run_app(mock_builder());
    // Setup (state and window) runs with the first turn of the event loop.
    #[allow(deprecated)]
    app.run_iteration(|_, _| {});
    let window = app.get_webview_window("main").expect("the main window is opened by setup");

    let snapshot: Value = get_ipc_response(&window, request("app_snapshot", json!({}))).unwrap().deserialize().unwrap();
    let selected = snapshot["settings"]["selectedProfile"].as_str().unwrap().to_string();
    let profile = snapshot["settings"]["profiles"].as_array().unwrap().iter().find(|p| p["id"] == selected.as_str()).unwrap();
    assert_eq!(profile["baseUrl"], sb.url(), "the launch address selected the sandbox profile");
    assert!(snapshot["session"].is_null());

    // An error crosses as {kind, message}.
    let args = json!({"profileId": selected, "email": support::app::LIVE, "password": "wrong", "remember": false});
    let refused = get_ipc_response(&window, request("login", args)).unwrap_err();
    assert_eq!(refused["kind"], "InvalidCredentials", "{refused}");
    assert_eq!(refused["message"], "wrong e-mail or password");

    let args = json!({"profileId": selected, "email": support::app::LIVE, "password": certopay_sandbox::DEMO_PASSWORD, "remember": false});
    let login: Value = get_ipc_response(&window, request("login", args)).unwrap().deserialize().unwrap();
    assert_eq!(login["session"]["email"], support::app::LIVE);
    let logged_in = std::time::Instant::now();
    let key: Value = get_ipc_response(&window, request("current_key", json!({}))).unwrap().deserialize().unwrap();
    assert_eq!(key["mode"], "live");
    // Reading the key is not the person's activity (the window reads it by itself after a
    // renewal or a wake): idle for the idle delay since the login, the session locks.
    let state = app.state::<certopay_keys::app::AppState>();
    assert!(runtime.block_on(state.lock_if_idle(logged_in + state.idle_delay())), "the key read did not start the idle delay again");

    // Core commands exist in the app but the capability file does not grant them.
    for command in ["plugin:app|version", "plugin:window|close", "plugin:webview|print"] {
        let answer = get_ipc_response(&window, request(command, json!({})));
        let error = answer.expect_err(command);
        assert!(error.to_string().contains("not allowed"), "{command}: {error}");
    }
    drop(sb);
}
