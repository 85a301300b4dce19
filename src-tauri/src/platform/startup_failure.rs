//! When the window cannot open at all (on Windows, most likely a missing WebView2 Runtime),
//! the app says so in the user's language (its words in `rules::rust_words`), in a system
//! dialog on Windows (a release build has no console) and on stderr everywhere, and exits,
//! instead of vanishing.

/// What the user reads, in the window's language for this system.
pub fn sentence(language: &str, detail: &str) -> String {
    use crate::rules::rust_words::{fill, rust_words};
    fill(rust_words(language).startup_failure, &[("detail", &detail)])
}

/// Tells the user and ends the process (exit status 1). Nothing is held yet: no session, no key.
pub fn tell_and_exit(detail: &str) -> ! {
    let text = sentence(crate::platform::system_language::this_systems_language(), detail);
    eprintln!("{text}");
    #[cfg(windows)]
    {
        use crate::platform::windows_text::wide;
        use windows_sys::Win32::UI::WindowsAndMessaging::{MessageBoxW, MB_ICONERROR, MB_OK};
        // SAFETY: NUL-terminated strings that outlive the call; no owner window.
        unsafe { MessageBoxW(std::ptr::null_mut(), wide(&text).as_ptr(), wide("CertoPay Keys").as_ptr(), MB_OK | MB_ICONERROR) };
    }
    std::process::exit(1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn says_what_is_missing_in_both_languages() {
        let english = super::sentence("en", "failed to create window");
        assert!(english.starts_with("CertoPay Keys could not open its window. On Windows"), "{english}");
        assert!(english.ends_with("\n\nDetail: failed to create window"), "the reason last: {english}");
        assert!(english.contains("WebView2 Runtime"));
        let portuguese = super::sentence("pt-BR", "failed to create window");
        assert!(portuguese.starts_with("O CertoPay Keys não conseguiu abrir a janela. No Windows"), "{portuguese}");
        assert!(portuguese.ends_with("\n\nDetalhe: failed to create window"), "{portuguese}");
        assert!(portuguese.contains("peça à equipe de TI"));
    }
}
