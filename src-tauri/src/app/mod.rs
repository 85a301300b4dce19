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
use std::time::Instant;

use crate::certopay::update_server::{UpdateSource, VerifiedUpdate};
use crate::certopay::ClientOptions;
use crate::platform::clipboard::SecretClipboard;
use crate::platform::keychain::Keychain;
use crate::rules::app_error::{AppError, InputField, InputProblem};
use crate::rules::base_url::BaseUrl;
use crate::rules::secret_removed::SecretRemoved;
use crate::rules::settings::{Profile, Settings, LAUNCH_PROFILE_ID};
use crate::rules::settle_schedule::SettleSchedule;
use crate::store::history::History;
use crate::store::removed_notice::RemovedNoticeFile;
use crate::store::seen_keys::SeenKeysFile;
use crate::store::settings_store::{LoadNotice, SettingsStore};
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
    /// The settings in use: those on disk, and the launch profile of this run if there is one.
    settings: Mutex<Settings>,
    /// The selected profile as on disk, kept there while the launch profile is selected.
    disk_selection: Mutex<Option<String>>,
    store: Mutex<SettingsStore>,
    notice: Option<LoadNotice>,
    launch_error: Option<AppError>,
    keychain: Box<dyn Keychain>,
    clipboard: Arc<SecretClipboard>,
    history: Arc<History>,
    client_options: ClientOptions,
    /// When an unanswered rotation is checked again.
    settle: SettleSchedule,
    /// A delivered secret that was removed from the clipboard before its time, and why: said
    /// on the login screen and the dashboard until the next login or rotation. Kept on disk
    /// too, so that a quit is said at the next start.
    secret_removed: Mutex<Option<SecretRemoved>>,
    removed_notice: RemovedNoticeFile,
    /// The prefix of the last secret delivered to the clipboard, for that notice.
    delivered_prefix: Mutex<Option<String>>,
    /// Each profile's key as last seen, for the overview and the reminders.
    seen_keys: Mutex<SeenKeysFile>,
    /// The one live session, which owns everything that belongs to it.
    session: Mutex<Option<Arc<ActiveSession>>>,
    /// True from the moment a regenerate is sent until its outcome is settled (the checks of
    /// an unanswered one included) and its secret delivered: one rotation at a time, and what
    /// would end the session waits for it.
    flight: tokio::sync::watch::Sender<bool>,
    /// How long an ending session waits for the rotation in flight: fixed when its slot was
    /// claimed, whatever changes in the profile meanwhile.
    flight_wait: Mutex<std::time::Duration>,
    /// Wrong passwords per profile, across sessions.
    password_limit: session::PasswordLimit,
    events: Arc<EventHub>,
    /// The user's last action, for the idle lock.
    last_activity: Mutex<Instant>,
    /// Wakes the session clock (`auto_lock::run_session_clock`) when its next moment changes.
    session_clock: tokio::sync::Notify,
    /// Where updates come from; `None`: this copy checks no feed.
    update_source: Option<UpdateSource>,
    update_record: Mutex<UpdateRecordFile>,
    /// A newer version this run downloaded and verified, until it is installed.
    verified_update: Mutex<Option<VerifiedUpdate>>,
    /// One feed check at a time.
    update_checking: tokio::sync::Mutex<()>,
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
        let AppParts { mut store, keychain, clipboard, history, client_options, settle, update_source } = parts;
        let removed_notice = RemovedNoticeFile::new(history.dir());
        let secret_removed = removed_notice.load();
        let (mut settings, notice) = store.load();
        let seen_keys = SeenKeysFile::open(store.path().parent().expect("the settings file has a folder"));
        let update_record = UpdateRecordFile::open(store.path().parent().expect("the settings file has a folder"));
        let disk_selection = settings.selected_profile.clone();
        let mut launch_error = None;
        if let Some(url) = launch_url {
            // For this run only: nothing of it is saved.
            if let Err(e) = settings.apply_launch_url(url) {
                launch_error = Some(e);
            }
        }
        AppState(Arc::new(AppInner {
            settings: Mutex::new(settings),
            disk_selection: Mutex::new(disk_selection),
            store: Mutex::new(store),
            notice,
            launch_error,
            keychain,
            clipboard: Arc::new(clipboard),
            history: Arc::new(history),
            client_options,
            settle,
            secret_removed: Mutex::new(secret_removed),
            removed_notice,
            delivered_prefix: Mutex::new(None),
            seen_keys: Mutex::new(seen_keys),
            session: Mutex::new(None),
            flight: tokio::sync::watch::Sender::new(false),
            flight_wait: Mutex::new(std::time::Duration::ZERO),
            password_limit: session::PasswordLimit::default(),
            events: Arc::default(),
            last_activity: Mutex::new(crate::platform::app_clock::monotonic()),
            session_clock: tokio::sync::Notify::new(),
            update_source,
            update_record: Mutex::new(update_record),
            verified_update: Mutex::new(None),
            update_checking: tokio::sync::Mutex::new(()),
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
            settings_notice: self.notice.clone(),
            settings_path: self.store.lock().unwrap().path().display().to_string(),
            launch_error: self.launch_error.clone().map(Into::into),
            launch_only: self.launch_only(),
            system_language: crate::platform::system_language::this_systems_language(),
            secret_removed: self.secret_removed(),
        }
    }

    /// A launch address that is not the loopback, for the login screen to say it serves this
    /// run only.
    fn launch_only(&self) -> Option<String> {
        let settings = self.settings.lock().unwrap();
        let launch = settings.profile(LAUNCH_PROFILE_ID)?;
        BaseUrl::parse(&launch.base_url).ok().filter(|u| !u.is_loopback_http()).map(|u| u.normalized())
    }

    pub fn settings(&self) -> Settings {
        self.settings.lock().unwrap().clone()
    }

    /// The language the app speaks outside the window (a notification, the tray's menu), as the
    /// window picks its own: the setting, else the system's.
    pub fn language(&self) -> String {
        let chosen = self.settings.lock().unwrap().language.clone();
        chosen.unwrap_or_else(|| crate::platform::system_language::this_systems_language().to_string())
    }

    /// Applies a change to a copy, saves it, and only then makes it current: a failed save
    /// leaves the settings as they were (the window keeps what the user typed).
    fn change_settings<T>(&self, change: impl FnOnce(&mut Settings) -> Result<T, AppError>) -> Result<(T, Settings), AppError> {
        let mut current = self.settings.lock().unwrap();
        let mut next = current.clone();
        let value = change(&mut next)?;
        let mut disk_selection = self.disk_selection.lock().unwrap();
        let disk = next.for_disk(disk_selection.clone());
        self.store.lock().unwrap().save(&disk)?;
        *disk_selection = disk.selected_profile;
        *current = next.clone();
        Ok((value, next))
    }

    fn profile(&self, id: &str) -> Result<Profile, AppError> {
        self.settings.lock().unwrap().profile(id).cloned().ok_or(AppError::invalid(InputField::Profile, InputProblem::Unknown))
    }
}
