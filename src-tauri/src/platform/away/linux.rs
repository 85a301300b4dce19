//! Linux: the screensaver's `ActiveChanged(true)` on the session bus, logind's
//! `PrepareForSleep(true)` on the system bus, each heard on a thread of its own.

use dbus::blocking::Connection;
use dbus::message::MatchRule;

use super::Away;

/// Listens on both buses; a bus that cannot be reached is skipped (the idle lock still applies).
pub(super) fn watch(on_away: impl Fn(Away) + Send + Sync + Clone + 'static) {
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
