//! `make bench`: prints how fast and how large the app is, for the figures in the notes.
//! Not a test: nothing here passes or fails on a number. Needs the private desktop of
//! scripts/with-desktop.sh.
//!
//! The window can be driven through WebDriver only in a build made for tests (a package is
//! always incognito, which WebKitGTK will not automate), so the driven figures are a debug
//! build's. The release binary is compared undriven with a hello-world Tauri app
//! (bench/hello) built with the same profile: started alternately, timed from spawn to the
//! milestones each prints on stderr, memory as the PSS of each process tree, and the login
//! typed in with xdotool.

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

/// Proportional memory (PSS) of a process and everything below it, in MiB: shared pages are
/// counted once across the tree, so two apps compare fairly.
fn tree_pss_mib(root: u32) -> f64 {
    let pss_kib = |pid: u32| -> u64 {
        std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
            .ok()
            .and_then(|s| s.lines().find(|l| l.starts_with("Pss:")).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
            .unwrap_or(0)
    };
    let parent_of = |pid: u32| -> Option<u32> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        stat.rsplit(')').next()?.split_whitespace().nth(1)?.parse().ok()
    };
    let pids: Vec<u32> = std::fs::read_dir("/proc").unwrap().flatten().filter_map(|e| e.file_name().to_str()?.parse().ok()).collect();
    let in_tree = |pid: u32| {
        let mut at = pid;
        loop {
            if at == root {
                return true;
            }
            match parent_of(at) {
                Some(parent) if parent > 1 => at = parent,
                _ => return false,
            }
        }
    };
    pids.into_iter().filter(|p| in_tree(*p)).map(pss_kib).sum::<u64>() as f64 / 1024.0
}

/// A started release binary, its milestones read from stderr as they arrive (times since
/// spawn, measured here, the same way for both apps).
struct Started {
    child: tokio::process::Child,
    spawned: Instant,
    lines: tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStderr>>,
}

impl Started {
    async fn spawn(binary: &std::path::Path, env: &[(&str, String)]) -> Started {
        let home = tempfile::tempdir().unwrap().keep();
        let mut command = tokio::process::Command::new(binary);
        command
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        for (name, value) in env {
            command.env(name, value);
        }
        let spawned = Instant::now();
        let mut child = command.spawn().unwrap();
        use tokio::io::AsyncBufReadExt;
        let lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
        Started { child, spawned, lines }
    }

    /// Waits for a milestone line containing `what`; the time since spawn.
    async fn until(&mut self, what: &str) -> Duration {
        let wait = tokio::time::timeout(Duration::from_secs(30), async {
            while let Ok(Some(line)) = self.lines.next_line().await {
                if line.contains(what) {
                    return self.spawned.elapsed();
                }
            }
            panic!("the app ended before {what}");
        });
        wait.await.unwrap_or_else(|_| panic!("no {what} within 30 s"))
    }
}

/// Types into the focused window as a person would (xdotool, package xdotool).
fn type_keys(window_name: &str, steps: &[&str]) {
    let found = std::process::Command::new("xdotool").args(["search", "--sync", "--name", window_name]).output().expect("xdotool runs");
    let id = String::from_utf8_lossy(&found.stdout).lines().last().unwrap_or_default().to_string();
    std::process::Command::new("xdotool").args(["windowfocus", "--sync", &id]).status().unwrap();
    for step in steps {
        let args: Vec<&str> = if let Some(key) = step.strip_prefix("key:") { vec!["key", key] } else { vec!["type", "--delay", "0", step] };
        std::process::Command::new("xdotool").args(&args).status().unwrap();
    }
}

fn spread(mut samples: Vec<f64>) -> (f64, f64, f64) {
    samples.sort_by(f64::total_cmp);
    (samples[samples.len() / 2], samples[0], samples[samples.len() - 1])
}

fn row(figure: &str, app: Vec<f64>, hello: Vec<f64>, unit: &str) {
    let (a, a_min, a_max) = spread(app);
    let (h, h_min, h_max) = spread(hello);
    println!("| {figure} | {a:.0} {unit} ({a_min:.0}–{a_max:.0}) | {h:.0} {unit} ({h_min:.0}–{h_max:.0}) | {:.2} |", a / h);
}

