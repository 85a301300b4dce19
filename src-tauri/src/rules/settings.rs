//! Profiles and settings: what they may hold and the rules for changing them, never a
//! secret. The file they live in is `store::settings_store`. Plain Rust: no tauri here.

use serde::{Deserialize, Serialize};

use crate::rules::app_error::{AppError, InputField, InputProblem};
use crate::rules::base_url::BaseUrl;
use crate::rules::delivery_target::DeliveryTarget;
use crate::rules::language::LANGUAGES;
use crate::rules::proxy_route::{parse_proxy_address, ProxyChoice};

pub const PRODUCTION_URL: &str = "https://v2.certopaybrasil.com";
/// The profile a launch address opens: it lives for that run only.
pub const LAUNCH_PROFILE_ID: &str = "launch";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", from = "ProfileFields")]
pub struct Profile {
    pub id: String,
    pub name: String,
    pub base_url: String,
    /// The login e-mail last used with this profile.
    #[serde(default)]
    pub email: String,
    /// The password is in the OS keychain, never here.
    #[serde(default)]
    pub remember_password: bool,
    /// Which proxy its requests go through; a proxy's password is in the OS keychain.
    #[serde(default)]
    pub proxy: ProxyChoice,
    /// Where new keys go besides the clipboard, in the person's order (at most
    /// `MAX_DESTINATIONS`, names unique). Set only through `AppState::set_destinations`, which
    /// needs the person's password: a profile saved from the window keeps what it had.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub destinations: Vec<DeliveryTarget>,
}

/// The most destinations a profile may name.
pub const MAX_DESTINATIONS: usize = 5;

/// A profile as read: a file written before profiles had several destinations names its one
/// target `delivery`, and it becomes the first destination.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProfileFields {
    id: String,
    name: String,
    base_url: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    remember_password: bool,
    #[serde(default)]
    proxy: ProxyChoice,
    #[serde(default)]
    destinations: Vec<DeliveryTarget>,
    #[serde(default)]
    delivery: Option<DeliveryTarget>,
}

impl From<ProfileFields> for Profile {
    fn from(fields: ProfileFields) -> Profile {
        let ProfileFields { id, name, base_url, email, remember_password, proxy, mut destinations, delivery } = fields;
        if let Some(single) = delivery.filter(|_| destinations.is_empty()) {
            destinations.push(single);
        }
        Profile { id, name, base_url, email, remember_password, proxy, destinations }
    }
}

/// The destinations as they may be stored: names and commands trimmed, each runnable, at most
/// `MAX_DESTINATIONS`, no two with the same name (a sentence names each by it).
pub fn checked_destinations(mut destinations: Vec<DeliveryTarget>) -> Result<Vec<DeliveryTarget>, AppError> {
    for target in &mut destinations {
        target.name = target.name.trim().to_string();
        target.command = target.command.trim().to_string();
        target.runnable_words()?;
    }
    check_destination_list(&destinations)?;
    Ok(destinations)
}

/// What a stored list must be, a hand-edited file's too: each command splits into words, at
/// most `MAX_DESTINATIONS`, no two names alike.
fn check_destination_list(destinations: &[DeliveryTarget]) -> Result<(), AppError> {
    if destinations.len() > MAX_DESTINATIONS {
        return Err(invalid(InputField::Destinations, InputProblem::TooMany));
    }
    for (i, target) in destinations.iter().enumerate() {
        target.words()?;
        if destinations[..i].iter().any(|t| t.name.trim().eq_ignore_ascii_case(target.name.trim())) {
            return Err(invalid(InputField::DeliveryName, InputProblem::Duplicate));
        }
    }
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub profiles: Vec<Profile>,
    pub selected_profile: Option<String>,
    pub rotation_period_days: u32,
    pub clipboard_clear_seconds: u32,
    pub idle_lock_minutes: u32,
    /// `None` follows the system locale.
    pub language: Option<String>,
    /// End the session when the screen locks or the machine sleeps.
    pub lock_on_screen_lock: bool,
    /// A system notification at start when a profile's key, as last seen, is past the
    /// rotation period (once a day at most per profile).
    pub reminders: bool,
}

