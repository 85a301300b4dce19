//! What the commands do, in plain Rust: settings, the session and the key view. Commands
//! in `commands.rs` only unwrap arguments and call these.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::certopay::{ApiKey, CertoPayClient, ClientOptions};
use crate::error::AppError;
use crate::keychain::{Keychain, KeychainStatus};
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
    pub fn new(mut store: SettingsStore, keychain: Keychain, client_options: ClientOptions, launch_url: Option<&str>) -> Self {
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
            return Err(AppError::InvalidInput { field: "email".into(), reason: if email.is_empty() { "required" } else { "notAnEmail" }.into() });
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

    /// Runs a request with the session; a 401 from the server ends the session.
    pub async fn with_session<T, F, Fut>(&self, request: F) -> Result<T, AppError>
    where
        F: FnOnce(Arc<ActiveSession>) -> Fut,
        Fut: std::future::Future<Output = Result<T, AppError>>,
    {
        let active = self.active_session()?;
        let id = active.session.id;
        let result = request(active).await;
        if matches!(result, Err(AppError::SessionExpired)) {
            self.forget_session(id);
        }
        result
    }

    pub async fn current_key(&self) -> Result<KeyView, AppError> {
        let key = self.with_session(|a| async move { a.client.current_key(&a.session.jwt).await }).await?;
        Ok(KeyView::new(&key, self.settings().rotation_period_days, Utc::now()))
    }

    pub fn logout(&self) {
        *self.session.lock().unwrap() = None;
    }

    /// The session ran out (the window's countdown, or a `SessionExpired` answer): drop it,
    /// and with a remembered password log in again.
    pub async fn session_ended(&self) -> SessionEnded {
        let previous = self.session.lock().unwrap().take();
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
