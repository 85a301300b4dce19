//! A small WebDriver client for the app's real window: WebKitWebDriver launches the app
//! binary (with `TAURI_WEBVIEW_AUTOMATION=true`) and drives its webview. On Windows (the
//! workflow's runner, never this machine) tauri-driver does, over Microsoft's msedgedriver
//! (`CERTOPAY_MSEDGEDRIVER` names it).

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use base64::Engine;
use serde_json::{json, Value};
use tokio::process::{Child, Command};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";
/// How long a condition may take to become true before the test fails.
pub const PATIENCE: Duration = Duration::from_secs(20);

pub struct Window {
    http: reqwest::Client,
    session: String,
    driver: Child,
    /// The app's config, data and cache dirs: its files, for tests that look inside.
    pub home: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// The checks after an unanswered rotation in window tests: at once, then 400 ms and 1 s later.
pub const QUICK_SETTLE_MS: &str = "0,400,1000";
/// The app's own schedule, for a test whose figures depend on it.
pub const APP_SETTLE_MS: &str = "0,5000,15000,30000,60000,120000";

pub struct Launch<'a> {
    pub base_url: &'a str,
    pub env: Vec<(&'a str, String)>,
    /// Reuse these app dirs (a second launch over the same settings).
    pub home: Option<tempfile::TempDir>,
}

/// The WebDriver server that launches the app: WebKitWebDriver, or tauri-driver on Windows,
/// where the app's files go to `APPDATA`/`LOCALAPPDATA` (pointed into `home` as on Linux).
fn driver_command(port: u16, home: &std::path::Path) -> Command {
    #[cfg(not(windows))]
    {
        let _ = home;
        let mut command = Command::new("WebKitWebDriver");
        command.arg(format!("--port={port}"));
        command
    }
    #[cfg(windows)]
    {
        let mut command = Command::new("tauri-driver");
        command.args(["--port", &port.to_string(), "--native-port", &free_port().to_string()]);
        if let Ok(native) = std::env::var("CERTOPAY_MSEDGEDRIVER") {
            command.arg("--native-driver").arg(native);
        }
        command.env("APPDATA", home.join("config")).env("LOCALAPPDATA", home.join("data"));
        command
    }
}

/// A JS expression: the element `css` is on the page, not inside anything hidden, and laid out.
fn visible_expression(css: &str) -> String {
    format!("((el) => !!el && !el.closest('[hidden]') && el.getClientRects().length > 0)(document.querySelector({}))", json!(css))
}

/// Whether a click at the element's centre reaches it, once it is scrolled into the middle of
/// the view: nothing else (a banner, a dialog's backdrop) is over that point.
/// Marks the element a click is meant for; a click on anything else is stopped in the capture
/// phase, before any handler of the page sees it, and noted.
const CLICK_GUARD: &str = "if (!window.certopayClickGuard) { \
     const guard = window.certopayClickGuard = { intended: null, elsewhere: false }; \
     document.addEventListener('click', (event) => { \
       if (!guard.intended || guard.intended.contains(event.target)) return; \
       guard.elsewhere = true; event.preventDefault(); event.stopImmediatePropagation(); \
     }, true); \
   } \
   window.certopayClickGuard.intended = document.querySelector(arguments[0]); \
   window.certopayClickGuard.elsewhere = false;";

fn clickable_expression(css: &str) -> String {
    format!(
        "((el) => {{ if (!el) return false; el.scrollIntoView({{block: 'center', inline: 'nearest'}}); \
         const r = el.getBoundingClientRect(); const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2); \
         return !!hit && (hit === el || el.contains(hit)); }})(document.querySelector({}))",
        json!(css)
    )
}

impl Window {
    pub async fn open(launch: Launch<'_>) -> Window {
        Window::open_with_args(launch, &[]).await
    }

