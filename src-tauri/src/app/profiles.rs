//! Profiles, preferences and the remembered password.

use std::path::PathBuf;
use std::sync::Mutex;

use zeroize::Zeroizing;

use super::AppState;
use crate::platform::randomness::random_bytes;
use crate::rules::app_error::{AppError, InputField, InputProblem};
use crate::rules::base_url::BaseUrl;
use crate::rules::delivery_target::DeliveryTarget;
use crate::rules::proxy_route::{keychain_origin, route, ProxyChoice, ProxyRoute};
use crate::rules::settings::{checked_destinations, Profile, Settings, LAUNCH_PROFILE_ID};
use crate::store::settings_store::{LoadNotice, SettingsStore};
use crate::wire::{NetworkOverview, Preferences, ProfileSaved, ProxyInUse};

/// The settings' own state: those in use (on disk, and this run's launch profile if there is
/// one), the selected profile as on disk (kept there while the launch profile is selected),
/// their file, what loading it found, and a launch address that was refused.
pub(super) struct SettingsState {
    settings: Mutex<Settings>,
    disk_selection: Mutex<Option<String>>,
    store: Mutex<SettingsStore>,
    notice: Option<LoadNotice>,
    launch_error: Option<AppError>,
}

impl SettingsState {
    /// The settings from `store`, with the launch address's profile for this run only.
    pub(super) fn load(mut store: SettingsStore, launch_url: Option<&str>) -> Self {
        let (mut settings, notice) = store.load();
        let disk_selection = settings.selected_profile.clone();
        // For this run only: nothing of it is saved.
        let launch_error = launch_url.and_then(|url| settings.apply_launch_url(url).err());
        SettingsState {
            settings: Mutex::new(settings),
            disk_selection: Mutex::new(disk_selection),
            store: Mutex::new(store),
            notice,
            launch_error,
        }
    }

    /// What loading the file found (set aside as corrupt, say).
    pub(super) fn load_notice(&self) -> Option<LoadNotice> {
        self.notice.clone()
    }

    pub(super) fn launch_error(&self) -> Option<AppError> {
        self.launch_error.clone()
    }

    /// The settings file.
    pub(super) fn path(&self) -> PathBuf {
        self.store.lock().unwrap().path().to_path_buf()
    }
}

impl AppState {
    /// A launch address that is not the loopback, for the login screen to say it serves this
    /// run only.
    pub(in crate::app) fn launch_only(&self) -> Option<String> {
        let settings = self.settings_state.settings.lock().unwrap();
        let launch = settings.profile(LAUNCH_PROFILE_ID)?;
        BaseUrl::parse(&launch.base_url).ok().filter(|u| !u.is_loopback_http()).map(|u| u.normalized())
    }

    pub fn settings(&self) -> Settings {
        self.settings_state.settings.lock().unwrap().clone()
    }

    /// The language the app speaks outside the window (a notification, the tray's menu), as the
    /// window picks its own: the setting, else the system's.
    pub fn language(&self) -> String {
        let chosen = self.settings_state.settings.lock().unwrap().language.clone();
        chosen.unwrap_or_else(|| crate::platform::system_language::this_systems_language().to_string())
    }

    /// Applies a change to a copy, saves it, and only then makes it current: a failed save
    /// leaves the settings as they were (the window keeps what the user typed).
    pub(in crate::app) fn change_settings<T>(
        &self,
        change: impl FnOnce(&mut Settings) -> Result<T, AppError>,
    ) -> Result<(T, Settings), AppError> {
        let mut current = self.settings_state.settings.lock().unwrap();
        let mut next = current.clone();
        let value = change(&mut next)?;
        let mut disk_selection = self.settings_state.disk_selection.lock().unwrap();
        let disk = next.for_disk(disk_selection.clone());
        self.settings_state.store.lock().unwrap().save(&disk)?;
        *disk_selection = disk.selected_profile;
        *current = next.clone();
        Ok((value, next))
    }

