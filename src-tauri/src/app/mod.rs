//! What the commands do, in plain Rust: settings and profiles (`profiles`), logging in, the
//! session and the key view (`session`), ending a session (`session_end`), the idle and
//! away lock (`auto_lock`), the history's export (`audit_record`), the version (`about`) and its updates (`updates`), every profile's key before a login and the reminders (`overview`),
//! a rotation's whole life (`rotation`) and the rollout watch after
//! it (`rollout_runner`). Commands in `shell/commands.rs` only unwrap arguments and call these;
//! tests drive `AppState` directly, with no window.

mod about;
mod audit_record;
mod auto_lock;
mod overview;
mod profiles;
mod rollout_runner;
mod rotation;
mod session;
mod session_end;
mod updates;

use std::ops::Deref;
use std::sync::{Arc, Mutex};

use crate::certopay::update_server::UpdateSource;
use crate::certopay::ClientOptions;
use crate::platform::clipboard::SecretClipboard;
use crate::platform::keychain::Keychain;
use crate::rules::settle_schedule::SettleSchedule;
use crate::store::history::History;
use crate::store::removed_notice::RemovedNoticeFile;
use crate::store::seen_keys::SeenKeysFile;
use crate::store::settings_store::SettingsStore;
use crate::store::update_record::UpdateRecordFile;
use crate::wire::{AppEvent, AppSnapshot};

pub use session::ActiveSession;
pub use updates::built_in_update_source;

/// The app's state, shared: a cheap handle, so work that blocks (the keychain, files) can be
/// moved off the calling thread with everything it needs (`off_thread`).
#[derive(Clone)]
pub struct AppState(Arc<AppInner>);

impl Deref for AppState {
    type Target = AppInner;
    fn deref(&self) -> &AppInner {
        &self.0
    }
}

pub struct AppInner {
    /// The settings in use, their file, and this run's launch profile (`profiles`).
    settings_state: profiles::SettingsState,
    keychain: Box<dyn Keychain>,
    clipboard: Arc<SecretClipboard>,
    history: Arc<History>,
    client_options: ClientOptions,
    /// When an unanswered rotation is checked again.
    settle: SettleSchedule,
    /// A delivered secret removed from the clipboard before its time, and why (`session_end`).
    removed_key: session_end::RemovedKeyNotice,
    /// Each profile's key as last seen, for the overview and the reminders (`overview`).
    seen_keys: overview::SeenKeys,
    /// The one live session, which owns everything that belongs to it.
    session: Mutex<Option<Arc<ActiveSession>>>,
    /// One rotation at a time (`rotation::slot`).
    slot: rotation::RotationSlot,
    /// Wrong passwords per profile, across sessions.
    password_limit: session::PasswordLimit,
    events: Arc<EventHub>,
    /// The idle lock's last action and the session clock's wake-up (`auto_lock`).
    session_clock: auto_lock::SessionClock,
    /// Where updates come from, the last check, a verified newer version (`updates`).
    updates: updates::Updates,
}

/// Sends one event to the window.
type EventSink = Box<dyn Fn(AppEvent) + Send + Sync>;

/// Where events for the window go, once it has subscribed.
#[derive(Default)]
pub struct EventHub(Mutex<Option<EventSink>>);

impl EventHub {
    pub fn emit(&self, event: AppEvent) {
        if let Some(sink) = &*self.0.lock().unwrap() {
            sink(event);
        }
    }
}

/// Where the app keeps its files and the parts it talks to.
pub struct AppParts {
    pub store: SettingsStore,
    pub keychain: Box<dyn Keychain>,
    pub clipboard: SecretClipboard,
    pub history: History,
    pub client_options: ClientOptions,
    /// `SettleSchedule::default()` but in tests, which bring a shorter one.
    pub settle: SettleSchedule,
    /// The build's update feed and key (`updates::built_in_update_source`), or a test's.
    pub update_source: Option<UpdateSource>,
}

impl AppState {
    pub fn new(parts: AppParts, launch_url: Option<&str>) -> Self {
        let AppParts { store, keychain, clipboard, history, client_options, settle, update_source } = parts;
        let removed_key = session_end::RemovedKeyNotice::load(RemovedNoticeFile::new(history.dir()));
        let seen_keys = SeenKeysFile::open(store.path().parent().expect("the settings file has a folder"));
        let update_record = UpdateRecordFile::open(store.path().parent().expect("the settings file has a folder"));
        AppState(Arc::new(AppInner {
            settings_state: profiles::SettingsState::load(store, launch_url),
            keychain,
            clipboard: Arc::new(clipboard),
            history: Arc::new(history),
            client_options,
            settle,
            removed_key,
            seen_keys: overview::SeenKeys::new(seen_keys),
            session: Mutex::new(None),
            slot: rotation::RotationSlot::default(),
            password_limit: session::PasswordLimit::default(),
            events: Arc::default(),
            session_clock: auto_lock::SessionClock::default(),
            updates: updates::Updates::new(update_source, update_record),
        }))
    }

    /// Runs work that may block (a keychain that asks to be unlocked, a file synced to disk)
    /// on a thread of its own, so the thread that called, the window's included, stays free.
    pub async fn off_thread<T: Send + 'static>(&self, work: impl FnOnce(&AppState) -> T + Send + 'static) -> T {
        let state = self.clone();
        match tokio::task::spawn_blocking(move || work(&state)).await {
            Ok(value) => value,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }

    /// Sends the window's events here from now on (the window subscribes once it has loaded).
    pub fn subscribe(&self, sink: impl Fn(AppEvent) + Send + Sync + 'static) {
        *self.events.0.lock().unwrap() = Some(Box::new(sink));
    }

    pub fn emit(&self, event: AppEvent) {
        self.events.emit(event);
    }

    pub fn snapshot(&self) -> AppSnapshot {
        AppSnapshot {
            settings: self.settings(),
            keychain: self.keychain.status().clone(),
            session: self.session.lock().unwrap().as_ref().map(|s| s.session.view()),
            settings_notice: self.settings_state.load_notice(),
            settings_path: self.settings_state.path().display().to_string(),
            launch_error: self.settings_state.launch_error().map(Into::into),
            launch_only: self.launch_only(),
            system_language: crate::platform::system_language::this_systems_language(),
            secret_removed: self.secret_removed(),
        }
    }
}
