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
use support::processes::{tree_pss_by_process, tree_pss_mib, tree_rss_mib};
use support::release_app::{type_keys, Started};
use support::webdriver::{Launch, Window};

fn summary(mut samples: Vec<Duration>) -> String {
    samples.sort();
    let at = |q: f64| samples[((samples.len() - 1) as f64 * q).round() as usize].as_secs_f64() * 1000.0;
    format!("median {:.1} ms, p95 {:.1} ms, max {:.1} ms (n = {})", at(0.5), at(0.95), at(1.0), samples.len())
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
    // Each run's PSS by process (the app's own, its web process, its network process): where
    // the difference to hello sits.
    let (mut app_by_process, mut hello_by_process) = (vec![], vec![]);
    let mut steps: Vec<[f64; 4]> = vec![];
    let mut inside: Vec<[f64; 7]> = vec![];
    for _ in 0..10 {
        let mut a =
            Started::spawn(&app, &[], &[("CERTOPAY_KEYS_TIMINGS", "1".into()), ("CERTOPAY_KEYS_BASE_URL", sandbox_url.into())]).await;
        app_interactive.push(a.until("login form interactive").await.as_secs_f64() * 1000.0);
        tokio::time::sleep(Duration::from_secs(1)).await; // memory settles: a figure, not a check
        app_pss.push(tree_pss_mib(a.child.id().unwrap()));
        app_by_process.push(tree_pss_by_process(a.child.id().unwrap()));
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

        let mut h = Started::spawn(&hello, &[], &[("TAURI_HELLO_TIMINGS", "1".into())]).await;
        hello_paint.push(h.until("first paint").await.as_secs_f64() * 1000.0);
        tokio::time::sleep(Duration::from_secs(1)).await;
        hello_pss.push(tree_pss_mib(h.child.id().unwrap()));
        hello_by_process.push(tree_pss_by_process(h.child.id().unwrap()));
        h.child.kill().await.unwrap();
    }
    println!("| figure (10 pairs, A B alternately) | CertoPay Keys median (min–max) | hello world median (min–max) | ratio |");
    println!("|---|---|---|---|");
    row("start to interactive login form / to first paint", app_interactive, hello_paint, "ms");
    row("PSS of the process tree at the first screen", app_pss, hello_pss, "MiB");
    let by_process = |runs: &[std::collections::BTreeMap<String, f64>]| {
        let names: std::collections::BTreeSet<&String> = runs.iter().flat_map(|r| r.keys()).collect();
        names
            .into_iter()
            .map(|name| format!("{name} {:.1}", spread(runs.iter().map(|r| r.get(name).copied().unwrap_or(0.0)).collect()).0))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "  PSS by process (medians, MiB): CertoPay Keys: {}; hello world: {}",
        by_process(&app_by_process),
        by_process(&hello_by_process)
    );
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

    compare_with_hello(&support::release_app::target_dir(), &sb.url(), http_ms).await;
}
