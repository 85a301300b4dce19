//! Office networks in the real window: the sandbox over HTTPS at a name only the company's proxy
//! (a real Squid) knows, its certificate from a company authority trusted through
//! `SSL_CERT_FILE` for the app alone. The proxy is set in Settings as a person would, its
//! password goes to the real Secret Service; through it the user logs in and rotates, and the
//! secret reaches the X11 clipboard. The certificate and proxy sentences, in both languages.

use crate::support;

use certopay_sandbox::{Options, DEMO_PASSWORD};
use serde_json::json;
use support::app::{keychain_lookup, log_in, open_settings, sandbox, wait_dashboard, LIVE, ONE_WINDOW};
use support::company_ca::{CompanyCa, Leaf};
use support::rotation::{clipboard_text, rotate_through_the_window};
use support::squid::{ProxyUser, Squid};
use support::webdriver::{Launch, Window};

const HOST: &str = "api.certopay.test";

async fn open_trusting(url: &str, ca: &CompanyCa, language: &str) -> Window {
    let mut env = vec![("SSL_CERT_FILE", ca.bundle().display().to_string())];
    if language == "pt-BR" {
        env.extend([("LANG", "pt_BR.UTF-8".to_string()), ("LANGUAGE", String::new())]);
    }
    Window::open(Launch { base_url: url, env, home: None }).await
}

/// Sets the proxy of the profile at `url` in Settings, as a person types it.
async fn set_proxy_in_settings(w: &Window, url: &str, address: &str, user: &str, password: &str) {
    open_settings(w).await;
    let edit = "[...document.querySelectorAll('#profile-list li')].find((li) => li.textContent.includes(arguments[0])).querySelector('button').click();";
    w.script(edit, vec![json!(url)]).await;
    w.script("const s = document.querySelector('#profile-proxy'); s.value = 'explicit'; s.dispatchEvent(new Event('change'));", vec![])
        .await;
    w.type_into("#profile-proxy-address", address).await;
    w.type_into("#profile-proxy-user", user).await;
    w.type_into("#profile-proxy-password", password).await;
    w.screenshot("settings-proxy-form-light").await;
    w.click("#profile-form button[type=submit]").await;
    w.wait_for("document.querySelector('#profile-status').textContent !== ''", "the profile to be saved").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn through_the_company_proxy_a_person_logs_in_and_rotates() {
    let _one = ONE_WINDOW.lock().await;
    let ca = CompanyCa::new("Loja Exemplo TI");
    let squid = Squid::start(&[(HOST, "127.0.0.1")], Some(ProxyUser { name: "ana", password: "proxy-senha" })).await;
    let sb = sandbox(Options { tls: Some(ca.server(HOST, Leaf { names: &[HOST], ..Leaf::default() })), ..Options::default() }).await;
    let w = open_trusting(&sb.url(), &ca, "en").await;

    set_proxy_in_settings(&w, &sb.url(), &squid.address(), "ana", "proxy-senha").await;
    let proxy_url = format!("http://{}", squid.address());
    w.wait_for(
        &format!("document.querySelector('.profile-via[data-profile-id=launch]').textContent === 'Connects through the proxy {proxy_url}, as ana.'"),
        "the profile's way out",
    )
    .await;
    let trust = w.text("#settings-trust").await;
    assert_eq!(trust, format!("Server certificates are checked against {} (SSL_CERT_FILE).", ca.bundle().display()));
    assert_eq!(keychain_lookup(&format!("proxy {proxy_url}"), "ana").as_deref(), Some("proxy-senha"), "in the real Secret Service");
    let settings_file = std::fs::read_to_string(w.home.path().join("config/com.certopay.keys/settings.json")).unwrap_or_default();
    assert!(!settings_file.contains("proxy-senha"));
    w.screenshot("settings-proxy-light").await;

    w.click("#close-settings").await;
    log_in(&w, LIVE, DEMO_PASSWORD).await;
    wait_dashboard(&w).await;
    rotate_through_the_window(&w, "Chave principal", None).await;
    w.wait_for("!document.querySelector('#rotation-result').hidden", "the result").await;
    let prefix = w.text("#key-prefix").await;
    let secret = clipboard_text().expect("the new key is on the X11 clipboard");
    assert!(secret.starts_with(prefix.trim_end_matches('.')), "{prefix}");
    w.close().await;

    for line in squid.tunnels().await {
        assert!(line.contains(&format!("CONNECT {HOST}:")) && line.contains(" ana "), "not ana's tunnel: {line}");
        assert!(!line.contains(DEMO_PASSWORD) && !line.contains("eyJ") && !line.contains(&secret), "{line}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_certificate_and_proxy_sentences_in_both_languages() {
    let _one = ONE_WINDOW.lock().await;
    let company = CompanyCa::new("Loja Exemplo TI");
    let other = CompanyCa::new("Someone else");
    let squid = Squid::start(&[(HOST, "127.0.0.1")], Some(ProxyUser { name: "ana", password: "proxy-senha" })).await;
    let at_localhost = sandbox(Options { tls: Some(company.server("localhost", Leaf::default())), ..Options::default() }).await;
    let behind_proxy =
        sandbox(Options { tls: Some(company.server(HOST, Leaf { names: &[HOST], ..Leaf::default() })), ..Options::default() }).await;
    let expect = [
        ("en", "The server’s certificate is not trusted on this computer, so the app did not connect. Your company may inspect connections: ask IT whether its certificate is installed on this computer.",
         "The proxy asks for a user and password. Fill them in for this profile in Settings (ask IT which to use)."),
        ("pt-BR", "O certificado do servidor não é confiável neste computador, por isso o aplicativo não se conectou. Sua empresa pode inspecionar as conexões: pergunte à TI se o certificado dela está instalado neste computador.",
         "O proxy pede usuário e senha. Preencha-os para este perfil nas Configurações (pergunte à TI quais usar)."),
    ];
    for (language, certificate, proxy) in expect {
        let shot = |what: &str| if language == "en" { format!("login-{what}-light") } else { format!("pt-login-{what}-light") };
        // The company's authority is not installed on this computer.
        let w = open_trusting(&at_localhost.url(), &other, language).await;
        log_in(&w, LIVE, DEMO_PASSWORD).await;
        w.wait_for("!document.querySelector('#login-error').hidden", "the certificate sentence").await;
        assert_eq!(w.text("#login-error").await, certificate);
        assert!(w.text("#login-error-details code").await.contains("UnknownIssuer"), "the technical reason in the details");
        w.screenshot(&shot("certificate")).await;
        w.close().await;

        // The proxy wants a user and password, and the profile has none.
        let w = open_trusting(&behind_proxy.url(), &company, language).await;
        w.invoke(
            "save_profile",
            json!({"profile": {"id": "launch", "name": "Loja", "baseUrl": behind_proxy.url(),
            "proxy": {"kind": "explicit", "address": squid.address()}}}),
        )
        .await;
        log_in(&w, LIVE, DEMO_PASSWORD).await;
        w.wait_for("!document.querySelector('#login-error').hidden", "the proxy sentence").await;
        assert_eq!(w.text("#login-error").await, proxy);
        w.screenshot(&shot("proxy")).await;
        w.close().await;
    }
}
