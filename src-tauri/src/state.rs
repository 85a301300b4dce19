//! What the commands do, in plain Rust: settings, the session and the key view. Commands
//! in `commands.rs` only unwrap arguments and call these.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::certopay::{ApiKey, CertoPayClient, ClientOptions, RegenerateError};
use crate::clipboard::{ClearOutcome, SecretClipboard};
use crate::error::AppError;
use crate::history::{History, HistoryEntry, RotationOutcome};
use crate::keychain::{Keychain, KeychainStatus};
use crate::rotation::{bare_prefix, ConfirmedTarget, RotationGuard};
use crate::session::{Session, SessionView};
use crate::settings::{LoadNotice, Profile, Settings, SettingsStore};

/// A session together with the client for its profile's server.
pub struct ActiveSession {
    pub session: Session,
    pub client: CertoPayClient,
}

pub struct AppState {
    settings: Mutex<Settings>,
    store: Mutex<SettingsStore>,
    notice: Mutex<Option<LoadNotice>>,
    keychain: Keychain,
    session: Mutex<Option<Arc<ActiveSession>>>,
    client_options: ClientOptions,
    session_ids: AtomicU64,
    launch_error: Option<AppError>,
    clipboard: Arc<SecretClipboard>,
    guard: Mutex<RotationGuard>,
    /// The key as last read, and for which session: what a confirmation is checked against.
    last_key: Mutex<Option<(u64, ApiKey)>>,
    /// Sessions whose account was refused a rotation (403): rotation stays off for them.
    rotation_forbidden: Mutex<Option<u64>>,
    history: History,
}

/// Where the app keeps its files and the parts it talks to.
pub struct AppParts {
    pub store: SettingsStore,
    pub keychain: Keychain,
    pub clipboard: SecretClipboard,
    pub history: History,
    pub client_options: ClientOptions,
}

/// Everything the window needs to draw itself on start.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppSnapshot {
    pub settings: Settings,
    pub keychain: KeychainStatus,
    pub session: Option<SessionView>,
    pub settings_notice: Option<LoadNotice>,
    pub settings_path: String,
    /// The base URL given at launch was refused.
    pub launch_error: Option<AppError>,
}

/// The key as the dashboard shows it: display data only.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct KeyView {
    pub label: String,
    pub key_prefix: String,
    pub masked_key: Option<String>,
    /// "live", "test" or "unknown", from the prefix.
    pub mode: &'static str,
    pub active: bool,
    pub rate_limit: Option<u64>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: Option<DateTime<Utc>>,
    pub age_days: Option<i64>,
    pub rotation_period_days: u32,
    pub rotation_due: bool,
    /// Why "Rotate key…" is off: "forbidden" (403 for this account) or "clipboard".
    pub rotation_blocked: Option<&'static str>,
    pub clipboard_problem: Option<String>,
}

pub fn key_mode(prefix: &str) -> &'static str {
    if prefix.starts_with("sk_live_") {
        "live"
    } else if prefix.starts_with("sk_test_") {
        "test"
    } else {
        "unknown"
    }
}

impl KeyView {
    pub fn new(key: &ApiKey, rotation_period_days: u32, now: DateTime<Utc>) -> Self {
        let age_days = key.created_at.map(|c| (now - c).num_days().max(0));
        KeyView {
            label: key.label.clone(),
            key_prefix: key.key_prefix.clone(),
            masked_key: key.masked_key.clone(),
            mode: key_mode(&key.key_prefix),
            active: key.active,
            rate_limit: key.rate_limit,
            last_used_at: key.last_used_at,
            created_at: key.created_at,
            age_days,
            rotation_period_days,
            rotation_due: age_days.is_some_and(|d| d > i64::from(rotation_period_days)),
            rotation_blocked: None,
            clipboard_problem: None,
        }
    }
}

/// A login: the session, and what did not go as asked without stopping it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginResult {
    pub session: SessionView,
    /// The keychain or settings could not be written; the login itself worked.
    pub warnings: Vec<AppError>,
}

/// What happened when the session ended by itself.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionEnded {
    /// Logged in again with the remembered password.
    pub renewed: Option<SessionView>,
    pub profile_id: Option<String>,
    pub email: Option<String>,
    /// Why logging in again did not work, when it was tried.
    pub renew_error: Option<AppError>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Preferences {
    pub rotation_period_days: u32,
    pub clipboard_clear_seconds: u32,
    pub idle_lock_minutes: u32,
    pub language: Option<String>,
}

