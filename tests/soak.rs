//! `make soak`: what the app costs at rest, hidden in the tray as it waits for weeks once it
//! starts with the computer, side by side with the hello-world Tauri app (bench/hello) hidden
//! the same way, in one run. Prints figures and the goals beside them; passes or fails on
//! nothing. Needs the private desktop of scripts/with-desktop.sh and both release binaries
//! (`make soak` builds them).
//!
//! Both are started hidden (CertoPay Keys with `--minimized`, a tray on the desktop's D-Bus;
//! hello with `--hidden`), left to settle, then read from /proc each minute for the span
//! (`CERTOPAY_SOAK_MINUTES`, 10 by default): CPU time, context switches (every wake-up of a
//! thread ends in one: the count of wake-ups, WebKit's and GTK's included, which is why hello
//! stands beside), threads, open files and PSS of each process tree.

mod support;

use std::time::Duration;

use certopay_sandbox::Options;
use support::app::sandbox;
use support::processes::{tree_figures, TreeFigures};
use support::release_app::{target_dir, Started};
use support::status_notifier::Tray;

/// How long both are left alone before the first reading: start-up's own work is not rest.
const SETTLE: Duration = Duration::from_secs(30);

struct Readings {
    name: &'static str,
    pid: u32,
    each_minute: Vec<TreeFigures>,
}

impl Readings {
    fn read(&mut self) {
        self.each_minute.push(tree_figures(self.pid));
    }

    /// Per minute between consecutive readings: CPU as a share of one core (%), and wake-ups.
    fn per_minute(&self) -> (Vec<f64>, Vec<f64>) {
        self.each_minute
            .windows(2)
            .map(|pair| ((pair[1].cpu_s - pair[0].cpu_s).max(0.0) / 60.0 * 100.0, pair[1].wakeups_since(&pair[0]) as f64))
            .unzip()
    }
}

fn median_and_max(mut samples: Vec<f64>) -> (f64, f64) {
    samples.sort_by(f64::total_cmp);
    (samples[samples.len() / 2], samples[samples.len() - 1])
}

#[tokio::main]
async fn main() {
    let minutes: usize = std::env::var("CERTOPAY_SOAK_MINUTES").ok().and_then(|m| m.parse().ok()).unwrap_or(10).max(1);
    let target = target_dir();
    let (app, hello) = (target.join("release/certopay-keys"), target.join("release/tauri-hello"));
    assert!(app.exists() && hello.exists(), "{} and {} are built by `make soak`", app.display(), hello.display());
    let _tray = Tray::start();
    let sb = sandbox(Options::default()).await;

    let mut started =
        Started::spawn(&app, &["--minimized"], &[("CERTOPAY_KEYS_TIMINGS", "1".into()), ("CERTOPAY_KEYS_BASE_URL", sb.url())]).await;
    started.until("login form interactive").await;
    let app_child = started.keep_reading();
    let hello_child = Started::spawn(&hello, &["--hidden"], &[]).await.keep_reading();
    let mut readings = [
        Readings { name: "CertoPay Keys (in the tray, window hidden, login screen)", pid: app_child.id().unwrap(), each_minute: vec![] },
        Readings { name: "hello world (window hidden)", pid: hello_child.id().unwrap(), each_minute: vec![] },
    ];
    println!("CertoPay Keys soak: both release builds hidden, {minutes} min after {} s to settle", SETTLE.as_secs());
    tokio::time::sleep(SETTLE).await; // a bench's span, not a synchronisation
    for r in &mut readings {
        r.read();
    }
    for minute in 1..=minutes {
        tokio::time::sleep(Duration::from_secs(60)).await;
        for r in &mut readings {
            r.read();
        }
        let (app_cpu, app_wakes) = readings[0].per_minute();
        let (hello_cpu, hello_wakes) = readings[1].per_minute();
        println!(
            "minute {minute}: CertoPay Keys {:.3} % CPU, {:.0} wake-ups; hello {:.3} % CPU, {:.0} wake-ups",
            app_cpu[minute - 1],
            app_wakes[minute - 1],
            hello_cpu[minute - 1],
            hello_wakes[minute - 1]
        );
    }
    println!();
    println!("| figure | {} | {} | goal |", readings[0].name, readings[1].name);
    println!("|---|---|---|---|");
    let first_and_last = |r: &Readings| (r.each_minute[0].clone(), r.each_minute.last().unwrap().clone());
    let ((a0, a1), (h0, h1)) = (first_and_last(&readings[0]), first_and_last(&readings[1]));
    let (app_cpu, app_wakes) = readings[0].per_minute();
    let (hello_cpu, hello_wakes) = readings[1].per_minute();
    let ((ac, ac_max), (hc, hc_max)) = (median_and_max(app_cpu), median_and_max(hello_cpu));
    let ((aw, aw_max), (hw, hw_max)) = (median_and_max(app_wakes), median_and_max(hello_wakes));
    println!("| CPU per minute, % of one core (median, max) | {ac:.3} %, {ac_max:.3} % | {hc:.3} %, {hc_max:.3} % | under 0.1 % |");
    println!(
        "| wake-ups per minute, every thread (median, max) | {aw:.0}, {aw_max:.0} | {hw:.0}, {hw_max:.0} | the app's own timers: at most 1 a minute (the difference to hello: {:.0}) |",
        aw - hw
    );
    println!(
        "| PSS at start → end | {:.1} → {:.1} MiB | {:.1} → {:.1} MiB | end within 5 MB of start |",
        a0.pss_mib, a1.pss_mib, h0.pss_mib, h1.pss_mib
    );
    println!("| threads at start → end | {} → {} | {} → {} | no growth |", a0.threads, a1.threads, h0.threads, h1.threads);
    println!("| open files at start → end | {} → {} | {} → {} | no growth |", a0.open_files, a1.open_files, h0.open_files, h1.open_files);
    drop((app_child, hello_child));
}
