//! The reminder that a key is past its rotation period: who is due, and the notification and
//! the tray's menu in the app's languages (their words in `rust_words`). It names the profile and the key's age, never a prefix (a
//! notification shows on a locked screen and in the system's history). Plain Rust.

use serde::Serialize;

use crate::rules::rust_words::{fill, rust_words};

/// A profile whose key, as last seen, is past the rotation period.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RotationReminder {
    pub profile_id: String,
    pub profile_name: String,
    pub age_days: i64,
}

/// The notification's title and body for `due` (none when nothing is due), in `language`.
pub fn notification_text(due: &[RotationReminder], rotation_period_days: u32, language: &str) -> Option<(String, String)> {
    let words = rust_words(language);
    let body = match due {
        [] => return None,
        [one] => fill(words.reminder_one, &[("profile", &one.profile_name), ("age", &one.age_days), ("period", &rotation_period_days)]),
        many => {
            let list: Vec<String> =
                many.iter().map(|r| fill(words.reminder_each, &[("profile", &r.profile_name), ("age", &r.age_days)])).collect();
            fill(words.reminder_many, &[("count", &many.len()), ("period", &rotation_period_days), ("list", &list.join(", "))])
        }
    };
    Some((words.reminder_title.to_string(), body))
}

/// The tray menu's fixed entries.
pub struct TrayWords {
    pub open: &'static str,
    pub quit: &'static str,
}

pub fn tray_words(language: &str) -> TrayWords {
    let words = rust_words(language);
    TrayWords { open: words.tray_open, quit: words.tray_quit }
}

/// The tray menu's entry for a profile whose key is due: its name and the key's age.
pub fn tray_due_item(profile_name: &str, age_days: i64, language: &str) -> String {
    fill(rust_words(language).tray_due, &[("profile", &profile_name), ("age", &age_days)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(name: &str, age_days: i64) -> RotationReminder {
        RotationReminder { profile_id: name.to_lowercase(), profile_name: name.into(), age_days }
    }

    #[test]
    fn names_the_profiles_and_ages_in_either_language() {
        assert_eq!(notification_text(&[], 90, "en"), None);
        let (title, body) = notification_text(&[due("Loja Centro", 120)], 90, "en").unwrap();
        assert_eq!(title, "Time to rotate an API key");
        assert_eq!(body, "Loja Centro: the key is 120 days old, past your rotation period of 90 days.");
        let (title, body) = notification_text(&[due("Loja Centro", 120), due("Loja Sul", 95)], 90, "pt-BR").unwrap();
        assert_eq!(title, "Hora de trocar uma chave de API");
        assert_eq!(body, "2 chaves de API passaram do seu prazo de troca de 90 dias: Loja Centro (120 dias), Loja Sul (95 dias).");
    }
}
