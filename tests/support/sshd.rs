//! A real OpenSSH server (Debian's `openssh-server`) on a loopback port, as "the shop's server"
//! a delivery target writes the new key to. Its host key and the user's key are made at test
//! time in the test's own folder; nothing of the machine's SSH setup is used or touched.

use std::path::{Path, PathBuf};

use super::app::{free_port, wait_listening};

pub struct Sshd {
    pub port: u16,
    dir: tempfile::TempDir,
    _child: tokio::process::Child,
}

fn keygen(path: &Path) {
    let made = std::process::Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-f"])
        .arg(path)
        .status()
        .expect("ssh-keygen runs (package openssh-client)");
    assert!(made.success());
}

fn user() -> String {
    String::from_utf8(std::process::Command::new("id").arg("-un").output().unwrap().stdout).unwrap().trim().to_string()
}

impl Sshd {
    pub async fn start() -> Sshd {
        let dir = tempfile::tempdir().unwrap();
        let path = |name: &str| dir.path().join(name);
        keygen(&path("host_key"));
        keygen(&path("user_key"));
        std::fs::copy(path("user_key.pub"), path("authorized_keys")).unwrap();
        let port = free_port();
        let config = format!(
            "Port {port}\nListenAddress 127.0.0.1\nHostKey {host}\nAuthorizedKeysFile {keys}\nPidFile {pid}\n\
             StrictModes no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n\
             PermitRootLogin prohibit-password\nAllowTcpForwarding no\nX11Forwarding no\nLogLevel VERBOSE\n",
            host = path("host_key").display(),
            keys = path("authorized_keys").display(),
            pid = path("sshd.pid").display(),
        );
        std::fs::write(path("sshd_config"), config).unwrap();
        // sshd's privilege separation folder, which a machine that never ran it lacks.
        std::fs::create_dir_all("/run/sshd").unwrap();
        let child = tokio::process::Command::new("/usr/sbin/sshd")
            .args(["-D", "-e", "-f"])
            .arg(path("sshd_config"))
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(path("sshd.log")).unwrap())
            .kill_on_drop(true)
            .spawn()
            .expect("sshd runs (package openssh-server)");
        let host_key = std::fs::read_to_string(path("host_key.pub")).unwrap();
        std::fs::write(path("known_hosts"), format!("[127.0.0.1]:{port} {host_key}")).unwrap();
        let sshd = Sshd { port, dir, _child: child };
        wait_listening(port, "sshd", || sshd.log()).await;
        sshd
    }

    /// A file on "the server" (this computer, reached through SSH).
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The SSH preset's command line, with the options this test server needs: its own known
    /// hosts, the test's key, its port.
    pub fn preset_command(&self, remote_file: &Path) -> String {
        let preset = certopay_keys::rules::delivery_target::preset_command(
            certopay_keys::rules::delivery_target::Preset::Ssh,
            &[&format!("{}@127.0.0.1", user()), &remote_file.display().to_string(), ""],
        );
        let options = format!(
            "-o UserKnownHostsFile={} -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -i {} -p {}",
            self.file("known_hosts").display(),
            self.file("user_key").display(),
            self.port
        );
        preset.replacen("ssh -o BatchMode=yes", &format!("ssh -o BatchMode=yes {options}"), 1)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.file("sshd.log")).unwrap_or_default()
    }
}
