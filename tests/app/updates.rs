//! Updates: a local HTTPS update server on the loopback (the sandbox serving a feed and its
//! package) with a certificate authority made at test time and trusted through
//! `SSL_CERT_FILE`, and update keys made with the Tauri CLI's signer. What is offered is read
//! from `AppState` as Settings → About and the window's offer read it.

use std::sync::Arc;

use crate::support;

use certopay_keys::app::AppState;
use certopay_keys::certopay::update_server::UpdateSource;
use certopay_keys::rules::app_error::{AppError, UpdateWait};
use certopay_keys::rules::update_feed::{UpdateOutcome, UpdateProblem};
use certopay_keys::rules::update_status::UpdateStatus;
use certopay_sandbox::{Options, Sandbox};
use support::app::{sandbox, LIVE};
use support::company_ca::{CompanyCa, Leaf};
use support::harness::{harness_updating, next_run, rotation_in_flight, Harness};
use support::squid::Squid;
use support::update_signer::UpdateKey;

const THIS_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The next minor version after this build's: what a release would be.
fn newer_version() -> String {
    let v = semver::Version::parse(THIS_VERSION).unwrap();
    format!("{}.{}.0", v.major, v.minor + 1)
}

/// A version below this build's.
const OLDER_VERSION: &str = "0.0.9";

/// A feed in Tauri's static format naming `package_url` for Windows.
fn feed(version: &str, package_url: &str, signature: &str) -> Vec<u8> {
    serde_json::json!({
        "version": version,
        "notes": "The rollout watch reads the key less often.",
        "pub_date": "2026-12-01T10:00:00Z",
        "platforms": { "windows-x86_64": { "url": package_url, "signature": signature } }
    })
    .to_string()
    .into_bytes()
}

/// An installer's stand-in: bytes no test writes twice.
fn package(version: &str) -> Vec<u8> {
    let mut bytes = format!("MZ CertoPay Keys {version} setup ").into_bytes();
    bytes.extend((0..64 * 1024).map(|i| (i * 7 % 251) as u8));
    bytes
}

/// An update server at `host` (a name its certificate is for), serving `latest.json` and the
/// package, and counting what it was asked.
struct UpdateServer {
    sandbox: Sandbox,
    ca_pem: Vec<u8>,
}

impl UpdateServer {
    async fn start(ca: &CompanyCa, host: &str, port: u16, files: Vec<(String, Vec<u8>)>) -> UpdateServer {
        let tls = ca.server(host, Leaf { names: &[host, "localhost"], ..Leaf::default() });
        let sandbox = sandbox(Options { tls: Some(tls), port, files: files.into_iter().collect(), ..Options::default() }).await;
        UpdateServer { sandbox, ca_pem: std::fs::read(ca.bundle()).unwrap() }
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.url())
    }

    /// How many GETs `path` got.
    async fn gets(&self, path: &str) -> u64 {
        let client = reqwest::Client::builder()
            .tls_built_in_root_certs(false)
            .add_root_certificate(reqwest::Certificate::from_pem(&self.ca_pem).unwrap())
            .no_proxy()
            .resolve("localhost", std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
            .build()
            .unwrap();
        let asked = self.url("/__sandbox/requests").replace("updates.certopay.test", "localhost");
        let counts: serde_json::Value = client.get(asked).send().await.unwrap().json().await.unwrap();
        counts[format!("GET {path}")].as_u64().unwrap_or(0)
    }
}

/// What each test here starts from: a release authority this process alone trusts, and the
/// project's update key, the one the app is given. Tests that make it run alone.
struct Releases {
    ca: CompanyCa,
    keys: tempfile::TempDir,
    project: UpdateKey,
}