impl AppState {
    pub fn new(parts: AppParts, launch_url: Option<&str>) -> Self {
        let AppParts { mut store, keychain, clipboard, history, client_options } = parts;
        let (mut settings, notice) = store.load();
        let mut launch_error = None;
        if let Some(url) = launch_url {
            match settings.apply_launch_url(url) {
                // A failure to save here shows when the user next saves; the launch goes on.
                Ok(_) => drop(store.save(&settings)),
                Err(e) => launch_error = Some(e),
            }
        }
        AppState {
            settings: Mutex::new(settings),
            store: Mutex::new(store),
            notice: Mutex::new(notice),
            keychain,
            session: Mutex::new(None),
            client_options,
            session_ids: AtomicU64::new(1),
            launch_error,
            clipboard: Arc::new(clipboard),
            guard: Mutex::new(RotationGuard::default()),
            last_key: Mutex::new(None),
            rotation_forbidden: Mutex::new(None),
            history,
        }
    }

    pub fn snapshot(&self) -> AppSnapshot {
        AppSnapshot {
            settings: self.settings.lock().unwrap().clone(),
            keychain: self.keychain.status().clone(),
            session: self.session.lock().unwrap().as_ref().map(|s| s.session.view()),
            settings_notice: self.notice.lock().unwrap().clone(),
            settings_path: self.store.lock().unwrap().path().display().to_string(),
            launch_error: self.launch_error.clone(),
        }
    }

    pub fn settings(&self) -> Settings {
        self.settings.lock().unwrap().clone()
    }

    /// Applies a change to a copy, saves it, and only then makes it current: a failed save
    /// leaves the settings as they were (the window keeps what the user typed).
    fn change_settings<T>(&self, change: impl FnOnce(&mut Settings) -> Result<T, AppError>) -> Result<(T, Settings), AppError> {
        let mut current = self.settings.lock().unwrap();
        let mut next = current.clone();
        let value = change(&mut next)?;
        self.store.lock().unwrap().save(&next)?;
        *current = next.clone();
        Ok((value, next))
    }

    pub fn save_profile(&self, profile: Profile) -> Result<Settings, AppError> {
        self.change_settings(|s| s.upsert_profile(profile)).map(|(_, s)| s)
    }

    pub fn remove_profile(&self, id: &str) -> Result<Settings, AppError> {
        let (removed, settings) = self.change_settings(|s| s.remove_profile(id))?;
        if removed.remember_password && !removed.email.is_empty() {
            let _ = self.keychain.delete(&removed.id, &removed.email);
        }
        Ok(settings)
    }

    pub fn select_profile(&self, id: &str) -> Result<Settings, AppError> {
        self.change_settings(|s| {
            s.profile(id).ok_or(AppError::InvalidInput { field: "profile".into(), reason: "unknown".into() })?;
            s.selected_profile = Some(id.to_string());
            Ok(())
        })
        .map(|(_, s)| s)
    }

    pub fn save_preferences(&self, preferences: Preferences) -> Result<Settings, AppError> {
        self.change_settings(|s| {
            s.rotation_period_days = preferences.rotation_period_days;
            s.clipboard_clear_seconds = preferences.clipboard_clear_seconds;
            s.idle_lock_minutes = preferences.idle_lock_minutes;
            s.language = preferences.language.filter(|l| !l.is_empty());
            s.validate()
        })
        .map(|(_, s)| s)
    }

    /// Unticking "remember password" deletes the stored password at once.
    pub fn set_remember_password(&self, profile_id: &str, remember: bool) -> Result<Settings, AppError> {
        let profile = self.profile(profile_id)?;
        if !remember && !profile.email.is_empty() {
            self.keychain.delete(profile_id, &profile.email)?;
        }
        if remember && !self.keychain.status().available {
            return Err(AppError::Keychain { detail: self.keychain.status().reason.clone().unwrap_or_default() });
        }
        self.change_settings(|s| {
            if let Some(p) = s.profile_mut(profile_id) {
                p.remember_password = remember;
            }
            Ok(())
        })
        .map(|(_, s)| s)
    }

    fn profile(&self, id: &str) -> Result<Profile, AppError> {
        self.settings
            .lock()
            .unwrap()
            .profile(id)
            .cloned()
            .ok_or(AppError::InvalidInput { field: "profile".into(), reason: "unknown".into() })
    }

