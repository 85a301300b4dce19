//! Settings → About on Linux: the version, and that updates come through the system's package
//! manager (no self-update), unless the organisation turned them off
//! (`CERTOPAY_KEYS_DISABLE_UPDATES=1`); in English and Portuguese. And, in a build made for
//! tests pointed at a test's update feed (as a Windows build is at its own): the offer of a
//! verified newer version, which waits while a new key is on the clipboard, and About saying
//! when the feed was asked and what it said.

use crate::support;

use certopay_sandbox::{Options, DEMO_PASSWORD};
use serde_json::json;
use support::app::{choose_language, free_port, log_in, open_settings, sandbox, wait_dashboard, LIVE, ONE_WINDOW};
use support::company_ca::{CompanyCa, Leaf};
use support::rotation::{clipboard_text, rotate_through_the_window};
use support::update_signer::UpdateKey;
use support::webdriver::{Launch, Window};

async fn about(w: &Window) -> (String, String) {
    open_settings(w).await;
    w.wait_for("document.querySelector('#about-updates').textContent !== ''", "the About section").await;
    w.script("document.querySelector('#about-updates').scrollIntoView({block: 'center'});", vec![]).await;
    (w.text("#about-version").await, w.text("#about-updates").await)
}

#[tokio::test(flavor = "multi_thread")]
async fn about_says_the_version_and_who_brings_updates_in_both_languages() {
    let _one = ONE_WINDOW.lock().await;
    let sb = sandbox(Options::default()).await;
    let w = Window::open(Launch { base_url: &sb.url(), env: vec![], home: None }).await;
    let (version, updates) = about(&w).await;
    assert_eq!(version, format!("CertoPay Keys {}", env!("CARGO_PKG_VERSION")));
    assert_eq!(updates, "Updates come through your system’s package manager (Software, apt, dnf), with the rest of your system.");
    w.screenshot("settings-about-light").await;
    w.close().await;

    // The organisation's word, in Portuguese.
    let env = vec![("CERTOPAY_KEYS_DISABLE_UPDATES", "1".to_string())];
    let w = Window::open(Launch { base_url: &sb.url(), env, home: None }).await;
    let (_, updates) = about(&w).await;
    assert_eq!(updates, "Updates are managed by your organisation.");
    choose_language(&w, "pt-BR").await;
    w.wait_for("document.querySelector('#about-updates').textContent.startsWith('As atualizações')", "Portuguese").await;
    assert_eq!(w.text("#about-updates").await, "As atualizações são gerenciadas pela sua organização.");
    w.screenshot("pt-settings-about-managed-light").await;
}

/// The update feed's release, its package signed with a key made by the Tauri CLI's signer,
/// served over HTTPS by a server whose authority the app trusts through `SSL_CERT_FILE`.
struct UpdateFeed {
    _server: certopay_sandbox::Sandbox,
    _keys: tempfile::TempDir,
    ca: CompanyCa,
    feed: String,
    public_key: String,
}

impl UpdateFeed {
    /// The app over `sb`, trusting this feed's authority and checking this feed with the
    /// project's key (a build made for tests takes both from its environment).
    async fn open_app(&self, sb: &certopay_sandbox::Sandbox) -> Window {
        let env = vec![
            ("SSL_CERT_FILE", self.ca.bundle().display().to_string()),
            ("CERTOPAY_KEYS_TEST_UPDATE_FEED", self.feed.clone()),
            ("CERTOPAY_KEYS_TEST_UPDATE_KEY", self.public_key.clone()),
        ];
        Window::open(Launch { base_url: &sb.url(), env, home: None }).await
    }
}

const NOTES: &str = "The rollout watch reads the key less often.";