impl Releases {
    fn new() -> Releases {
        let ca = CompanyCa::new("CertoPay releases");
        std::env::set_var("SSL_CERT_FILE", ca.bundle());
        std::env::remove_var("SSL_CERT_DIR");
        for name in ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy", "CERTOPAY_KEYS_DISABLE_UPDATES"] {
            std::env::remove_var(name);
        }
        let keys = tempfile::tempdir().unwrap();
        let project = UpdateKey::generate(keys.path(), "project");
        Releases { ca, keys, project }
    }

    /// A key the app is not given.
    fn someone_elses_key(&self) -> UpdateKey {
        UpdateKey::generate(self.keys.path(), "someone-else")
    }

    /// The next version, signed for itself with the project's key.
    fn newer(&self) -> Release {
        release(&self.project, &newer_version(), &newer_version())
    }

    /// A server at `host` offering `release` (its package changed on the way by `tamper`), and
    /// an app that trusts the project's key and checks that server's feed.
    async fn offering(&self, host: &str, release: &Release, tamper: impl Fn(&mut Vec<u8>)) -> (UpdateServer, Harness, UpdateSource) {
        let port = support::app::free_port();
        let package_url = format!("https://{host}:{port}/download/CertoPay-Keys_{}_x64-setup.exe", release.version);
        let mut package = release.package.clone();
        tamper(&mut package);
        let files = vec![
            ("/latest.json".to_string(), feed(&release.version, &package_url, &release.signature)),
            (format!("/download/CertoPay-Keys_{}_x64-setup.exe", release.version), package),
        ];
        let server = UpdateServer::start(&self.ca, host, port, files).await;
        let source = UpdateSource { feed: url::Url::parse(&server.url("/latest.json")).unwrap(), public_key: self.project.public.clone() };
        let h = harness_updating(Options::default(), source.clone()).await;
        (server, h, source)
    }
}

/// A release: the package signed for `signed_version` by `key`, the feed announcing `version`.
struct Release {
    version: String,
    package: Vec<u8>,
    signature: String,
}

fn release(key: &UpdateKey, version: &str, signed_version: &str) -> Release {
    let package = package(version);
    let signature = key.sign(&package, signed_version);
    Release { version: version.to_string(), package, signature }
}

fn outcome(state: &AppState) -> UpdateOutcome {
    state.last_update_check().expect("a check was made").outcome
}

#[tokio::test]
async fn a_newer_signed_version_is_downloaded_verified_and_offered() {
    if support::own_process::run_alone(concat!(module_path!(), "::a_newer_signed_version_is_downloaded_verified_and_offered")) {
        return;
    }
    let releases = Releases::new();
    let newer = releases.newer();
    let (server, h, source) = releases.offering("localhost", &newer, |_| {}).await;
    assert_eq!(h.state.update_status(), UpdateStatus::Checked);

    let check = h.state.check_for_updates(false).await.expect("this copy checks");
    assert_eq!(
        check.outcome,
        UpdateOutcome::Available { version: newer_version(), notes: "The rollout watch reads the key less often.".into() }
    );
    let package_path = format!("/download/CertoPay-Keys_{}_x64-setup.exe", newer_version());
    assert_eq!(server.gets(&package_path).await, 1, "the package is downloaded to be verified");

    // Checked at most daily: at the next start the check is not repeated; asked, it is.
    h.state.check_for_updates(false).await.unwrap();
    assert_eq!(server.gets("/latest.json").await, 1);
    h.state.check_for_updates(true).await.unwrap();
    assert_eq!(server.gets("/latest.json").await, 2);

    // What is installed is the verified package, byte for byte, in the app's own folder.
    let installer = h.state.prepare_update().unwrap();
    assert_eq!(std::fs::read(&installer).unwrap(), newer.package);
    assert!(installer.starts_with(h.files.path()), "{}", installer.display());
    // Held for its start, read back through the hold: still the verified package.
    let held = h.state.hold_update_installer().unwrap();
    assert_eq!(held.path(), installer);
    assert_eq!(std::fs::read(held.path()).unwrap(), newer.package);
    drop(held);

    // The next run keeps the check (About says when) but not the installer: it verifies its own.
    let next_run = next_run(&h, Some(source.clone()));
    assert_eq!(next_run.last_update_check(), h.state.last_update_check(), "the last check is kept across starts");
    assert_eq!(next_run.prepare_update(), Err(AppError::NoUpdate), "an earlier run's package is never installed");
    next_run.check_for_updates(false).await.unwrap();
    assert!(!installer.exists(), "an earlier run's installer is removed");
    assert_eq!(server.gets(&package_path).await, 3, "an offer from an earlier run is checked and downloaded again");
}

