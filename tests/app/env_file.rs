//! The `.env` line preset over a real OpenSSH server: the shop's environment file, written by
//! hand, keeps every byte but the one variable's value (comments, blank lines, order, other
//! variables, `export `, the value's quotes, CRLF, the final newline or its absence, the file's
//! owner, group and mode, a symlink); a file without the variable gets it at the end, and one
//! that sets it twice is refused before anything is rotated.

use crate::support;

use std::path::Path;

use certopay_keys::rules::app_error::AppError;
use certopay_keys::rules::delivery_failure::{DeliveryFailure, EnvFileProblem};
use certopay_keys::rules::delivery_target::DeliveryTarget;
use certopay_sandbox::{Options, DEMO_PASSWORD};
use support::app::{requests_to, served_key, LIVE};
use support::harness::{harness, Harness};
use support::rotation::payment_status;
use support::sshd::{kept, shop_file, shop_users, Sshd};

/// A Laravel application's `.env`, 30 lines, as a shop keeps it.
const LARAVEL: &str = "APP_NAME=Loja\nAPP_ENV=production\nAPP_KEY=base64:Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg==\nAPP_DEBUG=false\n\
APP_URL=https://loja.example\n\nLOG_CHANNEL=stack\nLOG_LEVEL=warning\n\nDB_CONNECTION=mysql\nDB_HOST=127.0.0.1\nDB_PORT=3306\n\
DB_DATABASE=loja\nDB_USERNAME=loja\nDB_PASSWORD=\"s3nh@ com espaço\"\n\n# Pagamentos\nCERTOPAY_BASE_URL=https://v2.certopaybrasil.com\n\
CERTOPAY_API_KEY=sk_live_the_old_key_0000   # rotated by CertoPay Keys\nCERTOPAY_WEBHOOK_SECRET=whsec_abc\n\nCACHE_DRIVER=redis\n\
QUEUE_CONNECTION=redis\nSESSION_DRIVER=redis\nREDIS_HOST=127.0.0.1\nREDIS_PASSWORD=null\nREDIS_PORT=6379\n\nMAIL_MAILER=smtp\n\
#CERTOPAY_API_KEY=sk_test_commented_out\n";

/// The `.env` preset's target for this test server, as `user`.
fn env_target(sshd: &Sshd, user: &str, file: &Path, variable: &str) -> DeliveryTarget {
    DeliveryTarget {
        name: "Servidor da loja".into(),
        command: sshd.env_preset_command_as(user, file, variable),
        timeout_s: 30,
        also_copy: false,
    }
}

async fn with_target(target: DeliveryTarget) -> Harness {
    let h = harness(Options::default()).await;
    h.log_in(LIVE).await;
    h.state.set_destinations(&h.profile_id, vec![target], DEMO_PASSWORD).await.unwrap();
    h
}

