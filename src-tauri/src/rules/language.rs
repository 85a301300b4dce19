//! The window's languages, and how a system's settings name one, for "Automático". On Linux
//! and macOS, read as GTK apps (gettext)
//! read it: `LC_ALL`, `LC_MESSAGES`, `LANG` give the locale; `LANGUAGE`, a list, overrides it
//! unless the locale is C/POSIX. On Windows, the user's display language
//! (`GetUserDefaultUILanguage`, what Settings > Time & language > Language sets), which is what
//! Windows' own windows speak. Portuguese in any form gives Brazilian Portuguese; anything else,
//! English. The locale need not be compiled on the machine: only its name is read. Asking the
//! system itself is `platform::system_language`.

/// The languages the window speaks, as BCP 47 tags.
pub const LANGUAGES: [&str; 2] = ["en", "pt-BR"];

/// The window's language for a Windows language id: its low 10 bits are the primary language,
/// `LANG_PORTUGUESE` (0x16) for Portugal's and Brazil's alike.
pub fn language_of_langid(langid: u16) -> &'static str {
    const LANG_PORTUGUESE: u16 = 0x16;
    if langid & 0x3ff == LANG_PORTUGUESE {
        "pt-BR"
    } else {
        "en"
    }
}

/// The window's language for these environment variables.
pub fn system_language(env: impl Fn(&str) -> Option<String>) -> &'static str {
    let set = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let locale = set("LC_ALL").or_else(|| set("LC_MESSAGES")).or_else(|| set("LANG"));
    let c_locale = locale.as_deref().is_some_and(|l| matches!(l.split(['.', '@']).next(), Some("C" | "POSIX")));
    let chosen = if c_locale { None } else { set("LANGUAGE").and_then(|list| list.split(':').find(|l| !l.is_empty()).map(str::to_string)) };
    match chosen.or(locale) {
        Some(name) if name.to_ascii_lowercase().starts_with("pt") => "pt-BR",
        _ => "en",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn language(vars: &[(&str, &str)]) -> &'static str {
        system_language(|name| vars.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string()))
    }

    #[test]
    fn follows_gettexts_order() {
        assert_eq!(language(&[("LANG", "pt_BR.UTF-8")]), "pt-BR");
        assert_eq!(language(&[("LANG", "pt_PT.UTF-8")]), "pt-BR", "any Portuguese");
        assert_eq!(language(&[("LANG", "en_US.UTF-8")]), "en");
        assert_eq!(language(&[("LANG", "de_DE.UTF-8")]), "en", "anything else is English");
        assert_eq!(language(&[]), "en");
        assert_eq!(language(&[("LANG", "en_US.UTF-8"), ("LC_MESSAGES", "pt_BR.UTF-8")]), "pt-BR");
        assert_eq!(language(&[("LC_MESSAGES", "pt_BR.UTF-8"), ("LC_ALL", "en_GB.UTF-8")]), "en", "LC_ALL wins");
        assert_eq!(language(&[("LANG", "en_US.UTF-8"), ("LANGUAGE", "pt_BR:en")]), "pt-BR", "LANGUAGE lists first");
        assert_eq!(language(&[("LANG", "C.UTF-8"), ("LANGUAGE", "pt_BR")]), "en", "C ignores LANGUAGE");
        assert_eq!(language(&[("LANG", "pt_BR.UTF-8"), ("LANGUAGE", "")]), "pt-BR");
    }

    #[test]
    fn windows_language_ids() {
        assert_eq!(language_of_langid(0x0416), "pt-BR", "pt-BR");
        assert_eq!(language_of_langid(0x0816), "pt-BR", "pt-PT");
        assert_eq!(language_of_langid(0x0409), "en", "en-US");
        assert_eq!(language_of_langid(0x0C0A), "en", "es-ES: anything else is English");
        assert_eq!(language_of_langid(0x0016), "pt-BR", "neutral Portuguese");
    }
}
