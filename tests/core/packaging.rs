//! The release scripts: signing an update never puts the updater key's password on a command
//! line (any user of the build machine could read it in the process list). The Tauri CLI is
//! replaced by a stand-in that records what it was given.

use std::path::Path;

#[test]
fn the_updater_keys_password_reaches_the_signer_through_its_environment_never_its_arguments() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("record");
    let signer = dir.path().join("tauri");
    // Records its arguments and the password it could read, then signs as the CLI would.
    std::fs::write(
        &signer,
        "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$RECORD.args\"\nprintf '%s' \"$TAURI_SIGNING_PRIVATE_KEY_PASSWORD\" > \"$RECORD.env\"\n\
         for last; do :; done\necho signature > \"$last.sig\"\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&signer, std::fs::Permissions::from_mode(0o755)).unwrap();
    let installer = dir.path().join("CertoPay-Keys_0.1.0_x64-setup.exe");
    std::fs::write(&installer, "installer").unwrap();
    let password = "senha-do-chaveiro-9f3";
    let status = std::process::Command::new(root.join("scripts/windows/sign-update.sh"))
        .arg(&installer)
        .arg("0.1.0")
        .env("CERTOPAY_TAURI_CLI", &signer)
        .env("RECORD", &record)
        .env("TAURI_SIGNING_PRIVATE_KEY", "the key's text")
        .env("TAURI_SIGNING_PRIVATE_KEY_PASSWORD", password)
        .status()
        .unwrap();
    assert!(status.success());
    let args = std::fs::read_to_string(dir.path().join("record.args")).unwrap();
    assert!(!args.contains(password) && !args.contains("--password"), "the password is on the command line: {args}");
    assert!(args.contains("--app-version\n0.1.0\n"), "bound to the version: {args}");
    assert_eq!(std::fs::read_to_string(dir.path().join("record.env")).unwrap(), password, "the signer reads it from its environment");
    let feed: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(dir.path().join("latest.json")).unwrap()).unwrap();
    assert_eq!(feed["version"], "0.1.0");
    assert_eq!(feed["platforms"]["windows-x86_64"]["signature"], "signature");
}
