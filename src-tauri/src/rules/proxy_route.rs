//! Which proxy a profile's requests go through: the system's (the default), none, or one the
//! profile names. Decided here, without the network, for one server address at a time.
//! Loopback never goes through a proxy. Plain Rust: no tauri, no HTTP here.
//!
//! "System" on Linux is the proxy variables (`HTTPS_PROXY`, then `ALL_PROXY`, either case, with
//! `NO_PROXY`), else GNOME's proxy settings where they are set to manual; on Windows and macOS
//! the client asks the system's own settings (reqwest's `system-proxy`).

use serde::{Deserialize, Serialize};
use url::Url;

use crate::rules::app_error::{AppError, InputField, InputProblem};
use crate::rules::base_url::BaseUrl;

/// A profile's proxy choice, as the settings file keeps it (never a password: that is in the
/// OS keychain).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum ProxyChoice {
    #[default]
    System,
    None,
    /// `address`: `host:port` or `http://host:port`; `user`: empty when it asks for none.
    Explicit {
        address: String,
        #[serde(default)]
        user: String,
    },
}

/// Where the system's proxy setting was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ProxySource {
    Profile,
    /// A proxy variable (its name is in `ProxyRoute::Via::variable`).
    Environment,
    Gnome,
}

/// How requests to one server go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyRoute {
    Direct,
    Via {
        proxy: Url,
        source: ProxySource,
        variable: Option<&'static str>,
    },
    /// Windows and macOS: the system's own settings, read by the client.
    PlatformSettings,
}

/// GNOME's proxy settings (`org.gnome.system.proxy`), where the mode is manual.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GnomeProxy {
    pub host: String,
    pub port: u16,
    pub ignore_hosts: Vec<String>,
}

/// A proxy address as a person types it: `proxy.loja.example:3128` or with `http://`.
pub fn parse_proxy_address(text: &str) -> Result<Url, AppError> {
    let invalid = |reason| AppError::invalid(InputField::Proxy, reason);
    let text = text.trim();
    if text.is_empty() {
        return Err(invalid(InputProblem::Required));
    }
    let with_scheme = if text.contains("://") { text.to_string() } else { format!("http://{text}") };
    let url = Url::parse(&with_scheme).map_err(|_| invalid(InputProblem::NotAProxy))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() || url.port_or_known_default().is_none() {
        return Err(invalid(InputProblem::NotAProxy));
    }
    // A password in the address would end up in the settings file: it goes to the keychain.
    if !url.username().is_empty() || url.password().is_some() || url.path() != "/" || url.query().is_some() {
        return Err(invalid(InputProblem::NotAProxy));
    }
    Ok(url)
}

/// What a proxy's password is kept under in the OS keychain, with its user: apart from every
/// server's (those are `https://…` origins).
pub fn keychain_origin(address: &str) -> Result<String, AppError> {
    Ok(format!("proxy {}", parse_proxy_address(address)?.origin().ascii_serialization()))
}

/// Whether `NO_PROXY`-style `rules` exempt `host`: `*`, an exact name or address, or a domain
/// (with or without a leading dot) and everything under it. Ports are ignored.
pub fn exempt(host: &str, rules: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
    rules.split(',').map(str::trim).filter(|r| !r.is_empty()).any(|rule| {
        if rule == "*" {
            return true;
        }
        let rule = rule.to_ascii_lowercase();
        // "host:port" and "[v6]:port": the port is not part of the match.
        let rule = match rule.rsplit_once(':') {
            Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) && (!name.contains(':') || name.ends_with(']')) => name,
            _ => rule.as_str(),
        };
        let rule = rule.trim_start_matches('[').trim_end_matches(']').trim_start_matches("*.").trim_start_matches('.');
        host == rule || host.ends_with(&format!(".{rule}"))
    })
}

