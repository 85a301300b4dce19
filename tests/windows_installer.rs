//! The Windows installer as a user's machine takes it, under Wine in a private prefix: a silent
//! install with no network (a new network namespace), in English and in Portuguese (Wine
//! speaks the LANG it is given), then the silent uninstall, and nothing left behind. Run by
//! scripts/windows-test.sh (make test) with the installer, the app it packs and the test-only
//! ProcessPrng stand-in: `windows_installer INSTALLER.exe APP.exe bcryptprimitives.dll`. The
//! installed app is also started, as on a Windows without the WebView2 Runtime (Wine has none):
//! it must say so in the user's language and exit, not vanish. Every file is signed with a
//! certificate made at test time (`CERTOPAY_SIGNING_DIR`) and verified. Then the update: this
//! installer run silently over an older release, and its update signature (latest.json) checked
//! by the app's own verifier. Needs wine64, osslsigncode, unshare (root) and a generated
//! pt_BR.UTF-8 locale (scripts/install-deps.sh windows).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const WINE: &str = "/usr/lib/wine/wine64";
const WINESERVER: &str = "/usr/lib/wine/wineserver";

struct Prefix {
    dir: tempfile::TempDir,
}

impl Prefix {
    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn drive_c(&self) -> PathBuf {
        self.path().join("drive_c")
    }

    fn user_home(&self) -> PathBuf {
        self.drive_c().join("users").join(std::env::var("USER").unwrap_or_else(|_| "root".into()))
    }

    /// A Windows program in this prefix, speaking `lang`, with no display (a silent install and
    /// an app whose window cannot open show nothing that could wait on one); `offline` runs it in
    /// a new network namespace.
    fn wine(&self, program: &[&str], lang: &str, offline: bool) -> Command {
        let mut command = if offline {
            let mut c = Command::new("unshare");
            c.args(["--net", "--", WINE]);
            c
        } else {
            Command::new(WINE)
        };
        command
            .args(program)
            .env("WINEPREFIX", self.path())
            .env("WINEDEBUG", "-all")
            .env("LANG", lang)
            .env("LC_ALL", lang)
            .env_remove("DISPLAY");
        command
    }

    /// Waits for every process of the prefix to end (`wineserver -w`: an uninstaller hands over
    /// to its copy in Temp and returns at once).
    fn wait(&self) {
        let waited = Command::new(WINESERVER).arg("-w").env("WINEPREFIX", self.path()).status().unwrap();
        assert!(waited.success());
    }

    /// Runs a Windows program in this prefix until every process of the prefix has ended.
    fn run(&self, program: &[&str], lang: &str, offline: bool) -> std::process::ExitStatus {
        let status = self.wine(program, lang, offline).status().expect("wine64 runs (package wine64)");
        self.wait();
        status
    }

    /// Every file under drive_c, as paths relative to it.
    fn files(&self) -> BTreeSet<PathBuf> {
        fn walk(root: &Path, dir: &Path, into: &mut BTreeSet<PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let entry = entry.unwrap();
                let kind = entry.file_type().unwrap();
                if kind.is_dir() {
                    walk(root, &entry.path(), into);
                } else {
                    into.insert(entry.path().strip_prefix(root).unwrap().to_path_buf());
                }
            }
        }
        let mut files = BTreeSet::new();
        walk(&self.drive_c(), &self.drive_c(), &mut files);
        files
    }

    fn user_registry(&self) -> String {
        std::fs::read_to_string(self.path().join("user.reg")).unwrap()
    }
}

/// The text of a Windows shortcut: its strings are UTF-16, at any byte offset.
fn shortcut_text(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("no shortcut at {}: {e}", path.display()));
    let decode =
        |bytes: &[u8]| String::from_utf16_lossy(&bytes.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect::<Vec<_>>());
    format!("{}\n{}", decode(&bytes), decode(&bytes[1..]))
}

