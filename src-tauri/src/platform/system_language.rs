//! The language of the system this runs on, asked of it: Windows' display language, or the
//! environment as gettext reads it elsewhere. What the answers mean is `rules::language`.

#[cfg(windows)]
use crate::rules::language::language_of_langid;
#[cfg(not(windows))]
use crate::rules::language::system_language;

/// The language of the system this runs on.
pub fn this_systems_language() -> &'static str {
    #[cfg(windows)]
    // SAFETY: takes nothing, returns a LANGID.
    return language_of_langid(unsafe { windows_sys::Win32::Globalization::GetUserDefaultUILanguage() });
    #[cfg(not(windows))]
    system_language(|name| std::env::var(name).ok())
}

#[cfg(all(test, windows))]
mod tests {
    use super::*;

    /// Windows' own answer, under Wine: make windows-test runs this with LANG=pt_BR.UTF-8 and
    /// again with LANG=en_US.UTF-8 (Wine takes the user's language from them), saying in
    /// CERTOPAY_EXPECTED_LANGUAGE what Windows should report.
    #[test]
    fn windows_reports_the_users_language() {
        let expected = std::env::var("CERTOPAY_EXPECTED_LANGUAGE").unwrap_or_else(|_| "en".into());
        assert_eq!(this_systems_language(), expected, "LANG={:?}", std::env::var("LANG"));
    }
}