impl Default for Settings {
    fn default() -> Self {
        let production = Profile {
            id: "certopay".into(),
            name: "CertoPay".into(),
            base_url: PRODUCTION_URL.into(),
            email: String::new(),
            remember_password: false,
            proxy: ProxyChoice::System,
            destinations: Vec::new(),
        };
        Settings {
            selected_profile: Some(production.id.clone()),
            profiles: vec![production],
            rotation_period_days: 90,
            clipboard_clear_seconds: 60,
            idle_lock_minutes: 10,
            language: None,
            lock_on_screen_lock: true,
            reminders: true,
        }
    }
}

pub const ROTATION_PERIOD_DAYS: std::ops::RangeInclusive<u32> = 1..=3650;
pub const CLIPBOARD_CLEAR_SECONDS: std::ops::RangeInclusive<u32> = 2..=600;
pub const IDLE_LOCK_MINUTES: std::ops::RangeInclusive<u32> = 1..=240;

fn invalid(field: InputField, reason: InputProblem) -> AppError {
    AppError::invalid(field, reason)
}

impl Settings {
    /// The settings file's contents, if they are settings the app would accept.
    pub fn parse(bytes: &[u8]) -> Option<Settings> {
        serde_json::from_slice::<Settings>(bytes).ok().filter(|s| s.validate().is_ok())
    }

