//! Profiles, preferences and the remembered password.

use super::AppState;
use crate::error::AppError;
use crate::settings::{Profile, Settings};
use crate::wire::Preferences;

impl AppState {
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
            if let Some(lock) = preferences.lock_on_screen_lock {
                s.lock_on_screen_lock = lock;
            }
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
}
