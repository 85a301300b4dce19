//! Delivery in the real window: the person sets a delivery target in Settings (with the
//! account's password), rotates, and the new key goes over SSH (a real OpenSSH server on
//! loopback) into the file the shop reads, while the X11 clipboard keeps what the user had;
//! the rollout watch then says the new key is in use. A failing command leaves the key on the
//! X11 clipboard with its sentence and the command's words in the details line.

use crate::support;

use std::time::Duration;

use certopay_sandbox::{Options, DEMO_PASSWORD};
use serde_json::json;
use support::app::{choose_language, free_port, open_logged_in, open_settings, sandbox, served_key, LIVE, ONE_WINDOW};
use support::rotation::{clipboard_text, copy_elsewhere, payment_status, send_rotation};
use support::sshd::Sshd;
use support::webdriver::Window;

/// Sets the logged-in profile's one destination in Settings, as a person types it: the first
/// one changed (Edit), or added when there is none yet.
async fn set_target(w: &Window, name: &str, command: &str, timeout_s: &str, password: &str) {
    open_settings(w).await;
    w.wait_for("!document.querySelector('#delivery-form').hidden", "the delivery form").await;
    if w.script("return document.querySelectorAll('#destination-list li').length;", vec![]).await != json!(0) {
        w.click("#destination-list li .destination-edit").await;
        w.wait_for("document.querySelector('#delivery-cancel').hidden === false", "the form for a change").await;
    }
    w.type_into("#delivery-name", name).await;
    w.type_into("#delivery-command", command).await;
    w.type_into("#delivery-timeout", timeout_s).await;
    w.type_into("#delivery-password", password).await;
    w.click("#delivery-form button[type=submit]").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_person_sets_a_target_and_the_new_key_goes_over_ssh_to_the_shop() {
    let _one = ONE_WINDOW.lock().await;
    let sshd = Sshd::start().await;
    let key_file = sshd.file("certopay.key");
    let sb = sandbox(Options::default()).await;
    let w = open_logged_in(&sb, LIVE).await;

    // The page alone cannot set one: its command is refused without the person's password.
    let profile_id = w.invoke("app_snapshot", json!({})).await["ok"]["settings"]["selectedProfile"].clone();
    let alone = w
        .invoke("set_destinations", json!({"profileId": profile_id, "destinations": [{"name": "x", "command": "true"}], "password": ""}))
        .await;
    assert_eq!(alone["err"]["kind"], "Confirmation", "{alone}");

    // The SSH preset: the person fills in names, Rust makes the command line.
    open_settings(&w).await;
    w.wait_for("!document.querySelector('#delivery-form').hidden", "the delivery form").await;
    w.script("const s = document.querySelector('#delivery-preset'); s.value = 'ssh'; s.dispatchEvent(new Event('change'));", vec![]).await;
    assert_eq!(w.text("#delivery-field-1-label").await, "File on the server (/etc/loja/certopay.key)");
    w.type_into("#delivery-field-0", "deploy@loja.com.br").await;
    w.type_into("#delivery-field-1", "/etc/loja/certopay.key").await;
    w.type_into("#delivery-field-2", "systemctl reload loja").await;
    // The line Rust's preset makes (its exact words are the preset's own test).
    let preset = certopay_keys::rules::delivery_target::preset_command(
        certopay_keys::rules::delivery_target::Preset::Ssh,
        &["deploy@loja.com.br", "/etc/loja/certopay.key", "systemctl reload loja"],
    );
    assert!(preset.starts_with("ssh -o BatchMode=yes deploy@loja.com.br '{ umask 077 && f=$(readlink -f /etc/loja/certopay.key)"));
    w.wait_for(
        &format!("document.querySelector('#delivery-command').value === {}", serde_json::to_string(&preset).unwrap()),
        "the preset's command line",
    )
    .await;
    w.type_into("#delivery-name", "Servidor da loja").await;
    w.screenshot("settings-delivery-ssh-preset-light").await;
    w.click("#close-settings").await;

    set_target(&w, "Servidor da loja", &sshd.preset_command(&key_file), "30", "not-my-password").await;
    w.wait_for("!document.querySelector('#delivery-error').hidden", "the refusal").await;
    assert_eq!(w.text("#delivery-error").await, "That is not this account’s password. Check what you typed.");
    w.type_into("#delivery-password", DEMO_PASSWORD).await;
    w.screenshot("settings-delivery-light").await;
    w.click("#delivery-form button[type=submit]").await;
    w.wait_for("document.querySelector('#delivery-status').textContent === 'Destination Servidor da loja saved.'", "saved").await;
    assert_eq!(w.value("#delivery-password").await, "", "the password is not kept in the page");
    w.click("#close-settings").await;

    // The dry run in Settings: the SSH preset is ready, and the shop's file is not touched.
    open_settings(&w).await;
    w.wait_for("!document.querySelector('#delivery-check-group').hidden", "the dry run's button").await;
    w.click("#delivery-check").await;
    w.wait_for("document.querySelector('#delivery-check-results').textContent.startsWith('Servidor da loja: ready in ')", "the dry run")
        .await;
    assert!(!key_file.exists(), "the dry run wrote nothing on the server");
    w.screenshot("settings-delivery-check-light").await;
    w.click("#close-settings").await;
    // And in the rotation dialog, before "Rotate now".
    w.click("#rotate-open").await;
    w.wait_for("document.querySelector('#rotate-step1').open", "step 1").await;
    w.click("#rotate-continue").await;
    w.wait_for("document.querySelector('#rotate-step2').open", "step 2").await;
    w.click("#rotate-check").await;
    w.wait_for("document.querySelector('#rotate-check-results').textContent.startsWith('Servidor da loja: ready in ')", "the dry run")
        .await;
    w.screenshot("rotate-step2-check-light").await;
    w.click("#rotate-cancel2").await;
    assert!(!key_file.exists(), "nothing was rotated or written");

    copy_elsewhere("the user's own copy");
    let shop = {
        let (url, key_file) = (format!("{}/api/payment-gateway/process", sb.url()), key_file.clone());
        tokio::spawn(async move {
            for _ in 0..120 {
                if let Ok(key) = std::fs::read_to_string(&key_file) {
                    let _ = reqwest::Client::new().post(&url).header("X-Api-Key", key.trim()).send().await;
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        })
    };
    send_rotation(&w, "Chave principal", Some("delivery")).await;
    w.wait_for("!document.querySelector('#rotation-result').hidden", "the result").await;
    let text = w.text("#rotation-result-text").await;
    assert!(text.starts_with("New key sk_live_") && text.contains(" delivered to Servidor da loja in "), "{text}");
    // Which file holds the key now, and since when (a time of day with seconds).
    let held = format!("{} holds it since ", key_file.display());
    assert!(text.contains(&held), "{text}");
    assert!(!w.visible("#clipboard-clear").await, "no clipboard countdown: the key is not on it");
    assert_eq!(clipboard_text().as_deref(), Some("the user's own copy"), "the clipboard is left as the user had it");
    let on_server = std::fs::read_to_string(&key_file).unwrap();
    assert_eq!(payment_status(&sb, on_server.trim()).await, 200);
    w.screenshot("rotate-delivered-light").await;
    w.wait_for_within(
        "document.querySelector('#rollout-text').textContent.startsWith('Your systems are using the new key since ')",
        "the watch to see the new key in use",
        Duration::from_secs(30),
    )
    .await;
    w.wait_for("document.querySelector('#history-rows').textContent.includes('Rotated, delivered to Servidor da loja')", "the history")
        .await;
    w.screenshot("rollout-delivered-light").await;
    shop.abort();

    // The `.env` line preset: its fields, the line Rust makes, and a rotation into a file that
    // did not set the variable yet (its line is added, and the result says so).
    open_settings(&w).await;
    w.wait_for("!document.querySelector('#delivery-form').hidden", "the delivery form").await;
    w.script("const s = document.querySelector('#delivery-preset'); s.value = 'envLine'; s.dispatchEvent(new Event('change'));", vec![])
        .await;
    assert_eq!(w.text("#delivery-field-1-label").await, "Environment file on the server (/var/www/loja/.env)");
    assert_eq!(w.text("#delivery-field-2-label").await, "Variable, optional (CERTOPAY_API_KEY)");
    w.type_into("#delivery-field-0", "deploy@loja.com.br").await;
    w.type_into("#delivery-field-1", "/var/www/loja/.env").await;
    w.type_into("#delivery-field-3", "php artisan config:cache").await;
    let env_preset = certopay_keys::rules::delivery_target::preset_command(
        certopay_keys::rules::delivery_target::Preset::EnvLine,
        &["deploy@loja.com.br", "/var/www/loja/.env", "", "php artisan config:cache"],
    );
    w.wait_for(
        &format!("document.querySelector('#delivery-command').value === {}", serde_json::to_string(&env_preset).unwrap()),
        "the .env preset's command line",
    )
    .await;
    w.screenshot("settings-delivery-env-preset-light").await;
    w.click("#close-settings").await;
    let users = support::sshd::shop_users();
    let env_file = sshd.shop_folder(users).join(".env");
    support::sshd::shop_file(&env_file, "APP_ENV=production\nDB_HOST=db\n", users.deploy_uid, users.deploy_gid, 0o644);
    set_target(&w, "Servidor da loja", &sshd.env_preset_command_as(users.deploy, &env_file, ""), "30", DEMO_PASSWORD).await;
    w.wait_for("document.querySelector('#delivery-status').textContent.startsWith('Destination ')", "saved").await;
    w.click("#close-settings").await;
    send_rotation(&w, "Chave principal", None).await;
    w.wait_for("!document.querySelector('#rotation-result').hidden", "the result").await;
    let text = w.text("#rotation-result-text").await;
    assert!(text.contains(&format!("{} holds it since ", env_file.display())), "{text}");
    assert!(text.ends_with("The file did not set the variable yet: its line was added at the end."), "{text}");
    let written = std::fs::read_to_string(&env_file).unwrap();
    let key = written.strip_prefix("APP_ENV=production\nDB_HOST=db\nCERTOPAY_API_KEY=").unwrap().trim_end();
    assert_eq!(payment_status(&sb, key).await, 200);
    w.screenshot("rotate-delivered-env-appended-light").await;

    // A command that fails after reading the key, one that hangs past its timeout: each time
    // the key is on the X11 clipboard instead, and the details line says why.
    let cases = [
        (
            "sh -c 'cat > /dev/null; echo no space left on device >&2; exit 3'",
            "30",
            "exit status 3 · no space left on device",
            "rotate-delivery-failed-light",
        ),
        ("sleep 30", "1", "no answer within 1 s, stopped", "rotate-delivery-timed-out-light"),
    ];
    for (command, timeout, details, shot) in cases {
        set_target(&w, "Servidor da loja", command, timeout, DEMO_PASSWORD).await;
        w.wait_for("document.querySelector('#delivery-status').textContent.startsWith('Destination ')", "saved").await;
        w.click("#close-settings").await;
        send_rotation(&w, "Chave principal", None).await;
        w.wait_for("!document.querySelector('#rotation-result').hidden", "the result").await;
        let text = w.text("#rotation-result-text").await;
        assert!(
            text.starts_with(
                "Delivery to Servidor da loja failed. The new key is on your clipboard instead: paste it yourself. New key sk_live_"
            ),
            "{command}: {text}"
        );
        assert_eq!(w.text("#rotation-result-where-details code").await, details, "{command}");
        let secret = clipboard_text().expect("the key is on the X11 clipboard");
        assert_eq!(payment_status(&sb, &secret).await, 200, "{command}");
        w.screenshot(shot).await;
    }

    // A target that cannot be reached, or is missing, is found out before the rotation: the
    // sentence says the current key keeps working, the details give the command's own words.
    let live_before = served_key(&sb, LIVE).await["keyPrefix"].clone();
    let unreachable = format!("ssh -o BatchMode=yes -p {} nobody@127.0.0.1 'echo certopay-ready; cat > key'", free_port());
    let users = support::sshd::shop_users();
    let guarded = sshd.shop_folder(users).join("certopay.key");
    let guarded_before = "sk_live_the_key_the_shop_uses_now\n";
    support::sshd::shop_file(&guarded, guarded_before, users.deploy_uid, users.other_gid, 0o644);
    let cannot_keep = sshd.preset_command_as(users.deploy, &guarded);
    let cases = [
        (
            "en",
            unreachable.as_str(),
            "Could not reach Servidor da loja: exit status 255. The key was not rotated and the current one keeps working.",
            "rotate-delivery-not-ready-light",
        ),
        (
            "en",
            "/opt/loja/bin/deliver-key --to loja",
            "Could not reach Servidor da loja: program /opt/loja/bin/deliver-key not found. The key was not rotated and the current one \
             keeps working.",
            "rotate-delivery-missing-light",
        ),
        (
            "pt-BR",
            unreachable.as_str(),
            "Não foi possível chegar a Servidor da loja: código de saída 255. A chave não foi trocada e a atual continua funcionando.",
            "rotate-delivery-not-ready-pt-light",
        ),
        // The shop's key file belongs to a group the SSH user is not in: a new file could not
        // keep it, so the service could no longer read its key.
        (
            "en",
            cannot_keep.as_str(),
            "The key file on Servidor da loja belongs to a group the SSH user is not in, so a new file could not keep that group and \
             the shop’s service might no longer read its key. The key was not rotated and the current one keeps working. Ask IT to add \
             the SSH user to the file’s group, then try again.",
            "rotate-delivery-cannot-keep-light",
        ),
        (
            "pt-BR",
            cannot_keep.as_str(),
            "O arquivo da chave em Servidor da loja pertence a um grupo do qual o usuário SSH não faz parte, então um arquivo novo não \
             manteria esse grupo e o serviço da loja poderia deixar de ler a chave. A chave não foi trocada e a atual continua \
             funcionando. Peça à TI para incluir o usuário SSH no grupo do arquivo e tente de novo.",
            "rotate-delivery-cannot-keep-pt-light",
        ),
    ];
    for (language, command, sentence, shot) in cases {
        set_target(&w, "Servidor da loja", command, "30", DEMO_PASSWORD).await;
        // Saved: the password field is emptied once the target is kept.
        w.wait_for("document.querySelector('#delivery-password').value === ''", "saved").await;
        choose_language(&w, language).await;
        w.click("#close-settings").await;
        send_rotation(&w, "Chave principal", None).await;
        w.wait_for("!document.querySelector('#rotation-error').hidden", "the sentence").await;
        assert_eq!(w.text("#rotation-error").await, sentence, "{language}: {command}");
        if command == unreachable {
            let details = w.text("#rotation-error-details code").await;
            assert!(details.contains("Connection refused"), "ssh's own words: {details}");
        }
        assert_eq!(served_key(&sb, LIVE).await["keyPrefix"], live_before, "{command}: the old key is still the live one");
        w.screenshot(shot).await;
    }
    assert_eq!(std::fs::read_to_string(&guarded).unwrap(), guarded_before, "the shop's file is as it was");
    // The dry run says the same before the day, in the person's language (Portuguese now).
    open_settings(&w).await;
    w.wait_for("!document.querySelector('#delivery-check-group').hidden", "the dry run's button").await;
    w.click("#delivery-check").await;
    w.wait_for(
        "document.querySelector('#delivery-check-results').textContent === \
         'Servidor da loja: o arquivo novo não manteria o grupo do arquivo da chave'",
        "the dry run's verdict in Portuguese",
    )
    .await;
    assert_eq!(std::fs::read_to_string(&guarded).unwrap(), guarded_before);
    w.screenshot("pt-settings-delivery-check-failed-light").await;
    w.close().await;
}
