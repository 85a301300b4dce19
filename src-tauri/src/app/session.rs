//! Logging in, the live session and what it owns, the key view, and ending a session.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use zeroize::Zeroizing;

use super::rollout_runner::WatchTask;
use super::AppState;
use crate::certopay::{CertoPayClient, ClientOptions};
use crate::platform::app_clock;
use crate::platform::randomness::random_bytes;
use crate::platform::timing_marks::mark;
use crate::rules::api_key::{ApiKey, KeyMode};
use crate::rules::app_error::{AppError, ConfirmationRefusal, InputField, InputProblem};
use crate::rules::base_url::BaseUrl;
use crate::rules::jwt::Session;
use crate::rules::password_check::{PasswordCheck, MAX_WRONG_PASSWORDS};
use crate::rules::proxy_route::ProxyChoice;
use crate::rules::rotation_guard::RotationGuard;
use crate::rules::secret_removed::RemovalCause;
use crate::rules::settings::Profile;
use crate::wire::{KeyView, LoginResult, RotationBlocked, SessionEnded};

/// A live session and everything that belongs to it. Ending the session is dropping this:
/// the JWT is zeroized, and the last key, the rotation refusal, any pending confirmation and
/// the rollout watch go with it.
pub struct ActiveSession {
    pub(super) session: Session,
    pub(super) client: CertoPayClient,
    /// The key as last read: what a confirmation is checked against.
    pub(super) last_key: Mutex<Option<ApiKey>>,
    /// The server refused this account a rotation (403): it stays off for this session.
    pub(super) rotation_forbidden: AtomicBool,
    /// Step 1's pending confirmation, if any.
    pub(super) guard: Mutex<RotationGuard>,
    /// The rollout watch after this session's last rotation; dropping it stops the watch.
    pub(super) rollout: Mutex<Option<WatchTask>>,
    /// The account's password as a salted hash: what the person types again to rotate after a
    /// keychain login, or to set a delivery target.
    pub(super) password_check: PasswordCheck,
    /// Opened or renewed with the remembered password (nobody typed it): rotating asks for it.
    pub(super) opened_by_keychain: bool,
}

/// Wrong passwords typed per profile, across its sessions: a new login or a renewal with the
/// remembered password does not start the count again, so a page script cannot reset it and
/// keep guessing. Once a profile reached the limit, its remembered password is not used until
/// the person types the password at a login, which also starts the count again.
#[derive(Default)]
pub(super) struct PasswordLimit(Mutex<std::collections::HashMap<String, u32>>);

impl PasswordLimit {
    /// Counts a wrong password for the profile; true when it reached the limit.
    pub(super) fn count(&self, profile_id: &str) -> bool {
        let mut counts = self.0.lock().unwrap();
        let count = counts.entry(profile_id.to_string()).or_default();
        *count = count.saturating_add(1);
        *count >= MAX_WRONG_PASSWORDS
    }

    /// Whether the profile's remembered password is held back until the person types it.
    pub(super) fn holds_remembered(&self, profile_id: &str) -> bool {
        self.0.lock().unwrap().get(profile_id).is_some_and(|count| *count >= MAX_WRONG_PASSWORDS)
    }

    /// The person typed the right password at a login.
    fn reset(&self, profile_id: &str) {
        self.0.lock().unwrap().remove(profile_id);
    }
}

impl ActiveSession {
    fn new(session: Session, client: CertoPayClient, password_check: PasswordCheck, opened_by_keychain: bool) -> Self {
        ActiveSession {
            session,
            client,
            password_check,
            opened_by_keychain,
            last_key: Mutex::new(None),
            rotation_forbidden: AtomicBool::new(false),
            guard: Mutex::new(RotationGuard::default()),
            rollout: Mutex::new(None),
        }
    }

    pub(super) fn is_rotation_forbidden(&self) -> bool {
        self.rotation_forbidden.load(Ordering::Relaxed)
    }

    pub(super) fn forbid_rotation(&self) {
        self.rotation_forbidden.store(true, Ordering::Relaxed);
    }

    /// The person, not the desk: the account password typed now, checked in constant time
    /// against this session's, and sent nowhere. Not counted here: `PasswordLimit`.
    pub(super) fn check_password(&self, typed: Option<&str>) -> Result<(), ConfirmationRefusal> {
        // The digest is computed whatever was typed: an empty one costs the same.
        let matches = self.password_check.matches(typed.unwrap_or(""));
        match typed {
            None | Some("") => Err(ConfirmationRefusal::PasswordRequired),
            Some(_) if !matches => Err(ConfirmationRefusal::PasswordMismatch),
            Some(_) => Ok(()),
        }
    }