/// Starts the installed app from a copy beside the stand-in DLL (Wine 8 lacks
/// bcryptprimitives.dll; the installed folder stays as the installer left it).
fn start_without_webview2(prefix: &Prefix, install_dir: &Path, prng: &Path, lang: &str) -> (std::process::ExitStatus, String) {
    let copy = prefix.drive_c().join("app-start-check");
    std::fs::create_dir_all(&copy).unwrap();
    for file in ["certopay-keys.exe", "WebView2Loader.dll"] {
        std::fs::copy(install_dir.join(file), copy.join(file)).unwrap();
    }
    std::fs::copy(prng, copy.join("bcryptprimitives.dll")).unwrap();
    let output = prefix.wine(&[r"C:\app-start-check\certopay-keys.exe"], lang, false).output().unwrap();
    prefix.wait();
    std::fs::remove_dir_all(&copy).unwrap();
    (output.status, String::from_utf8_lossy(&output.stderr).to_string())
}

/// `osslsigncode verify` of `file` against the test's certificate authority: its verdict and words.
fn verify(file: &Path, signing: &Path) -> (bool, String) {
    let output = Command::new("osslsigncode")
        .args(["verify", "-CAfile"])
        .arg(signing.join("ca.pem"))
        .arg("-in")
        .arg(file)
        .output()
        .expect("osslsigncode runs (package osslsigncode)");
    (output.status.success(), format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr)))
}

/// The app, the installer and the uninstaller it wrote are signed by the test's publisher and
/// verify against its authority; a byte changed after signing does not; and a PKCS#12 file
/// signs as the PEM pair does.
fn check_signatures(installer: &Path, app: &Path, uninstaller: &Path, signing: &Path) {
    for (what, file) in [("the app", app), ("the installer", installer), ("the uninstaller", uninstaller)] {
        let (ok, said) = verify(file, signing);
        assert!(ok && said.contains("CertoPay Keys Test Publisher"), "{what} is not signed by the publisher: {said}");
    }
    let scratch = tempfile::tempdir().unwrap();
    let tampered = scratch.path().join("tampered.exe");
    let mut bytes = std::fs::read(app).unwrap();
    let middle = bytes.len() / 3;
    bytes[middle] ^= 0xff;
    std::fs::write(&tampered, bytes).unwrap();
    let (ok, said) = verify(&tampered, signing);
    assert!(!ok, "a file changed after signing still verifies: {said}");

    let unsigned = scratch.path().join("unsigned.exe");
    let removed = Command::new("osslsigncode").args(["remove-signature", "-in"]).arg(app).arg("-out").arg(&unsigned).status().unwrap();
    assert!(removed.success());
    assert!(!verify(&unsigned, signing).0, "a file without a signature verifies");
    let signed = Command::new("scripts/windows/sign.sh")
        .arg(&unsigned)
        .env_remove("WINDOWS_SIGN_CERT")
        .env_remove("WINDOWS_SIGN_KEY")
        .env("WINDOWS_SIGN_PKCS12", signing.join("signer.p12"))
        .env("WINDOWS_SIGN_PASSWORD", "certopay-test")
        .status()
        .unwrap();
    assert!(signed.success());
    let (ok, said) = verify(&unsigned, signing);
    assert!(ok, "signed with the PKCS#12 file: {said}");
}

