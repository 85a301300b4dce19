//! Office networks: the sandbox over HTTPS with a company's certificate authority made at test
//! time and trusted through `SSL_CERT_FILE`, as IT installs one in the system's trust store.
//! With it the app logs in, reads the key and rotates; without it, or with a certificate for
//! another name or an expired one, the window is told which part failed.

use crate::support;

use certopay_keys::certopay::{CertoPayClient, ClientOptions};
use certopay_keys::platform::keychain::Keychain;
use certopay_keys::rules::app_error::AppError;
use certopay_keys::rules::app_error::{CertificateProblem, ProxyProblem};
use certopay_keys::rules::proxy_route::ProxyChoice;
use certopay_sandbox::{Options, DEMO_PASSWORD};
use support::app::{nothing_listens_url, sandbox, LIVE};
use support::company_ca::{CompanyCa, Leaf};
use support::harness::{harness, Harness};
use support::squid::{ProxyUser, Squid};
use zeroize::Zeroizing;

/// Makes `ca` the only authority this process trusts. The trust store is the process's
/// environment: the tests that call this run each in a process of its own
/// (`support::own_process`).
fn trusting(ca: &CompanyCa) {
    std::env::set_var("SSL_CERT_FILE", ca.bundle());
    std::env::remove_var("SSL_CERT_DIR");
}

async fn login_error(ca_trusted: &CompanyCa, server: &CompanyCa, leaf: Leaf<'_>) -> AppError {
    trusting(ca_trusted);
    let sb = sandbox(Options { tls: Some(server.server("localhost", leaf)), ..Options::default() }).await;
    let client = CertoPayClient::new(&sb.url(), ClientOptions::default()).unwrap();
    client.login(LIVE, DEMO_PASSWORD).await.unwrap_err()
}

#[tokio::test]
async fn with_the_company_authority_installed_the_app_works_over_https() {
    if support::own_process::run_alone(concat!(module_path!(), "::with_the_company_authority_installed_the_app_works_over_https")) {
        return;
    }
    let ca = CompanyCa::new("Loja Exemplo TI");
    trusting(&ca);
    let h = harness(Options { tls: Some(ca.server("localhost", Leaf::default())), ..Options::default() }).await;
    assert!(h.sb.url().starts_with("https://localhost:"), "{}", h.sb.url());
    h.log_in(LIVE).await;
    let before = h.state.current_key().await.unwrap().key_prefix;
    let result = h.rotate().await.unwrap();
    let secret = h.clipboard.text().unwrap();
    assert_ne!(result.new_prefix.as_deref(), Some(before.as_str()));
    assert!(secret.starts_with(result.new_prefix.unwrap().trim_end_matches('.')));
}