    pub(in crate::app) fn profile(&self, id: &str) -> Result<Profile, AppError> {
        self.settings_state
            .settings
            .lock()
            .unwrap()
            .profile(id)
            .cloned()
            .ok_or(AppError::invalid(InputField::Profile, InputProblem::Unknown))
    }
}

/// The origin a profile's remembered password is bound to.
fn origin(profile: &Profile) -> Result<String, AppError> {
    Ok(BaseUrl::parse(&profile.base_url)?.origin())
}

/// The profile's proxy password's place in the keychain, if its proxy has a user.
fn proxy_password(profile: &Profile) -> Option<(String, String)> {
    match &profile.proxy {
        ProxyChoice::Explicit { address, user } if !user.is_empty() => Some((keychain_origin(address).ok()?, user.clone())),
        _ => None,
    }
}

/// The profile's remembered password, if it has one: its origin and e-mail.
fn remembered(profile: &Profile) -> Option<(String, String)> {
    let origin = origin(profile).ok()?;
    (profile.remember_password && !profile.email.is_empty()).then(|| (origin, profile.email.clone()))
}

impl AppState {
    /// Adds or changes a profile. A new server address forgets the password remembered for the
    /// old one (it is never sent to another server); a failed delete saves nothing.
    pub fn save_profile(&self, profile: Profile) -> Result<ProfileSaved, AppError> {
        let new_origin = origin(&profile)?;
        let before = if profile.id.is_empty() { None } else { Some(self.profile(&profile.id)?) };
        let forget = before.as_ref().and_then(remembered).filter(|(old_origin, _)| *old_origin != new_origin);
        if let Some((old_origin, email)) = &forget {
            self.keychain.delete(old_origin, email)?;
        }
        // Another proxy, or another user for it: the old proxy password goes too.
        if let Some((origin, user)) = before.as_ref().and_then(proxy_password).filter(|old| Some(old) != proxy_password(&profile).as_ref())
        {
            self.keychain.delete(&origin, &user)?;
        }
        let (_, settings) = self.change_settings(|s| {
            let id = s.upsert_profile(profile, random_bytes())?;
            if forget.is_some() {
                s.profile_mut(&id).expect("just saved").remember_password = false;
            }
            Ok(())
        })?;
        Ok(ProfileSaved { settings, password_forgotten: forget.is_some() })
    }

    /// Removes a profile and its remembered password; if the keychain refuses the delete, the
    /// profile stays, so no password is left behind without a profile to remove it with.
    pub fn remove_profile(&self, id: &str) -> Result<Settings, AppError> {
        let profile = self.profile(id)?;
        // The last profile cannot go: check before touching the keychain.
        self.settings().remove_profile(id)?;
        for (origin, user) in remembered(&profile).into_iter().chain(proxy_password(&profile)) {
            self.keychain.delete(&origin, &user)?;
        }
        // Its overview row goes first: if that file cannot be written, the profile stays.
        self.seen_keys.forget(id)?;
        self.change_settings(|s| s.remove_profile(id)).map(|(_, s)| s)
    }

    pub fn select_profile(&self, id: &str) -> Result<Settings, AppError> {
        self.change_settings(|s| {
            s.profile(id).ok_or(AppError::invalid(InputField::Profile, InputProblem::Unknown))?;
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
            if let Some(lock) = preferences.lock_on_screen_lock {
                s.lock_on_screen_lock = lock;
            }
            if let Some(reminders) = preferences.reminders {
                s.reminders = reminders;
            }
            s.language = preferences.language.filter(|l| !l.is_empty());
            s.validate()
        })
        .map(|(_, s)| {
            // A shorter idle delay may make the lock due sooner.
            self.session_clock_changed();
            s
        })
    }