#[allow(clippy::too_many_arguments)]
fn check(
    prefix: &Prefix,
    installer: &Path,
    app: &Path,
    prng: &Path,
    signing: &Path,
    lang: &str,
    description: &str,
    says: &str,
    clean: &BTreeSet<PathBuf>,
) {
    let status = prefix.run(&[installer.to_str().unwrap(), "/S"], lang, true);
    assert!(status.success(), "the silent install ({lang}) ended with {status}");

    let install_dir = prefix.user_home().join("AppData/Local/Programs/CertoPay Keys");
    let mut installed: Vec<String> =
        std::fs::read_dir(&install_dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().to_string()).collect();
    installed.sort();
    assert_eq!(installed, ["WebView2Loader.dll", "certopay-keys.exe", "uninstall.exe"], "per user, in AppData\\Local\\Programs");
    assert!(std::fs::read(install_dir.join("certopay-keys.exe")).unwrap() == std::fs::read(app).unwrap(), "the app as built");

    let shortcut = prefix.user_home().join("AppData/Roaming/Microsoft/Windows/Start Menu/Programs/CertoPay Keys.lnk");
    let text = shortcut_text(&shortcut);
    assert!(text.contains(r"AppData\Local\Programs\CertoPay Keys\certopay-keys.exe"), "the Start-menu entry opens the app");
    assert!(text.contains(description), "the Start-menu entry says {description:?} ({lang})");

    let (status, stderr) = start_without_webview2(prefix, &install_dir, prng, lang);
    assert_eq!(status.code(), Some(1), "the app without a window exits with 1: {stderr}");
    assert!(stderr.contains(says), "the app says {says:?} ({lang}): {stderr}");

    check_signatures(installer, app, &install_dir.join("uninstall.exe"), signing);

    let registry = prefix.user_registry();
    let key = registry.split("\n\n").find(|k| k.starts_with(r"[Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\CertoPayKeys]"));
    let key = key.expect("Apps & features lists it for this user (HKCU)");
    assert!(key.contains(r#""DisplayName"="CertoPay Keys""#), "{key}");
    assert!(key.contains(r#"uninstall.exe\" /S""#), "a quiet uninstall string: {key}");

    let uninstaller =
        format!(r"C:\users\{}\AppData\Local\Programs\CertoPay Keys\uninstall.exe", std::env::var("USER").unwrap_or_else(|_| "root".into()));
    let status = prefix.run(&[&uninstaller, "/S"], lang, true);
    assert!(status.success(), "the silent uninstall ended with {status}");
    let left_in_install_dir =
        || -> Vec<PathBuf> { std::fs::read_dir(&install_dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default() };
    assert!(!install_dir.exists(), "the install folder is gone; it holds {:?}", left_in_install_dir());
    assert!(!shortcut.exists(), "the Start-menu entry is gone");
    assert!(!prefix.user_registry().contains("Uninstall\\\\CertoPayKeys"), "the Apps & features entry is gone");

    // NSIS's uninstaller runs from a copy in Temp that Windows deletes at the next start: start
    // the prefix again (wineboot -r), then no file is left that the clean prefix did not have.
    prefix.run(&["wineboot", "-r"], lang, false);
    let left: Vec<_> = prefix.files().difference(clean).cloned().collect();
    assert!(left.is_empty(), "left behind after uninstalling: {left:?}");
}

/// Where a Windows program's resources keep its version (VS_FIXEDFILEINFO, found by its
/// signature 0xFEEF04BD): the offset of that signature.
fn fixed_file_info(exe: &[u8]) -> Option<usize> {
    exe.windows(4).position(|w| w == [0xBD, 0x04, 0xEF, 0xFE])
}

/// The file version in a program's resources, as Explorer shows it ("0.1.0").
fn file_version(exe: &[u8]) -> Option<String> {
    let at = fixed_file_info(exe)?;
    let word = |offset: usize| u32::from_le_bytes(exe[at + offset..at + offset + 4].try_into().unwrap());
    let (high, low) = (word(8), word(12));
    Some(format!("{}.{}.{}", high >> 16, high & 0xFFFF, low >> 16))
}

/// A copy of `exe` whose resources say `major.minor.patch` (file and product version): an
/// older release's stand-in, made without building the app twice.
fn with_file_version(exe: &[u8], (major, minor, patch): (u32, u32, u32)) -> Vec<u8> {
    let mut copy = exe.to_vec();
    let at = fixed_file_info(exe).expect("the app's resources carry a version");
    for offset in [8, 16] {
        copy[at + offset..at + offset + 4].copy_from_slice(&((major << 16) | minor).to_le_bytes());
        copy[at + offset + 4..at + offset + 8].copy_from_slice(&(patch << 16).to_le_bytes());
    }
    copy
}

/// The installer of an older release (0.0.9): the same script around the app with an older
/// version in its resources.
fn older_installer(app: &Path, dir: &Path) -> PathBuf {
    let older_app = dir.join("certopay-keys.exe");
    std::fs::write(&older_app, with_file_version(&std::fs::read(app).unwrap(), (0, 0, 9))).unwrap();
    let installer = dir.join("CertoPay-Keys_0.0.9_x64-setup.exe");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let define = |name: &str, value: &Path| format!("-D{name}={}", value.display());
    let status = Command::new("makensis")
        .args(["-V2", "-WX", "-DFAST_COMPRESSION", "-DVERSION=0.0.9"])
        .arg(define("APP_EXE", &older_app))
        .arg(define("WEBVIEW2_LOADER", &app.with_file_name("WebView2Loader.dll")))
        .arg(define("APP_ICON", &root.join("icons/icon.ico")))
        .arg(define("OUT_FILE", &installer))
        .arg(root.join("src-tauri/windows/installer.nsi"))
        .status()
        .expect("makensis runs (package nsis)");
    assert!(status.success(), "the older installer was built");
    installer
}

/// The newer installer, run silently over an installed older release, replaces the app (its
/// version read from its resources), keeps the user's settings and updates Apps & features.
fn update_over_older(prefix: &Prefix, installer: &Path, app: &Path, clean: &BTreeSet<PathBuf>) {
    let this_version = env!("CARGO_PKG_VERSION");
    let app_bytes = std::fs::read(app).unwrap();
    assert_eq!(file_version(&app_bytes).as_deref(), Some(this_version), "the app's resources carry its version");
    let dir = tempfile::tempdir().unwrap();
    let older = older_installer(app, dir.path());
    let lang = "en_US.UTF-8";
    assert!(prefix.run(&[older.to_str().unwrap(), "/S"], lang, true).success(), "the older release installs");
    let installed_app = prefix.user_home().join("AppData/Local/Programs/CertoPay Keys/certopay-keys.exe");
    assert_eq!(file_version(&std::fs::read(&installed_app).unwrap()).as_deref(), Some("0.0.9"));

    // What the user had: their profiles and preferences, as the older release wrote them.
    let settings_dir = prefix.user_home().join("AppData/Roaming/com.certopay.keys");
    std::fs::create_dir_all(&settings_dir).unwrap();
    let settings =
        br#"{"profiles":[{"id":"loja-sp","name":"Loja S\u00e3o Paulo","baseUrl":"https://api.certopay.com.br"}],"language":"pt-BR"}"#;
    std::fs::write(settings_dir.join("settings.json"), settings).unwrap();

    let status = prefix.run(&[installer.to_str().unwrap(), "/S"], lang, true);
    assert!(status.success(), "the update installs silently over the older release: {status}");
    let updated = std::fs::read(&installed_app).unwrap();
    assert_eq!(file_version(&updated).as_deref(), Some(this_version), "the installed app is the new version");
    assert!(updated == app_bytes, "the installed app is the one built");
    assert_eq!(std::fs::read(settings_dir.join("settings.json")).unwrap(), settings, "settings.json is kept as it was");
    let registry = prefix.user_registry();
    assert!(registry.contains(&format!(r#""DisplayVersion"="{this_version}""#)), "Apps & features shows the new version");

    let uninstaller =
        format!(r"C:\users\{}\AppData\Local\Programs\CertoPay Keys\uninstall.exe", std::env::var("USER").unwrap_or_else(|_| "root".into()));
    assert!(prefix.run(&[&uninstaller, "/S"], lang, true).success());
    // The settings stay on uninstall by design (a reinstall finds them); this test made them.
    std::fs::remove_dir_all(&settings_dir).unwrap();
    prefix.run(&["wineboot", "-r"], lang, false);
    let left: Vec<_> = prefix.files().difference(clean).cloned().collect();
    assert!(left.is_empty(), "left behind after the update and uninstall: {left:?}");
}

/// The update `make windows` signed (scripts/windows-package.sh with TAURI_SIGNING_PRIVATE_KEY):
/// its feed entry beside the installer names it, and the app's own check accepts it with the
/// updater's public key, refuses it changed, and refuses it with another key.
fn check_update_signature(installer: &Path, public_key: &str, other_key: &str) {
    use certopay_keys::rules::update_feed::{parse_feed, verify_package, UpdateProblem, FEED_TARGET};
    let feed = std::fs::read(installer.with_file_name("latest.json")).expect("make windows wrote latest.json beside the installer");
    let release = parse_feed(&feed, FEED_TARGET).expect("the feed entry reads as a feed");
    assert_eq!(release.version.to_string(), env!("CARGO_PKG_VERSION"));
    assert!(release.url.path().ends_with(&installer.file_name().unwrap().to_string_lossy().to_string()), "{}", release.url);
    let package = std::fs::read(installer).unwrap();
    assert_eq!(verify_package(public_key, &release.signature, &package, &release.version), Ok(()), "the update verifies");
    let mut changed = package.clone();
    let middle = changed.len() / 2;
    changed[middle] ^= 1;
    assert_eq!(verify_package(public_key, &release.signature, &changed, &release.version), Err(UpdateProblem::Tampered));
    assert_eq!(verify_package(other_key, &release.signature, &package, &release.version), Err(UpdateProblem::OtherKey));
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [installer, app, prng] = args.as_slice() else {
        eprintln!("usage: windows_installer INSTALLER.exe APP.exe bcryptprimitives.dll");
        std::process::exit(2);
    };
    let (installer, app, prng) = (Path::new(installer), Path::new(app), Path::new(prng));
    // The test's code-signing authority and publisher (scripts/windows/test-signing.sh).
    let signing = std::env::var("CERTOPAY_SIGNING_DIR").expect("CERTOPAY_SIGNING_DIR: the test's signing certificates");
    let signing = Path::new(&signing);
    let prefix = Prefix { dir: tempfile::Builder::new().prefix("certopay-wine-").tempdir().unwrap() };
    assert!(prefix.run(&["wineboot", "--init"], "en_US.UTF-8", false).success(), "a new Wine prefix");
    let clean = prefix.files();

    let cases = [
        ("en_US.UTF-8", "See and rotate your CertoPay API key safely", "ask your IT team to install it"),
        ("pt_BR.UTF-8", "Veja e troque sua chave de API da CertoPay com segurança", "peça à equipe de TI que o instale"),
    ];
    for (lang, description, says) in cases {
        check(&prefix, installer, app, prng, signing, lang, description, says, &clean);
        println!("installer ({lang}): signed and verified (app, installer, uninstaller; tampered refused), silent install offline, Start-menu entry, Apps & features, the app without WebView2 says so, silent uninstall, nothing left: ok");
    }
    update_over_older(&prefix, installer, app, &clean);
    println!("update: the installer run silently over an installed 0.0.9 replaces the app (its resources say {}), keeps settings.json, updates Apps & features: ok", env!("CARGO_PKG_VERSION"));
    let key = |name: &str| std::fs::read_to_string(signing.join(format!("{name}.key.pub"))).unwrap().trim().to_string();
    check_update_signature(installer, &key("updater"), &key("other-updater"));
    println!("update: signed by make windows with the updater key, its latest.json verified by the app's check; changed or another key refused: ok");
    println!("test result: ok. {} installer checks passed", cases.len() + 2);
}