    /// Logs in. An empty password uses the one remembered for this profile and e-mail.
    pub async fn login(&self, profile_id: &str, email: &str, password: Zeroizing<String>, remember: bool) -> Result<LoginResult, AppError> {
        let profile = self.profile(profile_id)?;
        let email = email.trim().to_string();
        if email.is_empty() || !email.contains('@') {
            return Err(AppError::InvalidInput {
                field: "email".into(),
                reason: if email.is_empty() { "required" } else { "notAnEmail" }.into(),
            });
        }
        let typed = !password.is_empty();
        let password = if typed {
            password
        } else if profile.remember_password {
            self.keychain
                .fetch(&profile.id, &email)?
                .ok_or(AppError::InvalidInput { field: "password".into(), reason: "required".into() })?
        } else {
            return Err(AppError::InvalidInput { field: "password".into(), reason: "required".into() });
        };
        let client = CertoPayClient::new(&profile.base_url, self.client_options.clone())?;
        let logged_in = client.login(&email, &password).await?;
        let session = Session {
            jwt: logged_in.jwt,
            email: email.clone(),
            profile_id: profile.id.clone(),
            expires_at: logged_in.expires_at,
            id: self.session_ids.fetch_add(1, Ordering::Relaxed),
        };
        let view = session.view();
        *self.session.lock().unwrap() = Some(Arc::new(ActiveSession { session, client }));

        let mut warnings = Vec::new();
        let remember = remember && self.keychain.status().available;
        if remember && typed {
            if let Err(e) = self.keychain.store(&profile.id, &email, &password) {
                warnings.push(e);
            }
        }
        // A password remembered under the previous e-mail, or no longer wanted, goes.
        if profile.remember_password && (!remember || !profile.email.eq_ignore_ascii_case(&email)) && !profile.email.is_empty() {
            if let Err(e) = self.keychain.delete(&profile.id, &profile.email) {
                warnings.push(e);
            }
        }
        let saved = self.change_settings(|s| {
            if let Some(p) = s.profile_mut(&profile.id) {
                p.email = email.clone();
                p.remember_password = remember;
            }
            s.selected_profile = Some(profile.id.clone());
            Ok(())
        });
        if let Err(e) = saved {
            warnings.push(e);
        }
        Ok(LoginResult { session: view, warnings })
    }

    /// The live session, or `SessionExpired` (dropping it) once its `exp` has passed.
    pub fn active_session(&self) -> Result<Arc<ActiveSession>, AppError> {
        let mut slot = self.session.lock().unwrap();
        let active = slot.as_ref().ok_or(AppError::NotLoggedIn)?;
        if active.session.is_expired(Utc::now()) {
            *slot = None;
            return Err(AppError::SessionExpired);
        }
        Ok(active.clone())
    }

    /// Drops the session if it is still the one given (a newer login is left alone).
    fn forget_session(&self, id: u64) {
        let mut slot = self.session.lock().unwrap();
        if slot.as_ref().is_some_and(|s| s.session.id == id) {
            *slot = None;
        }
    }

    /// Reads the key with this session; a 401 from the server ends the session.
    async fn read_key(&self, active: &ActiveSession) -> Result<ApiKey, AppError> {
        let result = active.client.current_key(&active.session.jwt).await;
        if matches!(result, Err(AppError::SessionExpired)) {
            self.forget_session(active.session.id);
        }
        result
    }

    pub async fn current_key(&self) -> Result<KeyView, AppError> {
        let active = self.active_session()?;
        let key = self.read_key(&active).await?;
        Ok(self.remember_key(active.session.id, key))
    }

    /// Keeps the key as last read (for confirmations) and makes its view.
    fn remember_key(&self, session_id: u64, key: ApiKey) -> KeyView {
        let mut view = KeyView::new(&key, self.settings().rotation_period_days, Utc::now());
        view.clipboard_problem = self.clipboard.unavailable_reason();
        view.rotation_blocked = if *self.rotation_forbidden.lock().unwrap() == Some(session_id) {
            Some("forbidden")
        } else if view.clipboard_problem.is_some() {
            Some("clipboard")
        } else {
            None
        };
        *self.last_key.lock().unwrap() = Some((session_id, key));
        view
    }

