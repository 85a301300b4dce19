//! A real `org.freedesktop.Notifications` service on the test desktop's session bus: it owns the
//! name, answers the Desktop Notifications calls as a notification daemon does, and keeps every
//! notification it was asked to show, so a test can read what the app said.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dbus::message::MatchRule;
use dbus::Message;

use super::session_bus::BusService;

/// One notification as the app sent it.
#[derive(Debug, Clone, PartialEq)]
pub struct Shown {
    pub app_name: String,
    pub summary: String,
    pub body: String,
}

pub struct NotificationService {
    shown: Arc<Mutex<Vec<Shown>>>,
    _service: BusService,
}

fn answer(call: &Message, shown: &Mutex<Vec<Shown>>) -> Message {
    match call.member().as_deref() {
        Some("Notify") => {
            let (app_name, _replaces, _icon, summary, body): (String, u32, String, String, String) =
                call.read5().expect("Notify's arguments");
            let mut shown = shown.lock().unwrap();
            shown.push(Shown { app_name, summary, body });
            call.method_return().append1(shown.len() as u32)
        }
        Some("GetCapabilities") => call.method_return().append1(vec!["body".to_string()]),
        Some("GetServerInformation") => call.method_return().append2("certopay-test", "CertoPay").append2("1.0", "1.2"),
        Some("CloseNotification") => call.method_return(),
        _ => Message::error(call, &"org.freedesktop.DBus.Error.UnknownMethod".into(), c"not served here"),
    }
}

impl NotificationService {
    /// Owns the name on this desktop's session bus; it is released when dropped.
    pub fn start() -> NotificationService {
        let shown = Arc::new(Mutex::new(Vec::new()));
        let kept = shown.clone();
        let mut rule = MatchRule::new_method_call();
        rule.interface = Some("org.freedesktop.Notifications".into());
        let service = BusService::start("org.freedesktop.Notifications", rule, move |call| answer(call, &kept));
        NotificationService { shown, _service: service }
    }

    pub fn shown(&self) -> Vec<Shown> {
        self.shown.lock().unwrap().clone()
    }

    /// Waits until `count` notifications were shown, at most `patience`.
    pub async fn wait_for(&self, count: usize, patience: Duration) -> Vec<Shown> {
        let started = Instant::now();
        loop {
            let shown = self.shown();
            if shown.len() >= count {
                return shown;
            }
            assert!(started.elapsed() < patience, "{count} notification(s) expected, got {shown:?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
