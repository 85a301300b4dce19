//! Settings → About on Linux: the version, and that updates come through the system's package
//! manager (no self-update), unless the organisation turned them off
//! (`CERTOPAY_KEYS_DISABLE_UPDATES=1`); in English and Portuguese.

use crate::support;

use certopay_sandbox::Options;
use support::app::{choose_language, sandbox, ONE_WINDOW};
use support::webdriver::{Launch, Window};

async fn about(w: &Window) -> (String, String) {
    w.click("#open-settings").await;
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
