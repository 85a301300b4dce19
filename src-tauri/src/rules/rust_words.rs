//! The words Rust writes itself, where the window's catalogues (ui/catalogues/) cannot reach:
//! the reminder's notification, the tray's menu, what Windows shows while a shutdown waits, the
//! start-up failure dialog, and the auditor's export (its CSV and its page). One table per
//! language; each entry a text whose `{names}` `fill` replaces. A test checks that both tables
//! fill every entry with the same names.

/// Declares the table's entries once: the struct and the list of its entries by name.
macro_rules! words_table {
    ($($(#[$doc:meta])* $entry:ident),* $(,)?) => {
        /// Every text Rust writes itself, in one language.
        pub struct RustWords {
            $($(#[$doc])* pub $entry: &'static str,)*
        }

        impl RustWords {
            /// Each entry's name and text, in declaration order.
            pub fn entries(&self) -> Vec<(&'static str, &'static str)> {
                vec![$((stringify!($entry), self.$entry)),*]
            }
        }
    };
}

words_table! {
    /// The notification when keys are past their rotation period.
    reminder_title,
    reminder_one,
    reminder_many,
    /// One profile in `reminder_many`'s list.
    reminder_each,
    tray_open,
    tray_quit,
    /// The tray's entry for a profile whose key is due.
    tray_due,
    /// Windows' shutdown screen, while a rotation waits for its answer.
    shutdown_wait,
    /// The window could not open at all.
    startup_failure,
    /// The export: the field separator Excel expects in this language, date formats (chrono's).
    export_separator,
    export_date_format,
    export_day_format,
    column_profile,
    column_email,
    column_when,
    column_utc_offset,
    column_old_key,
    column_new_key,
    column_outcome,
    column_went_to,
    column_failed_for,
    column_outage,
    export_rotated,
    export_rotated_secret_lost,
    export_not_rotated,
    export_unknown,
    export_clipboard,
    export_not_seen_within,
    export_title,
    export_period,
    export_profiles,
    export_empty,
}

pub const ENGLISH: RustWords = RustWords {
    reminder_title: "Time to rotate an API key",
    reminder_one: "{profile}: the key is {age} days old, past your rotation period of {period} days.",
    reminder_many: "{count} API keys are past your rotation period of {period} days: {list}.",
    reminder_each: "{profile} ({age} days)",
    tray_open: "Open CertoPay Keys",
    tray_quit: "Quit",
    tray_due: "{profile}: key {age} days old, rotation due",
    shutdown_wait: "Waiting for the key rotation under way to get its answer",
    startup_failure: "CertoPay Keys could not open its window. On Windows the window needs the Microsoft Edge WebView2 Runtime, part of Windows 10 and 11: if it is not installed, ask your IT team to install it, then open CertoPay Keys again.\n\nDetail: {detail}",
    export_separator: ",",
    export_date_format: "%m/%d/%Y %H:%M:%S",
    export_day_format: "%m/%d/%Y",
    column_profile: "Profile",
    column_email: "E-mail",
    column_when: "When",
    column_utc_offset: "UTC offset",
    column_old_key: "Old key",
    column_new_key: "New key",
    column_outcome: "Outcome",
    column_went_to: "New key went to",
    column_failed_for: "Delivery failed for",
    column_outage: "Outage (s)",
    export_rotated: "Rotated",
    export_rotated_secret_lost: "Rotated, secret lost",
    export_not_rotated: "Not rotated",
    export_unknown: "Unknown",
    export_clipboard: "Clipboard",
    export_not_seen_within: "not seen in use within {minutes} min",
    export_title: "CertoPay Keys: API key rotations",
    export_period: "Period",
    export_profiles: "Profiles",
    export_empty: "No rotation recorded.",
};

pub const PORTUGUESE: RustWords = RustWords {
    reminder_title: "Hora de trocar uma chave de API",
    reminder_one: "{profile}: a chave tem {age} dias, passou do seu prazo de troca de {period} dias.",
    reminder_many: "{count} chaves de API passaram do seu prazo de troca de {period} dias: {list}.",
    reminder_each: "{profile} ({age} dias)",
    tray_open: "Abrir o CertoPay Keys",
    tray_quit: "Sair",
    tray_due: "{profile}: chave com {age} dias, troca em atraso",
    shutdown_wait: "Aguardando a resposta da troca de chave em andamento",
    startup_failure: "O CertoPay Keys não conseguiu abrir a janela. No Windows, a janela precisa do Microsoft Edge WebView2 Runtime, que vem com o Windows 10 e 11: se ele não estiver instalado, peça à equipe de TI que o instale e abra o CertoPay Keys de novo.\n\nDetalhe: {detail}",
    export_separator: ";",
    export_date_format: "%d/%m/%Y %H:%M:%S",
    export_day_format: "%d/%m/%Y",
    column_profile: "Perfil",
    column_email: "E-mail",
    column_when: "Quando",
    column_utc_offset: "Fuso (UTC)",
    column_old_key: "Chave antiga",
    column_new_key: "Chave nova",
    column_outcome: "Resultado",
    column_went_to: "Chave nova foi para",
    column_failed_for: "Entrega falhou para",
    column_outage: "Interrupção (s)",
    export_rotated: "Trocada",
    export_rotated_secret_lost: "Trocada, chave perdida",
    export_not_rotated: "Não trocada",
    export_unknown: "Desconhecido",
    export_clipboard: "Área de transferência",
    export_not_seen_within: "não vista em uso em {minutes} min",
    export_title: "CertoPay Keys: trocas de chave de API",
    export_period: "Período",
    export_profiles: "Perfis",
    export_empty: "Nenhuma troca registrada.",
};

/// The table for `language` ("pt-BR", else English).
pub fn rust_words(language: &str) -> &'static RustWords {
    if language == "pt-BR" {
        &PORTUGUESE
    } else {
        &ENGLISH
    }
}

/// `text` with each `{name}` replaced by its value, in one pass: a value that holds a
/// `{name}` itself (a profile called "{age}") is written as it is.
pub fn fill(text: &str, values: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut filled = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        filled.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let named = after.find('}').and_then(|close| Some((values.iter().find(|(name, _)| *name == &after[..close])?, close)));
        match named {
            Some(((_, value), close)) => {
                filled.push_str(&value.to_string());
                rest = &after[close + 1..];
            }
            None => {
                filled.push('{');
                rest = after;
            }
        }
    }
    filled + rest
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `{names}` a text uses, sorted.
    fn names(text: &str) -> Vec<&str> {
        let mut names: Vec<&str> = text.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name)).collect();
        names.sort_unstable();
        names
    }

    #[test]
    fn both_languages_fill_every_entry_with_the_same_names() {
        let (english, portuguese) = (ENGLISH.entries(), PORTUGUESE.entries());
        assert!(english.len() > 30, "{english:?}");
        for ((name, en), (same, pt)) in english.iter().zip(&portuguese) {
            assert_eq!(name, same);
            assert!(!en.trim().is_empty() && !pt.trim().is_empty(), "{name} is empty in a language");
            assert_eq!(names(en), names(pt), "{name}: the two languages name different values");
        }
    }

    #[test]
    fn fill_replaces_each_name() {
        assert_eq!(fill(ENGLISH.tray_due, &[("profile", &"Loja"), ("age", &120)]), "Loja: key 120 days old, rotation due");
        // A name a person typed is never filled in again.
        assert_eq!(fill(ENGLISH.tray_due, &[("profile", &"Loja {age}"), ("age", &120)]), "Loja {age}: key 120 days old, rotation due");
        assert_eq!(fill("{unknown} {", &[]), "{unknown} {");
    }
}
