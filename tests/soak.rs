//! `make soak`: what the app costs at rest, hidden in the tray as it waits for weeks once it
//! starts with the computer, side by side with the hello-world Tauri app (bench/hello) hidden
//! the same way, in one run. Prints figures and the goals beside them; passes or fails on
//! nothing. Needs the private desktop of scripts/with-desktop.sh and both release binaries
//! (`make soak` builds them).
//!
//! Both are started hidden (CertoPay Keys with `--minimized`, a tray on the desktop's D-Bus;
//! hello with `--hidden`) and left to settle. Then, each for `CERTOPAY_SOAK_MINUTES` (5) and
//! read from /proc each minute: (1) the app at its login screen, then 300 pointer moves over
//! the desktop (wake-ups counted); (2) the app logged in (typed with xdotool into the window
//! opened from the tray's menu), then put back in the tray with the close button. Between
//! them, 100 show/hide cycles (the tray's Open, the close button). Then (3) 31 hours of the
//! app's time in as many minutes, the same build's clock run faster (`a_day_of_the_apps_time`:
//! logins with a remembered password, renewals, screen locks, idle locks, a sleep and a wake).
//! Each reading: CPU time, context switches (every wake-up of a thread ends in one: WebKit's
//! and GTK's count too, which is why hello stands beside), threads, open files and PSS of
//! each process tree.

mod support;

use std::time::{Duration, Instant};

use certopay_sandbox::{FastClock, Options, DEMO_PASSWORD};
use serde_json::json;
use support::app::{requests_to, sandbox, screen_locks, LIVE};
use support::company_ca::{CompanyCa, Leaf};
use support::notifications::NotificationService;
use support::processes::{tree_figures, tree_open_files_by_kind, tree_pss_by_process, TreeFigures};
use support::release_app::{target_dir, type_keys, Started};
use support::status_notifier::{click, menu_of, Registered, Tray};
use support::system_bus::prepare_for_sleep;
use support::window_manager::{close_and_wait_hidden, until_shown};

/// How long both are left alone before the first reading: start-up's own work is not rest.
const SETTLE: Duration = Duration::from_secs(30);
const SHOW_HIDE_CYCLES: usize = 100;

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

/// `minutes` of rest, read at the start and each minute, then the table.
async fn rest(title: &str, minutes: usize, app: &mut Readings, hello: &mut Readings) {
    app.each_minute.clear();
    hello.each_minute.clear();
    println!("\n{title}: {minutes} min");
    app.read();
    hello.read();
    for minute in 1..=minutes {
        tokio::time::sleep(Duration::from_secs(60)).await; // a bench's span, not a synchronisation
        app.read();
        hello.read();
        let ((a_cpu, a_wakes), (h_cpu, h_wakes)) = (app.per_minute(), hello.per_minute());
        println!(
            "minute {minute}: CertoPay Keys {:.3} % CPU, {:.0} wake-ups; hello {:.3} % CPU, {:.0} wake-ups",
            a_cpu[minute - 1],
            a_wakes[minute - 1],
            h_cpu[minute - 1],
            h_wakes[minute - 1]
        );
    }
    println!("| figure | {} | {} | goal |", app.name, hello.name);
    println!("|---|---|---|---|");
    let first_and_last = |r: &Readings| (r.each_minute[0].clone(), r.each_minute.last().unwrap().clone());
    let ((a0, a1), (h0, h1)) = (first_and_last(app), first_and_last(hello));
    let ((a_cpu, a_wakes), (h_cpu, h_wakes)) = (app.per_minute(), hello.per_minute());
    let ((ac, ac_max), (hc, hc_max)) = (median_and_max(a_cpu), median_and_max(h_cpu));
    let ((aw, aw_max), (hw, hw_max)) = (median_and_max(a_wakes), median_and_max(h_wakes));
    println!("| CPU per minute, % of one core (median, max) | {ac:.3} %, {ac_max:.3} % | {hc:.3} %, {hc_max:.3} % | under 0.1 % |");
    println!(
        "| wake-ups per minute, every thread (median, max) | {aw:.0}, {aw_max:.0} | {hw:.0}, {hw_max:.0} | the app's own timers: at most 1 a minute (the difference to hello: {:.0}) |",
        aw - hw
    );
    println!(
        "| PSS at start → end | {:.1} → {:.1} MiB | {:.1} → {:.1} MiB | end within 5 MB of start |",
        a0.pss_mib, a1.pss_mib, h0.pss_mib, h1.pss_mib
    );
    let busiest = |r: &Readings| {
        let minutes = (r.each_minute.len() - 1).max(1) as u64;
        let mut by_name: Vec<_> = r.each_minute.last().unwrap().wakeups_by_thread_since(&r.each_minute[0]).into_iter().collect();
        by_name.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
        by_name.iter().take(8).map(|(name, n)| format!("{name} {}", n / minutes)).collect::<Vec<_>>().join(", ")
    };
    println!("| wake-ups per minute by thread (the busiest eight) | {} | {} | |", busiest(app), busiest(hello));
    println!("| threads at start → end | {} → {} | {} → {} | no growth |", a0.threads, a1.threads, h0.threads, h1.threads);
    println!("| open files at start → end | {} → {} | {} → {} | no growth |", a0.open_files, a1.open_files, h0.open_files, h1.open_files);
}

