//! How the client reaches the server: TLS verified against the system's trust store, and what
//! a failure to connect was, named so the window can say which part failed (the certificate,
//! the name, the connection). Plain Rust: no tauri here.

use std::sync::Arc;

use rustls_platform_verifier::BuilderVerifierExt;
use serde::Serialize;

use crate::rules::app_error::{AppError, CertificateProblem, ProxyProblem};

/// The TLS setup: the system's verifier and trust store (rustls-platform-verifier), never a
/// way to turn verification off. Chosen over rustls-native-certs beside bundled roots because
/// on Windows and macOS it asks the OS itself, which applies what IT configured there (a
/// company's authority, revocation, policy); on Linux it reads the system bundle, honouring
/// SSL_CERT_FILE and SSL_CERT_DIR as OpenSSL does.
pub fn tls_config() -> Result<rustls::ClientConfig, AppError> {
    let failed = |e: rustls::Error| AppError::Network { detail: format!("TLS setup: {e}"), timed_out: false };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(failed)?
        .with_platform_verifier()
        .map_err(failed)?
        .with_no_client_auth())
}

/// Which certificates the client trusts, as Settings says it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustStore {
    /// "system" (the OS's store), "file" (SSL_CERT_FILE) or "dir" (SSL_CERT_DIR).
    pub kind: &'static str,
    pub path: Option<String>,
}

/// The trust store the verifier reads. On Linux the variables OpenSSL honours come first.
pub fn trust_store(env: &dyn Fn(&str) -> Option<String>) -> TrustStore {
    if cfg!(target_os = "linux") {
        for (variable, kind) in [("SSL_CERT_FILE", "file"), ("SSL_CERT_DIR", "dir")] {
            if let Some(path) = env(variable).filter(|p| !p.trim().is_empty()) {
                return TrustStore { kind, path: Some(path) };
            }
        }
    }
    TrustStore { kind: "system", path: None }
}

fn certificate_problem(error: &rustls::CertificateError) -> CertificateProblem {
    use rustls::CertificateError as E;
    match error {
        E::UnknownIssuer => CertificateProblem::Untrusted,
        E::NotValidForName | E::NotValidForNameContext { .. } => CertificateProblem::WrongName,
        E::Expired | E::ExpiredContext { .. } => CertificateProblem::Expired,
        E::NotValidYet | E::NotValidYetContext { .. } => CertificateProblem::NotYetValid,
        _ => CertificateProblem::Other,
    }
}

/// The proxy's refusals, which the client reports in words only (its CONNECT tunnel).
fn proxy_refusal(text: &str) -> Option<ProxyProblem> {
    let text = text.to_ascii_lowercase();
    if text.contains("underlying connection") {
        // The proxy itself could not be reached: the cause under this one says how.
        None
    } else if text.contains("proxy auth") {
        Some(ProxyProblem::AuthRequired)
    } else if text.contains("tunnel") {
        Some(ProxyProblem::Refused)
    } else {
        None
    }
}

/// The error under this one. rustls's error reaches the client inside io::Errors (two, nested),
/// whose `source` skips what they wrap: look inside them instead.
fn next_cause<'a>(error: &'a (dyn std::error::Error + 'static)) -> Option<&'a (dyn std::error::Error + 'static)> {
    match error.downcast_ref::<std::io::Error>().and_then(std::io::Error::get_ref) {
        Some(inner) => Some(inner),
        None => error.source(),
    }
}

/// What a failed request was, for the window: the first cause in the chain that names a part.
/// `via_proxy`: the request went to a proxy, so a refused connection or an unknown name is the
/// proxy's.
pub fn network_error(error: reqwest::Error, via_proxy: bool) -> AppError {
    let proxy = |problem, detail: String| AppError::Proxy { problem, detail };
    let timed_out = error.is_timeout();
    let mut innermost: &dyn std::error::Error = &error;
    let mut cause: Option<&dyn std::error::Error> = Some(&error);
    while let Some(current) = cause {
        if let Some(tls) = current.downcast_ref::<rustls::Error>() {
            if let rustls::Error::InvalidCertificate(certificate) = tls {
                return AppError::Certificate { problem: certificate_problem(certificate), detail: tls.to_string() };
            }
            return AppError::Network { detail: format!("the secure connection failed ({tls})"), timed_out: false };
        }
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::ConnectionRefused {
                if via_proxy {
                    return proxy(ProxyProblem::Unreachable, io.to_string());
                }
                return AppError::ConnectionRefused { detail: io.to_string() };
            }
        }
        let text = current.to_string();
        if let Some(problem) = proxy_refusal(&text).filter(|_| via_proxy) {
            return proxy(problem, text);
        }
        // hyper-util's resolver says so in words only.
        if text.starts_with("dns error") {
            let reason = current.source().map(|s| s.to_string()).unwrap_or(text);
            if via_proxy {
                return proxy(ProxyProblem::Unreachable, reason);
            }
            return AppError::NameNotFound { detail: reason };
        }
        innermost = current;
        cause = next_cause(current);
    }
    let detail = if timed_out {
        "the server did not answer in time".to_string()
    } else if error.is_connect() {
        format!("could not connect ({innermost})")
    } else {
        format!("the connection failed ({innermost})")
    };
    AppError::Network { detail, timed_out }
}
