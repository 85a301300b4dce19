//! A real `org.kde.StatusNotifierWatcher` on the test desktop's session bus, as a desktop's
//! panel runs it: with it the desktop has a tray. It keeps the items that register, and reads
//! an item's menu (com.canonical.dbusmenu) and clicks its entries the way the panel does.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use dbus::arg::{PropMap, RefArg, Variant};
use dbus::blocking::Connection;
use dbus::message::MatchRule;
use dbus::Message;

use super::session_bus::BusService;

const WATCHER: &str = "org.kde.StatusNotifierWatcher";

/// An item as it registered: its bus name and the object path it gave (or the default).
#[derive(Debug, Clone, PartialEq)]
pub struct Registered {
    pub bus_name: String,
    pub path: String,
}

pub struct Tray {
    registered: Arc<Mutex<Vec<Registered>>>,
    _service: BusService,
}

fn answer(call: &Message, registered: &Mutex<Vec<Registered>>) -> Message {
    let interface = call.interface().map(|i| i.to_string()).unwrap_or_default();
    match (interface.as_str(), call.member().as_deref()) {
        (WATCHER, Some("RegisterStatusNotifierItem")) => {
            let given: String = call.read1().unwrap_or_default();
            let sender = call.sender().map(|s| s.to_string()).unwrap_or_default();
            // An item may give its object path (its bus name is then the caller) or a bus name.
            let item = if given.starts_with('/') {
                Registered { bus_name: sender, path: given }
            } else {
                Registered { bus_name: given, path: "/StatusNotifierItem".into() }
            };
            registered.lock().unwrap().push(item);
            call.method_return()
        }
        (WATCHER, Some("RegisterStatusNotifierHost")) => call.method_return(),
        ("org.freedesktop.DBus.Properties", Some("Get")) => {
            let (_, name): (String, String) = call.read2().unwrap_or_default();
            match name.as_str() {
                "IsStatusNotifierHostRegistered" => call.method_return().append1(Variant(true)),
                "ProtocolVersion" => call.method_return().append1(Variant(0i32)),
                _ => call.method_return().append1(Variant(Vec::<String>::new())),
            }
        }
        ("org.freedesktop.DBus.Properties", Some("GetAll")) => {
            let mut all = PropMap::new();
            all.insert("IsStatusNotifierHostRegistered".into(), Variant(Box::new(true)));
            all.insert("ProtocolVersion".into(), Variant(Box::new(0i32)));
            all.insert("RegisteredStatusNotifierItems".into(), Variant(Box::new(Vec::<String>::new())));
            call.method_return().append1(all)
        }
        _ => Message::error(call, &"org.freedesktop.DBus.Error.UnknownMethod".into(), c"not served here"),
    }
}

impl Tray {
    /// The desktop has a tray from now on, until this is dropped.
    pub fn start() -> Tray {
        let registered = Arc::new(Mutex::new(Vec::new()));
        let kept = registered.clone();
        let service = BusService::start(WATCHER, MatchRule::new_method_call(), move |call| answer(call, &kept));
        Tray { registered, _service: service }
    }

    /// Forgets the items registered so far (an app that ended): the next wait is for a new one.
    pub fn forget_items(&self) {
        self.registered.lock().unwrap().clear();
    }