    /// Unticking "remember password" deletes the stored password at once.
    pub fn set_remember_password(&self, profile_id: &str, remember: bool) -> Result<Settings, AppError> {
        let profile = self.profile(profile_id)?;
        if !remember && !profile.email.is_empty() {
            self.keychain.delete(&origin(&profile)?, &profile.email)?;
        }
        if remember {
            self.keychain.require_available()?;
        }
        self.change_settings(|s| {
            if let Some(p) = s.profile_mut(profile_id) {
                p.remember_password = remember;
            }
            Ok(())
        })
        .map(|(_, s)| s)
    }

    /// Keeps the password of the profile's proxy in the OS keychain (an empty one deletes it).
    /// Never in the settings file.
    pub fn set_proxy_password(&self, profile_id: &str, password: Zeroizing<String>) -> Result<(), AppError> {
        let profile = self.profile(profile_id)?;
        let (origin, user) = proxy_password(&profile).ok_or(AppError::invalid(InputField::ProxyUser, InputProblem::Required))?;
        if password.is_empty() {
            return self.keychain.delete(&origin, &user);
        }
        self.keychain.require_available()?;
        self.keychain.store(&origin, &user, &password)
    }

    /// Each profile's way out as it stands now, and the certificates trusted. Blocking (GNOME's
    /// settings are read through a short process).
    pub fn network_overview(&self) -> NetworkOverview {
        let env = |name: &str| std::env::var(name).ok();
        let gnome = std::sync::OnceLock::new();
        let read_gnome = || gnome.get_or_init(crate::platform::gnome_proxy::gnome_proxy).clone();
        let profiles = self
            .settings()
            .profiles
            .iter()
            .map(|profile| {
                let mut shown = ProxyInUse {
                    profile_id: profile.id.clone(),
                    kind: "direct",
                    address: None,
                    source: None,
                    variable: None,
                    user: None,
                    error: None,
                };
                match BaseUrl::parse(&profile.base_url)
                    .and_then(|server| route(&profile.proxy, &server, &env, &read_gnome, crate::platform::gnome_proxy::SYSTEM_KEEPS_PROXY))
                {
                    Ok(ProxyRoute::Direct) => {}
                    Ok(ProxyRoute::PlatformSettings) => shown.kind = "platformSettings",
                    Ok(ProxyRoute::Via { mut proxy, source, variable }) => {
                        // A variable may carry a user and password: never shown.
                        let _ = proxy.set_username("");
                        let _ = proxy.set_password(None);
                        shown.kind = "via";
                        shown.address = Some(proxy.as_str().trim_end_matches('/').to_string());
                        shown.source = Some(source);
                        shown.variable = variable;
                        shown.user = proxy_password(profile).map(|(_, user)| user);
                    }
                    Err(e) => shown.error = Some(e.into()),
                }
                shown
            })
            .collect();
        NetworkOverview { profiles, trust_store: crate::certopay::trust_store(&env) }
    }

    /// Sets where the profile's new keys go: the whole list, in order (empty: the clipboard
    /// alone). A destination receives a live payment key, so the window alone cannot add,
    /// change, remove or reorder one: the account's password must be typed, and is checked
    /// against the live session of this very profile.
    pub async fn set_destinations(
        &self,
        profile_id: &str,
        destinations: Vec<DeliveryTarget>,
        password: &str,
    ) -> Result<Settings, AppError> {
        let active = self.active_session()?;
        if active.session.profile_id != profile_id {
            return Err(AppError::invalid(InputField::Profile, InputProblem::NotLoggedIn));
        }
        if let Err(reason) = active.check_password(Some(password)) {
            return Err(self.password_refused(&active, reason, false).await);
        }
        drop(active);
        let destinations = checked_destinations(destinations)?;
        let profile_id = profile_id.to_string();
        // The settings file is synced to disk: not on the thread that asked.
        self.off_thread(move |s| {
            s.change_settings(|settings| {
                settings.profile_mut(&profile_id).ok_or(AppError::invalid(InputField::Profile, InputProblem::Unknown))?.destinations =
                    destinations;
                Ok(())
            })
            .map(|(_, settings)| settings)
        })
        .await
    }
}