    /// Whether a word a delivery command printed is this session's token or the account's
    /// password: its output never shows either back, whatever it printed.
    pub(super) fn is_own_secret(&self, word: &str) -> bool {
        self.session.jwt.is(word) || self.password_check.matches(word)
    }

    pub(super) fn last_key_id(&self) -> Option<String> {
        self.last_key.lock().unwrap().as_ref().map(|k| k.id.clone())
    }
}

impl AppState {
    /// Logs in. An empty password uses the one remembered for this profile and e-mail. A login
    /// by the user ends what the last removed secret's notice had to say.
    pub async fn login(&self, profile_id: &str, email: &str, password: Zeroizing<String>, remember: bool) -> Result<LoginResult, AppError> {
        let result = self.open_session(profile_id, email, password, remember).await?;
        self.forget_removed_secret();
        Ok(result)
    }

    async fn open_session(
        &self,
        profile_id: &str,
        email: &str,
        password: Zeroizing<String>,
        remember: bool,
    ) -> Result<LoginResult, AppError> {
        let profile = self.profile(profile_id)?;
        let email = email.trim().to_string();
        if email.is_empty() || !email.contains('@') {
            return Err(AppError::invalid(
                InputField::Email,
                if email.is_empty() { InputProblem::Required } else { InputProblem::NotAnEmail },
            ));
        }
        let server = BaseUrl::parse(&profile.base_url)?;
        let origin = server.origin();
        let typed = !password.is_empty();
        let password = if typed {
            password
        } else if self.password_limit.holds_remembered(&profile.id) {
            return Err(AppError::RememberedPasswordHeld);
        } else if profile.remember_password {
            let (origin, email) = (origin.clone(), email.clone());
            self.off_thread(move |s| s.keychain.fetch(&origin, &email))
                .await?
                .ok_or(AppError::invalid(InputField::Password, InputProblem::Required))?
        } else {
            return Err(AppError::invalid(InputField::Password, InputProblem::Required));
        };
        let options = {
            let (profile, server) = (profile.clone(), server.clone());
            self.off_thread(move |s| s.client_options_for(&profile, &server)).await?
        };
        let client = CertoPayClient::for_server(server, options)?;
        mark("login: HTTP sent");
        let logged_in = client.login(&email, &password).await?;
        mark("login: HTTP answered");
        if typed {
            self.password_limit.reset(&profile.id);
        }
        let session =
            Session { jwt: logged_in.jwt, email: email.clone(), profile_id: profile.id.clone(), expires_at: logged_in.expires_at };
        let view = session.view();
        // When nobody typed the password, the one who rotates must type it.
        let active = ActiveSession::new(session, client, PasswordCheck::new(&password, random_bytes()), !typed);
        *self.session.lock().unwrap() = Some(Arc::new(active));
        // A password typed is the person at work; a renewal with the remembered one is nobody's
        // activity: the idle lock still counts from the person's last action, so a session
        // renewed while they are away still locks.
        if typed {
            self.touch();
        }
        self.session_clock_changed();

        let remember = remember && self.keychain.status().available;
        // The keychain may ask to be unlocked, and the settings file is synced to disk: neither
        // holds up the thread that asked.
        let warnings = self
            .off_thread(move |s| {
                let mut warnings = Vec::new();
                if remember && typed {
                    if let Err(e) = s.keychain.store(&origin, &email, &password) {
                        warnings.push(e.into());
                    }
                }
                // A password remembered under the previous e-mail, or no longer wanted, goes.
                if profile.remember_password && (!remember || !profile.email.eq_ignore_ascii_case(&email)) && !profile.email.is_empty() {
                    if let Err(e) = s.keychain.delete(&origin, &profile.email) {
                        warnings.push(e.into());
                    }
                }
                let saved = s.change_settings(|settings| {
                    if let Some(p) = settings.profile_mut(&profile.id) {
                        p.email = email.clone();
                        p.remember_password = remember;
                    }
                    settings.selected_profile = Some(profile.id.clone());
                    Ok(())
                });
                if let Err(e) = saved {
                    warnings.push(e.into());
                }
                warnings
            })
            .await;
        mark("login: settings saved");
        Ok(LoginResult { session: view, warnings, settings: self.settings() })
    }

