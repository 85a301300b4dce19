//! A real forward proxy for the office-network tests: Squid (Debian's package), on a loopback
//! port, with its own hosts file, so the server's name is known to the proxy alone, as on a
//! company network whose only way out is the proxy. Optionally it asks for a user and password.

use std::path::PathBuf;

use super::app::{free_port, wait_listening};
use std::time::{Duration, Instant};

pub struct Squid {
    pub port: u16,
    dir: tempfile::TempDir,
    _child: tokio::process::Child,
}

/// A user Squid accepts, when it asks for one.
pub struct ProxyUser<'a> {
    pub name: &'a str,
    pub password: &'a str,
}

impl Squid {
    /// Starts Squid knowing `hosts` (name, address) and returns once it accepts connections.
    pub async fn start(hosts: &[(&str, &str)], user: Option<ProxyUser<'_>>) -> Squid {
        let dir = tempfile::tempdir().unwrap();
        // Squid drops root for its own user: it must be able to write its logs here.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
        let path = |name: &str| dir.path().join(name).display().to_string();
        let hosts_text: String = hosts.iter().map(|(name, address)| format!("{address} {name}\n")).collect();
        std::fs::write(path("hosts"), hosts_text).unwrap();
        let port = free_port();
        let mut conf = format!(
            "http_port 127.0.0.1:{port}\n\
             pid_filename none\n\
             cache_log stdio:{log}\n\
             access_log stdio:{access}\n\
             hosts_file {hosts}\n\
             dns_nameservers 127.0.0.1\n\
             dns_timeout 2 seconds\n\
             read_timeout 2 seconds\n\
             pinger_enable off\n\
             coredump_dir {dir}\n\
             netdb_filename none\n\
             cache deny all\n\
             cache_mem 8 MB\n\
             shutdown_lifetime 0 seconds\n\
             acl here src 127.0.0.1/32\n",
            log = path("cache.log"),
            access = path("access.log"),
            hosts = path("hosts"),
            dir = dir.path().display(),
        );
        if let Some(user) = user {
            let hash = std::process::Command::new("openssl").args(["passwd", "-apr1", user.password]).output().expect("openssl runs");
            std::fs::write(path("passwd"), format!("{}:{}", user.name, String::from_utf8_lossy(&hash.stdout).trim())).unwrap();
            conf.push_str(&format!(
                "auth_param basic program /usr/lib/squid/basic_ncsa_auth {}\n\
                 auth_param basic realm Loja Exemplo\n\
                 acl staff proxy_auth REQUIRED\n\
                 http_access allow here staff\n",
                path("passwd")
            ));
        } else {
            conf.push_str("http_access allow here\n");
        }
        conf.push_str("http_access deny all\n");
        std::fs::write(path("squid.conf"), conf).unwrap();
        let child = tokio::process::Command::new("squid")
            .args(["-N", "-f", &path("squid.conf")])
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(path("stderr.log")).unwrap())
            .kill_on_drop(true)
            .spawn()
            .expect("squid runs (package squid)");
        let squid = Squid { port, dir, _child: child };
        wait_listening(port, "squid", || squid.logs()).await;
        squid
    }

    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// What the proxy was asked, one line a request.
    pub fn access_log(&self) -> String {
        std::fs::read_to_string(self.file("access.log")).unwrap_or_default()
    }

    /// What the proxy was asked, once a tunnel has closed (Squid writes a CONNECT line when it
    /// ends; an idle one ends after `read_timeout`, 2 s here, even while the app keeps it
    /// pooled), less the connections that asked nothing (the check that Squid is up).
    pub async fn tunnels(&self) -> Vec<String> {
        let started = Instant::now();
        loop {
            let lines: Vec<String> = self.access_log().lines().filter(|l| !l.contains("NONE_NONE/000")).map(str::to_string).collect();
            if lines.iter().any(|l| l.contains("CONNECT")) {
                return lines;
            }
            assert!(started.elapsed() < Duration::from_secs(20), "the proxy logged no tunnel: {}", self.logs());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn logs(&self) -> String {
        let read = |name| std::fs::read_to_string(self.file(name)).unwrap_or_default();
        format!("{}\n{}", read("stderr.log"), read("cache.log"))
    }
}