/// The route for `target` under `choice`. `env` reads a variable; `gnome` reads GNOME's
/// settings (asked only when no variable names a proxy); `system_keeps_proxy`: the system
/// applies its own proxy settings to requests (Windows, macOS), so "System proxy" reads neither.
pub fn route(
    choice: &ProxyChoice,
    target: &BaseUrl,
    env: &dyn Fn(&str) -> Option<String>,
    gnome: &dyn Fn() -> Option<GnomeProxy>,
    system_keeps_proxy: bool,
) -> Result<ProxyRoute, AppError> {
    if target.is_loopback() {
        return Ok(ProxyRoute::Direct);
    }
    let host = target.host().unwrap_or_default();
    match choice {
        ProxyChoice::None => Ok(ProxyRoute::Direct),
        ProxyChoice::Explicit { address, .. } => {
            Ok(ProxyRoute::Via { proxy: parse_proxy_address(address)?, source: ProxySource::Profile, variable: None })
        }
        ProxyChoice::System if system_keeps_proxy => Ok(ProxyRoute::PlatformSettings),
        ProxyChoice::System => {
            let unusable = || AppError::invalid(InputField::Proxy, InputProblem::SystemNotAProxy);
            let read = |name: &str| env(name).or_else(|| env(&name.to_ascii_lowercase())).filter(|v| !v.trim().is_empty());
            if read("NO_PROXY").is_some_and(|rules| exempt(host, &rules)) {
                return Ok(ProxyRoute::Direct);
            }
            for variable in ["HTTPS_PROXY", "ALL_PROXY"] {
                if let Some(value) = read(variable) {
                    // A variable with a user and password in it is the system's choice; it is used as given.
                    let proxy = Url::parse(&value)
                        .ok()
                        .filter(|u| u.host_str().is_some())
                        .or_else(|| Url::parse(&format!("http://{value}")).ok())
                        .ok_or_else(unusable)?;
                    return Ok(ProxyRoute::Via { proxy, source: ProxySource::Environment, variable: Some(variable) });
                }
            }
            match gnome() {
                Some(g) if !g.ignore_hosts.iter().any(|rule| exempt(host, rule)) => {
                    let proxy = Url::parse(&format!("http://{}:{}", g.host, g.port)).map_err(|_| unusable())?;
                    Ok(ProxyRoute::Via { proxy, source: ProxySource::Gnome, variable: None })
                }
                _ => Ok(ProxyRoute::Direct),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn target(url: &str) -> BaseUrl {
        BaseUrl::parse(url).unwrap()
    }

    fn with_env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: HashMap<String, String> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| vars.get(name).cloned()
    }

    fn no_gnome() -> Option<GnomeProxy> {
        None
    }

    fn via(route: ProxyRoute) -> (String, ProxySource) {
        match route {
            ProxyRoute::Via { proxy, source, .. } => (proxy.to_string(), source),
            other => panic!("{other:?}"),
        }
    }

    const CERTOPAY: &str = "https://v2.certopaybrasil.com";

    #[test]
    fn none_is_direct_and_explicit_is_the_profiles() {
        let env = with_env(&[("HTTPS_PROXY", "http://company:3128")]);
        assert_eq!(route(&ProxyChoice::None, &target(CERTOPAY), &env, &no_gnome, false).unwrap(), ProxyRoute::Direct);
        let explicit = ProxyChoice::Explicit { address: "proxy.loja.example:8080".into(), user: String::new() };
        assert_eq!(
            via(route(&explicit, &target(CERTOPAY), &env, &no_gnome, false).unwrap()),
            ("http://proxy.loja.example:8080/".into(), ProxySource::Profile)
        );
        let bad = ProxyChoice::Explicit { address: "http://ana:senha@proxy:8080".into(), user: String::new() };
        assert!(route(&bad, &target(CERTOPAY), &env, &no_gnome, false).is_err(), "no password in the settings file");
    }

    #[test]
    fn system_reads_the_variables_then_gnome_and_honours_no_proxy() {
        let system = ProxyChoice::System;
        let t = target(CERTOPAY);
        assert_eq!(route(&system, &t, &with_env(&[]), &no_gnome, false).unwrap(), ProxyRoute::Direct);
        let env = with_env(&[("https_proxy", "http://company:3128"), ("ALL_PROXY", "http://other:1")]);
        // Where the system applies its own settings, neither the variables nor GNOME are read.
        assert_eq!(route(&system, &t, &env, &no_gnome, true).unwrap(), ProxyRoute::PlatformSettings);
        assert_eq!(via(route(&system, &t, &env, &no_gnome, false).unwrap()), ("http://company:3128/".into(), ProxySource::Environment));
        let env = with_env(&[("ALL_PROXY", "company:3128")]);
        assert_eq!(via(route(&system, &t, &env, &no_gnome, false).unwrap()).0, "http://company:3128/");
        for rules in ["*", "certopaybrasil.com", ".certopaybrasil.com", "localhost, v2.certopaybrasil.com:443"] {
            let env = with_env(&[("HTTPS_PROXY", "http://company:3128"), ("NO_PROXY", rules)]);
            assert_eq!(route(&system, &t, &env, &no_gnome, false).unwrap(), ProxyRoute::Direct, "{rules}");
        }
        let env = with_env(&[("HTTPS_PROXY", "http://company:3128"), ("no_proxy", "paybrasil.com,example.com")]);
        assert!(matches!(route(&system, &t, &env, &no_gnome, false).unwrap(), ProxyRoute::Via { .. }), "a suffix is not a domain");

        let gnome = || Some(GnomeProxy { host: "gnome-proxy".into(), port: 8080, ignore_hosts: vec!["localhost".into()] });
        assert_eq!(
            via(route(&system, &t, &with_env(&[]), &gnome, false).unwrap()),
            ("http://gnome-proxy:8080/".into(), ProxySource::Gnome)
        );
        let ignoring = || Some(GnomeProxy { host: "gnome-proxy".into(), port: 8080, ignore_hosts: vec!["*.certopaybrasil.com".into()] });
        assert_eq!(route(&system, &t, &with_env(&[]), &ignoring, false).unwrap(), ProxyRoute::Direct);
    }

    #[test]
    fn loopback_never_goes_through_a_proxy() {
        let env = with_env(&[("HTTPS_PROXY", "http://company:3128"), ("ALL_PROXY", "http://company:3128")]);
        let explicit = ProxyChoice::Explicit { address: "proxy:8080".into(), user: String::new() };
        for url in ["http://127.0.0.1:8080", "http://localhost:1", "https://[::1]:9"] {
            for choice in [ProxyChoice::System, explicit.clone()] {
                assert_eq!(route(&choice, &target(url), &env, &no_gnome, false).unwrap(), ProxyRoute::Direct, "{url} {choice:?}");
            }
        }
    }

    #[test]
    fn proxy_addresses_as_people_type_them() {
        assert_eq!(parse_proxy_address(" proxy.loja.example:3128 ").unwrap().as_str(), "http://proxy.loja.example:3128/");
        assert_eq!(parse_proxy_address("http://10.0.0.5:8080").unwrap().port(), Some(8080));
        for bad in ["", "ftp://proxy:21", "http://proxy:3128/path", "http://user:pw@proxy:3128", "://"] {
            assert!(parse_proxy_address(bad).is_err(), "{bad:?}");
        }
    }
}