/// The person works in other windows while both wait hidden: the pointer moves over the
/// desktop. Tao's X11 device thread (Tauri's default "x11" feature, which hello keeps) wakes at
/// each move; CertoPay Keys is built without it.
fn pointer_moves_while_hidden(app: u32, hello: u32) {
    const MOVES: u32 = 300;
    let (app_before, hello_before) = (tree_figures(app), tree_figures(hello));
    for step in 0..MOVES {
        let (x, y) = (100 + (step * 37) % 1000, 100 + (step * 53) % 700);
        let moved = std::process::Command::new("xdotool").args(["mousemove", &x.to_string(), &y.to_string()]).status();
        assert!(moved.expect("xdotool runs").success());
    }
    let (app_after, hello_after) = (tree_figures(app), tree_figures(hello));
    println!(
        "\n{MOVES} pointer moves over the desktop, both hidden: wake-ups, every thread: CertoPay Keys {}, hello world {} (threads {} and {})",
        app_after.wakeups_since(&app_before),
        hello_after.wakeups_since(&hello_before),
        app_after.threads,
        hello_after.threads
    );
}

/// Clicks the tray menu's entry `label`, as a panel does.
async fn tray_entry(item: &Registered, label: &str) {
    let item = item.clone();
    let label = label.to_string();
    tokio::task::spawn_blocking(move || {
        let menu = menu_of(&item);
        let entry = menu.iter().find(|e| e.label == label).unwrap_or_else(|| panic!("{label} in {menu:?}")).id;
        click(&item, entry);
    })
    .await
    .unwrap();
}

/// Opens the window from the tray's menu and waits for it.
async fn open_from_the_tray(item: &Registered, pid: u32) {
    tray_entry(item, "Open CertoPay Keys").await;
    until_shown(pid, true, Duration::from_secs(20)).await.expect("Open shows the window");
}

#[tokio::main]
async fn main() {
    let minutes: usize = std::env::var("CERTOPAY_SOAK_MINUTES").ok().and_then(|m| m.parse().ok()).unwrap_or(5).max(1);
    let target = target_dir();
    let (app, hello) = (target.join("release/certopay-keys"), target.join("release/tauri-hello"));
    assert!(app.exists() && hello.exists(), "{} and {} are built by `make soak`", app.display(), hello.display());
    let tray = Tray::start();
    let sb = sandbox(Options::default()).await;

    let mut started =
        Started::spawn(&app, &["--minimized"], &[("CERTOPAY_KEYS_TIMINGS", "1".into()), ("CERTOPAY_KEYS_BASE_URL", sb.url())]).await;
    started.until("login form interactive").await;
    let item = tray.wait_for_item(Duration::from_secs(30)).await;
    let hello_started = Started::spawn(&hello, &["--hidden"], &[]).await;
    let pid = started.child.id().unwrap();
    let mut app_readings = Readings { name: "CertoPay Keys (in the tray, window hidden)", pid, each_minute: vec![] };
    let mut hello_readings = Readings { name: "hello world (window hidden)", pid: hello_started.child.id().unwrap(), each_minute: vec![] };
    println!("CertoPay Keys soak: both release builds hidden, after {} s to settle", SETTLE.as_secs());
    tokio::time::sleep(SETTLE).await; // a bench's span, not a synchronisation
    rest("1. At the login screen, never shown", minutes, &mut app_readings, &mut hello_readings).await;
    pointer_moves_while_hidden(pid, hello_readings.pid);

    // Opened from the tray, logged in as a person types it, back to the tray.
    open_from_the_tray(&item, pid).await;
    type_keys("CertoPay Keys", &[LIVE, "key:Tab", DEMO_PASSWORD, "key:Return"]);
    started.until("key on screen").await;
    let before_cycles = tree_figures(pid);
    let cycles_started = Instant::now();
    for _ in 0..SHOW_HIDE_CYCLES {
        close_and_wait_hidden(pid).await;
        open_from_the_tray(&item, pid).await;
    }
    close_and_wait_hidden(pid).await;
    let after_cycles = tree_figures(pid);
    println!(
        "\n{SHOW_HIDE_CYCLES} show/hide cycles in {:.1} s (one press of the close button each): PSS {:.1} → {:.1} MiB, threads {} → {}, open files {} → {}",
        cycles_started.elapsed().as_secs_f64(),
        before_cycles.pss_mib,
        after_cycles.pss_mib,
        before_cycles.threads,
        after_cycles.threads,
        before_cycles.open_files,
        after_cycles.open_files
    );
    rest("2. Logged in, put back in the tray with the close button", minutes, &mut app_readings, &mut hello_readings).await;
    drop((started, hello_started, sb));
    a_day_of_the_apps_time(&app, &tray, minutes).await;
}