/// CertoPay Keys against a hello-world Tauri app, both release builds with the same profile,
/// started alternately under the same display.
async fn compare_with_hello(target: &std::path::Path, sandbox_url: &str, http_ms: f64) {
    let app = target.join("release/certopay-keys");
    let hello = target.join("release/tauri-hello");
    if !app.exists() || !hello.exists() {
        println!("release comparison: not built ({} or {} missing); `make bench` builds both", app.display(), hello.display());
        return;
    }
    let mib = |p: &std::path::Path| std::fs::metadata(p).unwrap().len() as f64 / (1024.0 * 1024.0);
    println!("release binaries: CertoPay Keys {:.1} MiB, hello world {:.1} MiB", mib(&app), mib(&hello));
    let (mut app_interactive, mut app_pss, mut hello_paint, mut hello_pss, mut overhead) = (vec![], vec![], vec![], vec![], vec![]);
    let mut steps: Vec<[f64; 4]> = vec![];
    let mut inside: Vec<[f64; 7]> = vec![];
    for _ in 0..10 {
        let mut a = Started::spawn(&app, &[("CERTOPAY_KEYS_TIMINGS", "1".into()), ("CERTOPAY_KEYS_BASE_URL", sandbox_url.into())]).await;
        app_interactive.push(a.until("login form interactive").await.as_secs_f64() * 1000.0);
        tokio::time::sleep(Duration::from_secs(1)).await; // memory settles: a figure, not a check
        app_pss.push(tree_pss_mib(a.child.id().unwrap()));
        type_keys("CertoPay Keys", &[LIVE, "key:Tab", DEMO_PASSWORD, "key:Return"]);
        let sent = a.until("login sent").await;
        let login_http = a.until("login: HTTP sent").await;
        let login_http_done = a.until("login: HTTP answered").await;
        let login_saved = a.until("login: settings saved").await;
        let answered = a.until("login answered").await;
        let requested = a.until("key requested").await;
        let key_http = a.until("key: HTTP sent").await;
        let key_http_done = a.until("key: HTTP answered").await;
        let key_answered = a.until("key answered").await;
        let shown = a.until("key on screen").await;
        overhead.push((shown - sent).as_secs_f64() * 1000.0 - http_ms);
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        steps.push([ms(answered - sent), ms(requested - answered), ms(key_answered - requested), ms(shown - key_answered)]);
        inside.push([
            ms(login_http - sent),
            ms(login_http_done - login_http),
            ms(login_saved - login_http_done),
            ms(answered - login_saved),
            ms(key_http - requested),
            ms(key_http_done - key_http),
            ms(key_answered - key_http_done),
        ]);
        a.child.kill().await.unwrap();

        let mut h = Started::spawn(&hello, &[("TAURI_HELLO_TIMINGS", "1".into())]).await;
        hello_paint.push(h.until("first paint").await.as_secs_f64() * 1000.0);
        tokio::time::sleep(Duration::from_secs(1)).await;
        hello_pss.push(tree_pss_mib(h.child.id().unwrap()));
        h.child.kill().await.unwrap();
    }
    println!("| figure (10 pairs, A B alternately) | CertoPay Keys median (min–max) | hello world median (min–max) | ratio |");
    println!("|---|---|---|---|");
    row("start to interactive login form / to first paint", app_interactive, hello_paint, "ms");
    row("PSS of the process tree at the first screen", app_pss, hello_pss, "MiB");
    let (o, o_min, o_max) = spread(overhead);
    println!("login to key on screen, less the two HTTP round trips ({http_ms:.1} ms): median {o:.1} ms ({o_min:.1}–{o_max:.1})");
    let step = |i: usize| spread(steps.iter().map(|s| s[i]).collect()).0;
    println!(
        "  of which (medians): login command {:.1} ms, session start to key request {:.1} ms, key command {:.1} ms, drawing the key {:.1} ms",
        step(0),
        step(1),
        step(2),
        step(3)
    );
    let part = |i: usize| spread(inside.iter().map(|s| s[i]).collect()).0;
    println!(
        "  login command: IPC in {:.1}, HTTP {:.1}, keychain and settings {:.1}, IPC out {:.1} ms; key command: IPC in {:.1}, HTTP {:.1}, IPC out {:.1} ms",
        part(0),
        part(1),
        part(2),
        part(3),
        part(4),
        part(5),
        part(6)
    );
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
    let median_ms = |samples: &[Duration]| {
        let mut sorted = samples.to_vec();
        sorted.sort();
        sorted[sorted.len() / 2].as_secs_f64() * 1000.0
    };
    let http_ms = median_ms(&logins) + median_ms(&reads);
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
    compare_with_hello(&target, &sb.url(), http_ms).await;
}
