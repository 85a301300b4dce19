//! Several destinations, one rotation, with no window: all started and proven ready before the
//! regenerate (one that cannot be stops the rotation, and the others never read a byte), the key
//! written to all at once after it, each verdict its own, the clipboard for one that failed, the
//! history with each destination's outcome; the dry run across all of them; the list's rules.

use crate::support;

use std::path::Path;
use std::time::Duration;

use certopay_keys::rules::app_error::{AppError, InputField, InputProblem};
use certopay_keys::rules::delivery_failure::DeliveryFailure;
use certopay_keys::rules::delivery_target::DeliveryTarget;
use certopay_keys::store::history::DestinationOutcome;
use certopay_sandbox::{Options, DEMO_PASSWORD};
use support::app::{requests_to, served_key, LIVE};
use support::harness::{harness, Harness};
use support::rotation::payment_status;
use support::sshd::Sshd;

fn destination(name: &str, command: &str) -> DeliveryTarget {
    DeliveryTarget { name: name.into(), command: command.into(), timeout_s: 10, also_copy: false }
}

async fn with_destinations(destinations: Vec<DeliveryTarget>) -> Harness {
    let h = harness(Options::default()).await;
    h.log_in(LIVE).await;
    h.state.set_destinations(&h.profile_id, destinations, DEMO_PASSWORD).await.unwrap();
    h
}

async fn live_prefix(h: &Harness) -> String {
    served_key(&h.sb, LIVE).await["keyPrefix"].as_str().unwrap().to_string()
}

/// A local command that writes its pid, says it is ready, and renames what it read over `file`
/// at end of input (as the SSH preset does on a server); `eof` is touched only if it ever saw
/// end of input.
fn local_writer(dir: &Path, name: &str) -> String {
    let at = |what: &str| dir.join(format!("{name}.{what}")).display().to_string();
    format!(
        "sh -c 'echo $$ > {pid}; echo certopay-ready; cat > {new}; touch {eof}; mv {new} {file}'",
        pid = at("pid"),
        new = at("new"),
        eof = at("eof"),
        file = dir.join(name).display(),
    )
}

/// Waits until the process whose pid is in `pid_file` is gone (or a zombie): a reader left
/// running could still see end of input and write.
async fn wait_until_gone(pid_file: &Path) {
    let pid = std::fs::read_to_string(pid_file).unwrap().trim().to_string();
    support::processes::wait_until_ended(&pid, Duration::from_secs(20), &format!("{} still runs", pid_file.display())).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn when_the_second_of_three_is_not_ready_nothing_is_rotated_and_the_others_never_get_input() {
    let sshd = Sshd::start().await;
    let key_file = sshd.file("certopay.key");
    let before = b"sk_live_the_key_the_shop_uses_now\n".to_vec();
    std::fs::write(&key_file, &before).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("vault"), &before).unwrap();
    // The second fails only once the third is started and ready: the third is a command that
    // was ready and must be stopped, not merely one never started.
    let third_ready = dir.path().join("vault.pid");
    let second = format!("sh -c 'while [ ! -e {} ]; do sleep 0.05; done; echo the disk is read-only >&2; exit 4'", third_ready.display());
    let h = with_destinations(vec![
        destination("Servidor 1", &sshd.preset_command(&key_file)),
        destination("Servidor 2", &second),
        destination("Vault", &local_writer(dir.path(), "vault")),
    ])
    .await;
    let old = live_prefix(&h).await;

    let refused = h.rotate().await.unwrap_err();
    let AppError::DeliveryNotReady { name, failure, output } = refused else { panic!("{refused:?}") };
    assert_eq!((name.as_str(), failure), ("Servidor 2", DeliveryFailure::Exited { code: 4 }), "the sentence names the second");
    assert!(output.contains("the disk is read-only"), "its own words: {output:?}");
    assert_eq!(requests_to(&h.sb, "POST /api/api-keys/me/regenerate").await, 0, "no commit at the server");
    assert_eq!(live_prefix(&h).await, old, "the old key is still the live one");
    assert_eq!(h.clipboard.text(), None);

    wait_until_gone(&third_ready).await;
    assert!(!dir.path().join("vault.eof").exists(), "the third never saw end of input");
    assert_eq!(std::fs::read(dir.path().join("vault")).unwrap(), before, "the third's file, byte for byte");
    assert_eq!(std::fs::read(&key_file).unwrap(), before, "the first's file on the server, byte for byte");
}

