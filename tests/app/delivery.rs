//! Delivering the new key straight to where the systems read it, with no window: a real OpenSSH
//! server on loopback takes the key through the SSH preset into a file, a small shop process
//! reads that file for each payment it sends to the sandbox, and the rollout watch sees the
//! new key in use within seconds. A command that fails, hangs or is missing leaves the key on
//! the clipboard; the secret is never in a command's arguments or environment; the window
//! alone cannot set a target.

use crate::support;

use std::time::{Duration, Instant};

use certopay_keys::rules::app_error::{AppError, ConfirmationRefusal};
use certopay_keys::rules::delivery_target::{DeliveryFailure, DeliveryTarget};
use certopay_keys::wire::{AppEvent, RolloutState};
use certopay_sandbox::{Options, Sandbox, DEMO_PASSWORD};
use support::app::LIVE;
use support::harness::{harness, recorded_events, Harness};
use support::rotation::payment_status;
use support::sshd::Sshd;

fn target(command: &str) -> DeliveryTarget {
    DeliveryTarget { name: "Servidor da loja".into(), command: command.into(), timeout_s: 10, also_copy: false }
}

async fn with_target(target: DeliveryTarget) -> Harness {
    let h = harness(Options::default()).await;
    h.log_in(LIVE).await;
    h.state.set_delivery_target(&h.profile_id, Some(target), DEMO_PASSWORD).unwrap();
    h
}