#[tokio::test]
async fn each_refused_certificate_is_named() {
    if support::own_process::run_alone(concat!(module_path!(), "::each_refused_certificate_is_named")) {
        return;
    }
    let company = CompanyCa::new("Loja Exemplo TI");
    let other = CompanyCa::new("Someone else");
    let cases = [
        ("not installed", login_error(&other, &company, Leaf::default()).await, CertificateProblem::Untrusted),
        (
            "another name",
            login_error(&company, &company, Leaf { names: &["api.other.example"], ..Leaf::default() }).await,
            CertificateProblem::WrongName,
        ),
        (
            "expired",
            login_error(&company, &company, Leaf { from_year: 2020, until_year: 2021, ..Leaf::default() }).await,
            CertificateProblem::Expired,
        ),
        (
            "not yet valid",
            login_error(&company, &company, Leaf { from_year: 2090, until_year: 2091, ..Leaf::default() }).await,
            CertificateProblem::NotYetValid,
        ),
    ];
    for (case, error, expected) in cases {
        match error {
            AppError::Certificate { problem, detail } => assert_eq!(problem, expected, "{case}: {detail}"),
            other => panic!("{case}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn a_name_that_cannot_be_found_is_said_as_such() {
    // Looking a name up would ask this machine's DNS server, which tests leave alone: the test
    // runs itself again in a network namespace of its own, with nothing but loopback, where
    // the lookup fails at once and nothing leaves the machine.
    if support::own_process::run_alone_under(
        &["unshare", "--net", "--"],
        concat!(module_path!(), "::a_name_that_cannot_be_found_is_said_as_such"),
    ) {
        return;
    }
    let client = CertoPayClient::new("https://api.certopay.example", ClientOptions::default()).unwrap();
    let error = client.login(LIVE, DEMO_PASSWORD).await.unwrap_err();
    assert!(matches!(error, AppError::NameNotFound { .. }), "{error:?}");
}

const HOST: &str = "api.certopay.test";

/// A sandbox at `HOST`, a name only the proxy knows, with a certificate from `ca`.
async fn behind_the_proxy(ca: &CompanyCa) -> Harness {
    harness(Options { tls: Some(ca.server(HOST, Leaf { names: &[HOST], ..Leaf::default() })), ..Options::default() }).await
}

fn set_proxy(h: &Harness, proxy: ProxyChoice) {
    let mut profile = h.state.settings().profile(&h.profile_id).unwrap().clone();
    profile.proxy = proxy;
    h.state.save_profile(profile).unwrap();
}

async fn try_login(h: &Harness) -> Result<(), AppError> {
    h.state.login(&h.profile_id, LIVE, Zeroizing::new(DEMO_PASSWORD.into()), false).await.map(drop)
}

#[tokio::test]
async fn through_the_company_proxy_the_app_works_and_the_proxy_sees_only_tunnels() {
    if support::own_process::run_alone(concat!(module_path!(), "::through_the_company_proxy_the_app_works_and_the_proxy_sees_only_tunnels"))
    {
        return;
    }
    let ca = CompanyCa::new("Loja Exemplo TI");
    trusting(&ca);
    let squid = Squid::start(&[(HOST, "127.0.0.1")], None).await;
    let h = behind_the_proxy(&ca).await;

    // The name is in no resolver but the proxy's hosts file (trying it directly would ask this
    // machine's DNS server, which tests leave alone): only the proxy can reach the server.
    set_proxy(&h, ProxyChoice::Explicit { address: squid.address(), user: String::new() });
    h.log_in(LIVE).await;
    let before = h.state.current_key().await.unwrap().key_prefix;
    let result = h.rotate().await.unwrap();
    let new_prefix = result.new_prefix.unwrap();
    assert_ne!(new_prefix, before);
    assert!(h.clipboard.text().unwrap().starts_with(new_prefix.trim_end_matches('.')));
    let secret = h.clipboard.text().unwrap();
    let lines = squid.tunnels().await;
    drop(h);
    for line in &lines {
        assert!(line.contains(&format!("CONNECT {HOST}:")), "not a tunnel: {line}");
        for hidden in [DEMO_PASSWORD, "eyJ", secret.as_str(), "/api/"] {
            assert!(!line.contains(hidden), "the proxy saw {hidden:?}: {line}");
        }
    }
}

#[tokio::test]
async fn behind_an_inspecting_proxy_without_its_authority_the_certificate_is_named() {
    if support::own_process::run_alone(concat!(
        module_path!(),
        "::behind_an_inspecting_proxy_without_its_authority_the_certificate_is_named"
    )) {
        return;
    }
    let ca = CompanyCa::new("Loja Exemplo TI");
    let other = CompanyCa::new("Someone else");
    trusting(&other);
    let squid = Squid::start(&[(HOST, "127.0.0.1")], None).await;
    let h = behind_the_proxy(&ca).await;
    set_proxy(&h, ProxyChoice::Explicit { address: squid.address(), user: String::new() });
    let error = try_login(&h).await.unwrap_err();
    assert!(matches!(error, AppError::Certificate { problem: CertificateProblem::Untrusted, .. }), "{error:?}");
}

#[tokio::test]
async fn a_proxy_that_wants_a_password_is_named_and_one_from_the_keychain_works() {
    if support::own_process::run_alone(concat!(module_path!(), "::a_proxy_that_wants_a_password_is_named_and_one_from_the_keychain_works"))
    {
        return;
    }
    let ca = CompanyCa::new("Loja Exemplo TI");
    trusting(&ca);
    let squid = Squid::start(&[(HOST, "127.0.0.1")], Some(ProxyUser { name: "ana", password: "proxy-senha" })).await;
    let h = behind_the_proxy(&ca).await;

    set_proxy(&h, ProxyChoice::Explicit { address: squid.address(), user: String::new() });
    let error = try_login(&h).await.unwrap_err();
    assert!(matches!(error, AppError::Proxy { problem: ProxyProblem::AuthRequired, .. }), "{error:?}");

    // The user in the profile, the password in the keychain: it works.
    set_proxy(&h, ProxyChoice::Explicit { address: squid.address(), user: "ana".into() });
    let origin = certopay_keys::rules::proxy_route::keychain_origin(&squid.address()).unwrap();
    h.keychain.store(&origin, "ana", "proxy-senha").unwrap();
    try_login(&h).await.unwrap();
    assert!(h.state.current_key().await.is_ok());
    let settings = std::fs::read_to_string(h.files.path().join("config/settings.json")).unwrap_or_default();
    assert!(!settings.contains("proxy-senha"), "never in the settings file");

    // Another user for the proxy, or the profile gone: the old password goes from the keychain.
    set_proxy(&h, ProxyChoice::Explicit { address: squid.address(), user: "bruno".into() });
    assert_eq!(h.keychain.stored(&origin, "ana"), None);
    h.state.set_proxy_password(&h.profile_id, Zeroizing::new("outra".into())).unwrap();
    assert_eq!(h.keychain.stored(&origin, "bruno").as_deref(), Some("outra"));
    h.state.remove_profile(&h.profile_id).unwrap();
    assert_eq!(h.keychain.stored(&origin, "bruno"), None);
}

#[tokio::test]
async fn a_proxy_that_cannot_be_reached_or_cannot_reach_the_server_is_named() {
    if support::own_process::run_alone(concat!(module_path!(), "::a_proxy_that_cannot_be_reached_or_cannot_reach_the_server_is_named")) {
        return;
    }
    let ca = CompanyCa::new("Loja Exemplo TI");
    trusting(&ca);
    let h = behind_the_proxy(&ca).await;
    set_proxy(&h, ProxyChoice::Explicit { address: nothing_listens_url(), user: String::new() });
    let error = try_login(&h).await.unwrap_err();
    assert!(matches!(error, AppError::Proxy { problem: ProxyProblem::Unreachable, .. }), "{error:?}");

    // A proxy that cannot reach the server: on its side of the network nothing listens there.
    let squid = Squid::start(&[(HOST, "127.0.0.2")], None).await;
    set_proxy(&h, ProxyChoice::Explicit { address: squid.address(), user: String::new() });
    let error = try_login(&h).await.unwrap_err();
    assert!(matches!(error, AppError::Proxy { problem: ProxyProblem::Refused, .. }), "{error:?}");
}

/// GNOME's proxy settings on this test desktop's own session bus (dconf), as its Network panel
/// writes them; put back to "none" when dropped.
struct GnomeProxySettings;

fn gsettings(args: &[&str]) {
    let done = std::process::Command::new("gsettings").args(args).status().expect("gsettings runs (package libglib2.0-bin)");
    assert!(done.success(), "gsettings {args:?}");
}

impl GnomeProxySettings {
    fn manual(host: &str, port: u16) -> Self {
        gsettings(&["set", "org.gnome.system.proxy.https", "host", host]);
        gsettings(&["set", "org.gnome.system.proxy.https", "port", &port.to_string()]);
        gsettings(&["set", "org.gnome.system.proxy", "mode", "manual"]);
        GnomeProxySettings
    }
}

impl Drop for GnomeProxySettings {
    fn drop(&mut self) {
        gsettings(&["set", "org.gnome.system.proxy", "mode", "none"]);
    }
}

#[tokio::test]
async fn the_system_proxy_is_gnomes_when_no_variable_names_one() {
    if support::own_process::run_alone(concat!(module_path!(), "::the_system_proxy_is_gnomes_when_no_variable_names_one")) {
        return;
    }
    let ca = CompanyCa::new("Loja Exemplo TI");
    trusting(&ca);
    for variable in ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"] {
        std::env::remove_var(variable);
    }
    let squid = Squid::start(&[(HOST, "127.0.0.1")], None).await;
    let _gnome = GnomeProxySettings::manual("127.0.0.1", squid.port);
    let h = behind_the_proxy(&ca).await;
    set_proxy(&h, ProxyChoice::System);
    let overview = h.state.network_overview();
    let shown = overview.profiles.iter().find(|p| p.profile_id == h.profile_id).unwrap();
    assert_eq!((shown.kind, shown.address.as_deref()), ("via", Some(format!("http://{}", squid.address()).as_str())));
    assert_eq!(shown.source, Some(certopay_keys::rules::proxy_route::ProxySource::Gnome));
    try_login(&h).await.unwrap();
    assert!(h.state.current_key().await.is_ok());
    assert!(squid.tunnels().await.iter().all(|l| l.contains(&format!("CONNECT {HOST}:"))));
}