#[tokio::test(flavor = "multi_thread")]
async fn when_the_second_of_three_fails_after_the_regenerate_the_others_have_the_key_and_the_clipboard_has_it_for_it() {
    let sshd = Sshd::start().await;
    let key_file = sshd.file("certopay.key");
    std::fs::write(&key_file, "sk_live_the_key_the_shop_uses_now\n").unwrap();
    let dir = tempfile::tempdir().unwrap();
    // The second reads the key, then waits until the third has it and fails. Written one after
    // another it would wait for ever (and time out); written at once, it ends with its own words.
    let second = format!(
        "sh -c 'cat > /dev/null; while [ ! -e {} ]; do sleep 0.05; done; echo no space left on device >&2; exit 3'",
        dir.path().join("vault").display()
    );
    let h = with_destinations(vec![
        destination("Servidor 1", &sshd.preset_command(&key_file)),
        destination("Servidor 2", &second),
        destination("Vault", &local_writer(dir.path(), "vault")),
    ])
    .await;

    let result = h.rotate().await.unwrap();
    let verdicts: Vec<(&str, Option<&DeliveryFailure>)> = result.deliveries.iter().map(|d| (d.name.as_str(), d.failure.as_ref())).collect();
    assert_eq!(
        verdicts,
        [("Servidor 1", None), ("Servidor 2", Some(&DeliveryFailure::Exited { code: 3 })), ("Vault", None)],
        "each verdict its own, in the person's order; {}",
        sshd.log()
    );
    assert!(result.deliveries[1].output.contains("no space left on device"), "{:?}", result.deliveries[1].output);
    assert_eq!(result.deliveries[0].destination.as_deref(), Some(key_file.to_str().unwrap()), "the preset named its file");
    assert!(result.deliveries[0].delivered_at.is_some() && result.deliveries[1].delivered_at.is_none());

    // The second still needs the key: it is on the clipboard for it, and it is the live key.
    assert!(result.on_clipboard);
    let secret = h.clipboard.text().expect("the key is on the clipboard");
    assert_eq!(payment_status(&h.sb, &secret).await, 200);
    assert_eq!(std::fs::read_to_string(&key_file).unwrap().trim_end(), secret, "the first has it");
    assert_eq!(std::fs::read_to_string(dir.path().join("vault")).unwrap(), secret, "the third has it");

    let row = &h.state.rotation_history()[0];
    let outcome = |name: &str, delivered| DestinationOutcome { name: name.into(), delivered };
    assert_eq!(row.deliveries, [outcome("Servidor 1", true), outcome("Servidor 2", false), outcome("Vault", true)]);
}

