//! `make bench`: prints how fast and how large the app is, for the figures in the notes.
//! Not a test (nothing here passes or fails on a number); run with a release build:
//! `cargo test --release --test bench`. Needs the private desktop of scripts/with-desktop.sh.

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

#[tokio::main]
async fn main() {
    let profile = if cfg!(debug_assertions) { "debug" } else { "release" };
    println!("CertoPay Keys benchmark ({profile} build)");

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
    println!("memory at dashboard (RSS of the app and its web processes): median {:.0} MiB, max {:.0} MiB", rss[rss.len() / 2], rss[rss.len() - 1]);
}
