//! The one clipboard owner the app keeps for its lifetime (on X11 the owner serves every
//! paste; a dropped handle means an empty paste). It remembers only a hash of the secret it
//! delivered, and clears the clipboard only while it still holds that secret.
//! The system clipboard sits behind `ClipboardBackend`, so the logic here runs in tests with
//! no display. Plain Rust: no tauri here.

use std::sync::Mutex;

use serde::Serialize;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::rules::app_error::AppError;

/// What happened to a delivered secret.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ClearOutcome {
    /// The clipboard still held the secret and is now empty.
    Cleared,
    /// The user copied something else since: it was left alone.
    LeftAlone,
    /// Nothing of ours was on the clipboard.
    NothingHeld,
    /// Clearing failed, retries included: the secret may still be there.
    Failed,
}

/// How many times a write or a clear is tried, and the first pause between tries (it doubles):
/// a clipboard can fail for a moment while another program holds it.
const ATTEMPTS: u32 = 4;
const BACKOFF: std::time::Duration = std::time::Duration::from_millis(50);

/// Tries `once` up to `ATTEMPTS` times, pausing 50, 100 and 200 ms between tries.
fn with_retries<T>(mut once: impl FnMut() -> Result<T, AppError>) -> Result<T, AppError> {
    let mut attempt = 0;
    loop {
        match once() {
            Err(_) if attempt + 1 < ATTEMPTS => {
                std::thread::sleep(BACKOFF * 2u32.pow(attempt));
                attempt += 1;
            }
            result => return result,
        }
    }
}

/// What the app needs of a clipboard. The real one is `SystemClipboard` (arboard); tests
/// without a display may bring their own.
pub trait ClipboardBackend: Send {
    /// The text on the clipboard; `None` when it is empty or holds no text.
    fn text(&mut self) -> Result<Option<Zeroizing<String>>, AppError>;
    /// Puts a secret there, marked to stay out of clipboard history where the OS allows.
    fn set_secret(&mut self, secret: &str) -> Result<(), AppError>;
    /// Leaves it empty.
    fn clear(&mut self) -> Result<(), AppError>;
}

/// The system clipboard through arboard: one handle, kept for the app's life.
pub struct SystemClipboard(arboard::Clipboard);

impl SystemClipboard {
    pub fn open() -> Result<SystemClipboard, String> {
        arboard::Clipboard::new().map(SystemClipboard).map_err(|e| e.to_string())
    }
}

impl ClipboardBackend for SystemClipboard {
    fn text(&mut self) -> Result<Option<Zeroizing<String>>, AppError> {
        match self.0.get_text() {
            Ok(text) => Ok(Some(Zeroizing::new(text))),
            // Empty, or holding an image: the clipboard works, and holds no text.
            Err(arboard::Error::ContentNotAvailable) => Ok(None),
            Err(e) => Err(clipboard_error(e)),
        }
    }

    fn set_secret(&mut self, secret: &str) -> Result<(), AppError> {
        exclude_from_history(self.0.set()).text(secret).map_err(clipboard_error)
    }

    fn clear(&mut self) -> Result<(), AppError> {
        self.0.clear().map_err(clipboard_error)
    }
}

#[derive(Clone, Copy)]
struct Held {
    sha256: [u8; 32],
    /// Tells deliveries apart, so a timer for an old one never clears a newer one.
    delivery: u64,
}

pub struct SecretClipboard {
    /// `None` when no clipboard could be opened; the reason is kept for the window.
    clipboard: Mutex<Option<Box<dyn ClipboardBackend>>>,
    unavailable_reason: Option<String>,
    held: Mutex<Option<Held>>,
    deliveries: Mutex<u64>,
    last_outcome: Mutex<Option<ClearOutcome>>,
}

fn clipboard_error(error: arboard::Error) -> AppError {
    AppError::Clipboard { detail: error.to_string() }
}

