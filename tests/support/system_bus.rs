//! The desktop's stand-in for the system bus (scripts/with-desktop.sh starts a bus of its own
//! and names it in DBUS_SYSTEM_BUS_ADDRESS): what logind says there, as logind says it.

use dbus::blocking::Connection;
use dbus::channel::{Channel, Sender};
use dbus::Message;

/// logind's `PrepareForSleep`: `true` as the machine goes to sleep, `false` once it woke.
pub fn prepare_for_sleep(going_to_sleep: bool) {
    let address = std::env::var("DBUS_SYSTEM_BUS_ADDRESS").expect("scripts/with-desktop.sh names the stand-in system bus");
    let mut channel = Channel::open_private(&address).expect("the stand-in system bus");
    channel.register().expect("registered on the stand-in system bus");
    let bus = Connection::from(channel);
    let signal = Message::new_signal("/org/freedesktop/login1", "org.freedesktop.login1.Manager", "PrepareForSleep")
        .expect("a valid signal")
        .append1(going_to_sleep);
    bus.send(signal).expect("the signal sent");
    bus.channel().flush();
}
