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
        self.preset_command_as(&user(), remote_file)
    }

    /// The same, logging in as `user` on the server.
    pub fn preset_command_as(&self, user: &str, remote_file: &Path) -> String {
        self.reached(&certopay_keys::rules::delivery_target::preset_command(
            certopay_keys::rules::delivery_target::Preset::Ssh,
            &[&format!("{user}@127.0.0.1"), &remote_file.display().to_string(), ""],
        ))
    }

    /// The `.env` line preset's command line for `variable` in `remote_file`, as `user`.
    pub fn env_preset_command_as(&self, user: &str, remote_file: &Path, variable: &str) -> String {
        self.reached(&certopay_keys::rules::delivery_target::preset_command(
            certopay_keys::rules::delivery_target::Preset::EnvLine,
            &[&format!("{user}@127.0.0.1"), &remote_file.display().to_string(), variable, ""],
        ))
    }

    /// A preset's line with the options this test server needs: its own known hosts, the
    /// test's key, its port.
    fn reached(&self, preset: &str) -> String {
        let options = format!(
            "-o UserKnownHostsFile={} -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -i {} -p {}",
            self.file("known_hosts").display(),
            self.file("user_key").display(),
            self.port
        );
        preset.replacen("ssh -o BatchMode=yes", &format!("ssh -o BatchMode=yes {options}"), 1)
    }

    /// A folder on "the server" owned by the shop's deploy user, as `/etc/loja` would be: it may
    /// replace files in it. The test server's own folder lets that user through (and read the
    /// authorized keys, as sshd reads them as the user).
    pub fn shop_folder(&self, user: &ShopUsers) -> PathBuf {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(self.dir.path(), std::fs::Permissions::from_mode(0o711)).unwrap();
        std::fs::set_permissions(self.file("authorized_keys"), std::fs::Permissions::from_mode(0o644)).unwrap();
        let folder = self.file("loja");
        std::fs::create_dir_all(&folder).unwrap();
        std::os::unix::fs::chown(&folder, Some(user.deploy_uid), Some(user.deploy_gid)).unwrap();
        folder
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.file("sshd.log")).unwrap_or_default()
    }
}

/// A file on the shop's server as the shop set it up: its bytes, owner, group and mode.
pub fn shop_file(path: &Path, text: &str, uid: u32, gid: u32, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::os::unix::fs::chown(path, Some(uid), Some(gid)).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// (owner, group, mode) of a file, through links.
pub fn kept(path: &Path) -> (u32, u32, u32) {
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(path).unwrap();
    (meta.uid(), meta.gid(), meta.mode() & 0o7777)
}

/// The users of a common shop server: `deploy` (who delivers, member of the service's group)
/// and the service's group `loja`, plus a group `deploy` is not in. Real accounts on this
/// machine (the tests run as root, as sshd needs), made once with the system's own tools and
/// named so that nothing else could be meant.
pub struct ShopUsers {
    pub deploy: &'static str,
    pub deploy_uid: u32,
    pub deploy_gid: u32,
    /// The service's group, which `deploy` belongs to.
    pub loja_gid: u32,
    /// A group `deploy` does not belong to.
    pub other_gid: u32,
}

pub fn shop_users() -> &'static ShopUsers {
    static USERS: std::sync::OnceLock<ShopUsers> = std::sync::OnceLock::new();
    USERS.get_or_init(|| {
        let run = |program: &str, args: &[&str]| {
            let status = std::process::Command::new(program).args(args).status().unwrap_or_else(|e| panic!("{program}: {e}"));
            assert!(status.success(), "{program} {args:?}");
        };
        let exists = |db: &str, name: &str| std::process::Command::new("getent").args([db, name]).output().unwrap().status.success();
        for group in ["certopay-loja", "certopay-other"] {
            if !exists("group", group) {
                run("groupadd", &[group]);
            }
        }
        if !exists("passwd", "certopay-deploy") {
            // A usable login (a shell, no password: key only; `*` is not a locked account).
            run("useradd", &["-M", "-d", "/", "-s", "/bin/sh", "-p", "*", "-G", "certopay-loja", "certopay-deploy"]);
        }
        // A home that exists, so sshd says nothing of its own in what the delivery printed.
        let moved = std::process::Command::new("usermod").args(["-d", "/", "certopay-deploy"]).output().unwrap();
        assert!(moved.status.success(), "usermod: {}", String::from_utf8_lossy(&moved.stderr));
        let id = |flag: &str, name: &str| -> u32 {
            let out = std::process::Command::new("id").args([flag, name]).output().unwrap();
            String::from_utf8(out.stdout).unwrap().trim().parse().unwrap()
        };
        let gid = |group: &str| -> u32 {
            let out = std::process::Command::new("getent").args(["group", group]).output().unwrap();
            String::from_utf8(out.stdout).unwrap().split(':').nth(2).unwrap().parse().unwrap()
        };
        ShopUsers {
            deploy: "certopay-deploy",
            deploy_uid: id("-u", "certopay-deploy"),
            deploy_gid: id("-g", "certopay-deploy"),
            loja_gid: gid("certopay-loja"),
            other_gid: gid("certopay-other"),
        }
    })
}
