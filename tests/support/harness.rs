//! `AppState` with no window: the sandbox over real HTTP, and in-memory stand-ins for the
//! clipboard and the keychain that keep what they are given, so a test can read back what the
//! app did with them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use certopay_keys::app::{AppParts, AppState};
use certopay_keys::certopay::update_server::UpdateSource;
use certopay_keys::certopay::ClientOptions;
use certopay_keys::platform::clipboard::{ClipboardBackend, SecretClipboard};
use certopay_keys::platform::keychain::{Keychain, KeychainStatus};
use certopay_keys::rules::app_error::AppError;
use certopay_keys::rules::settle_schedule::SettleSchedule;
use certopay_keys::store::history::{History, RotationOutcome};
use certopay_keys::store::settings_store::SettingsStore;
use certopay_keys::wire::{AppEvent, RotationResult};
use certopay_sandbox::{Options, Sandbox, DEMO_PASSWORD};
use zeroize::Zeroizing;

use super::app::sandbox;

/// A clipboard in memory, shared with the test so it can read what the app put there.
#[derive(Clone, Default)]
pub struct MemoryClipboard(pub Arc<Mutex<Option<String>>>);

impl MemoryClipboard {
    pub fn text(&self) -> Option<String> {
        self.0.lock().unwrap().clone()
    }
}

impl ClipboardBackend for MemoryClipboard {
    fn text(&mut self) -> Result<Option<Zeroizing<String>>, AppError> {
        Ok(self.0.lock().unwrap().clone().map(Zeroizing::new))
    }
    fn set_secret(&mut self, secret: &str) -> Result<(), AppError> {
        *self.0.lock().unwrap() = Some(secret.to_string());
        Ok(())
    }
    fn clear(&mut self) -> Result<(), AppError> {
        *self.0.lock().unwrap() = None;
        Ok(())
    }
}

/// A keychain in memory, keyed as the real one is; its deletes can be made to fail.
#[derive(Clone)]
pub struct MemoryKeychain {
    pub entries: Arc<Mutex<HashMap<String, String>>>,
    pub status: KeychainStatus,
    pub refuse_deletes: Arc<Mutex<bool>>,
}

impl MemoryKeychain {
    pub fn new() -> Self {
        MemoryKeychain { entries: Arc::default(), status: KeychainStatus { available: true, reason: None }, refuse_deletes: Arc::default() }
    }
    pub fn stored(&self, origin: &str, email: &str) -> Option<String> {
        self.entries.lock().unwrap().get(&format!("{origin}/{email}")).cloned()
    }
}

impl Keychain for MemoryKeychain {
    fn status(&self) -> &KeychainStatus {
        &self.status
    }
    fn store(&self, origin: &str, email: &str, password: &str) -> Result<(), AppError> {
        self.entries.lock().unwrap().insert(format!("{origin}/{email}"), password.to_string());
        Ok(())
    }
    fn fetch(&self, origin: &str, email: &str) -> Result<Option<Zeroizing<String>>, AppError> {
        Ok(self.stored(origin, email).map(Zeroizing::new))
    }
    fn delete(&self, origin: &str, email: &str) -> Result<(), AppError> {
        if *self.refuse_deletes.lock().unwrap() {
            return Err(AppError::Keychain { detail: "the keychain is locked or refused access".into() });
        }
        self.entries.lock().unwrap().remove(&format!("{origin}/{email}"));
        Ok(())
    }
}

pub struct Harness {
    pub sb: Sandbox,
    pub state: AppState,
    pub clipboard: MemoryClipboard,
    pub keychain: MemoryKeychain,
    pub profile_id: String,
    pub files: tempfile::TempDir,
}

pub async fn harness(options: Options) -> Harness {
    harness_with(options, ClientOptions { backoff: Duration::from_millis(20), ..ClientOptions::default() }).await
}

/// The checks after an unanswered rotation, shortened for tests: at once, 100 ms and 200 ms
/// after giving up (the app's own: 0 s to 2 min).
pub fn quick_settle() -> SettleSchedule {
    SettleSchedule::new(vec![Duration::ZERO, Duration::from_millis(100), Duration::from_millis(200)])
}

/// A harness whose app puts secrets on this desktop's real X11 clipboard (read back from another
/// process with `support::rotation::clipboard_text`); its `clipboard` field is then unused.
pub async fn harness_on_the_desktop_clipboard(options: Options) -> Harness {
    let keychain = MemoryKeychain::new();
    let client_options = ClientOptions { backoff: Duration::from_millis(20), ..ClientOptions::default() };
    harness_parts(
        options,
        client_options,
        quick_settle(),
        keychain.clone(),
        Box::new(keychain),
        SecretClipboard::open(),
        MemoryClipboard::default(),
        None,
    )
    .await
}

