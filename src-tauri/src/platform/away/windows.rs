//! Windows: the session locked or disconnected (`WM_WTSSESSION_CHANGE`), the machine
//! suspending or resumed (`WM_POWERBROADCAST` with `PBT_APMSUSPEND`, `PBT_APMRESUMEAUTOMATIC`),
//! the session ending (`WM_ENDSESSION`), as a hidden window of its own hears them on a thread of
//! its own. The same window answers the shutdown's question (`WM_QUERYENDSESSION`): no, with a
//! reason Windows shows, while the app has something to wait for (a rotation in flight).

use windows_sys::Win32::Foundation::{HWND, LPARAM, LRESULT, WPARAM};
use windows_sys::Win32::System::LibraryLoader::GetModuleHandleW;
use windows_sys::Win32::System::RemoteDesktop::{WTSRegisterSessionNotification, NOTIFY_FOR_THIS_SESSION};
use windows_sys::Win32::System::Shutdown::{ShutdownBlockReasonCreate, ShutdownBlockReasonDestroy};
use windows_sys::Win32::UI::WindowsAndMessaging::{
    CreateWindowExW, DefWindowProcW, DispatchMessageW, GetMessageW, GetWindowLongPtrW, RegisterClassW, SetWindowLongPtrW, TranslateMessage,
    GWLP_USERDATA, MSG, WNDCLASSW,
};

use super::{away_on_windows, DeskSignal};

/// The hidden window's class, for `FindWindowW` in tests.
pub const CLASS: &str = "CertoPayKeysSessionWatch";

type OnSignal = Box<dyn Fn(DeskSignal) + Send + Sync>;
type ShutdownWait = Box<dyn Fn() -> Option<String> + Send + Sync>;

/// What the hidden window calls: kept in its user data for the process's life.
struct Hooks {
    on_signal: OnSignal,
    shutdown_wait: ShutdownWait,
}

pub(super) fn watch(on_signal: OnSignal, shutdown_wait: ShutdownWait) {
    let (listening, started) = std::sync::mpsc::sync_channel(1);
    std::thread::spawn(move || {
        let Some(window) = create_window(Hooks { on_signal, shutdown_wait }) else {
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
fn create_window(hooks: Hooks) -> Option<HWND> {
    let class = crate::platform::windows_text::wide(CLASS);
    // SAFETY: the class name outlives both calls; the window keeps `hooks` (leaked on purpose,
    // for the process's life) in its user data, read only by `window_proc`.
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
        SetWindowLongPtrW(window, GWLP_USERDATA, Box::into_raw(Box::new(hooks)) as isize);
        Some(window)
    }
}

unsafe extern "system" fn window_proc(window: HWND, message: u32, wparam: WPARAM, lparam: LPARAM) -> LRESULT {
    const WM_QUERYENDSESSION: u32 = 0x0011;
    const WM_ENDSESSION: u32 = 0x0016;
    // SAFETY: set by create_window before any of these messages can arrive, never freed.
    let hooks = unsafe { (GetWindowLongPtrW(window, GWLP_USERDATA) as *const Hooks).as_ref() };
    if let Some(hooks) = hooks {
        if message == WM_QUERYENDSESSION {
            // No, while something is waited for: Windows shows the reason and lets the person
            // wait, or end the session anyway (WM_ENDSESSION follows).
            if let Some(reason) = (hooks.shutdown_wait)() {
                let reason = crate::platform::windows_text::wide(&reason);
                // SAFETY: this thread's window; a NUL-terminated reason that outlives the call.
                unsafe { ShutdownBlockReasonCreate(window, reason.as_ptr()) };
                return 0;
            }
            // SAFETY: this thread's window; no reason set is fine.
            unsafe { ShutdownBlockReasonDestroy(window) };
            return 1;
        }
        if message == WM_ENDSESSION && wparam == 0 {
            // The shutdown was cancelled: no reason stays behind.
            // SAFETY: this thread's window.
            unsafe { ShutdownBlockReasonDestroy(window) };
        }
        if let Some(signal) = away_on_windows(message, wparam) {
            (hooks.on_signal)(signal);
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
    /// and wakes; then asked by a shutdown, with and without a rotation in flight.
    #[test]
    fn the_hidden_window_hears_lock_suspend_resume_and_shutdown() {
        use crate::rules::lock_reason::LockReason;
        use std::sync::atomic::{AtomicBool, Ordering};
        use std::sync::Arc;
        use windows_sys::Win32::UI::WindowsAndMessaging::{
            FindWindowW, SendMessageW, WM_ENDSESSION, WM_POWERBROADCAST, WM_QUERYENDSESSION, WM_WTSSESSION_CHANGE,
        };

        let (heard, told) = std::sync::mpsc::channel();
        let rotating = Arc::new(AtomicBool::new(false));
        let in_flight = rotating.clone();
        super::super::watch(
            move |signal| heard.send(signal).unwrap(),
            move || in_flight.load(Ordering::SeqCst).then(|| "Waiting for the key rotation under way to get its answer".to_string()),
        );
        let class = crate::platform::windows_text::wide(CLASS);
        // SAFETY: a NUL-terminated class name.
        let window = unsafe { FindWindowW(class.as_ptr(), std::ptr::null()) };
        assert!(!window.is_null(), "the hidden window exists once watch returns");
        // SendMessageW returns after the window's thread handled the message.
        let send = |message, wparam| unsafe { SendMessageW(window, message, wparam, 0) };
        send(WM_WTSSESSION_CHANGE, 0x7);
        assert_eq!(told.try_recv(), Ok(DeskSignal::Away(LockReason::ScreenLocked)));
        send(WM_WTSSESSION_CHANGE, 0x8);
        assert!(told.try_recv().is_err(), "an unlock is not stepping away");
        send(WM_POWERBROADCAST, 0x4);
        assert_eq!(told.try_recv(), Ok(DeskSignal::Away(LockReason::Sleeping)));
        send(WM_POWERBROADCAST, 0x12);
        assert_eq!(told.try_recv(), Ok(DeskSignal::Resumed), "woken");
        // A shutdown asks: yes with nothing in flight, no during a rotation, yes again after.
        assert_eq!(send(WM_QUERYENDSESSION, 0), 1, "nothing to wait for");
        rotating.store(true, Ordering::SeqCst);
        assert_eq!(send(WM_QUERYENDSESSION, 0), 0, "a rotation in flight holds the shutdown");
        send(WM_ENDSESSION, 0);
        assert!(told.try_recv().is_err(), "a cancelled shutdown ends nothing");
        rotating.store(false, Ordering::SeqCst);
        assert_eq!(send(WM_QUERYENDSESSION, 0), 1, "settled: the shutdown may go");
        send(WM_ENDSESSION, 1);
        assert_eq!(told.try_recv(), Ok(DeskSignal::SessionEnding), "the session ends");
    }
}
