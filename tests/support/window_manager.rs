//! What a window manager does for a person, on the test desktop (no window manager runs on
//! Xvfb): the close button's request, as ICCCM says it is sent.

use std::time::{Duration, Instant};

use x11rb::protocol::xproto::{ClientMessageEvent, ConnectionExt, EventMask};

/// The shown top-level window of process `pid` (xdotool, package xdotool), if there is one.
pub fn shown_window_of(pid: u32) -> Option<u32> {
    let found = std::process::Command::new("xdotool").args(["search", "--onlyvisible", "--pid", &pid.to_string()]).output().ok()?;
    String::from_utf8_lossy(&found.stdout).lines().next()?.trim().parse().ok()
}

/// Presses the close button of `window`: WM_DELETE_WINDOW in a WM_PROTOCOLS client message.
pub fn press_close(window: u32) {
    let (connection, _) = x11rb::connect(None).expect("the test desktop's display");
    let atom = |name: &str| connection.intern_atom(false, name.as_bytes()).unwrap().reply().unwrap().atom;
    let (protocols, delete) = (atom("WM_PROTOCOLS"), atom("WM_DELETE_WINDOW"));
    let message = ClientMessageEvent::new(32, window, protocols, [delete, x11rb::CURRENT_TIME, 0, 0, 0]);
    connection.send_event(false, window, EventMask::NO_EVENT, message).unwrap();
    // A round trip before this connection closes: closed right after a flush, the server
    // sometimes never delivered the event (1 press in 7 right after the window showed, none
    // with the round trip: 0 in 80; `make soak` had counted them as the app's lost presses).
    connection.get_input_focus().unwrap().reply().unwrap();
}

/// Presses the close button of process `pid`'s shown window once and waits until it is gone:
/// one press must do (fails otherwise).
pub async fn close_and_wait_hidden(pid: u32) {
    let window = shown_window_of(pid).expect("a shown window to close");
    press_close(window);
    assert!(until_shown(pid, false, Duration::from_secs(20)).await.is_some(), "one press of the close button did not hide the window");
}

/// Waits until process `pid` shows a window (`shown`) or none, at most `patience`: the shown
/// window, if any, once it is so; `None` when the time ran out first.
pub async fn until_shown(pid: u32, shown: bool, patience: Duration) -> Option<Option<u32>> {
    let started = Instant::now();
    loop {
        let window = shown_window_of(pid);
        if window.is_some() == shown {
            return Some(window);
        }
        if started.elapsed() > patience {
            return None;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