    /// Ends the session, the clipboard first: a delivered secret still on it is cleared before
    /// anything else goes. Logout, idle lock, expiry and quit all pass here. Returns the
    /// session that ended, if there was one.
    fn end_session(&self) -> Option<Arc<ActiveSession>> {
        let _ = self.clipboard.clear_if_ours(None);
        self.guard.lock().unwrap().cancel();
        *self.last_key.lock().unwrap() = None;
        self.session.lock().unwrap().take()
    }

    pub fn logout(&self) {
        drop(self.end_session());
    }

    /// The app is quitting: the clipboard first, then everything else.
    pub fn on_quit(&self) {
        self.logout();
    }

    /// The session ran out (the window's countdown, or a `SessionExpired` answer): drop it,
    /// and with a remembered password log in again.
    pub async fn session_ended(&self) -> SessionEnded {
        let previous = self.end_session();
        let (profile_id, email) = match &previous {
            Some(a) => (Some(a.session.profile_id.clone()), Some(a.session.email.clone())),
            None => {
                let settings = self.settings();
                let p = settings.selected();
                (p.map(|p| p.id.clone()), p.map(|p| p.email.clone()))
            }
        };
        drop(previous);
        let mut ended = SessionEnded { renewed: None, profile_id: profile_id.clone(), email: email.clone(), renew_error: None };
        let (Some(profile_id), Some(email)) = (profile_id, email) else { return ended };
        let remembered = self.profile(&profile_id).map(|p| p.remember_password && !email.is_empty()).unwrap_or(false);
        if remembered && self.keychain.status().available {
            match self.login(&profile_id, &email, Zeroizing::new(String::new()), true).await {
                Ok(result) => ended.renewed = Some(result.session),
                Err(e) => ended.renew_error = Some(e),
            }
        }
        ended
    }
}

/// What step 1 of a rotation shows, with the token step 2 must bring back.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RotationDialog {
    pub confirmation_token: String,
    pub expires_in_s: u64,
    pub profile_name: String,
    pub label: String,
    pub key_prefix: String,
    /// The prefix as it may be typed in step 2: without `...`.
    pub typed_prefix: String,
    pub mode: &'static str,
}

/// A rotation that delivered its secret to the clipboard.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RotationResult {
    pub new_prefix: Option<String>,
    pub clear_in_s: u32,
    /// "oddShape" (no sk_live_/sk_test_ start), "prefixMismatch" (does not start with the
    /// new keyPrefix), "metadataUnavailable" (the new key could not be read back).
    pub warnings: Vec<&'static str>,
    pub key: Option<KeyView>,
}

impl AppState {
    /// Step 1: checks the session, the clipboard and the key, and issues a confirmation.
    pub async fn begin_rotation(&self) -> Result<RotationDialog, AppError> {
        let active = self.active_session()?;
        if *self.rotation_forbidden.lock().unwrap() == Some(active.session.id) {
            return Err(AppError::Forbidden);
        }
        // A secret that cannot be delivered would be lost, and the old key with it.
        self.clipboard.check()?;
        let key = self.read_key(&active).await?;
        let view = self.remember_key(active.session.id, key.clone());
        let confirmation = self.guard.lock().unwrap().begin(&key, active.session.id, std::time::Instant::now());
        let profile_name = self.profile(&active.session.profile_id).map(|p| p.name).unwrap_or_default();
        Ok(RotationDialog {
            confirmation_token: confirmation.token,
            expires_in_s: confirmation.expires_in.as_secs(),
            profile_name,
            label: key.label.clone(),
            typed_prefix: bare_prefix(&key.key_prefix).to_string(),
            key_prefix: key.key_prefix,
            mode: view.mode,
        })
    }

    pub fn cancel_rotation(&self) {
        self.guard.lock().unwrap().cancel();
    }