#[tokio::test(flavor = "multi_thread")]
async fn installing_waits_for_a_rotation_in_flight_and_for_a_new_key_to_leave_the_clipboard() {
    if support::own_process::run_alone(concat!(
        module_path!(),
        "::installing_waits_for_a_rotation_in_flight_and_for_a_new_key_to_leave_the_clipboard"
    )) {
        return;
    }
    let releases = Releases::new();
    let newer = releases.newer();
    let (_server, h, _) = releases.offering("localhost", &newer, |_| {}).await;
    let h = Arc::new(h);
    h.state.check_for_updates(true).await.unwrap();
    assert!(matches!(outcome(&h.state), UpdateOutcome::Available { .. }));
    h.log_in(LIVE).await;

    // Installing ends the app: a rotation's answer would be lost, then the new key with it.
    let rotating = rotation_in_flight(&h, 3000).await;
    assert_eq!(h.state.prepare_update(), Err(AppError::UpdateWaits { reason: UpdateWait::Rotation }));
    rotating.await.unwrap().unwrap();
    assert!(h.clipboard.text().is_some());
    assert_eq!(h.state.prepare_update(), Err(AppError::UpdateWaits { reason: UpdateWait::Clipboard }));
    h.state.clear_clipboard_now().unwrap();
    assert!(h.state.prepare_update().is_ok(), "once the key has left the clipboard");
}

#[tokio::test]
async fn the_same_or_an_older_version_is_not_offered_nor_downloaded() {
    if support::own_process::run_alone(concat!(module_path!(), "::the_same_or_an_older_version_is_not_offered_nor_downloaded")) {
        return;
    }
    let releases = Releases::new();
    for version in [THIS_VERSION, OLDER_VERSION] {
        let old = release(&releases.project, version, version);
        let (server, h, _) = releases.offering("localhost", &old, |_| {}).await;
        h.state.check_for_updates(true).await.unwrap();
        assert_eq!(outcome(&h.state), UpdateOutcome::UpToDate { feed_version: version.into() }, "{version}");
        assert_eq!(server.gets(&format!("/download/CertoPay-Keys_{version}_x64-setup.exe")).await, 0, "{version}: never downloaded");
        assert_eq!(h.state.prepare_update(), Err(AppError::NoUpdate));
    }
}