    pub fn profile(&self, id: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.id == id)
    }

    pub fn profile_mut(&mut self, id: &str) -> Option<&mut Profile> {
        self.profiles.iter_mut().find(|p| p.id == id)
    }

    pub fn selected(&self) -> Option<&Profile> {
        self.selected_profile.as_deref().and_then(|id| self.profile(id)).or(self.profiles.first())
    }

    /// Checks everything a user can type; the first problem found is returned.
    pub fn validate(&self) -> Result<(), AppError> {
        if self.profiles.is_empty() {
            return Err(invalid(InputField::Profiles, InputProblem::Required));
        }
        for (i, profile) in self.profiles.iter().enumerate() {
            if profile.name.trim().is_empty() {
                return Err(invalid(InputField::Name, InputProblem::Required));
            }
            if self.profiles[..i].iter().any(|p| p.name.trim().eq_ignore_ascii_case(profile.name.trim())) {
                return Err(invalid(InputField::Name, InputProblem::Duplicate));
            }
            BaseUrl::parse(&profile.base_url)?;
            // A hand-edited file is held to what the forms allow: a target that cannot run, or
            // a proxy that cannot be reached, does not load.
            if let ProxyChoice::Explicit { address, .. } = &profile.proxy {
                parse_proxy_address(address)?;
            }
            check_destination_list(&profile.destinations)?;
        }
        let in_range = |field: InputField, value: u32, range: std::ops::RangeInclusive<u32>| {
            if range.contains(&value) {
                Ok(())
            } else {
                Err(invalid(field, InputProblem::OutOfRange))
            }
        };
        in_range(InputField::RotationPeriodDays, self.rotation_period_days, ROTATION_PERIOD_DAYS)?;
        in_range(InputField::ClipboardClearSeconds, self.clipboard_clear_seconds, CLIPBOARD_CLEAR_SECONDS)?;
        in_range(InputField::IdleLockMinutes, self.idle_lock_minutes, IDLE_LOCK_MINUTES)?;
        if let Some(language) = &self.language {
            if !LANGUAGES.contains(&language.as_str()) {
                return Err(invalid(InputField::Language, InputProblem::Unknown));
            }
        }
        Ok(())
    }

    /// Adds a profile (empty `id`) or changes one; the URL is stored normalized.
    /// Adds `profile` (no id yet: it gets one from `fresh`, four random bytes) or changes the
    /// one with its id. The new or changed profile's id.
    pub fn upsert_profile(&mut self, mut profile: Profile, fresh: [u8; 4]) -> Result<String, AppError> {
        profile.base_url = BaseUrl::parse(&profile.base_url)?.normalized();
        if let ProxyChoice::Explicit { address, user } = &mut profile.proxy {
            *address = parse_proxy_address(address)?.as_str().trim_end_matches('/').to_string();
            *user = user.trim().to_string();
        }
        profile.name = profile.name.trim().to_string();
        profile.email = profile.email.trim().to_string();
        let mut next = self.clone();
        if profile.id.is_empty() {
            profile.id = new_profile_id(fresh);
            profile.destinations = Vec::new();
            next.profiles.push(profile.clone());
        } else {
            let existing = next.profile_mut(&profile.id).ok_or_else(|| invalid(InputField::Profile, InputProblem::Unknown))?;
            // What the user typed here never touches the remembered e-mail or password choice,
            // nor the destinations (which need the person's password).
            profile.email = existing.email.clone();
            profile.remember_password = existing.remember_password;
            profile.destinations = existing.destinations.clone();
            *existing = profile.clone();
        }
        next.validate()?;
        *self = next;
        Ok(profile.id)
    }

    pub fn remove_profile(&mut self, id: &str) -> Result<Profile, AppError> {
        let index = self.profiles.iter().position(|p| p.id == id).ok_or_else(|| invalid(InputField::Profile, InputProblem::Unknown))?;
        if self.profiles.len() == 1 {
            return Err(invalid(InputField::Profile, InputProblem::Last));
        }
        let removed = self.profiles.remove(index);
        if self.selected_profile.as_deref() == Some(id) {
            self.selected_profile = self.profiles.first().map(|p| p.id.clone());
        }
        Ok(removed)
    }

    /// The base URL given at launch (flag or environment), for this run only: select the saved
    /// profile that has it, or else the launch profile (added, or moved to this address). The
    /// launch profile is never written to disk (`for_disk`).
    pub fn apply_launch_url(&mut self, text: &str) -> Result<String, AppError> {
        let url = BaseUrl::parse(text)?;
        let wanted = url.normalized();
        let loopback = url.is_loopback_http();
        let id = if let Some(p) = self.profiles.iter().find(|p| p.base_url == wanted) {
            p.id.clone()
        } else if let Some(p) = self.profile_mut(LAUNCH_PROFILE_ID) {
            p.base_url = wanted;
            p.id.clone()
        } else {
            let mut name = if loopback { "Sandbox".to_string() } else { url.host().unwrap_or("CertoPay").to_string() };
            while self.profiles.iter().any(|p| p.name.eq_ignore_ascii_case(&name)) {
                name.push('′');
            }
            let profile = Profile {
                id: LAUNCH_PROFILE_ID.into(),
                name,
                base_url: wanted,
                email: String::new(),
                remember_password: false,
                proxy: ProxyChoice::System,
                destinations: Vec::new(),
            };
            self.profiles.push(profile);
            LAUNCH_PROFILE_ID.to_string()
        };
        self.selected_profile = Some(id.clone());
        Ok(id)
    }

    /// The settings as written to disk: without the launch profile, and with `fallback` (the
    /// selection on disk) where the launch profile is selected.
    pub fn for_disk(&self, fallback: Option<String>) -> Settings {
        let mut disk = self.clone();
        disk.profiles.retain(|p| p.id != LAUNCH_PROFILE_ID);
        if disk.selected_profile.as_deref() == Some(LAUNCH_PROFILE_ID) {
            disk.selected_profile = fallback;
        }
        disk
    }
}

