//! Update keys and signatures made with the Tauri CLI's signer (`tauri signer`), as a release
//! is signed: the CLI from the npm registry, installed by scripts/tauri-cli.sh
//! (`CERTOPAY_TAURI_CLI` names it; make test sets it).

use std::path::{Path, PathBuf};
use std::process::Command;

fn tauri_cli() -> PathBuf {
    let cli = std::env::var_os("CERTOPAY_TAURI_CLI")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/tauri-cli/node_modules/.bin/tauri"));
    assert!(cli.exists(), "the Tauri CLI is at {} (scripts/tauri-cli.sh installs it)", cli.display());
    cli
}

fn run(command: &mut Command) -> String {
    let output = command.output().expect("the Tauri CLI runs");
    assert!(output.status.success(), "{command:?}: {}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// A key pair: the private key's file (no password) and the public key as the app takes it
/// (the `.pub` file's text, Tauri's base64 of a minisign public key).
pub struct UpdateKey {
    private: PathBuf,
    pub public: String,
}

impl UpdateKey {
    pub fn generate(dir: &Path, name: &str) -> UpdateKey {
        let private = dir.join(format!("{name}.key"));
        run(Command::new(tauri_cli()).args(["signer", "generate", "--ci", "--password", ""]).arg("--write-keys").arg(&private));
        let public = std::fs::read_to_string(private.with_extension("key.pub")).unwrap().trim().to_string();
        UpdateKey { private, public }
    }

    /// The signature of `package` for `version`, as the feed's `signature` field carries it,
    /// made as `make windows` makes it: of the installer's file for that version.
    pub fn sign(&self, package: &[u8], version: &str) -> String {
        self.sign_file(package, version, &format!("CertoPay-Keys_{version}_x64-setup.exe"))
    }

    /// The same, of a file named `file_name` (a signed file of ours that is not the installer).
    pub fn sign_file(&self, package: &[u8], version: &str, file_name: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(file_name);
        std::fs::write(&file, package).unwrap();
        run(Command::new(tauri_cli())
            .args(["signer", "sign", "--password", "", "--app-version", version])
            .arg("--private-key-path")
            .arg(&self.private)
            .arg(&file)
            // The CLI reads these before its arguments: a variable left in the environment
            // would sign with another key.
            .env_remove("TAURI_SIGNING_PRIVATE_KEY")
            .env_remove("TAURI_SIGNING_PRIVATE_KEY_PATH")
            .env_remove("TAURI_SIGNING_PRIVATE_KEY_PASSWORD"));
        std::fs::read_to_string(dir.path().join(format!("{file_name}.sig"))).unwrap().trim().to_string()
    }
}