#[tokio::test]
async fn a_package_signed_with_another_key_tampered_with_or_signed_for_another_version_is_refused() {
    if support::own_process::run_alone(concat!(
        module_path!(),
        "::a_package_signed_with_another_key_tampered_with_or_signed_for_another_version_is_refused"
    )) {
        return;
    }
    let releases = Releases::new();
    let (project, someone_else) = (&releases.project, releases.someone_elses_key());
    let newer = newer_version();

    // What is served, how the package is changed on the way, and what the app must say.
    type Case = (&'static str, Release, fn(&mut Vec<u8>), UpdateProblem);
    // A signed file of ours that is not the installer (say, the app's own exe), passed off as it.
    let not_the_installer = {
        let package = package(&newer);
        let signature = project.sign_file(&package, &newer, "certopay-keys.exe");
        Release { version: newer.clone(), package, signature }
    };
    let cases: [Case; 4] = [
        ("another key", release(&someone_else, &newer, &newer), |_| {}, UpdateProblem::OtherKey),
        ("tampered", release(project, &newer, &newer), |p| p[40] ^= 1, UpdateProblem::Tampered),
        (
            // An older signed package under a newer number: a downgrade in disguise.
            "signed for another version",
            release(project, &newer, OLDER_VERSION),
            |_| {},
            UpdateProblem::SignedForAnotherVersion { signed: Some(OLDER_VERSION.into()), announced: newer.clone() },
        ),
        (
            "another file",
            not_the_installer,
            |_| {},
            UpdateProblem::SignedForAnotherFile {
                signed: Some("certopay-keys.exe".into()),
                expected: format!("CertoPay-Keys_{newer}_x64-setup.exe"),
            },
        ),
    ];
    for (what, release, tamper, problem) in cases {
        let (_server, h, _) = releases.offering("localhost", &release, tamper).await;
        h.state.check_for_updates(true).await.unwrap();
        assert_eq!(outcome(&h.state), UpdateOutcome::Refused { problem }, "{what}");
        assert_eq!(h.state.prepare_update(), Err(AppError::NoUpdate), "{what}: nothing to install");
    }
}

#[tokio::test]
async fn an_offer_is_not_installed_once_the_organisation_turned_updates_off() {
    if support::own_process::run_alone(concat!(module_path!(), "::an_offer_is_not_installed_once_the_organisation_turned_updates_off")) {
        return;
    }
    let releases = Releases::new();
    let newer = releases.newer();
    let (_server, h, _) = releases.offering("localhost", &newer, |_| {}).await;
    h.state.check_for_updates(true).await.unwrap();
    assert!(matches!(outcome(&h.state), UpdateOutcome::Available { .. }));
    // IT turns updates off while the offer waits: "Install and restart" is refused.
    std::env::set_var("CERTOPAY_KEYS_DISABLE_UPDATES", "1");
    assert_eq!(h.state.prepare_update(), Err(AppError::UpdatesTurnedOff));
    std::env::remove_var("CERTOPAY_KEYS_DISABLE_UPDATES");
    assert_eq!(h.state.prepare_update(), Err(AppError::NoUpdate), "the offer went with it");
}

#[tokio::test]
async fn the_organisations_variable_turns_checks_off() {
    if support::own_process::run_alone(concat!(module_path!(), "::the_organisations_variable_turns_checks_off")) {
        return;
    }
    let releases = Releases::new();
    let newer = releases.newer();
    let (server, h, _) = releases.offering("localhost", &newer, |_| {}).await;
    std::env::set_var("CERTOPAY_KEYS_DISABLE_UPDATES", "1");
    assert_eq!(h.state.update_status(), UpdateStatus::ManagedByOrganisation);
    assert_eq!(h.state.check_for_updates(true).await, None);
    assert_eq!(server.gets("/latest.json").await, 0, "the feed is never asked");
}

#[tokio::test]
async fn through_the_system_proxy_the_check_goes_by_connect_only() {
    if support::own_process::run_alone(concat!(module_path!(), "::through_the_system_proxy_the_check_goes_by_connect_only")) {
        return;
    }
    // A name only the proxy knows: the check can reach the server through it alone.
    const HOST: &str = "updates.certopay.test";
    let releases = Releases::new();
    let squid = Squid::start(&[(HOST, "127.0.0.1")], None).await;
    std::env::set_var("HTTPS_PROXY", format!("http://{}", squid.address()));
    let (_server, h, _) = releases.offering(HOST, &releases.newer(), |_| {}).await;
    h.state.check_for_updates(true).await.unwrap();
    assert!(matches!(outcome(&h.state), UpdateOutcome::Available { .. }), "{:?}", outcome(&h.state));
    let lines = squid.tunnels().await;
    assert!(!lines.is_empty());
    for line in &lines {
        assert!(line.contains(&format!("CONNECT {HOST}:")), "not a tunnel: {line}");
        assert!(!line.contains("latest.json") && !line.contains("/download/"), "the proxy saw a path: {line}");
    }
}
