//! Linux: the screensaver's `ActiveChanged(true)` on the session bus, logind's
//! `PrepareForSleep(true)` (going to sleep) and `PrepareForSleep(false)` (woken) on the system
//! bus, each heard on a thread of its own.

use crate::rules::lock_reason::LockReason;
use dbus::blocking::Connection;
use dbus::message::MatchRule;

use super::DeskSignal;

/// A signal's boolean, and what it says when true and when false.
type Rule = (&'static str, &'static str, Option<DeskSignal>, Option<DeskSignal>);

/// Listens on both buses; a bus that cannot be reached is skipped (the idle lock still applies).
pub(super) fn watch(on_signal: impl Fn(DeskSignal) + Send + Sync + Clone + 'static) {
    let listen = |connect: fn() -> Result<Connection, dbus::Error>, rules: Vec<Rule>, on_signal| {
        let on_signal: Box<dyn Fn(DeskSignal) + Send + Sync> = on_signal;
        let on_signal = std::sync::Arc::new(on_signal);
        std::thread::spawn(move || {
            let Ok(bus) = connect() else { return };
            for (interface, member, when_true, when_false) in rules {
                let on_signal = on_signal.clone();
                let rule = MatchRule::new_signal(interface, member);
                let added = bus.add_match(rule, move |(active,): (bool,), _, _| {
                    if let Some(signal) = if active { when_true } else { when_false } {
                        on_signal(signal);
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
    let locked = Some(DeskSignal::Away(LockReason::ScreenLocked));
    listen(
        Connection::new_session,
        vec![("org.freedesktop.ScreenSaver", "ActiveChanged", locked, None), ("org.gnome.ScreenSaver", "ActiveChanged", locked, None)],
        Box::new(on_signal.clone()),
    );
    listen(
        Connection::new_system,
        vec![(
            "org.freedesktop.login1.Manager",
            "PrepareForSleep",
            Some(DeskSignal::Away(LockReason::Sleeping)),
            Some(DeskSignal::Resumed),
        )],
        Box::new(on_signal),
    );
}
