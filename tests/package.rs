//! `make bundle`'s check of the installed package, as a person would use it: the binary the
//! .deb installs (extracted to CERTOPAY_PACKAGE_ROOT by scripts/bundle.sh) opens its window on
//! the login screen (a screenshot is taken), and, started with TAURI_WEBVIEW_AUTOMATION=true,
//! cannot be driven by WebKitWebDriver. Not a `cargo test` target: make bundle runs it.

mod support;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::main]
async fn main() {
    let root = PathBuf::from(std::env::var("CERTOPAY_PACKAGE_ROOT").expect("scripts/bundle.sh sets CERTOPAY_PACKAGE_ROOT"));
    let binary = root.join("usr/bin/certopay-keys");
    assert!(binary.exists(), "{} is in the package", binary.display());
    let sb = support::app::sandbox(Default::default()).await;
    let home = tempfile::tempdir().unwrap();

    // The app's environment, whichever program starts it: the sandbox and scratch folders.
    let with_app_env = |program: &str| {
        let mut command = tokio::process::Command::new(program);
        command
            .env("CERTOPAY_KEYS_BASE_URL", sb.url())
            .env("XDG_CONFIG_HOME", home.path().join("config"))
            .env("XDG_DATA_HOME", home.path().join("data"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        command
    };

    // The installed binary, started as from the menu: its window appears.
    let mut app = with_app_env(binary.to_str().unwrap()).spawn().unwrap();
    let started = Instant::now();
    loop {
        let tree = std::process::Command::new("xwininfo").args(["-root", "-tree"]).output().unwrap();
        if String::from_utf8_lossy(&tree.stdout).contains("\"CertoPay Keys\"") {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the packaged app's window never appeared");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Let the page draw before the screenshot: a picture to look at, not a check.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let shots = PathBuf::from(std::env::var("CERTOPAY_SCREENSHOTS").unwrap_or_else(|_| "screenshots".into()));
    std::fs::create_dir_all(&shots).unwrap();
    let shot = shots.join("package-login.png");
    let taken = std::process::Command::new("import").args(["-window", "root"]).arg(&shot).status().expect("import (package imagemagick)");
    assert!(taken.success());
    println!("the packaged app's window: {}", shot.display());
    app.kill().await.unwrap();

    // Asked to be driven, the packaged build refuses: it is always incognito.
    let port = free_port();
    let mut driver = with_app_env("WebKitWebDriver").arg(format!("--port={port}")).env("TAURI_WEBVIEW_AUTOMATION", "true").spawn().unwrap();
    let http = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    while http.get(format!("{base}/status")).send().await.is_err() {
        assert!(started.elapsed() < Duration::from_secs(60), "WebKitWebDriver did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let capabilities = json!({"capabilities": {"alwaysMatch": {"webkitgtk:browserOptions": {"binary": binary, "args": []}}}});
    let answer: Value = http.post(format!("{base}/session")).json(&capabilities).send().await.unwrap().json().await.unwrap();
    assert_eq!(answer["value"]["error"], "session not created", "the packaged build could be driven: {answer}");
    println!("WebKitWebDriver and the packaged build: {}", answer["value"]["message"]);
    driver.kill().await.unwrap();
    println!("package check: passed");
}