    /// The client's options for this profile's server: its proxy route, and the proxy's
    /// password from the keychain where the profile names a user. Blocking (the keychain,
    /// GNOME's settings).
    fn client_options_for(&self, profile: &Profile, server: &BaseUrl) -> Result<ClientOptions, AppError> {
        let proxy = crate::rules::proxy_route::route(
            &profile.proxy,
            server,
            &|name| std::env::var(name).ok(),
            &crate::platform::gnome_proxy::gnome_proxy,
            crate::platform::gnome_proxy::SYSTEM_KEEPS_PROXY,
        )?;
        let proxy_credentials = match &profile.proxy {
            ProxyChoice::Explicit { address, user } if !user.is_empty() => {
                let password = self.keychain.fetch(&crate::rules::proxy_route::keychain_origin(address)?, user)?;
                Some((user.clone(), password.unwrap_or_default()))
            }
            _ => None,
        };
        Ok(ClientOptions { proxy, proxy_credentials, ..self.client_options.clone() })
    }

    /// The live session, or `SessionEnded` (dropping it) once its `exp` has passed.
    pub fn active_session(&self) -> Result<Arc<ActiveSession>, AppError> {
        let mut slot = self.session.lock().unwrap();
        let active = slot.as_ref().ok_or(AppError::NotLoggedIn)?;
        if active.session.is_expired(app_clock::now()) {
            *slot = None;
            return Err(AppError::SessionEnded);
        }
        Ok(active.clone())
    }

    /// Drops this session if it is still the live one (a newer login is left alone).
    pub(super) fn forget_session(&self, ended: &Arc<ActiveSession>) {
        let mut slot = self.session.lock().unwrap();
        if slot.as_ref().is_some_and(|live| Arc::ptr_eq(live, ended)) {
            *slot = None;
        }
    }

    /// Reads the key with this session; a 401 from the server ends the session.
    pub(super) async fn read_key(&self, active: &Arc<ActiveSession>) -> Result<ApiKey, AppError> {
        let result = active.client.current_key(&active.session.jwt).await;
        if matches!(result, Err(AppError::SessionEnded)) {
            self.forget_session(active);
        }
        result
    }

    pub async fn current_key(&self) -> Result<KeyView, AppError> {
        let active = self.active_session()?;
        mark("key: HTTP sent");
        let key = self.read_key(&active).await?;
        mark("key: HTTP answered");
        Ok(self.remember_key(&active, key))
    }

    /// Keeps the key as last read in its session (for confirmations) and makes its view.
    pub(super) fn remember_key(&self, active: &ActiveSession, key: ApiKey) -> KeyView {
        let mut view = key_view(&key, self.settings().rotation_period_days, app_clock::now());
        view.clipboard_problem = self.clipboard.unavailable_reason();
        view.rotation_blocked = if active.is_rotation_forbidden() {
            Some(RotationBlocked::Forbidden)
        } else if view.clipboard_problem.is_some() {
            Some(RotationBlocked::Clipboard)
        } else {
            None
        };
        self.record_seen_key(&active.session.profile_id, &key);
        *active.last_key.lock().unwrap() = Some(key);
        view
    }

    /// Opens a fresh session with the remembered password before a rotation that the session's
    /// time left could not see through. The clipboard is left as it is.
    pub async fn renew_session(&self) -> Result<LoginResult, AppError> {
        let active = self.active_session()?;
        let (profile_id, email) = (active.session.profile_id.clone(), active.session.email.clone());
        drop(active);
        let _settled = self.claim_slot_when_free().await;
        self.open_session(&profile_id, &email, Zeroizing::new(String::new()), true).await
    }

    /// The session ran out (the window's countdown, or a `SessionEnded` answer): drop it,
    /// and with a remembered password log in again.
    pub async fn session_ended(&self) -> SessionEnded {
        let previous = self.end_session(RemovalCause::SessionEnded).await;
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
            // A renewal is no login by the user: a notice about a removed key stays.
            match self.open_session(&profile_id, &email, Zeroizing::new(String::new()), true).await {
                Ok(result) => ended.renewed = Some(result.session),
                Err(e) => ended.renew_error = Some(e.into()),
            }
        }
        ended
    }
}

/// The key as the dashboard shows it, with its age and the rotation period's verdict.
fn key_view(key: &ApiKey, rotation_period_days: u32, now: DateTime<Utc>) -> KeyView {
    KeyView {
        label: key.label.clone(),
        key_prefix: key.key_prefix.clone(),
        masked_key: key.masked_key.clone(),
        mode: KeyMode::of(&key.key_prefix),
        active: key.active,
        rate_limit: key.rate_limit,
        last_used_at: key.last_used_at,
        created_at: key.created_at,
        age_days: key.age_days(now),
        rotation_period_days,
        rotation_due: key.rotation_due(rotation_period_days, now),
        rotation_blocked: None,
        clipboard_problem: None,
    }
}
