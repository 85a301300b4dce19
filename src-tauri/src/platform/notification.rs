//! A system notification (the rotation reminder). Linux: `org.freedesktop.Notifications.Notify`
//! through the `dbus` crate the app already uses for the lock's watchers, so the binary carries
//! one D-Bus stack (Tauri's notification plugin brought two more, zbus 5 and 6). Other systems:
//! Tauri's notification plugin (`shell::reminders`).

use std::time::Duration;

/// Shows `title` and `body` under the app's name. Blocking (one D-Bus call, 5 s at most).
pub fn show(title: &str, body: &str) -> Result<(), dbus::Error> {
    let connection = dbus::blocking::Connection::new_session()?;
    let proxy = connection.with_proxy("org.freedesktop.Notifications", "/org/freedesktop/Notifications", Duration::from_secs(5));
    let hints = dbus::arg::PropMap::new();
    // app_name, replaces_id, app_icon, summary, body, actions, hints, expire_timeout (-1: the
    // server's default).
    let (_id,): (u32,) = proxy.method_call(
        "org.freedesktop.Notifications",
        "Notify",
        ("CertoPay Keys", 0u32, "", title, body, Vec::<String>::new(), hints, -1i32),
    )?;
    Ok(())
}