/// A new profile's id, from four random bytes.
fn new_profile_id(fresh: [u8; 4]) -> String {
    format!("p{:08x}", u32::from_le_bytes(fresh))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_profile_is_certopay_production() {
        let s = Settings::default();
        assert_eq!(s.selected().unwrap().name, "CertoPay");
        assert_eq!(s.selected().unwrap().base_url, PRODUCTION_URL);
        assert_eq!((s.rotation_period_days, s.clipboard_clear_seconds, s.idle_lock_minutes), (90, 60, 10));
    }

    #[test]
    fn add_rename_remove_profiles() {
        let mut s = Settings::default();
        let id = s
            .upsert_profile(
                Profile {
                    id: String::new(),
                    name: " Staging ".into(),
                    base_url: "https://staging.example/".into(),
                    email: String::new(),
                    remember_password: false,
                    proxy: ProxyChoice::System,
                    destinations: Vec::new(),
                },
                [1; 4],
            )
            .unwrap();
        assert_eq!(s.profile(&id).unwrap().base_url, "https://staging.example");
        assert_eq!(s.profile(&id).unwrap().name, "Staging");
        let dup = s.upsert_profile(
            Profile {
                id: String::new(),
                name: "staging".into(),
                base_url: "https://x.example".into(),
                email: String::new(),
                remember_password: false,
                proxy: ProxyChoice::System,
                destinations: Vec::new(),
            },
            [2; 4],
        );
        assert!(matches!(dup, Err(AppError::InvalidInput { reason: InputProblem::Duplicate, .. })));
        let mut renamed = s.profile(&id).unwrap().clone();
        renamed.name = "Homologação".into();
        s.upsert_profile(renamed, [3; 4]).unwrap();
        assert_eq!(s.profile(&id).unwrap().name, "Homologação");
        s.remove_profile("certopay").unwrap();
        assert!(matches!(s.remove_profile(&id), Err(AppError::InvalidInput { reason: InputProblem::Last, .. })));
    }

    #[test]
    fn a_hand_edited_bad_target_or_proxy_does_not_load() {
        let with = |profile_extra: &str| {
            format!(
                r#"{{"profiles": [{{"id": "p", "name": "Loja", "baseUrl": "https://v2.certopaybrasil.com"{profile_extra}}}], "rotationPeriodDays": 90, "clipboardClearSeconds": 60, "idleLockMinutes": 10}}"#
            )
        };
        assert!(Settings::parse(with("").as_bytes()).is_some(), "the file itself is fine");
        let good_target = r#", "delivery": {"name": "Servidor", "command": "ssh loja 'cat > k'", "timeoutS": 30}"#;
        assert!(Settings::parse(with(good_target).as_bytes()).is_some());
        for bad in [
            r#", "delivery": {"name": "Servidor", "command": "ssh \"unbalanced", "timeoutS": 30}"#,
            r#", "delivery": {"name": "", "command": "true", "timeoutS": 30}"#,
            r#", "delivery": {"name": "Servidor", "command": "true", "timeoutS": 100000}"#,
            r#", "proxy": {"kind": "explicit", "address": "not a proxy at all"}"#,
        ] {
            assert!(Settings::parse(with(bad).as_bytes()).is_none(), "{bad}");
        }
        // Several destinations: at most five, each name once.
        let list = |names: &[&str]| {
            let targets: Vec<String> = names.iter().map(|n| format!(r#"{{"name": "{n}", "command": "true", "timeoutS": 30}}"#)).collect();
            format!(r#", "destinations": [{}]"#, targets.join(", "))
        };
        assert!(Settings::parse(with(&list(&["A", "B", "C", "D", "E"])).as_bytes()).is_some());
        assert!(Settings::parse(with(&list(&["A", "B", "C", "D", "E", "F"])).as_bytes()).is_none(), "six");
        assert!(Settings::parse(with(&list(&["Vault", "vault "])).as_bytes()).is_none(), "one name twice");
    }

    #[test]
    fn launch_url_reuses_the_sandbox_profile() {
        let mut s = Settings::default();
        let first = s.apply_launch_url("http://127.0.0.1:4000").unwrap();
        let second = s.apply_launch_url("http://127.0.0.1:5000/").unwrap();
        assert_eq!(first, second);
        assert_eq!(s.profiles.len(), 2);
        assert_eq!(s.selected().unwrap().base_url, "http://127.0.0.1:5000");
        assert!(s.apply_launch_url("http://evil.example").is_err());

        // Never written to disk: the file keeps what it had, and its own selection.
        let disk = s.for_disk(Some("certopay".into()));
        assert_eq!(disk, Settings::default());
        assert!(!serde_json::to_string(&disk).unwrap().contains("5000"));
    }
}