    /// The app started with these arguments (`--minimized`: as the computer starts it).
    pub async fn open_with_args(launch: Launch<'_>, args: &[&str]) -> Window {
        let home = launch.home.unwrap_or_else(|| tempfile::tempdir().unwrap());
        let port = free_port();
        let mut command = driver_command(port, home.path());
        command
            .env("TAURI_WEBVIEW_AUTOMATION", "true")
            .env("CERTOPAY_KEYS_BASE_URL", launch.base_url)
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CACHE_HOME", home.path().join("cache"))
            .stdin(Stdio::null())
            .kill_on_drop(true);
        // Tests assert wording: English unless a test chooses otherwise, whatever this machine's
        // language (LANGUAGE comes first in the app's reading, but C ignores it: set both).
        command.env("LANGUAGE", "en").env("LANG", "en_US.UTF-8").env("LC_ALL", "").env("LC_MESSAGES", "");
        // The checks after an unanswered rotation take 2 minutes in the app; seconds here, unless
        // a test sets its own (the test build alone reads this).
        command.env("CERTOPAY_KEYS_SETTLE_MS", QUICK_SETTLE_MS);
        for (name, value) in &launch.env {
            command.env(name, value);
        }
        // The app inherits the driver's output: kept beside its files, for tests that read it.
        let log = std::fs::File::create(home.path().join("app.log")).unwrap();
        command.stdout(log.try_clone().unwrap()).stderr(log);
        let driver = command.spawn().expect("the WebDriver server runs (Linux: package webkit2gtk-driver; Windows: tauri-driver)");
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        let started = Instant::now();
        while http.get(format!("{base}/status")).send().await.is_err() {
            assert!(started.elapsed() < PATIENCE, "the WebDriver server did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let binary = env!("CARGO_BIN_EXE_certopay-keys");
        #[cfg(not(windows))]
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "webkitgtk:browserOptions": {"binary": binary, "args": args}
        }}});
        #[cfg(windows)]
        let capabilities = json!({"capabilities": {"alwaysMatch": {"tauri:options": {"application": binary, "args": args}}}});
        // The driver answers once the app's window is there: an app that ended at start (no
        // display, a panic) would keep that answer waiting for ever. The test fails instead,
        // with what the app printed.
        let creating = http.post(format!("{base}/session")).json(&capabilities).send();
        let Ok(response) = tokio::time::timeout(3 * PATIENCE, creating).await else {
            let printed = std::fs::read_to_string(home.path().join("app.log")).unwrap_or_default();
            panic!("the app's window did not open within {:?}; the app printed:\n{printed}", 3 * PATIENCE);
        };
        let created: Value = response.unwrap().json().await.unwrap();
        let id = created["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("no WebDriver session: {created}"));
        let window = Window { http, session: format!("{base}/session/{id}"), driver, home };
        window.wait_for("document.body && document.body.dataset.ready === 'true'", "the window to be ready").await;
        window
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.session));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response: Value = request.send().await.unwrap().json().await.unwrap();
        if let Some(error) = response["value"].get("error") {
            panic!("WebDriver {path}: {error} {}", response["value"]["message"]);
        }
        response["value"].clone()
    }

    /// Runs a script in the page and returns its result.
    pub async fn script(&self, script: &str, args: Vec<Value>) -> Value {
        self.call(reqwest::Method::POST, "/execute/sync", Some(json!({"script": script, "args": args}))).await
    }

    /// Runs an async script; it ends by calling `arguments[arguments.length - 1](result)`.
    pub async fn script_async(&self, script: &str, args: Vec<Value>) -> Value {
        self.call(reqwest::Method::POST, "/execute/async", Some(json!({"script": script, "args": args}))).await
    }

    /// Waits until a JS expression is truthy; fails the test after `PATIENCE`.
    pub async fn wait_for(&self, expression: &str, what: &str) -> Value {
        self.wait_for_within(expression, what, PATIENCE).await
    }

    /// `wait_for` with a limit of its own, for conditions that take minutes by design.
    pub async fn wait_for_within(&self, expression: &str, what: &str, patience: Duration) -> Value {
        let started = Instant::now();
        loop {
            let value = self.script(&format!("return ({expression}) || null;"), vec![]).await;
            if !value.is_null() && value != json!(false) {
                return value;
            }
            if started.elapsed() > patience {
                let notice = self.script("return document.body.innerText;", vec![]).await;
                let shot = self.screenshot(&format!("failed-{}", what.replace(' ', "-"))).await;
                eprintln!("screenshot of the failure: {}", shot.display());
                panic!("waited {patience:?} for {what}; the window shows:\n{}", notice.as_str().unwrap_or(""));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    pub async fn find(&self, css: &str) -> String {
        let found = self.call(reqwest::Method::POST, "/element", Some(json!({"using": "css selector", "value": css}))).await;
        found[ELEMENT].as_str().unwrap().to_string()
    }

    /// Clicks `css` once it can be seen, as a person does. WebKit dispatches a click's events
    /// after the WebDriver call returns: on a loaded machine the view an earlier click asked
    /// for may still be on its way when the next command comes.
    pub async fn click(&self, css: &str) {
        for _ in 0..3 {
            self.wait_visible(css).await;
            // In view and on top before the driver takes its coordinates: a click computed while
            // the page was still scrolling to it (the last click was far down the page) can land
            // on whatever was there before, and the view it asked for never comes.
            self.wait_for(&clickable_expression(css), &format!("{css} to be clickable")).await;
            // The page can still move between the driver's reading of the coordinates and its
            // click (a redraw above it, on a loaded machine): the guard stops a click that lands
            // elsewhere before anything handles it, and says so; the click is then made again.
            self.script(CLICK_GUARD, vec![json!(css)]).await;
            let id = self.find(css).await;
            self.call(reqwest::Method::POST, &format!("/element/{id}/click"), Some(json!({}))).await;
            // A click on a disabled button reaches nothing, as a person's does: only a click
            // seen on another element is a miss.
            let missed = self.script("const g = window.certopayClickGuard; g.intended = null; return g.elsewhere;", vec![]).await;
            if missed != json!(true) {
                return;
            }
            eprintln!("a click on {css} landed elsewhere (the page moved under it): it was stopped, and is made again");
        }
        panic!("three clicks on {css} landed elsewhere");
    }

    /// Clears a field and types into it, as a user would, once it can be seen.
    pub async fn type_into(&self, css: &str, text: &str) {
        self.wait_visible(css).await;
        let id = self.find(css).await;
        self.call(reqwest::Method::POST, &format!("/element/{id}/clear"), Some(json!({}))).await;
        if !text.is_empty() {
            self.call(reqwest::Method::POST, &format!("/element/{id}/value"), Some(json!({"text": text}))).await;
        }
    }

    /// Presses the mouse button on `css` and holds it, as a person's slow click does:
    /// `release_mouse` ends the click wherever the pointer is then.
    pub async fn hold_mouse_on(&self, css: &str) {
        self.wait_visible(css).await;
        self.wait_for(&clickable_expression(css), &format!("{css} to be clickable")).await;
        let centre = self
            .script(
                "const r = document.querySelector(arguments[0]).getBoundingClientRect(); \
                 return [Math.round(r.left + r.width / 2), Math.round(r.top + r.height / 2)];",
                vec![json!(css)],
            )
            .await;
        let actions =
            json!([{"type": "pointerMove", "origin": "viewport", "x": centre[0], "y": centre[1]}, {"type": "pointerDown", "button": 0}]);
        self.perform("pointer", "mouse", actions).await;
    }

    pub async fn release_mouse(&self) {
        self.perform("pointer", "mouse", json!([{"type": "pointerUp", "button": 0}])).await;
    }

    /// Performs one input source's actions (WebDriver's "Perform Actions"): the driver keeps
    /// the source's state between calls, so a button pressed in one is released in the next.
    async fn perform(&self, kind: &str, id: &str, actions: Value) {
        self.call(reqwest::Method::POST, "/actions", Some(json!({"actions": [{"type": kind, "id": id, "actions": actions}]}))).await;
    }

    /// Sends keys to whatever has the focus (`\u{E007}` is Enter, `\u{E00C}` Escape, `\u{E004}` Tab).
    pub async fn press(&self, keys: &str) {
        let actions: Vec<Value> = keys
            .chars()
            .flat_map(|c| [json!({"type": "keyDown", "value": c.to_string()}), json!({"type": "keyUp", "value": c.to_string()})])
            .collect();
        self.perform("key", "keyboard", Value::Array(actions)).await;
    }

    pub async fn text(&self, css: &str) -> String {
        self.script("const el = document.querySelector(arguments[0]); return el ? el.textContent.trim() : null;", vec![json!(css)])
            .await
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_string()
    }

    pub async fn value(&self, css: &str) -> String {
        self.script("return document.querySelector(arguments[0]).value;", vec![json!(css)]).await.as_str().unwrap().to_string()
    }

    pub async fn visible(&self, css: &str) -> bool {
        self.script(&format!("return {};", visible_expression(css)), vec![]).await == json!(true)
    }

    async fn wait_visible(&self, css: &str) {
        self.wait_for(&visible_expression(css), &format!("{css} to be visible")).await;
    }

    /// Everything the page holds as text: markup, form values and storage.
    pub async fn page_dump(&self) -> String {
        self.script(
            "return document.documentElement.outerHTML + [...document.querySelectorAll('input,textarea,select')].map(e => e.value).join('\\n')
                + JSON.stringify(Object.assign({}, localStorage)) + JSON.stringify(Object.assign({}, sessionStorage)) + document.cookie;",
            vec![],
        )
        .await
        .as_str()
        .unwrap()
        .to_string()
    }

    /// Calls a command through the app's own IPC, as the window does, and returns what it
    /// resolved or rejected with.
    pub async fn invoke(&self, command: &str, args: Value) -> Value {
        self.script_async(
            "const done = arguments[arguments.length - 1];
             window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1])
               .then(v => done({ok: v === undefined ? null : v}), e => done({err: e}));",
            vec![json!(command), args],
        )
        .await
    }

    /// A PNG of the window's page, into the screenshots folder the README names.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        // Let the page paint what the test just did before the capture.
        self.script_async("const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => done(null)));", vec![]).await;
        let data = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD.decode(data.as_str().unwrap()).unwrap();
        let dir = std::env::var_os("CERTOPAY_SCREENSHOTS")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("screenshots"));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    /// The driver's process id; the app and its web processes run below it.
    pub fn driver_pid(&self) -> Option<u32> {
        self.driver.id()
    }

    /// The app's own process: the one the driver started from the app binary.
    pub fn app_pid(&self) -> u32 {
        self.running_app_pid().expect("the app runs under the driver")
    }

    /// The app's process, if the driver and the app still run.
    fn running_app_pid(&self) -> Option<u32> {
        let driver = self.driver.id()?;
        let binary = std::path::Path::new(env!("CARGO_BIN_EXE_certopay-keys")).file_name().unwrap().to_owned();
        std::fs::read_dir("/proc").unwrap().filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok()).find(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            // "pid (name) state ppid …": the parent is the driver and the name the binary's.
            let ppid = stat.rsplit(')').next().and_then(|rest| rest.split_whitespace().nth(1)).and_then(|p| p.parse::<u32>().ok());
            let exe = std::fs::read_link(format!("/proc/{pid}/exe")).ok();
            ppid == Some(driver) && exe.is_some_and(|e| e.file_name() == Some(&binary))
        })
    }

    /// Ends the WebDriver session, stops the driver, and ends the app: its process outlives
    /// the session and the driver (closing the window may hide it in the tray, or ask first),
    /// and a test's app must not go on running into the next test, hearing what the desktop
    /// says to all (a wake from sleep, the clipboard).
    pub async fn close(mut self) -> tempfile::TempDir {
        let app = self.running_app_pid();
        let _ = self.http.delete(&self.session).send().await;
        let _ = self.driver.kill().await;
        if let Some(pid) = app {
            end_app(pid);
            #[cfg(unix)]
            super::processes::wait_until_ended(&pid.to_string(), Duration::from_secs(20), "the app did not end").await;
        }
        std::mem::replace(&mut self.home, tempfile::tempdir().unwrap())
    }
}

/// Ends a test's app at once (it needs no goodbye: its files are the test's own).
fn end_app(pid: u32) {
    // SAFETY: a signal to a process this test started (found by its parent, the driver).
    #[cfg(unix)]
    unsafe {
        libc::kill(pid as i32, libc::SIGKILL)
    };
    #[cfg(not(unix))]
    let _ = pid;
}

/// A window a test drops without `close` (at its end, or when it fails) ends its app too.
impl Drop for Window {
    fn drop(&mut self) {
        let app = self.running_app_pid();
        let _ = self.driver.start_kill();
        if let Some(pid) = app {
            end_app(pid);
        }
    }
}
