//! GNOME's proxy settings, read through `gsettings` for the "System proxy" choice on Linux.
//! What they mean for a request is `rules::proxy_route`.

use crate::rules::proxy_route::GnomeProxy;

/// Whether the system applies its own proxy settings to the app's requests (Windows and macOS;
/// on Linux the app reads the environment and GNOME's settings itself).
pub const SYSTEM_KEEPS_PROXY: bool = !cfg!(target_os = "linux");

/// GNOME's proxy settings through `gsettings`, when its mode is "manual"; `None` otherwise or
/// where GNOME is not there. Blocking (a short process).
pub fn gnome_proxy() -> Option<GnomeProxy> {
    let get = |schema: &str, key: &str| -> Option<String> {
        let out = std::process::Command::new("gsettings").args(["get", schema, key]).stderr(std::process::Stdio::null()).output().ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    if get("org.gnome.system.proxy", "mode")?.trim_matches('\'') != "manual" {
        return None;
    }
    let host = get("org.gnome.system.proxy.https", "host")?.trim_matches('\'').to_string();
    let port = get("org.gnome.system.proxy.https", "port")?.parse().ok()?;
    if host.is_empty() || port == 0 {
        return None;
    }
    // An array such as ['localhost', '127.0.0.0/8', '*.loja.example'].
    let ignore = get("org.gnome.system.proxy", "ignore-hosts").unwrap_or_default();
    let ignore_hosts = ignore.trim_matches(|c| c == '[' || c == ']').split(',').map(|h| h.trim().trim_matches('\'').to_string()).collect();
    Some(GnomeProxy { host, port, ignore_hosts })
}
