//! What the window tests share: a sandbox, the window, and logging in as a user would.

use certopay_sandbox::{Options, Sandbox, DEMO_PASSWORD};
use serde_json::{json, Value};

use super::webdriver::{Launch, Window};

/// One window at a time: they share the display, the clipboard and the keychain.
pub static ONE_WINDOW: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub const LIVE: &str = "admin@live.example";

/// How every sandbox JWT starts (its encoded `{"alg":"HS256","typ":"JWT"}` header): long
/// enough that finding it means a token, never chance.
pub const JWT_START: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

pub async fn sandbox(options: Options) -> Sandbox {
    certopay_sandbox::start(Options { faults: true, ..options }).await.unwrap()
}

/// A loopback port free a moment ago, for a server a test starts.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Returns once something accepts connections on the loopback `port`; `log` says why not.
pub async fn wait_listening(port: u16, what: &str, log: impl Fn() -> String) {
    let started = std::time::Instant::now();
    while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
        assert!(started.elapsed() < std::time::Duration::from_secs(30), "{what} did not start: {}", log());
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// An address on this computer where nothing listens: the listener is closed before it returns,
/// so a connection there is refused at once (a sandbox being dropped may still reset one).
pub fn nothing_listens_url() -> String {
    format!("http://127.0.0.1:{}", free_port())
}

pub async fn open(sb: &Sandbox) -> Window {
    Window::open(Launch { base_url: &sb.url(), env: vec![], home: None }).await
}

/// A JWT of the test's own, for reading and changing the sandbox as the merchant would.
pub async fn sandbox_jwt(sb: &Sandbox, email: &str) -> String {
    let login: Value = reqwest::Client::new()
        .post(format!("{}/api/auth/login", sb.url()))
        .json(&json!({"email": email, "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    login["accessToken"].as_str().unwrap().to_string()
}

/// The key as the sandbox serves it, read with a login of our own.
pub async fn served_key(sb: &Sandbox, email: &str) -> Value {
    let jwt = sandbox_jwt(sb, email).await;
    reqwest::Client::new().get(format!("{}/api/api-keys/me", sb.url())).bearer_auth(jwt).send().await.unwrap().json().await.unwrap()
}

pub async fn arm(sb: &Sandbox, fault: Value) {
    let response = reqwest::Client::new().post(format!("{}/__sandbox/faults", sb.url())).json(&fault).send().await.unwrap();
    let status = response.status();
    assert!(status.is_success(), "{fault}: {status} {}", response.text().await.unwrap_or_default());
}

pub async fn log_in(w: &Window, email: &str, password: &str) {
    w.type_into("#login-email", email).await;
    w.type_into("#login-password", password).await;
    w.click("#login-submit").await;
}

/// The password the real Secret Service holds for a server's origin and an e-mail.
pub fn keychain_lookup(origin: &str, email: &str) -> Option<String> {
    let output = std::process::Command::new("secret-tool")
        .args(["lookup", "service", "CertoPay Keys", "username", &format!("{origin}/{email}")])
        .output()
        .expect("secret-tool runs (package libsecret-tools)");
    output.status.success().then(|| String::from_utf8_lossy(&output.stdout).to_string())
}

/// Logs in with "Remember password" ticked.
pub async fn log_in_remembering(w: &Window, email: &str, password: &str) {
    w.type_into("#login-email", email).await;
    w.type_into("#login-password", password).await;
    w.click("#login-remember").await;
    w.click("#login-submit").await;
}

/// The screensaver says it became active, on the private session bus the app listens on.
pub fn screen_locks() {
    let sent = std::process::Command::new("dbus-send")
        .args(["--session", "--type=signal", "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver.ActiveChanged", "boolean:true"])
        .status()
        .expect("dbus-send runs (package dbus)");
    assert!(sent.success());
}

pub async fn wait_dashboard(w: &Window) {
    // The key as read, not the loading placeholder ("…" while the dashboard is aria-busy).
    w.wait_for(
        "!document.querySelector('#view-dashboard').hidden && !document.querySelector('#view-dashboard').hasAttribute('aria-busy')
         && !['', '…'].includes(document.querySelector('#key-prefix').textContent)",
        "the dashboard with a key",
    )
    .await;
}

/// A window over the sandbox, logged in and showing the key.
pub async fn open_logged_in(sb: &Sandbox, email: &str) -> Window {
    let w = open(sb).await;
    log_in(&w, email, DEMO_PASSWORD).await;
    wait_dashboard(&w).await;
    w
}

/// Opens settings as a person does and waits for it: its module is loaded when first opened.
pub async fn open_settings(w: &Window) {
    w.click("#open-settings").await;
    w.wait_for("!document.querySelector('#view-settings').hidden", "settings").await;
}

/// Chooses a language in Settings (which must be open), as the select does it: at once, and
/// only when it is another one (choosing the one shown again sends no change).
pub async fn choose_language(w: &Window, language: &str) {
    w.script(
        "const s = document.querySelector('#pref-language'); \
         if (s.value !== arguments[0]) { s.value = arguments[0]; s.dispatchEvent(new Event('change')); }",
        vec![json!(language)],
    )
    .await;
    // The choice is saved by Rust before the page redraws in it, and the redraw moves what is
    // above the buttons (the top bar's sentence): the next click waits for the page to speak it.
    w.wait_for(&format!("document.documentElement.lang === {}", json!(language)), &format!("the page in {language}")).await;
}

pub async fn log_out(w: &Window) {
    w.click("#logout").await;
    w.wait_for("!document.querySelector('#view-login').hidden", "the login screen").await;
}

/// How many requests the sandbox got for "METHOD /path" so far. A sandbox serving HTTPS
/// presents a certificate the test made: this read of the test's own counter takes it as is.
pub async fn requests_to(sb: &Sandbox, method_and_path: &str) -> u64 {
    let client = reqwest::Client::builder().danger_accept_invalid_certs(true).build().unwrap();
    let counts: Value = client.get(format!("{}/__sandbox/requests", sb.url())).send().await.unwrap().json().await.unwrap();
    counts[method_and_path].as_u64().unwrap_or(0)
}