/// The file as written must be `expected` with `{KEY}` standing for the new key, byte for byte,
/// and that key must be the live one.
async fn assert_written(h: &Harness, file: &Path, expected: &str, case: &str) {
    let written = std::fs::read(file).unwrap();
    let written = String::from_utf8(written).unwrap();
    let (before, after) = expected.split_once("{KEY}").unwrap();
    assert!(written.starts_with(before) && written.ends_with(after), "{case}: {written:?}");
    let key = &written[before.len()..written.len() - after.len()];
    assert_eq!(written, expected.replace("{KEY}", key), "{case}");
    assert_eq!(payment_status(&h.sb, key).await, 200, "{case}: the file holds the live key");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_env_line_preset_changes_that_value_alone_and_keeps_every_other_byte() {
    let users = shop_users();
    let sshd = Sshd::start().await;
    let folder = sshd.shop_folder(users);
    let cases: [(&str, &str, &str, &str); 8] = [
        (
            "a Laravel .env of 30 lines",
            "CERTOPAY_API_KEY",
            LARAVEL,
            &LARAVEL.replace("CERTOPAY_API_KEY=sk_live_the_old_key_0000   #", "CERTOPAY_API_KEY={KEY}   #"),
        ),
        (
            "CRLF line endings",
            "CERTOPAY_API_KEY",
            "# loja\r\nAPP_ENV=production\r\nCERTOPAY_API_KEY=sk_live_old\r\nDB_HOST=db\r\n",
            "# loja\r\nAPP_ENV=production\r\nCERTOPAY_API_KEY={KEY}\r\nDB_HOST=db\r\n",
        ),
        (
            "export with double quotes",
            "CERTOPAY_API_KEY",
            "export APP_ENV=production\nexport CERTOPAY_API_KEY=\"sk_live_old\"\nexport DB_HOST=db\n",
            "export APP_ENV=production\nexport CERTOPAY_API_KEY=\"{KEY}\"\nexport DB_HOST=db\n",
        ),
        (
            "single quotes, spaces around =, no final newline",
            "CERTOPAY_API_KEY",
            "A=1\n  CERTOPAY_API_KEY = 'sk_live_old' # a comment\nB=2",
            "A=1\n  CERTOPAY_API_KEY = '{KEY}' # a comment\nB=2",
        ),
        (
            "without the variable",
            "CERTOPAY_API_KEY",
            "APP_ENV=production\nDB_HOST=db\n",
            "APP_ENV=production\nDB_HOST=db\nCERTOPAY_API_KEY={KEY}\n",
        ),
        (
            "without it, CRLF and no final newline",
            "CERTOPAY_API_KEY",
            "APP_ENV=production\r\nDB_HOST=db\r",
            "APP_ENV=production\r\nDB_HOST=db\r\nCERTOPAY_API_KEY={KEY}\r",
        ),
        (
            "another variable's name",
            "LOJA_CERTOPAY_KEY",
            "CERTOPAY_API_KEY=keep\nLOJA_CERTOPAY_KEY=old\n",
            "CERTOPAY_API_KEY=keep\nLOJA_CERTOPAY_KEY={KEY}\n",
        ),
        ("an empty file", "CERTOPAY_API_KEY", "", "CERTOPAY_API_KEY={KEY}\n"),
    ];
    for (case, variable, before, expected) in cases {
        let file = folder.join(".env");
        shop_file(&file, before, users.deploy_uid, users.deploy_gid, 0o644);
        let h = with_target(env_target(&sshd, users.deploy, &file, variable)).await;
        let result = h.rotate().await.unwrap();
        let delivery = result.deliveries.into_iter().next().unwrap();
        assert_eq!(delivery.failure, None, "{case}: {}\n{}", delivery.output, sshd.log());
        assert_written(&h, &file, expected, case).await;
        assert_eq!(delivery.appended, !before.contains(&format!("{variable}=")) && !before.contains(&format!("{variable} =")), "{case}");
        assert_eq!(delivery.destination.as_deref(), Some(file.to_str().unwrap()), "{case}");
        assert!(!delivery.output.contains("certopay-"), "{case}: {:?}", delivery.output);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_env_file_keeps_its_owner_group_mode_and_symlink() {
    let users = shop_users();
    let sshd = Sshd::start().await;
    let folder = sshd.shop_folder(users);
    let (link, real) = (folder.join(".env"), folder.join("shared.env"));
    shop_file(&real, "APP_ENV=production\nCERTOPAY_API_KEY=sk_live_old\n", users.deploy_uid, users.loja_gid, 0o640);
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let h = with_target(env_target(&sshd, users.deploy, &link, "")).await;
    let result = h.rotate().await.unwrap();
    assert_eq!(result.deliveries.first().unwrap().failure, None, "{}", sshd.log());
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink(), "still a link");
    assert_written(&h, &real, "APP_ENV=production\nCERTOPAY_API_KEY={KEY}\n", "through the link").await;
    assert_eq!(kept(&real), (users.deploy_uid, users.loja_gid, 0o640));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_env_file_that_sets_the_variable_twice_or_is_missing_is_refused_before_the_rotation() {
    let users = shop_users();
    let sshd = Sshd::start().await;
    let folder = sshd.shop_folder(users);
    let twice = "CERTOPAY_API_KEY=sk_live_one\nA=1\nexport CERTOPAY_API_KEY=sk_live_two\n";
    let cases = [
        ("twice", Some(twice), "CERTOPAY_API_KEY", EnvFileProblem::Repeated),
        ("missing", None, "CERTOPAY_API_KEY", EnvFileProblem::Missing),
        ("a name no shell takes", Some("A=1\n"), "CERTOPAY API KEY", EnvFileProblem::BadName),
    ];
    for (case, before, variable, problem) in cases {
        let file = folder.join(format!("{case}.env").replace(' ', "-"));
        if let Some(before) = before {
            shop_file(&file, before, users.deploy_uid, users.deploy_gid, 0o644);
        }
        let h = with_target(env_target(&sshd, users.deploy, &file, variable)).await;
        let old = served_key(&h.sb, LIVE).await["keyPrefix"].clone();
        let refused = h.rotate().await.unwrap_err();
        let AppError::DeliveryNotReady { failure, .. } = refused else { panic!("{case}: {refused:?}") };
        assert_eq!(failure, DeliveryFailure::EnvFile { problem }, "{case}");
        assert_eq!(requests_to(&h.sb, "POST /api/api-keys/me/regenerate").await, 0, "{case}: nothing was regenerated");
        assert_eq!(served_key(&h.sb, LIVE).await["keyPrefix"], old, "{case}");
        assert_eq!(std::fs::read_to_string(&file).ok().as_deref(), before, "{case}: the file as it was");
    }
    let left: Vec<_> = std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 2, "no temporary file left: {left:?}");
}
