//! The reminder that a key is past its rotation period: who is due, and the words of the
//! notification and of the tray's menu in the app's languages. It names the profile and the key's age, never a prefix (a
//! notification shows on a locked screen and in the system's history). Plain Rust.

use serde::Serialize;

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
    let portuguese = language == "pt-BR";
    let title = if portuguese { "Hora de trocar uma chave de API" } else { "Time to rotate an API key" };
    let body = match due {
        [] => return None,
        [one] if portuguese => {
            format!("{}: a chave tem {} dias, passou do seu prazo de troca de {rotation_period_days} dias.", one.profile_name, one.age_days)
        }
        [one] => {
            format!("{}: the key is {} days old, past your rotation period of {rotation_period_days} days.", one.profile_name, one.age_days)
        }
        many => {
            let unit = if portuguese { "dias" } else { "days" };
            let list: Vec<String> = many.iter().map(|r| format!("{} ({} {unit})", r.profile_name, r.age_days)).collect();
            if portuguese {
                format!("{} chaves de API passaram do seu prazo de troca de {rotation_period_days} dias: {}.", many.len(), list.join(", "))
            } else {
                format!("{} API keys are past your rotation period of {rotation_period_days} days: {}.", many.len(), list.join(", "))
            }
        }
    };
    Some((title.to_string(), body))
}

/// The tray menu's fixed entries.
pub struct TrayWords {
    pub open: &'static str,
    pub quit: &'static str,
}

pub fn tray_words(language: &str) -> TrayWords {
    if language == "pt-BR" {
        TrayWords { open: "Abrir o CertoPay Keys", quit: "Sair" }
    } else {
        TrayWords { open: "Open CertoPay Keys", quit: "Quit" }
    }
}

/// The tray menu's entry for a profile whose key is due: its name and the key's age.
pub fn tray_due_item(profile_name: &str, age_days: i64, language: &str) -> String {
    if language == "pt-BR" {
        format!("{profile_name}: chave com {age_days} dias, troca em atraso")
    } else {
        format!("{profile_name}: key {age_days} days old, rotation due")
    }
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