/// The shop: before each payment it reads its key from the file its server keeps, as a real
/// integration reads CERTOPAY_API_KEY. One payment a second, for at most two minutes.
fn shop(sb: &Sandbox, key_file: std::path::PathBuf) -> tokio::task::AbortHandle {
    let url = format!("{}/api/payment-gateway/process", sb.url());
    tokio::spawn(async move {
        let http = reqwest::Client::new();
        for _ in 0..120 {
            if let Ok(key) = std::fs::read_to_string(&key_file) {
                let _ = http.post(&url).header("X-Api-Key", key.trim()).send().await;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    })
    .abort_handle()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_ssh_preset_writes_the_key_on_the_server_and_the_watch_sees_it_in_use_within_seconds() {
    let sshd = Sshd::start().await;
    let key_file = sshd.file("certopay.key");
    let h = with_target(target(&sshd.preset_command(&key_file))).await;
    let events = recorded_events(&h);
    *h.clipboard.0.lock().unwrap() = Some("the user's own copy".into());
    let old_key = {
        // The shop runs with the old key until the rotation.
        let dialog = h.state.begin_rotation().await.unwrap();
        let plan = dialog.delivery.as_ref().expect("step 1 says where the key goes");
        assert_eq!((plan.name.as_str(), plan.program_found), ("Servidor da loja", true));
        dialog
    };
    let _shop = shop(&h.sb, key_file.clone());
    let rotated_at = Instant::now();
    let result = h.state.confirm_rotation(&old_key.confirmation_token, &old_key.label, None).await.unwrap();
    let delivery = result.delivery.expect("a delivery result");
    assert_eq!(delivery.failure, None, "{}\n{}", delivery.output, sshd.log());
    assert!(delivery.elapsed_ms.is_some());
    assert!(!result.on_clipboard);
    assert_eq!(h.clipboard.text().as_deref(), Some("the user's own copy"), "the clipboard is left as the user had it");
    let on_server = std::fs::read_to_string(&key_file).unwrap();
    assert!(on_server.starts_with(result.new_prefix.unwrap().trim_end_matches('.')));
    assert_eq!(payment_status(&h.sb, &on_server).await, 200, "the key on the server is the live one");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777, 0o600, "umask 077 on the server");
    assert_eq!(h.state.rotation_history()[0].delivered_to.as_deref(), Some("Servidor da loja"));

    // The watch looks early after a delivery and sees the shop using the new key.
    let in_use = loop {
        let seen = events.lock().unwrap().iter().find_map(|e| match e {
            AppEvent::Rollout(status) if status.state == RolloutState::InUse => Some(status.clone()),
            _ => None,
        });
        if let Some(status) = seen {
            break status;
        }
        assert!(rotated_at.elapsed() < Duration::from_secs(40), "the watch never saw the new key in use");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let outage = in_use.in_use_after_s.unwrap();
    assert!(outage <= 10, "the outage was {outage} s");
    assert!(rotated_at.elapsed() < Duration::from_secs(15), "the watch said so {:?} after Rotate now", rotated_at.elapsed());
}

#[tokio::test]
async fn a_command_that_fails_hangs_or_is_missing_leaves_the_key_on_the_clipboard() {
    let cases = [
        ("fails", target("sh -c 'echo permission denied for certopay-demo >&2; exit 3'"), DeliveryFailure::Exited { code: 3 }),
        ("hangs", DeliveryTarget { timeout_s: 1, ..target("sleep 30") }, DeliveryFailure::TimedOut { seconds: 1 }),
        ("missing", target("/nonexistent/deliver-key --to loja"), DeliveryFailure::NotFound { program: "/nonexistent/deliver-key".into() }),
    ];
    for (case, target, expected) in cases {
        let h = with_target(target).await;
        let dialog = h.state.begin_rotation().await.unwrap();
        assert_eq!(dialog.delivery.as_ref().unwrap().program_found, case != "missing", "{case}: step 1 says whether it can run");
        let result = h.state.confirm_rotation(&dialog.confirmation_token, &dialog.label, None).await.unwrap();
        let delivery = result.delivery.unwrap();
        assert_eq!(delivery.failure, Some(expected), "{case}");
        assert!(result.on_clipboard, "{case}");
        let secret = h.clipboard.text().unwrap_or_else(|| panic!("{case}: the key is on the clipboard instead"));
        assert_eq!(payment_status(&h.sb, &secret).await, 200, "{case}: and it is the live key");
        assert_eq!(h.state.rotation_history()[0].delivered_to, None, "{case}");
        if case == "fails" {
            // What it said, for the details line, but never the account's password.
            assert_eq!(delivery.output, "permission denied for [hidden]");
        }
    }
}

#[tokio::test]
async fn the_secret_is_never_in_the_commands_arguments_or_environment() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();
    // Says its process id, takes the key, then waits for the test to have looked at it.
    let script = format!(
        "sh -c 'echo $$ > {pid}.tmp && mv {pid}.tmp {pid}; cat > {got}; while [ ! -e {go} ]; do sleep 0.05; done'",
        pid = path("pid"),
        got = path("got"),
        go = path("go")
    );
    let h = std::sync::Arc::new(with_target(target(&script)).await);
    let dialog = h.state.begin_rotation().await.unwrap();
    let rotating = {
        let h = h.clone();
        tokio::spawn(async move { h.state.confirm_rotation(&dialog.confirmation_token, &dialog.label, None).await })
    };
    let started = Instant::now();
    let pid = loop {
        if let Ok(pid) = std::fs::read_to_string(path("pid")) {
            break pid.trim().to_string();
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the command never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    // Its whole input arrived (the file is complete once the key's 40-odd characters are there).
    let secret = loop {
        let got = std::fs::read_to_string(path("got")).unwrap_or_default();
        if got.len() >= 40 {
            break got;
        }
        assert!(started.elapsed() < Duration::from_secs(20), "the key never arrived: {got:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap();
    let environ = std::fs::read(format!("/proc/{pid}/environ")).unwrap();
    for (what, bytes) in [("cmdline", &cmdline), ("environ", &environ)] {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains(secret.trim()) && !text.contains("sk_live_"), "the secret is in its {what}");
    }
    std::fs::write(path("go"), "").unwrap();
    let result = rotating.await.unwrap().unwrap();
    assert_eq!(result.delivery.unwrap().failure, None);
    assert_eq!(payment_status(&h.sb, secret.trim()).await, 200);
}

#[tokio::test]
async fn the_window_alone_cannot_set_a_target() {
    let h = harness(Options::default()).await;
    let wanted = || Some(target("sh -c 'cat > /tmp/stolen-key'"));
    // Not logged in: nobody to ask for the password.
    assert_eq!(h.state.set_delivery_target(&h.profile_id, wanted(), DEMO_PASSWORD).unwrap_err(), AppError::NotLoggedIn);
    h.log_in(LIVE).await;
    for (password, reason) in [("", ConfirmationRefusal::PasswordRequired), ("guess", ConfirmationRefusal::PasswordMismatch)] {
        assert_eq!(h.state.set_delivery_target(&h.profile_id, wanted(), password).unwrap_err(), AppError::Confirmation { reason });
    }
    // A profile saved from the window keeps no target it brings along.
    let mut profile = h.state.settings().profile(&h.profile_id).unwrap().clone();
    profile.delivery = wanted();
    h.state.save_profile(profile.clone()).unwrap();
    assert_eq!(h.state.settings().profile(&h.profile_id).unwrap().delivery, None);
    profile.id = String::new();
    profile.name = "Nova".into();
    let added = h.state.save_profile(profile).unwrap().settings;
    assert!(added.profiles.iter().all(|p| p.delivery.is_none()), "nor does a new one");

    // With the password, the person sets it.
    h.state.set_delivery_target(&h.profile_id, wanted(), DEMO_PASSWORD).unwrap();
    assert_eq!(h.state.settings().profile(&h.profile_id).unwrap().delivery, wanted());
}
