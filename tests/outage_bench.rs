//! `make bench`, the outage a rotation causes: from "Rotate now" to the rollout watch's "in
//! use", with the SSH delivery (a real OpenSSH server on loopback writing the shop's key file)
//! and with the clipboard (a scripted paste into that file 30 s after the rotation). A shop
//! process reads the file before each payment, one a second. Median of 5 runs, min and max.

mod support;

use std::time::{Duration, Instant};

use certopay_keys::rules::delivery_target::DeliveryTarget;
use certopay_keys::wire::{AppEvent, RolloutState};
use certopay_sandbox::{Options, DEMO_PASSWORD};
use support::app::LIVE;
use support::harness::{harness, recorded_events};
use support::sshd::Sshd;

const RUNS: usize = 5;
const PASTE_AFTER: Duration = Duration::from_secs(30);

/// One rotation: how long until the watch said the new key is in use (wall time from Rotate
/// now), the outage the watch reported (whole seconds: the API's timestamps), and the outage by
/// the server's clock to the millisecond (from the new key's issue to the first payment it
/// accepted, as the sandbox saw them).
async fn one_run(sshd: &Sshd, by_ssh: bool) -> (Duration, u64, f64) {
    let key_file = sshd.file(if by_ssh { "ssh.key" } else { "pasted.key" });
    let _ = std::fs::remove_file(&key_file);
    let h = harness(Options::default()).await;
    h.log_in(LIVE).await;
    if by_ssh {
        let target = DeliveryTarget { name: "Servidor".into(), command: sshd.preset_command(&key_file), timeout_s: 30, also_copy: false };
        h.state.set_delivery_target(&h.profile_id, Some(target), DEMO_PASSWORD).await.unwrap();
    }
    let events = recorded_events(&h);
    let shop_url = format!("{}/api/payment-gateway/process", h.sb.url());
    let shop_file = key_file.clone();
    let shop = tokio::spawn(async move {
        for _ in 0..180 {
            if let Ok(key) = std::fs::read_to_string(&shop_file) {
                let _ = reqwest::Client::new().post(&shop_url).header("X-Api-Key", key.trim()).send().await;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    let dialog = h.state.begin_rotation().await.unwrap();
    let pressed = Instant::now();
    let result = h.state.confirm_rotation(&dialog.confirmation_token, &dialog.label, None).await.unwrap();
    let new_prefix = result.new_prefix.expect("the new key's prefix");
    if !by_ssh {
        // The person pastes the key from the clipboard into the server's file.
        tokio::time::sleep(PASTE_AFTER.saturating_sub(pressed.elapsed())).await;
        std::fs::write(&key_file, h.clipboard.text().unwrap()).unwrap();
    }
    let outage = loop {
        let seen = events.lock().unwrap().iter().find_map(|e| match e {
            AppEvent::Rollout(s) if s.state == RolloutState::InUse => s.in_use_after_s,
            _ => None,
        });
        if let Some(seconds) = seen {
            break seconds;
        }
        assert!(pressed.elapsed() < Duration::from_secs(180), "the watch never saw the new key in use");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    shop.abort();
    let timings: serde_json::Value = reqwest::get(format!("{}/__sandbox/key-timings", h.sb.url())).await.unwrap().json().await.unwrap();
    let first_use_ms = timings
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["keyPrefix"] == new_prefix.as_str())
        .and_then(|k| k["firstUseAfterMs"].as_u64())
        .expect("the sandbox saw the new key used");
    (pressed.elapsed(), outage, first_use_ms as f64 / 1000.0)
}

fn summary(mut values: Vec<f64>) -> String {
    values.sort_by(|a, b| a.partial_cmp(b).unwrap());
    format!("{:.2} s ({:.2}–{:.2})", values[values.len() / 2], values[0], values[values.len() - 1])
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let sshd = Sshd::start().await;
        println!("CertoPay Keys: the outage of a rotation, median of {RUNS} runs (min–max)");
        println!("| path | Rotate now to the watch's \"in use\" | outage the watch reported | outage by the server's clock |");
        println!("|---|---|---|---|");
        for (path, by_ssh) in [("SSH delivery", true), ("clipboard, pasted after 30 s", false)] {
            let (mut wall, mut reported, mut outage) = (Vec::new(), Vec::new(), Vec::new());
            for _ in 0..RUNS {
                let (seen, seconds, exact) = one_run(&sshd, by_ssh).await;
                wall.push(seen.as_secs_f64());
                reported.push(seconds as f64);
                outage.push(exact);
            }
            println!("| {path} | {} | {} | {} |", summary(wall), summary(reported), summary(outage));
        }
    });
}
