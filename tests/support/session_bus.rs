//! A service of the test's own on the test desktop's D-Bus session bus, as a desktop component
//! runs one: it owns a well-known name and answers the method calls it receives, on a thread of
//! its own, until it is dropped (the name is then released).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use dbus::blocking::Connection;
use dbus::channel::{MatchingReceiver, Sender};
use dbus::message::MatchRule;
use dbus::Message;

pub struct BusService {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl BusService {
    /// Owns `name` (nothing else may own it) and answers each method call `rule` matches with
    /// what `answer` makes of it.
    pub fn start(name: &'static str, rule: MatchRule<'static>, answer: impl Fn(&Message) -> Message + Send + 'static) -> BusService {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = stop.clone();
        let thread = std::thread::spawn(move || {
            let connection = Connection::new_session().expect("the test desktop's session bus");
            let owned = connection.request_name(name, false, true, true).expect("the name");
            connection.start_receive(
                rule,
                Box::new(move |call, conn| {
                    let _ = conn.send(answer(&call));
                    true
                }),
            );
            ready_tx.send(owned).unwrap();
            while !stopping.load(Ordering::Relaxed) {
                let _ = connection.process(Duration::from_millis(100));
            }
        });
        let owned = ready_rx.recv().expect("the service thread started");
        assert_eq!(owned, dbus::blocking::stdintf::org_freedesktop_dbus::RequestNameReply::PrimaryOwner, "nothing else owns {name}");
        BusService { stop, thread: Some(thread) }
    }
}

impl Drop for BusService {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