/// `signed_by_the_project`: false signs the package with another key than the one the app is
/// given.
async fn update_feed(version: &str, signed_by_the_project: bool) -> UpdateFeed {
    let ca = CompanyCa::new("CertoPay releases");
    let keys = tempfile::tempdir().unwrap();
    let project = UpdateKey::generate(keys.path(), "project");
    let someone_else = (!signed_by_the_project).then(|| UpdateKey::generate(keys.path(), "someone-else"));
    let package: Vec<u8> = format!("MZ CertoPay Keys {version} setup").bytes().chain((0..4096).map(|i| (i % 251) as u8)).collect();
    let signature = someone_else.as_ref().unwrap_or(&project).sign(&package, version);
    let port = free_port();
    let package_path = format!("/download/CertoPay-Keys_{version}_x64-setup.exe");
    let feed = json!({
        "version": version,
        "notes": NOTES,
        "platforms": { "windows-x86_64": { "url": format!("https://localhost:{port}{package_path}"), "signature": signature } }
    });
    let files = [("/latest.json".to_string(), feed.to_string().into_bytes()), (package_path, package)].into_iter().collect();
    let server = sandbox(Options { tls: Some(ca.server("localhost", Leaf::default())), port, files, ..Options::default() }).await;
    UpdateFeed { feed: format!("{}/latest.json", server.url()), _server: server, _keys: keys, ca, public_key: project.public }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_verified_update_is_offered_waits_while_a_new_key_is_on_the_clipboard_and_about_says_when_in_both_languages() {
    let _one = ONE_WINDOW.lock().await;
    let version = {
        let v = semver::Version::parse(env!("CARGO_PKG_VERSION")).unwrap();
        format!("{}.{}.0", v.major, v.minor + 1)
    };
    let updates = update_feed(&version, true).await;
    let sb = sandbox(Options::default()).await;
    let w = updates.open_app(&sb).await;

    // Checked at start: the offer, once the package is downloaded and verified.
    w.wait_for("!document.querySelector('#update-offer').hidden", "the update offer").await;
    assert_eq!(w.text("#update-offer-text").await, format!("Version {version} of CertoPay Keys is available."));
    assert_eq!(w.text("#update-offer-notes").await, format!("What changed: {NOTES}"));
    assert_eq!(w.text("#update-install").await, "Install and restart");
    w.screenshot("update-offer-light").await;

    // A new key on the clipboard: installing (which restarts the app and clears it) waits.
    log_in(&w, LIVE, DEMO_PASSWORD).await;
    wait_dashboard(&w).await;
    rotate_through_the_window(&w, "Chave principal", None).await;
    let rotated = std::time::Instant::now();
    while clipboard_text().is_none_or(|text| text.is_empty()) {
        assert!(rotated.elapsed() < std::time::Duration::from_secs(20), "the new key never reached the clipboard");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    w.click("#update-install").await;
    w.wait_for("!document.querySelector('#update-error').hidden", "the reason the update waits").await;
    assert_eq!(
        w.text("#update-error").await,
        "The update waits while the new key is on the clipboard: installing restarts the app, which clears it. Paste the key where it goes, then install."
    );
    assert!(w.visible("#update-install").await, "the offer stays");
    w.screenshot("update-offer-waits-light").await;

    // Settings → About: on, when it was last checked, what it found.
    open_settings(&w).await;
    w.wait_for("!document.querySelector('#about-last-check').hidden", "the last check").await;
    w.script("document.querySelector('#about-last-check').scrollIntoView({block: 'center'});", vec![]).await;
    assert_eq!(
        w.text("#about-updates").await,
        "This copy checks once a day for new versions signed by CertoPay, through your system’s proxy."
    );
    let last = w.text("#about-last-check").await;
    assert!(last.starts_with("Last checked ") && last.ends_with(&format!(": version {version} is available.")), "{last}");
    assert!(w.visible("#about-check-now").await);
    w.screenshot("settings-about-update-light").await;

    choose_language(&w, "pt-BR").await;
    w.wait_for("document.querySelector('#about-last-check').textContent.startsWith('Última')", "Portuguese").await;
    assert_eq!(
        w.text("#about-updates").await,
        "Esta cópia procura uma vez por dia novas versões assinadas pela CertoPay, pelo proxy do sistema."
    );
    let last = w.text("#about-last-check").await;
    assert!(last.ends_with(&format!(": a versão {version} está disponível.")), "{last}");
    assert_eq!(w.text("#update-offer-text").await, format!("A versão {version} do CertoPay Keys está disponível."));
    assert_eq!(w.text("#update-install").await, "Instalar e reiniciar");
    assert!(w.text("#update-error").await.starts_with("A atualização espera enquanto a nova chave"), "the reason, in the chosen language");
    w.screenshot("pt-settings-about-update-light").await;
    w.script("window.scrollTo(0, 0);", vec![]).await;
    w.screenshot("pt-update-offer-light").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_update_signed_with_another_key_is_not_offered_and_about_says_why_in_both_languages() {
    let _one = ONE_WINDOW.lock().await;
    let updates = update_feed("9.0.0", false).await;
    let sb = sandbox(Options::default()).await;
    let w = updates.open_app(&sb).await;
    open_settings(&w).await;
    w.wait_for("document.querySelector('#about-last-check').dataset.outcome === 'refused'", "the refused check").await;
    w.script("document.querySelector('#about-last-check').scrollIntoView({block: 'center'});", vec![]).await;
    let last = w.text("#about-last-check").await;
    assert!(
        last.starts_with("Last checked ")
            && last.ends_with(": an update was refused because it was not signed with CertoPay’s update key. Nothing was installed."),
        "{last}"
    );
    assert!(w.script("return document.querySelector('#update-offer').hidden;", vec![]).await.as_bool().unwrap(), "nothing is offered");
    w.screenshot("settings-about-refused-light").await;
    choose_language(&w, "pt-BR").await;
    w.wait_for("document.querySelector('#about-last-check').textContent.startsWith('Última')", "Portuguese").await;
    let last = w.text("#about-last-check").await;
    assert!(
        last.ends_with(
            ": uma atualização foi recusada porque não foi assinada com a chave de atualização da CertoPay. Nada foi instalado."
        ),
        "{last}"
    );
    w.screenshot("pt-settings-about-refused-light").await;
}
