//! Windows: the session locked or disconnected (`WM_WTSSESSION_CHANGE`), the machine
//! suspending or resumed (`WM_POWERBROADCAST` with `PBT_APMSUSPEND`, `PBT_APMRESUMEAUTOMATIC`),
//! as a hidden window of its own hears them on a thread of its own.

use windows_sys::Win32::Foundation::{HWND, LPARAM, LRESULT, WPARAM};
use windows_sys::Win32::System::LibraryLoader::GetModuleHandleW;
use windows_sys::Win32::System::RemoteDesktop::{WTSRegisterSessionNotification, NOTIFY_FOR_THIS_SESSION};
use windows_sys::Win32::UI::WindowsAndMessaging::{
    CreateWindowExW, DefWindowProcW, DispatchMessageW, GetMessageW, GetWindowLongPtrW, RegisterClassW, SetWindowLongPtrW, TranslateMessage,
    GWLP_USERDATA, MSG, WNDCLASSW,
};

use super::{away_on_windows, DeskSignal};

/// The hidden window's class, for `FindWindowW` in tests.
pub const CLASS: &str = "CertoPayKeysSessionWatch";

type OnSignal = Box<dyn Fn(DeskSignal) + Send + Sync>;

pub(super) fn watch(on_signal: OnSignal) {
    let (listening, started) = std::sync::mpsc::sync_channel(1);
    std::thread::spawn(move || {
        let Some(window) = create_window(on_signal) else {
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
fn create_window(on_signal: OnSignal) -> Option<HWND> {
    let class = crate::platform::windows_text::wide(CLASS);
    // SAFETY: the class name outlives both calls; the window keeps `on_signal` (leaked on
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
        SetWindowLongPtrW(window, GWLP_USERDATA, Box::into_raw(Box::new(on_signal)) as isize);
        Some(window)
    }
}

unsafe extern "system" fn window_proc(window: HWND, message: u32, wparam: WPARAM, lparam: LPARAM) -> LRESULT {
    if let Some(signal) = away_on_windows(message, wparam) {
        // SAFETY: set by create_window before any of these messages can arrive, never freed.
        let on_signal = unsafe { GetWindowLongPtrW(window, GWLP_USERDATA) } as *const OnSignal;
        if let Some(on_signal) = unsafe { on_signal.as_ref() } {
            on_signal(signal);
        }
    }
    // SAFETY: the default handling for everything (WM_POWERBROADCAST's answer included).
    unsafe { DefWindowProcW(window, message, wparam, lparam) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The real message loop under Wine: the hidden window, found by its class as Windows would
    /// deliver to it, told the session locked, then unlocked, then that the machine suspends
    /// and wakes.
    #[test]
    fn the_hidden_window_hears_lock_suspend_and_resume() {
        use super::super::Away;
        use windows_sys::Win32::UI::WindowsAndMessaging::{FindWindowW, SendMessageW, WM_POWERBROADCAST, WM_WTSSESSION_CHANGE};

        let (heard, told) = std::sync::mpsc::channel();
        super::super::watch(move |signal| heard.send(signal).unwrap());
        let class = crate::platform::windows_text::wide(CLASS);
        // SAFETY: a NUL-terminated class name.
        let window = unsafe { FindWindowW(class.as_ptr(), std::ptr::null()) };
        assert!(!window.is_null(), "the hidden window exists once watch returns");
        // SendMessageW returns after the window's thread handled the message.
        let send = |message, wparam| unsafe { SendMessageW(window, message, wparam, 0) };
        send(WM_WTSSESSION_CHANGE, 0x7);
        assert_eq!(told.try_recv(), Ok(DeskSignal::Away(Away::ScreenLocked)));
        send(WM_WTSSESSION_CHANGE, 0x8);
        assert!(told.try_recv().is_err(), "an unlock is not stepping away");
        send(WM_POWERBROADCAST, 0x4);
        assert_eq!(told.try_recv(), Ok(DeskSignal::Away(Away::Sleeping)));
        send(WM_POWERBROADCAST, 0x12);
        assert_eq!(told.try_recv(), Ok(DeskSignal::Resumed), "woken");
    }
}