fn sha256(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

impl SecretClipboard {
    /// The system clipboard, or the reason there is none.
    pub fn open() -> SecretClipboard {
        match SystemClipboard::open() {
            Ok(system) => SecretClipboard::with_backend(Ok(Box::new(system))),
            Err(reason) => SecretClipboard::with_backend(Err(reason)),
        }
    }

    pub fn with_backend(backend: Result<Box<dyn ClipboardBackend>, String>) -> SecretClipboard {
        let (clipboard, unavailable_reason) = match backend {
            Ok(b) => (Some(b), None),
            Err(reason) => (None, Some(reason)),
        };
        SecretClipboard {
            clipboard: Mutex::new(clipboard),
            unavailable_reason,
            held: Mutex::new(None),
            deliveries: Mutex::new(0),
            last_outcome: Mutex::new(None),
        }
    }

    /// Why rotation cannot deliver a secret here, if it cannot.
    pub fn unavailable_reason(&self) -> Option<String> {
        self.unavailable_reason.clone()
    }

    fn with<T>(&self, f: impl FnOnce(&mut dyn ClipboardBackend) -> Result<T, AppError>) -> Result<T, AppError> {
        let mut guard = self.clipboard.lock().unwrap();
        let clipboard =
            guard.as_mut().ok_or_else(|| AppError::Clipboard { detail: self.unavailable_reason.clone().unwrap_or_default() })?;
        f(clipboard.as_mut())
    }

    /// Whether the clipboard answers, by reading it: what the user has there is not touched.
    pub fn check(&self) -> Result<(), AppError> {
        self.with(|c| c.text().map(drop))
    }

    /// Puts the secret on the clipboard, marked to stay out of clipboard history, and
    /// returns the delivery number a later clear must name. Retried before it is given up:
    /// the old key is dead by now, so a secret not delivered is a secret lost.
    pub fn copy_secret(&self, secret: &str) -> Result<u64, AppError> {
        with_retries(|| self.with(|c| c.set_secret(secret)))?;
        let mut deliveries = self.deliveries.lock().unwrap();
        *deliveries += 1;
        *self.held.lock().unwrap() = Some(Held { sha256: sha256(secret), delivery: *deliveries });
        *self.last_outcome.lock().unwrap() = None;
        Ok(*deliveries)
    }

    /// Clears the clipboard if it still holds the secret of this delivery (`None`: any).
    /// Something else the user copied since is left alone. Clearing leaves it empty; older
    /// content is never restored.
    pub fn clear_if_ours(&self, delivery: Option<u64>) -> Result<ClearOutcome, AppError> {
        let mut held = self.held.lock().unwrap();
        let Some(ours) = *held else { return Ok(ClearOutcome::NothingHeld) };
        if delivery.is_some_and(|d| d != ours.delivery) {
            return Ok(ClearOutcome::NothingHeld);
        }
        let outcome = match with_retries(|| self.clear_once(&ours)) {
            Ok(outcome) => outcome,
            Err(e) => {
                // Still ours, as far as anyone can tell: it stays held, and the window says so.
                *self.last_outcome.lock().unwrap() = Some(ClearOutcome::Failed);
                return Err(e);
            }
        };
        *held = None;
        *self.last_outcome.lock().unwrap() = Some(outcome);
        Ok(outcome)
    }

    fn clear_once(&self, ours: &Held) -> Result<ClearOutcome, AppError> {
        let current = self.with(|c| c.text())?;
        if current.is_some_and(|text| sha256(&text) == ours.sha256) {
            self.with(|c| c.clear())?;
            Ok(ClearOutcome::Cleared)
        } else {
            Ok(ClearOutcome::LeftAlone)
        }
    }

    /// Whether a delivered secret may still be on the clipboard.
    pub fn holds_secret(&self) -> bool {
        self.held.lock().unwrap().is_some()
    }

    /// What the last clear did, for the window's result panel.
    pub fn last_outcome(&self) -> Option<ClearOutcome> {
        *self.last_outcome.lock().unwrap()
    }
}

#[cfg(target_os = "linux")]
fn exclude_from_history(set: arboard::Set<'_>) -> arboard::Set<'_> {
    use arboard::SetExtLinux;
    set.exclude_from_history()
}

#[cfg(target_os = "macos")]
fn exclude_from_history(set: arboard::Set<'_>) -> arboard::Set<'_> {
    use arboard::SetExtApple;
    set.exclude_from_history()
}

/// "ExcludeClipboardContentFromMonitorProcessing": arboard's `exclude_from_monitoring` keeps the
/// copy from "being processed at all, either in the local clipboard history or getting uploaded
/// to the cloud", and its docs advise against adding the history and cloud exclusions on top.
#[cfg(target_os = "windows")]
fn exclude_from_history(set: arboard::Set<'_>) -> arboard::Set<'_> {
    use arboard::SetExtWindows;
    set.exclude_from_monitoring()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// A clipboard in memory whose next `failures` clears, and `write_failures` writes, fail.
    #[derive(Clone, Default)]
    struct Flaky {
        text: Arc<Mutex<Option<String>>>,
        failures: Arc<Mutex<u32>>,
        write_failures: Arc<Mutex<u32>>,
    }

    impl ClipboardBackend for Flaky {
        fn text(&mut self) -> Result<Option<Zeroizing<String>>, AppError> {
            Ok(self.text.lock().unwrap().clone().map(Zeroizing::new))
        }
        fn set_secret(&mut self, secret: &str) -> Result<(), AppError> {
            let mut failures = self.write_failures.lock().unwrap();
            if *failures > 0 {
                *failures -= 1;
                return Err(AppError::Clipboard { detail: "busy".into() });
            }
            *self.text.lock().unwrap() = Some(secret.into());
            Ok(())
        }
        fn clear(&mut self) -> Result<(), AppError> {
            let mut failures = self.failures.lock().unwrap();
            if *failures > 0 {
                *failures -= 1;
                return Err(AppError::Clipboard { detail: "busy".into() });
            }
            *self.text.lock().unwrap() = None;
            Ok(())
        }
    }

    #[test]
    fn a_failing_clear_is_retried_then_reported() {
        let flaky = Flaky::default();
        let clipboard = SecretClipboard::with_backend(Ok(Box::new(flaky.clone())));
        clipboard.copy_secret("sk_live_secret").unwrap();
        *flaky.failures.lock().unwrap() = ATTEMPTS - 1;
        assert_eq!(clipboard.clear_if_ours(None).unwrap(), ClearOutcome::Cleared, "the last try works");
        assert_eq!(*flaky.text.lock().unwrap(), None);

        clipboard.copy_secret("sk_live_secret").unwrap();
        *flaky.failures.lock().unwrap() = ATTEMPTS;
        assert!(clipboard.clear_if_ours(None).is_err());
        assert!(clipboard.holds_secret(), "still held, so a later clear tries again");
        assert_eq!(clipboard.last_outcome(), Some(ClearOutcome::Failed));
        assert_eq!(clipboard.clear_if_ours(None).unwrap(), ClearOutcome::Cleared);
    }

    #[test]
    fn a_failing_write_is_retried_before_the_secret_is_given_up() {
        let flaky = Flaky::default();
        let clipboard = SecretClipboard::with_backend(Ok(Box::new(flaky.clone())));
        *flaky.write_failures.lock().unwrap() = ATTEMPTS - 1;
        clipboard.copy_secret("sk_live_secret").expect("the last try works");
        assert_eq!(flaky.text.lock().unwrap().as_deref(), Some("sk_live_secret"));

        *flaky.write_failures.lock().unwrap() = ATTEMPTS;
        assert!(clipboard.copy_secret("sk_live_other").is_err(), "given up after every try failed");
        assert_eq!(*flaky.write_failures.lock().unwrap(), 0, "tried {ATTEMPTS} times");
    }

    #[test]
    fn only_our_secret_is_cleared() {
        let flaky = Flaky::default();
        let clipboard = SecretClipboard::with_backend(Ok(Box::new(flaky.clone())));
        let first = clipboard.copy_secret("sk_live_one").unwrap();
        *flaky.text.lock().unwrap() = Some("the user's own copy".into());
        assert_eq!(clipboard.clear_if_ours(Some(first)).unwrap(), ClearOutcome::LeftAlone);
        assert_eq!(flaky.text.lock().unwrap().as_deref(), Some("the user's own copy"));
        let second = clipboard.copy_secret("sk_live_two").unwrap();
        assert_eq!(clipboard.clear_if_ours(Some(first)).unwrap(), ClearOutcome::NothingHeld, "an old timer spares the new secret");
        assert_eq!(clipboard.clear_if_ours(Some(second)).unwrap(), ClearOutcome::Cleared);
    }

    /// The real Windows clipboard under Wine: the secret is there as text, with the one
    /// exclusion format that keeps it out of history and the cloud, and it clears.
    #[cfg(windows)]
    #[test]
    fn the_windows_copy_carries_the_monitoring_exclusion() {
        use windows_sys::Win32::System::DataExchange::{
            CloseClipboard, IsClipboardFormatAvailable, OpenClipboard, RegisterClipboardFormatW,
        };

        let format = |name: &str| {
            // SAFETY: a NUL-terminated name.
            unsafe { RegisterClipboardFormatW(crate::platform::windows_text::wide(name).as_ptr()) }
        };
        let available = |format_id: u32| {
            // SAFETY: opened and closed around one question, by this thread.
            unsafe {
                assert_ne!(OpenClipboard(std::ptr::null_mut()), 0, "the clipboard opens");
                let there = IsClipboardFormatAvailable(format_id) != 0;
                CloseClipboard();
                there
            }
        };
        let mut clipboard = SystemClipboard::open().expect("Windows has a clipboard");
        clipboard.set_secret("sk_test_windows_clipboard").unwrap();
        assert_eq!(clipboard.text().unwrap().as_deref().map(String::as_str), Some("sk_test_windows_clipboard"));
        assert!(available(format("ExcludeClipboardContentFromMonitorProcessing")), "excluded from monitoring");
        assert!(!available(format("CanIncludeInClipboardHistory")), "arboard's advice: the one exclusion alone");
        clipboard.clear().unwrap();
        assert_eq!(clipboard.text().unwrap(), None);
    }
}
