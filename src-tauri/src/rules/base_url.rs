//! The address of a CertoPay server, checked once: the app sends a password and a token there,
//! so it must be https, or plain http on the loopback (the sandbox). Plain Rust.

use std::net::IpAddr;

use url::{Host, Url};

use crate::rules::app_error::{AppError, InputField, InputProblem};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(Url);

fn invalid(reason: InputProblem) -> AppError {
    AppError::invalid(InputField::BaseUrl, reason)
}

impl BaseUrl {
    /// Refuses what is not a plain server address (no user, query or fragment) and http
    /// anywhere but the loopback.
    pub fn parse(text: &str) -> Result<BaseUrl, AppError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(invalid(InputProblem::Required));
        }
        let url = Url::parse(text).map_err(|_| invalid(InputProblem::NotAUrl))?;
        let loopback = match url.host() {
            Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
            Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
            None => return Err(invalid(InputProblem::NotAUrl)),
        };
        match url.scheme() {
            "https" => {}
            "http" if loopback => {}
            "http" => return Err(invalid(InputProblem::NotHttps)),
            _ => return Err(invalid(InputProblem::NotAUrl)),
        }
        if !url.username().is_empty() || url.password().is_some() || url.query().is_some() || url.fragment().is_some() {
            return Err(invalid(InputProblem::NotAUrl));
        }
        Ok(BaseUrl(url))
    }

    /// This computer (localhost, 127.0.0.0/8, ::1): never reached through a proxy.
    pub fn is_loopback(&self) -> bool {
        match self.0.host() {
            Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
            Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
            None => false,
        }
    }

    /// Plain http, which `parse` allows on the loopback only.
    pub fn is_loopback_http(&self) -> bool {
        self.0.scheme() == "http"
    }

    /// The address as stored: no trailing slash.
    pub fn normalized(&self) -> String {
        self.0.as_str().trim_end_matches('/').to_string()
    }

    /// Scheme, host and port: what a remembered password is bound to.
    pub fn origin(&self) -> String {
        self.0.origin().ascii_serialization()
    }

    pub fn host(&self) -> Option<&str> {
        self.0.host_str()
    }

    /// An API path under this server, kept under any path prefix the address has.
    pub fn join(&self, path: &str) -> Url {
        let mut url = self.0.clone();
        let joined = format!("{}{}", url.path().trim_end_matches('/'), path);
        url.set_path(&joined);
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_rules() {
        assert!(BaseUrl::parse("https://v2.certopaybrasil.com").is_ok());
        for ok in ["http://127.0.0.1:8787", "http://localhost:1", "http://[::1]:9", "http://127.9.9.9"] {
            assert!(BaseUrl::parse(ok).is_ok(), "{ok}");
        }
        let reason = |text: &str| match BaseUrl::parse(text) {
            Err(AppError::InvalidInput { reason, .. }) => reason,
            other => panic!("{text}: {other:?}"),
        };
        assert_eq!(reason("http://v2.certopaybrasil.com"), InputProblem::NotHttps);
        assert_eq!(reason("http://192.168.0.2"), InputProblem::NotHttps);
        assert_eq!(reason("ftp://x"), InputProblem::NotAUrl);
        assert_eq!(reason("v2.certopaybrasil.com"), InputProblem::NotAUrl);
        assert_eq!(reason("https://user:pw@host"), InputProblem::NotAUrl);
        assert_eq!(reason("  "), InputProblem::Required);
    }

    #[test]
    fn paths_join_under_the_address() {
        let base = BaseUrl::parse("https://gw.example/certopay/").unwrap();
        assert_eq!(base.join("/api/auth/login").as_str(), "https://gw.example/certopay/api/auth/login");
        assert_eq!(base.normalized(), "https://gw.example/certopay");
        assert_eq!(base.origin(), "https://gw.example");
        assert_eq!(BaseUrl::parse("http://127.0.0.1:8787/x").unwrap().origin(), "http://127.0.0.1:8787");
    }
}
