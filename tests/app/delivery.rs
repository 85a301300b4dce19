//! Delivering the new key straight to where the systems read it, with no window: a real OpenSSH
//! server on loopback takes the key through the SSH preset into a file, a small shop process
//! reads that file for each payment it sends to the sandbox, and the rollout watch sees the
//! new key in use within seconds. A command that fails, hangs or is missing leaves the key on
//! the clipboard; the secret is never in a command's arguments or environment; the window
//! alone cannot set a target.

use crate::support;

use std::time::{Duration, Instant};

use certopay_keys::certopay::ClientOptions;
use certopay_keys::rules::app_error::{AppError, ConfirmationRefusal, InputField, InputProblem};
use certopay_keys::rules::delivery_failure::{DeliveryFailure, KeptAttribute};
use certopay_keys::rules::delivery_target::DeliveryTarget;
use certopay_keys::rules::lock_reason::LockReason;
use certopay_keys::rules::rollout_watch::Watch;
use certopay_keys::wire::{AppEvent, RotationResult};
use certopay_sandbox::{Options, Sandbox, DEMO_PASSWORD};
use serde_json::json;
use support::app::LIVE;
use support::app::{arm, requests_to, served_key};
use support::harness::{harness, harness_on_the_desktop_clipboard, harness_with, recorded_events, Harness};
use support::rotation::{clipboard_text, payment_status};
use support::sshd::{kept, shop_file, Sshd};

fn target(command: &str) -> DeliveryTarget {
    DeliveryTarget { name: "Servidor da loja".into(), command: command.into(), timeout_s: 10, also_copy: false }
}

async fn with_target(target: DeliveryTarget) -> Harness {
    let h = harness(Options::default()).await;
    h.log_in(LIVE).await;
    h.state.set_destinations(&h.profile_id, vec![target], DEMO_PASSWORD).await.unwrap();
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
        let plan = dialog.destinations.first().expect("step 1 says where the key goes");
        assert_eq!((plan.name.as_str(), plan.program_found), ("Servidor da loja", true));
        dialog
    };
    let _shop = shop(&h.sb, key_file.clone());
    let rotated_at = Instant::now();
    let result = h.state.confirm_rotation(&old_key.confirmation_token, &old_key.label, None).await.unwrap();
    let delivery = result.deliveries.into_iter().next().expect("a delivery result");
    assert_eq!(delivery.failure, None, "{}\n{}", delivery.output, sshd.log());
    assert!(delivery.elapsed_ms.is_some());
    assert!(!result.on_clipboard);
    assert_eq!(h.clipboard.text().as_deref(), Some("the user's own copy"), "the clipboard is left as the user had it");
    let on_server = std::fs::read_to_string(&key_file).unwrap();
    assert!(on_server.starts_with(result.new_prefix.unwrap().trim_end_matches('.')));
    assert_eq!(payment_status(&h.sb, &on_server).await, 200, "the key on the server is the live one");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777, 0o600, "umask 077 on the server");
    assert_eq!(h.state.rotation_history()[0].delivered_to().collect::<Vec<_>>(), ["Servidor da loja"]);

    // The watch looks early after a delivery and sees the shop using the new key.
    let in_use = loop {
        let seen = events.lock().unwrap().iter().find_map(|e| match e {
            AppEvent::Rollout(status) if matches!(status.watch, Watch::InUse { .. }) => Some(status.clone()),
            _ => None,
        });
        if let Some(status) = seen {
            break status;
        }
        assert!(rotated_at.elapsed() < Duration::from_secs(40), "the watch never saw the new key in use");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let Watch::InUse { after, .. } = in_use.watch else { unreachable!("found in use") };
    let outage = after.as_secs();
    assert!(outage <= 10, "the outage was {outage} s");
    assert!(rotated_at.elapsed() < Duration::from_secs(15), "the watch said so {:?} after Rotate now", rotated_at.elapsed());
}

