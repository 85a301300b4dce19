//! The desktop saying the user stepped away: the screensaver became active (session bus:
//! `org.freedesktop.ScreenSaver` or `org.gnome.ScreenSaver` `ActiveChanged(true)`) or the
//! machine is about to sleep (system bus: logind's `PrepareForSleep(true)`). Each is reported
//! to `on_away`, from a thread of its own per bus. On Windows: the session locked or was
//! disconnected (`WM_WTSSESSION_CHANGE`) or the machine is suspending (`WM_POWERBROADCAST`
//! with `PBT_APMSUSPEND`), as a hidden window of its own hears them. Plain Rust: no tauri here.

/// Why the session ends without the user asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Away {
    ScreenLocked,
    Sleeping,
}

/// Listens on the session and system buses, where they exist; a bus that cannot be reached is
/// skipped (the idle lock still applies). On Windows, returns once its window listens. macOS
/// reports nothing here yet.
pub fn watch(on_away: impl Fn(Away) + Send + Sync + Clone + 'static) {
    #[cfg(target_os = "linux")]
    {
        use dbus::blocking::Connection;
        use dbus::message::MatchRule;

        let listen = |connect: fn() -> Result<Connection, dbus::Error>, rules: Vec<(&'static str, &'static str, Away)>, on_away| {
            let on_away: Box<dyn Fn(Away) + Send + Sync> = on_away;
            let on_away = std::sync::Arc::new(on_away);
            std::thread::spawn(move || {
                let Ok(bus) = connect() else { return };
                for (interface, member, away) in rules {
                    let on_away = on_away.clone();
                    let rule = MatchRule::new_signal(interface, member);
                    let added = bus.add_match(rule, move |(active,): (bool,), _, _| {
                        if active {
                            on_away(away);
                        }
                        true
                    });
                    if added.is_err() {
                        return;
                    }
                }
                while bus.process(std::time::Duration::from_secs(3600)).is_ok() {}
            });
        };
        listen(
            Connection::new_session,
            vec![
                ("org.freedesktop.ScreenSaver", "ActiveChanged", Away::ScreenLocked),
                ("org.gnome.ScreenSaver", "ActiveChanged", Away::ScreenLocked),
            ],
            Box::new(on_away.clone()),
        );
        listen(Connection::new_system, vec![("org.freedesktop.login1.Manager", "PrepareForSleep", Away::Sleeping)], Box::new(on_away));
    }
    #[cfg(windows)]
    windows_session::watch(Box::new(on_away));
    #[cfg(not(any(target_os = "linux", windows)))]
    let _ = on_away;
}

/// What a Windows message says about the user stepping away, if anything.
pub fn away_on_windows(message: u32, wparam: usize) -> Option<Away> {
    // The values of WM_WTSSESSION_CHANGE, WM_POWERBROADCAST and their codes (WinUser.h).
    const WM_POWERBROADCAST: u32 = 0x0218;
    const WM_WTSSESSION_CHANGE: u32 = 0x02B1;
    const WTS_CONSOLE_DISCONNECT: usize = 0x2;
    const WTS_REMOTE_DISCONNECT: usize = 0x4;
    const WTS_SESSION_LOCK: usize = 0x7;
    const PBT_APMSUSPEND: usize = 0x4;
    match (message, wparam) {
        // A Remote Desktop or console disconnect leaves the session, and its clipboard, running
        // with nobody at it: the same as a lock.
        (WM_WTSSESSION_CHANGE, WTS_SESSION_LOCK | WTS_CONSOLE_DISCONNECT | WTS_REMOTE_DISCONNECT) => Some(Away::ScreenLocked),
        (WM_POWERBROADCAST, PBT_APMSUSPEND) => Some(Away::Sleeping),
        _ => None,
    }
}

#[cfg(windows)]
mod windows_session {
    use windows_sys::Win32::Foundation::{HWND, LPARAM, LRESULT, WPARAM};
    use windows_sys::Win32::System::LibraryLoader::GetModuleHandleW;
    use windows_sys::Win32::System::RemoteDesktop::{WTSRegisterSessionNotification, NOTIFY_FOR_THIS_SESSION};
    use windows_sys::Win32::UI::WindowsAndMessaging::{
        CreateWindowExW, DefWindowProcW, DispatchMessageW, GetMessageW, GetWindowLongPtrW, RegisterClassW, SetWindowLongPtrW,
        TranslateMessage, GWLP_USERDATA, MSG, WNDCLASSW,
    };

    use super::Away;

    /// The hidden window's class, for `FindWindowW` in tests.
    pub const CLASS: &str = "CertoPayKeysSessionWatch";

    type OnAway = Box<dyn Fn(Away) + Send + Sync>;

