//! Whether this desktop shows tray icons, asked before the app offers to start in the tray.
//! Linux: a StatusNotifierItem host (KDE, GNOME with the AppIndicator extension, XFCE,
//! Cinnamon…) owns `org.kde.StatusNotifierWatcher` on the session bus; without one an icon
//! would never show. Windows and macOS always have one.

/// Why there is no tray here, or `None` when there is one. Blocking (D-Bus on Linux).
pub fn tray_missing() -> Option<String> {
    #[cfg(target_os = "linux")]
    return linux::watcher_missing();
    #[cfg(not(target_os = "linux"))]
    None
}

#[cfg(target_os = "linux")]
mod linux {
    use std::time::Duration;

    use dbus::blocking::Connection;

    pub(super) fn watcher_missing() -> Option<String> {
        let connection = match Connection::new_session() {
            Ok(connection) => connection,
            Err(e) => return Some(format!("no session bus ({e})")),
        };
        let bus = connection.with_proxy("org.freedesktop.DBus", "/org/freedesktop/DBus", Duration::from_secs(2));
        let owned: Result<(bool,), _> = bus.method_call("org.freedesktop.DBus", "NameHasOwner", ("org.kde.StatusNotifierWatcher",));
        match owned {
            Ok((true,)) => None,
            Ok((false,)) => Some("no StatusNotifierWatcher on the session bus".into()),
            Err(e) => Some(format!("the session bus did not answer ({e})")),
        }
    }
}