    /// Step 2: checks the confirmation without touching the network, then sends the
    /// regenerate request once and delivers the secret to the clipboard.
    pub async fn confirm_rotation(&self, token: &str, typed: &str) -> Result<RotationResult, AppError> {
        let active = self.active_session()?;
        let session_id = active.session.id;
        let known_key = self.last_key.lock().unwrap().as_ref().filter(|(s, _)| *s == session_id).map(|(_, k)| k.id.clone());
        let target = self
            .guard
            .lock()
            .unwrap()
            .confirm(token, typed, known_key.as_deref(), session_id, std::time::Instant::now())
            .map_err(|reason| AppError::Confirmation { reason })?;
        let outcome = active.client.regenerate(&active.session.jwt).await;
        let record = |new_prefix: Option<String>, outcome: RotationOutcome| {
            let _ = self.history.append(&HistoryEntry {
                time: Utc::now(),
                profile: self.profile(&active.session.profile_id).map(|p| p.name).unwrap_or_default(),
                email: active.session.email.clone(),
                old_prefix: target.key_prefix.clone(),
                new_prefix,
                outcome,
            });
        };
        let regenerated = match outcome {
            Ok(regenerated) => regenerated,
            Err(RegenerateError::Refused(error)) => {
                record(None, RotationOutcome::NotRotated);
                match error {
                    AppError::Forbidden => *self.rotation_forbidden.lock().unwrap() = Some(session_id),
                    AppError::SessionExpired => self.forget_session(session_id),
                    _ => {}
                }
                return Err(error);
            }
            Err(RegenerateError::NoAnswer) => return Err(self.settle_unknown_outcome(&active, &target, record).await),
            Err(RegenerateError::RotatedWithoutSecret) => {
                let reread = active.client.current_key(&active.session.jwt).await.ok();
                record(reread.as_ref().map(|k| k.key_prefix.clone()), RotationOutcome::RotatedSecretLost);
                if let Some(key) = reread {
                    self.remember_key(session_id, key);
                }
                return Err(AppError::RotatedWithoutSecret);
            }
        };

        let delivery = match self.clipboard.deliver(&regenerated.secret) {
            Ok(delivery) => delivery,
            Err(e) => {
                record(regenerated.metadata.as_ref().map(|k| k.key_prefix.clone()), RotationOutcome::RotatedSecretLost);
                return Err(AppError::RotatedClipboardFailed { detail: e.to_string() });
            }
        };
        let clear_in_s = self.settings().clipboard_clear_seconds;
        let clipboard = self.clipboard.clone();
        tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_secs(u64::from(clear_in_s))).await;
            let _ = clipboard.clear_if_ours(Some(delivery));
        });

        let mut warnings = Vec::new();
        if !(regenerated.secret.starts_with("sk_live_") || regenerated.secret.starts_with("sk_test_")) {
            warnings.push("oddShape");
        }
        let metadata = match regenerated.metadata.clone() {
            Some(m) => Some(m),
            None => active.client.current_key(&active.session.jwt).await.ok(),
        };
        match &metadata {
            Some(m) if !regenerated.secret.starts_with(bare_prefix(&m.key_prefix)) => warnings.push("prefixMismatch"),
            None => warnings.push("metadataUnavailable"),
            _ => {}
        }
        // The secret is zeroized here; only its clipboard copy and hash remain.
        drop(regenerated);
        let new_prefix = metadata.as_ref().map(|m| m.key_prefix.clone());
        record(new_prefix.clone(), RotationOutcome::Rotated);
        let key = metadata.map(|m| self.remember_key(session_id, m));
        Ok(RotationResult { new_prefix, clear_in_s, warnings, key })
    }

    /// The request went out and no answer came: re-read the key with the same token and say
    /// which it is. Never a guess.
    async fn settle_unknown_outcome(
        &self,
        active: &ActiveSession,
        target: &ConfirmedTarget,
        record: impl Fn(Option<String>, RotationOutcome),
    ) -> AppError {
        match active.client.current_key(&active.session.jwt).await {
            Ok(key) => {
                let rotated = key.id != target.key_id || key.key_prefix != target.key_prefix;
                if rotated {
                    record(Some(key.key_prefix.clone()), RotationOutcome::RotatedSecretLost);
                } else {
                    record(None, RotationOutcome::NotRotated);
                }
                self.remember_key(active.session.id, key);
                AppError::RotationOutcomeUnknown { rotated }
            }
            Err(_) => {
                record(None, RotationOutcome::Unknown);
                AppError::RotationOutcomeUnreadable
            }
        }
    }

    pub fn clear_clipboard_now(&self) -> Result<ClearOutcome, AppError> {
        self.clipboard.clear_if_ours(None)
    }

    /// Whether a delivered secret is still waiting to be cleared, and what the last clear did.
    pub fn clipboard_status(&self) -> ClipboardStatus {
        ClipboardStatus { holds_secret: self.clipboard.holds_secret(), last_outcome: self.clipboard.last_outcome() }
    }

    pub fn rotation_history(&self) -> Vec<HistoryEntry> {
        self.history.newest_first()
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ClipboardStatus {
    pub holds_secret: bool,
    pub last_outcome: Option<ClearOutcome>,
}