#[tokio::test]
async fn a_command_that_fails_hangs_or_is_missing_leaves_the_key_on_the_clipboard() {
    let cases = [
        // It reads the key, then fails (one that fails before reading is caught before the rotation).
        (
            "fails",
            target("sh -c 'cat > /dev/null; echo permission denied for certopay-demo >&2; exit 3'"),
            DeliveryFailure::Exited { code: 3 },
        ),
        ("hangs", DeliveryTarget { timeout_s: 1, ..target("sleep 30") }, DeliveryFailure::TimedOut { seconds: 1 }),
    ];
    for (case, target, expected) in cases {
        let h = with_target(target).await;
        let dialog = h.state.begin_rotation().await.unwrap();
        assert!(dialog.destinations.first().unwrap().program_found, "{case}: step 1 says it can run");
        let result = h.state.confirm_rotation(&dialog.confirmation_token, &dialog.label, None).await.unwrap();
        let delivery = result.deliveries.into_iter().next().unwrap();
        assert_eq!(delivery.failure, Some(expected), "{case}");
        assert!(result.on_clipboard, "{case}");
        let secret = h.clipboard.text().unwrap_or_else(|| panic!("{case}: the key is on the clipboard instead"));
        assert_eq!(payment_status(&h.sb, &secret).await, 200, "{case}: and it is the live key");
        assert_eq!(h.state.rotation_history()[0].delivered_to().count(), 0, "{case}");
        if case == "fails" {
            // What it said, for the details line, but never the account's password.
            assert_eq!(delivery.output, "permission denied for [hidden]");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_shops_key_file_keeps_its_owner_group_and_mode_so_the_service_can_still_read_it() {
    // The common layout: the service runs as `loja` and reads a file deploy:loja 0640, which
    // the `deploy` user delivers over SSH.
    let users = support::sshd::shop_users();
    let sshd = Sshd::start().await;
    let key_file = sshd.shop_folder(users).join("certopay.key");
    shop_file(&key_file, "sk_live_the_key_the_shop_uses_now\n", users.deploy_uid, users.loja_gid, 0o640);
    let h = with_target(target(&sshd.preset_command_as(users.deploy, &key_file))).await;
    let before_rotation = chrono::Utc::now();
    let result = h.rotate().await.unwrap();
    let delivery = result.deliveries.into_iter().next().expect("a delivery result");
    assert_eq!(delivery.failure, None, "{}\n{}", delivery.output, sshd.log());
    let on_server = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(payment_status(&h.sb, &on_server).await, 200, "the file holds the live key");
    assert_eq!(kept(&key_file), (users.deploy_uid, users.loja_gid, 0o640), "deploy:loja 0640, as the shop set it up");
    // The result says which file holds the key now, and since when.
    assert_eq!(delivery.destination.as_deref(), Some(key_file.to_str().unwrap()));
    let at = delivery.delivered_at.expect("when it was delivered");
    assert!(at >= before_rotation && at <= chrono::Utc::now(), "{at}");
    assert!(!delivery.output.contains("certopay-"), "the preset's own lines are not output: {:?}", delivery.output);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_symlinked_key_file_stays_a_link_and_its_target_gets_the_new_key() {
    let users = support::sshd::shop_users();
    let sshd = Sshd::start().await;
    let folder = sshd.shop_folder(users);
    let (link, real) = (folder.join("certopay.key"), folder.join("releases-current-certopay.key"));
    shop_file(&real, "sk_live_the_key_the_shop_uses_now\n", users.deploy_uid, users.loja_gid, 0o640);
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let h = with_target(target(&sshd.preset_command_as(users.deploy, &link))).await;
    let result = h.rotate().await.unwrap();
    let delivery = result.deliveries.into_iter().next().unwrap();
    assert_eq!(delivery.failure, None, "{}\n{}", delivery.output, sshd.log());
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "still a link");
    assert_eq!(std::fs::read_link(&link).unwrap(), real, "to the same file");
    assert_eq!(payment_status(&h.sb, &std::fs::read_to_string(&real).unwrap()).await, 200, "its target holds the live key");
    assert_eq!(kept(&real), (users.deploy_uid, users.loja_gid, 0o640));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_file_whose_group_the_ssh_user_cannot_give_is_refused_before_the_rotation_and_left_unchanged() {
    let users = support::sshd::shop_users();
    let sshd = Sshd::start().await;
    let key_file = sshd.shop_folder(users).join("certopay.key");
    // Its group is one `deploy` is not in: a new file of deploy's could not have it.
    let before = "sk_live_the_key_the_shop_uses_now\n";
    shop_file(&key_file, before, users.deploy_uid, users.other_gid, 0o640);
    let h = with_target(target(&sshd.preset_command_as(users.deploy, &key_file))).await;
    let old = live_prefix(&h).await;
    let refused = h.rotate().await.unwrap_err();
    let AppError::DeliveryNotReady { failure, .. } = refused else { panic!("{refused:?}") };
    assert_eq!(failure, DeliveryFailure::CannotKeep { what: KeptAttribute::Group });
    assert_eq!(requests_to(&h.sb, "POST /api/api-keys/me/regenerate").await, 0, "nothing was regenerated");
    assert_eq!(live_prefix(&h).await, old, "the shop's key still works");
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), before, "the file, byte for byte");
    assert_eq!(kept(&key_file), (users.deploy_uid, users.other_gid, 0o640));
    let left: Vec<_> = std::fs::read_dir(key_file.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 1, "no temporary file left: {left:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_proves_each_destination_and_writes_nothing_anywhere() {
    let sshd = Sshd::start().await;
    let key_file = sshd.file("certopay.key");
    let before = b"sk_live_the_key_the_shop_uses_now\n".to_vec();
    std::fs::write(&key_file, &before).unwrap();
    let h = with_target(target(&sshd.preset_command(&key_file))).await;
    let old = live_prefix(&h).await;
    let checks = h.state.check_destinations().await.unwrap();
    assert_eq!(checks.len(), 1);
    assert_eq!((checks[0].name.as_str(), &checks[0].failure), ("Servidor da loja", &None), "{}\n{}", checks[0].output, sshd.log());
    assert!(checks[0].ready_ms.is_some_and(|ms| ms < 30_000), "{:?}", checks[0].ready_ms);
    assert_eq!(std::fs::read(&key_file).unwrap(), before, "the shop's file, byte for byte");
    assert_eq!(requests_to(&h.sb, "POST /api/api-keys/me/regenerate").await, 0, "nothing was rotated");
    assert_eq!(live_prefix(&h).await, old);
    assert_eq!(h.clipboard.text(), None);

    // A command that would write whatever it was given: stopped before any input, it never
    // sees end of input, so it writes nothing, not even an empty key.
    let dir = tempfile::tempdir().unwrap();
    let (got, pid) = (dir.path().join("got"), dir.path().join("pid"));
    let writer = format!("sh -c 'echo $$ > {}; cat > /dev/null; touch {}'", pid.display(), got.display());
    h.state.set_destinations(&h.profile_id, vec![target(&writer)], DEMO_PASSWORD).await.unwrap();
    let checks = h.state.check_destinations().await.unwrap();
    assert_eq!(checks[0].failure, None);
    let pid = std::fs::read_to_string(&pid).unwrap().trim().to_string();
    // Gone (or a zombie) before anything is judged: a reader left running would still write.
    support::processes::wait_until_ended(&pid, Duration::from_secs(20), "the checked command still runs").await;
    assert!(!got.exists(), "the checked command saw end of input");

    // One that cannot run is told as a rotation would tell it, and nothing else happens.
    h.state.set_destinations(&h.profile_id, vec![target("/nonexistent/deliver-key")], DEMO_PASSWORD).await.unwrap();
    let checks = h.state.check_destinations().await.unwrap();
    assert_eq!(checks[0].failure, Some(DeliveryFailure::NotFound { program: "/nonexistent/deliver-key".into() }));
    assert_eq!(checks[0].ready_ms, None);
    assert_eq!(requests_to(&h.sb, "POST /api/api-keys/me/regenerate").await, 0);
}

/// The key the sandbox serves now, by its prefix.
async fn live_prefix(h: &Harness) -> String {
    served_key(&h.sb, LIVE).await["keyPrefix"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_target_that_cannot_be_reached_stops_the_rotation_before_the_old_key_dies() {
    let nothing_listens = support::app::free_port();
    let cases = [
        // Real OpenSSH, to a port where nothing listens: its own words are the details.
        (
            "ssh refused",
            target(&format!("ssh -o BatchMode=yes -p {nothing_listens} nobody@127.0.0.1 'echo certopay-ready; cat > key'")),
            DeliveryFailure::Exited { code: 255 },
            "Connection refused",
        ),
        (
            "exits",
            target("sh -c 'echo no route to loja.example >&2; exit 3'"),
            DeliveryFailure::Exited { code: 3 },
            "no route to loja.example",
        ),
        (
            "missing",
            target("/nonexistent/deliver-key --to loja"),
            DeliveryFailure::NotFound { program: "/nonexistent/deliver-key".into() },
            "",
        ),
    ];
    for (case, target, expected, words) in cases {
        let h = with_target(target).await;
        let before = live_prefix(&h).await;
        let dialog = h.state.begin_rotation().await.unwrap();
        let refused = h.state.confirm_rotation(&dialog.confirmation_token, &dialog.label, None).await.unwrap_err();
        let AppError::DeliveryNotReady { name, failure, output } = refused else { panic!("{case}: {refused:?}") };
        assert_eq!((name.as_str(), failure), ("Servidor da loja", expected), "{case}");
        assert!(output.contains(words), "{case}: the command's own words: {output:?}");
        assert_eq!(requests_to(&h.sb, "POST /api/api-keys/me/regenerate").await, 0, "{case}: nothing was regenerated");
        assert_eq!(live_prefix(&h).await, before, "{case}: the old key is still the live one");
        assert_eq!(h.clipboard.text(), None, "{case}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_refused_regenerate_kills_the_opened_delivery_and_the_shops_file_is_unchanged() {
    let sshd = Sshd::start().await;
    let key_file = sshd.file("certopay.key");
    let before = b"sk_live_the_key_the_shop_uses_now\n".to_vec();
    std::fs::write(&key_file, &before).unwrap();
    // The same with a local command that would rename its temporary file at end of input.
    let local_file = sshd.file("local.key");
    std::fs::write(&local_file, &before).unwrap();
    let local = format!("sh -c 'echo certopay-ready; cat > {0}.new; mv {0}.new {0}'", local_file.display());
    for (case, command, file) in [("ssh preset", sshd.preset_command(&key_file), &key_file), ("local", local, &local_file)] {
        let h = with_target(target(&command)).await;
        arm(&h.sb, json!({"path": "/api/api-keys/me/regenerate", "kind": "status", "status": 403})).await;
        let refused = h.rotate().await.unwrap_err();
        assert_eq!(refused, AppError::Forbidden, "{case}");
        assert_eq!(std::fs::read(file).unwrap(), before, "{case}: the file the shop reads, byte for byte");
    }
    // What the preset left behind on the server is only its own temporary file, if anything.
    let left: Vec<String> = std::fs::read_dir(key_file.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("certopay.key") && name != "certopay.key")
        .collect();
    assert!(left.iter().all(|name| name.starts_with(".certopay.key.")), "{left:?}");
}

/// A server's `Retry-After` as long as anything, negative or not a number, answering the watch's
/// first read after a delivery: the watch takes it in (no panic: a release build would abort and
/// take the clipboard's owner with it) and the window hears when the next check goes out.
#[tokio::test(flavor = "multi_thread")]
async fn any_retry_after_during_the_watch_is_taken_in_and_shown_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("certopay.key");
    let h = with_target(target(&format!("sh -c 'cat > {}'", key_file.display()))).await;
    let events = recorded_events(&h);
    // (what the header says, the shortest and longest wait the watch may then announce)
    let minute = 60;
    let cases = [("18446744073709551615", 29 * minute, 30 * minute + 5), ("-1", 25, 35), ("1e99", 25, 35)];
    for (header, shortest, longest) in cases {
        let result = h.rotate().await.unwrap();
        assert_eq!(result.deliveries.into_iter().next().unwrap().failure, None, "{header}");
        let seen_before = events.lock().unwrap().len();
        arm(&h.sb, json!({"path": "/api/api-keys/me", "kind": "status", "status": 429, "retryAfter": header})).await;
        let asked_at = chrono::Utc::now();
        let announced = Instant::now();
        let until = loop {
            let told = events.lock().unwrap()[seen_before..].iter().find_map(|e| match e {
                AppEvent::Rollout(status) => status.rate_limited_until,
                _ => None,
            });
            if let Some(until) = told {
                break until;
            }
            // The first read comes 3 s after a delivery; a watch that died never says anything.
            assert!(announced.elapsed() < Duration::from_secs(30), "{header}: the watch never took in the 429");
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let wait = (until - asked_at).num_seconds();
        assert!((shortest..=longest).contains(&wait), "{header}: the next check announced in {wait} s");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_command_that_leaves_the_key_unread_is_not_delivered_and_the_key_is_on_the_x11_clipboard() {
    let h = harness_on_the_desktop_clipboard(Options::default()).await;
    h.log_in(LIVE).await;
    // Reads one byte and exits 0, as a mistyped command that takes no input might.
    let partial = target("sh -c 'echo certopay-ready; dd bs=1 count=1 of=/dev/null 2>/dev/null'");
    h.state.set_destinations(&h.profile_id, vec![partial], DEMO_PASSWORD).await.unwrap();
    let result = h.rotate().await.unwrap();
    let delivery = result.deliveries.into_iter().next().unwrap();
    let secret = clipboard_text().expect("the key is on the clipboard, as another program pastes it");
    assert_eq!(delivery.failure, Some(DeliveryFailure::LeftUnread { bytes: secret.len() as u64 - 1 }));
    assert!(result.on_clipboard);
    assert_eq!(payment_status(&h.sb, &secret).await, 200, "the live key");
    assert_eq!(h.state.rotation_history()[0].delivered_to().count(), 0, "never recorded as delivered");

    // `true` never counts as delivered: refused before the rotation, or the key on the clipboard.
    let before = live_prefix(&h).await;
    h.state.set_destinations(&h.profile_id, vec![target("true")], DEMO_PASSWORD).await.unwrap();
    match h.rotate().await {
        Err(AppError::DeliveryNotReady { failure: DeliveryFailure::Exited { code: 0 }, .. }) => assert_eq!(live_prefix(&h).await, before),
        Ok(result) => {
            assert!(matches!(result.deliveries.into_iter().next().unwrap().failure, Some(DeliveryFailure::LeftUnread { .. })));
            assert_eq!(payment_status(&h.sb, &clipboard_text().unwrap()).await, 200);
        }
        Err(other) => panic!("{other:?}"),
    }
    h.state.clear_clipboard_now().unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lock_during_a_long_delivery_waits_for_its_verdict_and_the_key_is_never_left_behind() {
    // The command works for 14 s after it took the key, longer than the wait for a rotation
    // without a delivery (11 s with these timeouts).
    let (h, rotating, _dir) = long_delivery_in_flight().await;
    // The screen locks while the command works.
    assert!(h.state.lock_away(LockReason::ScreenLocked).await, "the lock ended the session");
    let result = rotating.await.unwrap().unwrap();
    // The failed delivery's key went to the clipboard before the session ended, so the end
    // cleared it and said so; nothing is on the clipboard of the ended session.
    the_end_waited_for_the_verdict(&h, &result);
}

/// A harness whose rotations without a delivery wait 11 s at most (1 s timeouts), logged in,
/// rotating in the background to a command that takes the key and then works for 14 s and
/// fails (the key then goes to the clipboard); returns once the command has the key.
async fn long_delivery_in_flight() -> (std::sync::Arc<Harness>, tokio::task::JoinHandle<Result<RotationResult, AppError>>, tempfile::TempDir)
{
    let dir = tempfile::tempdir().unwrap();
    let got = dir.path().join("got");
    let slow = format!("sh -c 'echo certopay-ready; cat > {}; sleep 14; exit 1'", got.display());
    let client = ClientOptions {
        request_timeout: Duration::from_secs(1),
        get_retries: 0,
        backoff: Duration::from_millis(20),
        ..ClientOptions::default()
    };
    let h = std::sync::Arc::new(harness_with(Options::default(), client).await);
    h.log_in(LIVE).await;
    h.state.set_destinations(&h.profile_id, vec![DeliveryTarget { timeout_s: 60, ..target(&slow) }], DEMO_PASSWORD).await.unwrap();
    let rotating = {
        let h = h.clone();
        tokio::spawn(async move { h.rotate().await })
    };
    let started = Instant::now();
    while std::fs::read_to_string(&got).unwrap_or_default().len() < 40 {
        assert!(started.elapsed() < Duration::from_secs(20), "the key never reached the command");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    (h, rotating, dir)
}

/// The rotation's verdict came first, then the session's end: its key, on the clipboard after
/// the failed delivery, was cleared by that end and the notice says so.
fn the_end_waited_for_the_verdict(h: &Harness, result: &RotationResult) {
    assert!(matches!(result.deliveries.first().unwrap().failure, Some(DeliveryFailure::Exited { code: 1 })));
    assert_eq!(h.clipboard.text(), None, "no key left on the clipboard after the session ended");
    let notice = h.state.secret_removed().expect("the removed-key notice");
    assert_eq!(notice.key_prefix, result.new_prefix);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fifth_wrong_password_during_a_rotation_waits_for_its_verdict_like_every_session_end() {
    let (h, rotating, _dir) = long_delivery_in_flight().await;
    for _ in 1..=4 {
        let _ = h.state.set_destinations(&h.profile_id, vec![], "guess").await;
    }
    let fifth = h.state.set_destinations(&h.profile_id, vec![], "guess").await.unwrap_err();
    assert_eq!(fifth, AppError::WrongPasswordsEndedSession);
    assert!(rotating.is_finished(), "the session ended only after the rotation's verdict");
    let result = rotating.await.unwrap().unwrap();
    the_end_waited_for_the_verdict(&h, &result);
}

#[tokio::test(flavor = "multi_thread")]
async fn removing_the_target_during_its_delivery_does_not_shorten_the_locks_wait() {
    let (h, rotating, _dir) = long_delivery_in_flight().await;
    // Removed while it works: the rotation in flight still has its delivery's time.
    h.state.set_destinations(&h.profile_id, vec![], DEMO_PASSWORD).await.unwrap();
    assert!(h.state.lock_away(LockReason::ScreenLocked).await, "the lock ended the session");
    assert!(rotating.is_finished(), "the lock waited for the rotation's verdict");
    let result = rotating.await.unwrap().unwrap();
    the_end_waited_for_the_verdict(&h, &result);
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
    assert_eq!(result.deliveries.into_iter().next().unwrap().failure, None);
    assert_eq!(payment_status(&h.sb, secret.trim()).await, 200);
}

#[tokio::test]
async fn the_window_alone_cannot_set_a_target() {
    let h = harness(Options::default()).await;
    let wanted = || vec![target("sh -c 'cat > /tmp/stolen-key'")];
    // Not logged in: nobody to ask for the password.
    assert_eq!(h.state.set_destinations(&h.profile_id, wanted(), DEMO_PASSWORD).await.unwrap_err(), AppError::NotLoggedIn);
    h.log_in(LIVE).await;
    for (password, reason) in [("", ConfirmationRefusal::PasswordRequired), ("guess", ConfirmationRefusal::PasswordMismatch)] {
        assert_eq!(h.state.set_destinations(&h.profile_id, wanted(), password).await.unwrap_err(), AppError::Confirmation { reason });
    }
    // A profile saved from the window keeps no target it brings along.
    let mut profile = h.state.settings().profile(&h.profile_id).unwrap().clone();
    profile.destinations = wanted();
    h.state.save_profile(profile.clone()).unwrap();
    assert_eq!(h.state.settings().profile(&h.profile_id).unwrap().destinations, vec![]);
    profile.id = String::new();
    profile.name = "Nova".into();
    let added = h.state.save_profile(profile).unwrap().settings;
    assert!(added.profiles.iter().all(|p| p.destinations.is_empty()), "nor does a new one");

    // With the password, the person sets it.
    h.state.set_destinations(&h.profile_id, wanted(), DEMO_PASSWORD).await.unwrap();
    assert_eq!(h.state.settings().profile(&h.profile_id).unwrap().destinations, wanted());
}

#[tokio::test]
async fn a_batch_file_is_never_a_delivery_target() {
    let h = harness(Options::default()).await;
    h.log_in(LIVE).await;
    for command in ["C:/loja/entrega.cmd", "deliver.BAT --to loja"] {
        let refused = h.state.set_destinations(&h.profile_id, vec![target(command)], DEMO_PASSWORD).await.unwrap_err();
        assert_eq!(refused, AppError::invalid(InputField::DeliveryCommand, InputProblem::BatchFile), "{command}");
    }
    assert_eq!(h.state.settings().profile(&h.profile_id).unwrap().destinations, vec![]);
}