    pub fn watch(on_away: OnAway) {
        let (listening, started) = std::sync::mpsc::sync_channel(1);
        std::thread::spawn(move || {
            let Some(window) = create_window(on_away) else {
                let _ = listening.send(());
                return;
            };
            // Messages for this thread's window only; it lives as long as the process.
            // SAFETY: registers the window this thread made, for this session's changes.
            unsafe { WTSRegisterSessionNotification(window, NOTIFY_FOR_THIS_SESSION) };
            let _ = listening.send(());
            // SAFETY: MSG is plain data; the loop pumps this thread's queue.
            unsafe {
                let mut message: MSG = std::mem::zeroed();
                while GetMessageW(&mut message, std::ptr::null_mut(), 0, 0) > 0 {
                    TranslateMessage(&message);
                    DispatchMessageW(&message);
                }
            }
        });
        let _ = started.recv();
    }

    /// A top-level window that is never shown: broadcasts such as WM_POWERBROADCAST reach
    /// top-level windows only, not message-only ones.
    fn create_window(on_away: OnAway) -> Option<HWND> {
        let class = crate::windows_text::wide(CLASS);
        // SAFETY: the class name outlives both calls; the window keeps `on_away` (leaked on
        // purpose, for the process's life) in its user data, read only by `window_proc`.
        unsafe {
            let instance = GetModuleHandleW(std::ptr::null());
            let mut class_info: WNDCLASSW = std::mem::zeroed();
            class_info.lpfnWndProc = Some(window_proc);
            class_info.hInstance = instance;
            class_info.lpszClassName = class.as_ptr();
            RegisterClassW(&class_info);
            let window = CreateWindowExW(
                0,
                class.as_ptr(),
                class.as_ptr(),
                0,
                0,
                0,
                0,
                0,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                instance,
                std::ptr::null(),
            );
            if window.is_null() {
                return None;
            }
            SetWindowLongPtrW(window, GWLP_USERDATA, Box::into_raw(Box::new(on_away)) as isize);
            Some(window)
        }
    }

    unsafe extern "system" fn window_proc(window: HWND, message: u32, wparam: WPARAM, lparam: LPARAM) -> LRESULT {
        if let Some(away) = super::away_on_windows(message, wparam) {
            // SAFETY: set by create_window before any of these messages can arrive, never freed.
            let on_away = unsafe { GetWindowLongPtrW(window, GWLP_USERDATA) } as *const OnAway;
            if let Some(on_away) = unsafe { on_away.as_ref() } {
                on_away(away);
            }
        }
        // SAFETY: the default handling for everything (WM_POWERBROADCAST's answer included).
        unsafe { DefWindowProcW(window, message, wparam, lparam) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_messages_that_mean_the_user_stepped_away() {
        assert_eq!(away_on_windows(0x02B1, 0x7), Some(Away::ScreenLocked), "WTS_SESSION_LOCK");
        assert_eq!(away_on_windows(0x02B1, 0x4), Some(Away::ScreenLocked), "WTS_REMOTE_DISCONNECT");
        assert_eq!(away_on_windows(0x02B1, 0x8), None, "WTS_SESSION_UNLOCK");
        assert_eq!(away_on_windows(0x0218, 0x4), Some(Away::Sleeping), "PBT_APMSUSPEND");
        assert_eq!(away_on_windows(0x0218, 0x12), None, "PBT_APMRESUMEAUTOMATIC");
        assert_eq!(away_on_windows(0x0010, 0x7), None, "WM_CLOSE");
    }

    /// The real message loop under Wine: the hidden window, found by its class as Windows would
    /// deliver to it, told the session locked, then unlocked, then that the machine suspends.
    #[cfg(windows)]
    #[test]
    fn the_hidden_window_hears_lock_and_suspend() {
        use windows_sys::Win32::UI::WindowsAndMessaging::{FindWindowW, SendMessageW, WM_POWERBROADCAST, WM_WTSSESSION_CHANGE};

        let (heard, told) = std::sync::mpsc::channel();
        watch(move |away| heard.send(away).unwrap());
        let class = crate::windows_text::wide(windows_session::CLASS);
        // SAFETY: a NUL-terminated class name.
        let window = unsafe { FindWindowW(class.as_ptr(), std::ptr::null()) };
        assert!(!window.is_null(), "the hidden window exists once watch returns");
        // SendMessageW returns after the window's thread handled the message.
        let send = |message, wparam| unsafe { SendMessageW(window, message, wparam, 0) };
        send(WM_WTSSESSION_CHANGE, 0x7);
        assert_eq!(told.try_recv(), Ok(Away::ScreenLocked));
        send(WM_WTSSESSION_CHANGE, 0x8);
        assert!(told.try_recv().is_err(), "an unlock is not stepping away");
        send(WM_POWERBROADCAST, 0x4);
        assert_eq!(told.try_recv(), Ok(Away::Sleeping));
    }
}