/// How much of the app's time the third part lives: the reminder looks every 6 hours and
/// says a due key once a day, so 31 hours hold two reminders (at 6 and 30 hours), and the
/// daily update check two asks of the feed (at 0 and 24 hours).
const APP_DAY_HOURS: u32 = 31;
/// The hour of the app's day at whose end the machine sleeps and wakes: no check or reminder is
/// due then (the update check ran at 0 h, the reminder at 6 h).
const SLEEPS_AT_HOUR: u32 = 20;

/// The third part: the same build with its clock `speed` times faster (feature `fast-clock`), the sandbox's
/// clock the same: 31 hours of the app's time in `minutes`. Each hour of it, the window is
/// opened from the tray, logged in as a person does it (the first time typed, with "Remember
/// password" ticked; then the remembered password, by pressing Enter) and closed again; each
/// session then ends as sessions end in the tray: every other hour the screen locks first;
/// otherwise it runs out (sessions of 6 minutes here), is renewed with the remembered password,
/// and the idle lock (10 minutes) ends the renewed one. At `SLEEPS_AT_HOUR` the machine sleeps
/// and wakes. Reminders go to a notification service that counts them; update checks go to a
/// feed over HTTPS that says "no newer version".
async fn a_day_of_the_apps_time(app: &std::path::Path, tray: &Tray, minutes: usize) {
    let speed = (APP_DAY_HOURS * 60).div_ceil(minutes as u32);
    let origin_ms = chrono::Utc::now().timestamp_millis();
    let fast_clock = Some(FastClock { origin_ms, speed });
    let notifications = NotificationService::start();
    let ca = CompanyCa::new("CertoPay releases");
    let feed_version = json!({ "version": env!("CARGO_PKG_VERSION"), "platforms": {} }).to_string().into_bytes();
    let feed = sandbox(Options {
        tls: Some(ca.server("localhost", Leaf::default())),
        files: [("/latest.json".to_string(), feed_version)].into_iter().collect(),
        ..Options::default()
    })
    .await;
    let sb = sandbox(Options { fast_clock, token_ttl: Duration::from_secs(6 * 60), ..Options::default() }).await;
    let env = [
        ("CERTOPAY_KEYS_TIMINGS", "1".to_string()),
        ("CERTOPAY_KEYS_BASE_URL", sb.url()),
        ("CERTOPAY_KEYS_CLOCK_SPEED", speed.to_string()),
        ("CERTOPAY_KEYS_CLOCK_ORIGIN_MS", origin_ms.to_string()),
        ("SSL_CERT_FILE", ca.bundle().display().to_string()),
        ("CERTOPAY_KEYS_TEST_UPDATE_FEED", format!("{}/latest.json", feed.url())),
        // Only a newer version's package is verified; the feed never offers one.
        ("CERTOPAY_KEYS_TEST_UPDATE_KEY", "soak: no package to verify".to_string()),
    ];
    tray.forget_items();
    let mut started = Started::spawn(app, &["--minimized"], &env).await;
    started.until("login form interactive").await;
    let item = tray.wait_for_item(Duration::from_secs(30)).await;
    let pid = started.child.id().unwrap();
    let hour = Duration::from_secs_f64(3600.0 / f64::from(speed));
    println!(
        "\n3. {APP_DAY_HOURS} hours of the app's time in {minutes} min (its clock {speed}× as fast): each hour opened, logged in, closed"
    );
    let at_start = tree_figures(pid);
    let (pss_at_start, files_at_start) = (tree_pss_by_process(pid), tree_open_files_by_kind(pid));
    let real_start = Instant::now();
    let mut halfway = None;
    let mut slept = None;
    let mut after_wake = (0, 0, 0);
    for hour_of_day in 0..APP_DAY_HOURS {
        if hour_of_day == APP_DAY_HOURS / 2 {
            halfway = Some(tree_pss_by_process(pid));
        }
        open_from_the_tray(&item, pid).await;
        // "Remember password" ticked with the space bar, then Enter in the password field (a
        // checkbox does not send its form). The e-mail is kept after the first login, and the
        // focus is then on the (remembered, so empty) password: Enter logs in with it.
        let first = hour_of_day == 0;
        type_keys(
            "CertoPay Keys",
            if first { &[LIVE, "key:Tab", DEMO_PASSWORD, "key:Tab", "key:space", "key:shift+Tab", "key:Return"] } else { &["key:Return"] },
        );
        // A renewal drew the key too, while hidden: this hour's login is the one after "login sent".
        started.until("login sent").await;
        started.until("key on screen").await;
        close_and_wait_hidden(pid).await;
        if hour_of_day == SLEEPS_AT_HOUR {
            let before =
                (requests_to(&sb, "GET /api/api-keys/me").await, requests_to(&feed, "GET /latest.json").await, notifications.shown().len());
            prepare_for_sleep(true);
            prepare_for_sleep(false);
            slept = Some(before);
        } else if hour_of_day % 2 == 1 {
            screen_locks();
        }
        // The rest of this hour of the app's time: a bench's span, not a synchronisation.
        let next_hour = hour * (hour_of_day + 1);
        tokio::time::sleep(next_hour.saturating_sub(real_start.elapsed())).await;
        if let Some((key_reads, feed_asked, reminders)) = slept.take() {
            after_wake = (
                requests_to(&sb, "GET /api/api-keys/me").await - key_reads,
                requests_to(&feed, "GET /latest.json").await - feed_asked,
                notifications.shown().len() - reminders,
            );
        }
    }
    let at_end = tree_figures(pid);
    let (pss_at_end, files_at_end) = (tree_pss_by_process(pid), tree_open_files_by_kind(pid));
    let (logins, key_reads) = (requests_to(&sb, "POST /api/auth/login").await, requests_to(&sb, "GET /api/api-keys/me").await);
    let feed_asked = requests_to(&feed, "GET /latest.json").await;
    let reminders = notifications.shown().len();
    let wall = real_start.elapsed().as_secs_f64();
    // Whether the memory the day took comes back on its own: as long again, hidden and idle
    // (no more logins; the clock still fast). A bench's span, not a synchronisation.
    tokio::time::sleep(Duration::from_secs(60 * minutes as u64)).await;
    let rested = tree_pss_by_process(pid);
    println!("| figure | at start | after {APP_DAY_HOURS} hours of the app's time ({wall:.0} s) | goal |");
    println!("|---|---|---|---|");
    println!("| PSS | {:.1} MiB | {:.1} MiB | within 5 MB |", at_start.pss_mib, at_end.pss_mib);
    let each = |start: &std::collections::BTreeMap<String, f64>, end: &std::collections::BTreeMap<String, f64>| {
        end.iter()
            .map(|(name, mib)| format!("{name} {:.1} → {mib:.1}", start.get(name).copied().unwrap_or(0.0)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let halfway = halfway.unwrap_or_default();
    println!("| PSS by process, MiB, first half of the span | | {} | |", each(&pss_at_start, &halfway));
    println!("| PSS by process, MiB, second half | | {} | within 5 MB, once warm |", each(&halfway, &pss_at_end));
    println!("| PSS by process after as long again hidden, MiB | | {} | |", each(&pss_at_end, &rested));
    println!("| threads | {} | {} | no growth |", at_start.threads, at_end.threads);
    println!("| open files | {} | {} | no growth |", at_start.open_files, at_end.open_files);
    let grown: Vec<String> = files_at_end
        .iter()
        .filter(|(kind, n)| files_at_start.get(*kind) != Some(n))
        .map(|(kind, n)| format!("{kind} {} → {n}", files_at_start.get(kind).copied().unwrap_or(0)))
        .chain(files_at_start.iter().filter(|(kind, _)| !files_at_end.contains_key(*kind)).map(|(kind, n)| format!("{kind} {n} → 0")))
        .collect();
    println!("| open files that changed | | {} | |", grown.join(", "));
    println!("| CPU, % of one core over the span | | {:.2} % | |", (at_end.cpu_s - at_start.cpu_s) / wall * 100.0);
    let renewals = APP_DAY_HOURS.div_ceil(2) - u32::from(SLEEPS_AT_HOUR % 2 == 0);
    println!(
        "| logins | | {logins} | {}: one an hour ({APP_DAY_HOURS}), and a renewal each hour the screen did not lock and the machine did not sleep ({renewals}) |",
        APP_DAY_HOURS + renewals
    );
    println!("| key reads | | {key_reads} | one a login: {} |", APP_DAY_HOURS + renewals);
    let (key_reads_after_wake, feed_asked_after_wake, reminders_after_wake) = after_wake;
    println!(
        "| asleep and awake at {SLEEPS_AT_HOUR} h: key reads, update feed asked, reminders, in the hour after | | {key_reads_after_wake}, {feed_asked_after_wake}, {reminders_after_wake} | 0, 0, 0: the sleep ended the session, no check and no reminder was due |"
    );
    println!("| reminders of the due key | | {reminders} | 2: one a day (looks every 6 hours: at 6 and 30 hours) |");
    println!("| update feed asked | | {feed_asked} | 2: once a day (at 0 and 24 hours) |");
    drop(started);
}