    /// Waits for an item to register, at most `patience`.
    pub async fn wait_for_item(&self, patience: Duration) -> Registered {
        let started = Instant::now();
        loop {
            if let Some(item) = self.registered.lock().unwrap().first().cloned() {
                return item;
            }
            assert!(started.elapsed() < patience, "no tray icon registered");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// An entry of a tray icon's menu: its id and label (separators have none).
#[derive(Debug, Clone, PartialEq)]
pub struct MenuEntry {
    pub id: i32,
    pub label: String,
    pub enabled: bool,
}

/// The object path of `item`'s menu (com.canonical.dbusmenu), as its `Menu` property names it.
fn menu_path_of(connection: &Connection, item: &Registered) -> dbus::Path<'static> {
    use dbus::blocking::stdintf::org_freedesktop_dbus::Properties;
    let proxy = connection.with_proxy(item.bus_name.as_str(), item.path.as_str(), Duration::from_secs(5));
    proxy.get("org.kde.StatusNotifierItem", "Menu").expect("the item's menu")
}

/// Calls `method` of `item`'s menu and waits for its answer.
fn call_menu<A: dbus::arg::AppendAll, R: dbus::arg::ReadAll>(item: &Registered, method: &str, args: A) -> R {
    let connection = Connection::new_session().unwrap();
    let menu = connection.with_proxy(item.bus_name.as_str(), menu_path_of(&connection, item), Duration::from_secs(5));
    menu.method_call("com.canonical.dbusmenu", method, args).unwrap_or_else(|e| panic!("{method}: {e}"))
}

/// The entries of `item`'s menu, read as the panel reads them (`GetLayout`).
pub fn menu_of(item: &Registered) -> Vec<MenuEntry> {
    type Layout = (i32, PropMap, Vec<Variant<Box<dyn RefArg>>>);
    let (_revision, (_root, _props, children)): (u32, Layout) = call_menu(item, "GetLayout", (0i32, -1i32, Vec::<String>::new()));
    children
        .iter()
        .filter_map(|child| {
            // Each child is a variant holding (ia{sv}av).
            let mut fields = child.0.as_iter()?;
            let id = fields.next()?.as_i64()? as i32;
            let props = fields.next()?;
            let mut label = String::new();
            let mut enabled = true;
            let mut pairs = props.as_iter()?;
            while let (Some(key), Some(value)) = (pairs.next(), pairs.next()) {
                match key.as_str() {
                    Some("label") => label = value.as_iter()?.next()?.as_str()?.to_string(),
                    Some("enabled") => enabled = value.as_iter()?.next()?.as_i64()? != 0,
                    Some("type") if value.as_iter()?.next()?.as_str() == Some("separator") => return None,
                    _ => {}
                }
            }
            Some(MenuEntry { id, label, enabled })
        })
        .collect()
}

/// Clicks the menu entry `id` of `item`, as the panel does when the user picks it: the event is
/// sent and not waited for. "Quit" ends the app, which may go before libdbusmenu answers; a
/// click that waited for that answer would fail on a loaded machine though the app did right.
/// What a click did is read from its effect (a window shown, the process ended).
pub fn click(item: &Registered, id: i32) {
    let connection = Connection::new_session().unwrap();
    let mut event = Message::new_method_call(item.bus_name.as_str(), menu_path_of(&connection, item), "com.canonical.dbusmenu", "Event")
        .unwrap()
        .append3(id, "clicked", Variant(0i32))
        .append1(0u32);
    event.set_no_reply(true);
    use dbus::channel::Sender;
    connection.send(event).expect("the click is sent");
    connection.channel().flush();
}

/// The app started as the computer starts it (`--minimized`, its window hidden, its icon in
/// `tray`), its tray item, and the ids of its menu's "Open CertoPay Keys" and "Quit".
pub async fn started_in_the_tray(base_url: &str, tray: &Tray) -> (super::webdriver::Window, Registered, i32, i32) {
    use super::webdriver::{Launch, Window};
    let w = Window::open_with_args(Launch { base_url, env: vec![], home: None }, &["--minimized"]).await;
    let item = tray.wait_for_item(Duration::from_secs(30)).await;
    let menu = {
        let item = item.clone();
        tokio::task::spawn_blocking(move || menu_of(&item)).await.unwrap()
    };
    let entry = |label: &str| menu.iter().find(|e| e.label == label).unwrap_or_else(|| panic!("{label} in {menu:?}")).id;
    let (open, quit) = (entry("Open CertoPay Keys"), entry("Quit"));
    (w, item, open, quit)
}
