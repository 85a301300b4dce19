//! Office networks: the sandbox over HTTPS with a company's certificate authority made at test
//! time and trusted through `SSL_CERT_FILE`, as IT installs one in the system's trust store.
//! With it the app logs in, reads the key and rotates; without it, or with a certificate for
//! another name or an expired one, the window is told which part failed.

mod support;

use certopay_keys::certopay::{CertificateProblem, CertoPayClient, ClientOptions};
use certopay_keys::error::AppError;
use certopay_sandbox::{Options, DEMO_PASSWORD};
use support::app::{sandbox, LIVE};
use support::company_ca::{CompanyCa, Leaf};
use support::harness::harness;

/// The trust store is the process's environment: one test at a time sets it.
static TRUST: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Makes `ca` the only authority this process trusts, until the guard drops.
async fn trusting(ca: &CompanyCa) -> tokio::sync::MutexGuard<'static, ()> {
    let guard = TRUST.lock().await;
    std::env::set_var("SSL_CERT_FILE", ca.bundle());
    std::env::remove_var("SSL_CERT_DIR");
    guard
}

async fn login_error(ca_trusted: &CompanyCa, server: &CompanyCa, leaf: Leaf<'_>) -> AppError {
    let _trust = trusting(ca_trusted).await;
    let sb = sandbox(Options { tls: Some(server.server("localhost", leaf)), ..Options::default() }).await;
    let client = CertoPayClient::new(&sb.url(), ClientOptions::default()).unwrap();
    client.login(LIVE, DEMO_PASSWORD).await.unwrap_err()
}

#[tokio::test]
async fn with_the_company_authority_installed_the_app_works_over_https() {
    let ca = CompanyCa::new("Loja Exemplo TI");
    let _trust = trusting(&ca).await;
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
    let client = CertoPayClient::new("https://api.certopay.invalid", ClientOptions::default()).unwrap();
    let error = client.login(LIVE, DEMO_PASSWORD).await.unwrap_err();
    assert!(matches!(error, AppError::NameNotFound { .. }), "{error:?}");
}