pub async fn harness_with(options: Options, client_options: ClientOptions) -> Harness {
    harness_settling(options, client_options, quick_settle()).await
}

pub async fn harness_settling(options: Options, client_options: ClientOptions, settle: SettleSchedule) -> Harness {
    let keychain = MemoryKeychain::new();
    harness_keychain(options, client_options, settle, keychain.clone(), Box::new(keychain)).await
}

/// A harness whose app talks to `app_keychain` (which may wrap `keychain`, the one the test reads).
pub async fn harness_keychain(
    options: Options,
    client_options: ClientOptions,
    settle: SettleSchedule,
    keychain: MemoryKeychain,
    app_keychain: Box<dyn Keychain>,
) -> Harness {
    let clipboard = MemoryClipboard::default();
    let app_clipboard = SecretClipboard::with_backend(Ok(Box::new(clipboard.clone())));
    harness_parts(options, client_options, settle, keychain, app_keychain, app_clipboard, clipboard, None).await
}

/// A harness whose app checks `source` for updates (its clipboard and keychain in memory).
pub async fn harness_updating(options: Options, source: UpdateSource) -> Harness {
    let keychain = MemoryKeychain::new();
    let clipboard = MemoryClipboard::default();
    let app_clipboard = SecretClipboard::with_backend(Ok(Box::new(clipboard.clone())));
    let client_options = ClientOptions { backoff: Duration::from_millis(20), ..ClientOptions::default() };
    harness_parts(options, client_options, quick_settle(), keychain.clone(), Box::new(keychain), app_clipboard, clipboard, Some(source))
        .await
}

#[allow(clippy::too_many_arguments)]
async fn harness_parts(
    options: Options,
    client_options: ClientOptions,
    settle: SettleSchedule,
    keychain: MemoryKeychain,
    app_keychain: Box<dyn Keychain>,
    app_clipboard: SecretClipboard,
    clipboard: MemoryClipboard,
    update_source: Option<UpdateSource>,
) -> Harness {
    let sb = sandbox(options).await;
    let files = tempfile::tempdir().unwrap();
    let parts = AppParts {
        store: SettingsStore::new(&files.path().join("config")),
        keychain: app_keychain,
        clipboard: app_clipboard,
        history: History::new(&files.path().join("data")),
        client_options,
        settle,
        update_source,
    };
    let state = AppState::new(parts, Some(&sb.url()));
    let profile_id = state.settings().selected_profile.clone().unwrap();
    Harness { sb, state, clipboard, keychain, profile_id, files }
}

impl Harness {
    pub async fn log_in(&self, email: &str) {
        self.state.login(&self.profile_id, email, Zeroizing::new(DEMO_PASSWORD.into()), false).await.unwrap();
    }

    /// Both steps of a rotation, as the window takes them.
    pub async fn rotate(&self) -> Result<RotationResult, AppError> {
        let dialog = self.state.begin_rotation().await?;
        self.state.confirm_rotation(&dialog.confirmation_token, &dialog.label, None).await
    }

    pub fn last_outcome(&self) -> RotationOutcome {
        self.state.rotation_history()[0].outcome
    }
}

/// Records what the app tells the window.
pub fn recorded_events(h: &Harness) -> Arc<Mutex<Vec<AppEvent>>> {
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    h.state.subscribe(move |event| sink.lock().unwrap().push(event));
    events
}

/// Starts a rotation whose regenerate answer the sandbox holds back for `delay_ms`, and returns
/// once the request is out.
pub async fn rotation_in_flight(h: &Arc<Harness>, delay_ms: u64) -> tokio::task::JoinHandle<Result<RotationResult, AppError>> {
    super::app::arm(&h.sb, serde_json::json!({"path": "/api/api-keys/me/regenerate", "kind": "latency", "delayMs": delay_ms})).await;
    let dialog = h.state.begin_rotation().await.unwrap();
    let rotating = {
        let h = h.clone();
        tokio::spawn(async move { h.state.confirm_rotation(&dialog.confirmation_token, &dialog.label, None).await })
    };
    while !h.state.rotation_in_flight() {
        assert!(!rotating.is_finished(), "the rotation ended before it was seen in flight: {:?}", rotating.await);
        tokio::task::yield_now().await;
    }
    rotating
}

/// The same files as `h`'s app, opened by a new run of the app (checking `update_source`).
pub fn next_run(h: &Harness, update_source: Option<UpdateSource>) -> AppState {
    let parts = AppParts {
        store: SettingsStore::new(&h.files.path().join("config")),
        keychain: Box::new(MemoryKeychain::new()),
        clipboard: SecretClipboard::with_backend(Err("not needed".into())),
        history: History::new(&h.files.path().join("data")),
        client_options: ClientOptions::default(),
        settle: quick_settle(),
        update_source,
    };
    AppState::new(parts, None)
}
