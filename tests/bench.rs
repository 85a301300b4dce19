//! `make bench`: prints how fast and how large the app is, for the figures in the notes.
//! Not a test: nothing here passes or fails on a number. Needs the private desktop of
//! scripts/with-desktop.sh.
//!
//! The window can be driven through WebDriver only in a debug build (a release build is
//! always incognito, which WebKitGTK will not automate), so the driven figures are a debug
//! build's. A release binary, when built, is measured undriven: start to window shown, and
//! memory at the login screen.

mod support;

use std::time::{Duration, Instant};

use certopay_keys::certopay::{CertoPayClient, ClientOptions};
use certopay_sandbox::{Options, DEMO_PASSWORD};
use support::app::{log_in, sandbox, wait_dashboard, LIVE};
use support::webdriver::{Launch, Window};

fn summary(mut samples: Vec<Duration>) -> String {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0;
    format!("median {:.1} ms, p95 {:.1} ms, max {:.1} ms (n = {})", at(0.5), at(0.95), at(1.0), samples.len())
}

/// Resident memory of every process below `root` (the app and its web processes), in MiB.
fn tree_rss_mib(root: u32) -> f64 {
    let parent_of = |pid: u32| -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        stat.rsplit(')').next()?.split_whitespace().nth(1)?.parse().ok()
    };
    let rss_kib = |pid: u32| -> u64 {
        std::fs::read_to_string(format!("/proc/{pid}/status"))
            .ok()
            .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
            .unwrap_or(0)
    };
    let pids: Vec<u32> = std::fs::read_dir("/proc").unwrap().flatten().filter_map(|e| e.file_name().to_str()?.parse().ok()).collect();
    let below_root = |mut pid: u32| {
        while let Some(parent) = parent_of(pid) {
            if parent == root {
                return true;
            }
            if parent <= 1 {
                return false;
            }
            pid = parent;
        }
        false
    };
    pids.iter().filter(|p| below_root(**p)).map(|p| rss_kib(*p)).sum::<u64>() as f64 / 1024.0
}

/// Starts a binary with no driver and waits for its window to be mapped.
async fn undriven_start(binary: &std::path::Path, base_url: &str) -> (Duration, f64) {
    let home = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let mut app = tokio::process::Command::new(binary)
        .env("CERTOPAY_KEYS_BASE_URL", base_url)
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CACHE_HOME", home.path().join("cache"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let shown = loop {
        let tree = std::process::Command::new("xwininfo").args(["-root", "-tree"]).output().expect("xwininfo (package x11-utils)");
        if String::from_utf8_lossy(&tree.stdout).contains("\"CertoPay Keys\"") {
            break started.elapsed();
        }
        assert!(started.elapsed() < Duration::from_secs(30), "the window never appeared");
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    // Give the page time to load before reading memory: this is a figure, not a check.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let pid = app.id().unwrap();
    let own_rss = tree_rss_mib(pid) + {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        status.lines().find(|l| l.starts_with("VmRSS:")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok()).unwrap_or(0.0)
            / 1024.0
    };
    app.kill().await.unwrap();
    (shown, own_rss)
}

#[tokio::main]
async fn main() {
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    println!("CertoPay Keys benchmark (client and driven window: {profile} build)");

    // The client against the sandbox over loopback (rate limit window made tiny).
    let sb = sandbox(Options { rate_window: Duration::from_millis(1), ..Options::default() }).await;
    let client = CertoPayClient::new(&sb.url(), ClientOptions::default()).unwrap();
    let mut logins = Vec::new();
    for _ in 0..50 {
        let started = Instant::now();
        client.login(LIVE, DEMO_PASSWORD).await.unwrap();
        logins.push(started.elapsed());
    }
    let jwt = client.login(LIVE, DEMO_PASSWORD).await.unwrap().jwt;
    let mut reads = Vec::new();
    for _ in 0..200 {
        let started = Instant::now();
        client.current_key(&jwt).await.unwrap();
        reads.push(started.elapsed());
    }
    println!("client login:               {}", summary(logins));
    println!("client key read:            {}", summary(reads));

    // The real window: start-up, login to a shown key, memory.
    let (mut ready, mut dashboard, mut rss) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..5 {
        let started = Instant::now();
        let w = Window::open(Launch { base_url: &sb.url(), env: vec![], home: None }).await;
        ready.push(started.elapsed());
        let started = Instant::now();
        log_in(&w, LIVE, DEMO_PASSWORD).await;
        wait_dashboard(&w).await;
        dashboard.push(started.elapsed());
        rss.push(tree_rss_mib(w.driver_pid().unwrap()));
        w.close().await;
    }
    println!("window launch to ready:     {} (WebDriver session included)", summary(ready));
    println!("login to key on screen:     {}", summary(dashboard));
    rss.sort_by(f64::total_cmp);
    println!(
        "memory at dashboard (RSS of the app and its web processes): median {:.0} MiB, max {:.0} MiB",
        rss[rss.len() / 2],
        rss[rss.len() - 1]
    );

    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let release = target.join("release/certopay-keys");
    if release.exists() {
        let (mut shown, mut memory) = (Vec::new(), Vec::new());
        for _ in 0..3 {
            let (time, rss) = undriven_start(&release, &sb.url()).await;
            shown.push(time);
            memory.push(rss);
        }
        memory.sort_by(f64::total_cmp);
        println!("release: start to window shown: {}", summary(shown));
        println!("release: memory at the login screen (app and web processes): median {:.0} MiB", memory[memory.len() / 2]);
    } else {
        println!("release: not built ({} missing); `make bench` builds it", release.display());
    }
}