#[tokio::test(flavor = "multi_thread")]
async fn all_three_delivered_leave_the_clipboard_alone_and_one_asking_for_a_copy_gets_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut destinations: Vec<DeliveryTarget> = [("Servidor 1", "s1"), ("Servidor 2", "s2"), ("Vault", "vault")]
        .iter()
        .map(|(name, file)| destination(name, &local_writer(dir.path(), file)))
        .collect();
    let h = with_destinations(destinations.clone()).await;
    *h.clipboard.0.lock().unwrap() = Some("the user's own copy".into());
    let result = h.rotate().await.unwrap();
    assert!(result.deliveries.iter().all(|d| d.failure.is_none()), "{:?}", result.deliveries);
    assert!(!result.on_clipboard);
    assert_eq!(h.clipboard.text().as_deref(), Some("the user's own copy"));
    let secret = std::fs::read_to_string(dir.path().join("s1")).unwrap();
    assert_eq!(payment_status(&h.sb, &secret).await, 200);
    for file in ["s2", "vault"] {
        assert_eq!(std::fs::read_to_string(dir.path().join(file)).unwrap(), secret, "{file}");
    }

    destinations[2].also_copy = true;
    h.state.set_destinations(&h.profile_id, destinations, DEMO_PASSWORD).await.unwrap();
    let result = h.rotate().await.unwrap();
    assert!(result.on_clipboard, "the third asks for a copy too");
    assert_eq!(h.clipboard.text(), Some(std::fs::read_to_string(dir.path().join("vault")).unwrap()));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dry_run_of_three_destinations_leaves_every_file_byte_for_byte_and_rotates_nothing() {
    let sshd = Sshd::start().await;
    let users = support::sshd::shop_users();
    let folder = sshd.shop_folder(users);
    let key_file = folder.join("certopay.key");
    let env_file = folder.join(".env");
    let key_before = "sk_live_the_key_the_shop_uses_now\n";
    let env_before = "APP_ENV=production\r\nCERTOPAY_API_KEY=\"sk_live_the_key_the_shop_uses_now\"\r\n# end\r\n";
    support::sshd::shop_file(&key_file, key_before, users.deploy_uid, users.loja_gid, 0o640);
    support::sshd::shop_file(&env_file, env_before, users.deploy_uid, users.deploy_gid, 0o600);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("vault"), key_before).unwrap();
    let h = with_destinations(vec![
        destination("Servidor 1", &sshd.preset_command_as(users.deploy, &key_file)),
        destination("Servidor 2", &sshd.env_preset_command_as(users.deploy, &env_file, "")),
        destination("Vault", &local_writer(dir.path(), "vault")),
    ])
    .await;
    let old = live_prefix(&h).await;

    let checks = h.state.check_destinations().await.unwrap();
    let names: Vec<&str> = checks.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Servidor 1", "Servidor 2", "Vault"]);
    for check in &checks {
        assert_eq!(check.failure, None, "{}: {}\n{}", check.name, check.output, sshd.log());
        assert!(check.ready_ms.is_some(), "{}", check.name);
    }
    wait_until_gone(&dir.path().join("vault.pid")).await;
    assert!(!dir.path().join("vault.eof").exists(), "the local one never saw end of input");
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), key_before);
    assert_eq!(std::fs::read_to_string(&env_file).unwrap(), env_before);
    assert_eq!(std::fs::read_to_string(dir.path().join("vault")).unwrap(), key_before);
    assert_eq!(support::sshd::kept(&key_file), (users.deploy_uid, users.loja_gid, 0o640));
    assert_eq!(requests_to(&h.sb, "POST /api/api-keys/me/regenerate").await, 0, "nothing was rotated");
    assert_eq!(live_prefix(&h).await, old);
    assert_eq!(h.clipboard.text(), None);
}

#[tokio::test]
async fn a_profile_names_at_most_five_destinations_each_once_and_only_with_the_password() {
    let h = harness(Options::default()).await;
    h.log_in(LIVE).await;
    let five: Vec<DeliveryTarget> = (1..=5).map(|n| destination(&format!("Servidor {n}"), "true")).collect();
    let invalid = |field, reason| AppError::invalid(field, reason);

    let mut six = five.clone();
    six.push(destination("Vault", "true"));
    assert_eq!(
        h.state.set_destinations(&h.profile_id, six, DEMO_PASSWORD).await.unwrap_err(),
        invalid(InputField::Destinations, InputProblem::TooMany)
    );
    let twice = vec![destination("Vault", "true"), destination(" vault ", "false")];
    assert_eq!(
        h.state.set_destinations(&h.profile_id, twice, DEMO_PASSWORD).await.unwrap_err(),
        invalid(InputField::DeliveryName, InputProblem::Duplicate)
    );
    assert_eq!(h.state.settings().profile(&h.profile_id).unwrap().destinations, [], "nothing kept of a refused list");

    h.state.set_destinations(&h.profile_id, five.clone(), DEMO_PASSWORD).await.unwrap();
    // Reordered, as the window's arrows do: still the password.
    let mut reordered = five.clone();
    reordered.swap(0, 1);
    assert_eq!(
        h.state.set_destinations(&h.profile_id, reordered.clone(), "").await.unwrap_err(),
        AppError::Confirmation { reason: certopay_keys::rules::app_error::ConfirmationRefusal::PasswordRequired }
    );
    assert_eq!(h.state.settings().profile(&h.profile_id).unwrap().destinations, five);
    h.state.set_destinations(&h.profile_id, reordered.clone(), DEMO_PASSWORD).await.unwrap();
    assert_eq!(h.state.settings().profile(&h.profile_id).unwrap().destinations, reordered);
}
