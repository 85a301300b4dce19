//! `make bench`, the outage a rotation causes: from "Rotate now" to the rollout watch's "in
//! use", with the SSH delivery (a real OpenSSH server on loopback writing the shop's key file)
//! to one file or to three at once, and with the clipboard (a scripted paste into that file 30 s
//! after the rotation). A shop process reads its file before each payment, one a second, the
//! shops in step. Median of 5 runs, min and max.

mod support;

use std::time::{Duration, Instant};

use certopay_keys::rules::delivery_target::DeliveryTarget;
use certopay_keys::rules::rollout_watch::Watch;
use certopay_keys::wire::AppEvent;
use certopay_sandbox::{Options, DEMO_PASSWORD};
use support::app::LIVE;
use support::harness::{harness, recorded_events};
use support::sshd::Sshd;

const RUNS: usize = 5;
const PASTE_AFTER: Duration = Duration::from_secs(30);

/// How the new key reaches the shop's files.
#[derive(Clone, Copy)]
enum Path {
    /// The SSH preset, to this many files on the server, each read by its own shop process.
    Ssh(usize),
    /// The clipboard, pasted by hand into the one file.
    Clipboard,
}

/// One rotation: how long until the watch said the new key is in use (wall time from Rotate
/// now), the outage the watch reported (whole seconds: the API's timestamps), and the outage by
/// the server's clock to the millisecond (from the new key's issue to the payment it first
/// accepted, as the sandbox saw it; with several shops, the last of them to pay with it); and,
/// for SSH, when the last destination was done (its command ended with the key in place), after
/// the key's issue: the delivery alone, without the shops' once-a-second phase.
async fn one_run(sshd: &Sshd, path: Path) -> (Duration, u64, f64, Option<f64>) {
    let files: Vec<std::path::PathBuf> = match path {
        Path::Ssh(n) => (1..=n).map(|i| sshd.file(&format!("ssh-{i}.key"))).collect(),
        Path::Clipboard => vec![sshd.file("pasted.key")],
    };
    for file in &files {
        let _ = std::fs::remove_file(file);
    }
    let h = harness(Options::default()).await;
    h.log_in(LIVE).await;
    if let Path::Ssh(_) = path {
        let destinations = files
            .iter()
            .enumerate()
            .map(|(i, file)| DeliveryTarget {
                name: format!("Servidor {}", i + 1),
                command: sshd.preset_command(file),
                timeout_s: 30,
                also_copy: false,
            })
            .collect();
        h.state.set_destinations(&h.profile_id, destinations, DEMO_PASSWORD).await.unwrap();
    }
    let events = recorded_events(&h);
    let shop_url = format!("{}/api/payment-gateway/process", h.sb.url());
    // The shops pay in step, one payment a second each, so that several shops add no phase of
    // their own to the figure: what differs is the delivery.
    let start = tokio::time::Instant::now();
    let shops: Vec<_> = files
        .iter()
        .enumerate()
        .map(|(i, file)| {
            let (url, file, name) = (shop_url.clone(), file.clone(), format!("shop-{i}"));
            tokio::spawn(async move {
                let mut tick = tokio::time::interval_at(start, Duration::from_secs(1));
                for _ in 0..180 {
                    tick.tick().await;
                    if let Ok(key) = std::fs::read_to_string(&file) {
                        let _ =
                            reqwest::Client::new().post(&url).header("X-Api-Key", key.trim()).header("X-Sandbox-Shop", &name).send().await;
                    }
                }
            })
        })
        .collect();
    let dialog = h.state.begin_rotation().await.unwrap();
    let pressed = Instant::now();
    let result = h.state.confirm_rotation(&dialog.confirmation_token, &dialog.label, None).await.unwrap();
    assert!(result.deliveries.iter().all(|d| d.failure.is_none()), "{:?}", result.deliveries);
    let new_prefix = result.new_prefix.clone().expect("the new key's prefix");
    if let Path::Clipboard = path {
        // The person pastes the key from the clipboard into the server's file.
        tokio::time::sleep(PASTE_AFTER.saturating_sub(pressed.elapsed())).await;
        std::fs::write(&files[0], h.clipboard.text().unwrap()).unwrap();
    }
    let outage = loop {
        let seen = events.lock().unwrap().iter().find_map(|e| match e {
            AppEvent::Rollout(s) => match s.watch {
                Watch::InUse { after, .. } => Some(after.as_secs()),
                _ => None,
            },
            _ => None,
        });
        if let Some(seconds) = seen {
            break seconds;
        }
        assert!(pressed.elapsed() < Duration::from_secs(180), "the watch never saw the new key in use");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // Every shop has paid with the new key: the outage is over for all of them.
    let (last_shop_ms, issued_ms) = loop {
        let timings: serde_json::Value = reqwest::get(format!("{}/__sandbox/key-timings", h.sb.url())).await.unwrap().json().await.unwrap();
        let key = timings.as_array().unwrap().iter().find(|k| k["keyPrefix"] == new_prefix.as_str()).cloned();
        let by_shop = key.as_ref().map(|k| k["firstUseAfterMsByShop"].clone());
        let firsts: Vec<u64> =
            by_shop.as_ref().and_then(|m| m.as_object()).map(|m| m.values().filter_map(|v| v.as_u64()).collect()).unwrap_or_default();
        if firsts.len() == files.len() {
            break (firsts.into_iter().max().unwrap(), key.unwrap()["issuedAtUnixMs"].as_u64().unwrap());
        }
        assert!(pressed.elapsed() < Duration::from_secs(180), "a shop never paid with the new key");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    for shop in shops {
        shop.abort();
    }
    // The last destination's verdict (its command ended, the key in place), after the key's issue.
    let landed = result.deliveries.iter().filter_map(|d| d.delivered_at).max().map(|last| {
        let issued = chrono::DateTime::from_timestamp_millis(issued_ms as i64).unwrap();
        (last - issued).num_microseconds().unwrap() as f64 / 1e6
    });
    (pressed.elapsed(), outage, last_shop_ms as f64 / 1000.0, landed)
}

fn summary(mut values: Vec<f64>) -> String {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    format!("{:.3} s ({:.3}–{:.3})", values[values.len() / 2], values[0], values[values.len() - 1])
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let sshd = Sshd::start().await;
        println!("CertoPay Keys: the outage of a rotation, median of {RUNS} runs (min–max)");
        println!(
            "| path | Rotate now to the watch's \"in use\" | outage the watch reported | outage by the server's clock | last destination done after the key's issue |"
        );
        println!("|---|---|---|---|---|");
        let paths = [
            ("SSH delivery", Path::Ssh(1)),
            ("SSH delivery to three files, three shops", Path::Ssh(3)),
            ("clipboard, pasted after 30 s", Path::Clipboard),
        ];
        for (name, path) in paths {
            let (mut wall, mut reported, mut outage, mut landed) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for _ in 0..RUNS {
                let (seen, seconds, exact, written) = one_run(&sshd, path).await;
                wall.push(seen.as_secs_f64());
                reported.push(seconds as f64);
                outage.push(exact);
                landed.extend(written);
            }
            let landed = if landed.is_empty() { "—".to_string() } else { summary(landed) };
            println!("| {name} | {} | {} | {} | {landed} |", summary(wall), summary(reported), summary(outage));
        }
    });
}
