//! Delivering a new key straight to where the merchant's systems read it: a profile's delivery
//! command, which receives the secret on its standard input and nothing else. The command line
//! is split as a shell splits words, and never run through a shell; the secret is never in its
//! arguments, its environment or a file of ours. What it prints is read bounded and screened.
//! Plain Rust: no tauri here.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::error::AppError;

/// How long a delivery may take unless the profile says otherwise.
pub const DEFAULT_TIMEOUT_S: u32 = 30;
/// The longest timeout a profile may set.
pub const MAX_TIMEOUT_S: u32 = 600;
/// The most of a command's output that is read, each stream: it only goes to a details line.
pub const MAX_OUTPUT: usize = 16 * 1024;

fn default_timeout() -> u32 {
    DEFAULT_TIMEOUT_S
}

/// Where a profile's new keys go, besides (or instead of) the clipboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryTarget {
    /// What the person calls it: "Servidor da loja".
    pub name: String,
    /// The command line; the secret arrives on its standard input, then end of input.
    pub command: String,
    #[serde(default = "default_timeout")]
    pub timeout_s: u32,
    /// Put the new key on the clipboard too, even when the delivery works.
    #[serde(default)]
    pub also_copy: bool,
}

fn invalid(field: &str, reason: &str) -> AppError {
    AppError::InvalidInput { field: field.into(), reason: reason.into() }
}

impl DeliveryTarget {
    /// Checks the fields and returns the command's words.
    pub fn words(&self) -> Result<Vec<String>, AppError> {
        if self.name.trim().is_empty() {
            return Err(invalid("deliveryName", "required"));
        }
        if !(1..=MAX_TIMEOUT_S).contains(&self.timeout_s) {
            return Err(invalid("deliveryTimeout", "outOfRange"));
        }
        let words = shell_words::split(&self.command).map_err(|_| invalid("deliveryCommand", "unbalancedQuotes"))?;
        if words.is_empty() {
            return Err(invalid("deliveryCommand", "required"));
        }
        Ok(words)
    }
}

/// Finds the program as the system would run it: a path as given, or a name on `PATH`. `None`
/// when it is not there or cannot be run.
pub fn find_program(program: &str) -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = if Path::new(program).components().count() > 1 {
        vec![PathBuf::from(program)]
    } else {
        std::env::var_os("PATH").map(|path| std::env::split_paths(&path).map(|dir| dir.join(program)).collect()).unwrap_or_default()
    };
    candidates.into_iter().flat_map(with_extensions).find(|c| runnable(c))
}

#[cfg(unix)]
fn with_extensions(path: PathBuf) -> Vec<PathBuf> {
    vec![path]
}

/// Windows finds `ssh` as `ssh.exe`: the extensions of PATHEXT, tried in order.
#[cfg(windows)]
fn with_extensions(path: PathBuf) -> Vec<PathBuf> {
    let extensions = std::env::var("PATHEXT").unwrap_or_else(|_| ".COM;.EXE;.BAT;.CMD".into());
    let mut all = vec![path.clone()];
    all.extend(extensions.split(';').filter(|e| !e.is_empty()).map(|e| {
        let mut with = path.clone().into_os_string();
        with.push(e);
        PathBuf::from(with)
    }));
    all
}

#[cfg(unix)]
fn runnable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(windows)]
fn runnable(path: &Path) -> bool {
    path.is_file()
}

/// Why a delivery did not work; the secret then goes to the clipboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum DeliveryFailure {
    /// The program is not there, or cannot be run.
    NotFound { program: String },
    /// It ran and exited with this status.
    Exited { code: i32 },
    /// It was ended by a signal (Unix).
    Killed { signal: i32 },
    /// It did not finish within the timeout, and was stopped.
    TimedOut { seconds: u32 },
    /// It could not be started or talked to.
    Failed { detail: String },
}

/// What a delivery did.
#[derive(Debug)]
pub struct DeliveryReport {
    pub outcome: Result<Duration, DeliveryFailure>,
    /// What it printed (standard output, then standard error), bounded and screened.
    pub output: String,
}

/// Runs the target's command once, the secret on its standard input then end of input, within
/// its timeout. `hidden` says of a word of its output that it must never be shown back (the
/// session's token, the account's password); the secret and anything key- or token-shaped are
/// hidden anyway.
pub async fn deliver(target: &DeliveryTarget, secret: &str, hidden: &(dyn Fn(&str) -> bool + Sync)) -> DeliveryReport {
    let failed = |failure| DeliveryReport { outcome: Err(failure), output: String::new() };
    let words = match target.words() {
        Ok(words) => words,
        Err(e) => return failed(DeliveryFailure::Failed { detail: e.to_string() }),
    };
    let Some(program) = find_program(&words[0]) else {
        return failed(DeliveryFailure::NotFound { program: words[0].clone() });
    };
    let started = Instant::now();
    let mut command = tokio::process::Command::new(&program);
    command.args(&words[1..]).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
    // No console window flashes up for it on Windows.
    #[cfg(windows)]
    command.creation_flags(0x0800_0000); // CREATE_NO_WINDOW
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return failed(DeliveryFailure::NotFound { program: words[0].clone() }),
        Err(e) => return failed(DeliveryFailure::Failed { detail: e.to_string() }),
    };
    let mut stdin = child.stdin.take().expect("piped");
    let (mut stdout, mut stderr) = (child.stdout.take().expect("piped"), child.stderr.take().expect("piped"));
    let run = async {
        // A command that never reads its input must not hold the write forever: the timeout
        // covers it. A command that exits without reading is its own failure to report.
        let write = async {
            let _ = stdin.write_all(secret.as_bytes()).await;
            drop(stdin);
        };
        let (_, out, err, status) = tokio::join!(write, read_bounded(&mut stdout), read_bounded(&mut stderr), child.wait());
        (out, err, status)
    };
    let (out, err, status) = match tokio::time::timeout(Duration::from_secs(u64::from(target.timeout_s)), run).await {
        Ok(done) => done,
        Err(_) => {
            let _ = child.kill().await;
            return failed(DeliveryFailure::TimedOut { seconds: target.timeout_s });
        }
    };
    let output = screened(&[out, err].join("\n"), secret, hidden);
    let outcome = match status {
        Ok(status) if status.success() => Ok(started.elapsed()),
        Ok(status) => Err(exit_failure(status)),
        Err(e) => Err(DeliveryFailure::Failed { detail: e.to_string() }),
    };
    DeliveryReport { outcome, output }
}

fn exit_failure(status: std::process::ExitStatus) -> DeliveryFailure {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            return DeliveryFailure::Killed { signal };
        }
    }
    DeliveryFailure::Exited { code: status.code().unwrap_or(-1) }
}

/// Reads a stream up to `MAX_OUTPUT`, then drains the rest unread so the command never blocks
/// on a full pipe.
async fn read_bounded(stream: &mut (impl tokio::io::AsyncRead + Unpin)) -> String {
    let mut kept = Vec::new();
    let mut chunk = [0u8; 4096];
    while let Ok(n) = stream.read(&mut chunk).await {
        if n == 0 {
            break;
        }
        let room = MAX_OUTPUT.saturating_sub(kept.len());
        kept.extend_from_slice(&chunk[..n.min(room)]);
    }
    String::from_utf8_lossy(&kept).into_owned()
}

/// The output as the window may see it: never the secret, a token, a key or a word `hidden`
/// refuses, each line short.
pub fn screened(output: &str, secret: &str, hidden: &dyn Fn(&str) -> bool) -> String {
    let mut text = output.trim().to_string();
    if secret.len() >= 8 {
        text = text.replace(secret, "[hidden]");
    }
    // Anything that looks like a key or a token, whoever printed it.
    let refused = |word: &str| ["sk_live_", "sk_test_", "eyJ"].iter().any(|p| word.contains(p)) || hidden(word);
    text.split('\n')
        .map(|line| line.split(' ').map(|word| if refused(word) { "[hidden]" } else { word }).collect::<Vec<_>>().join(" "))
        .filter(|line| !line.trim().is_empty())
        .take(20)
        .map(|line| line.chars().take(200).collect::<String>())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The presets of the profile form: the documented way to give each tool a secret on standard
/// input. The window fills the names in; these say the shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Preset {
    /// OpenSSH runs the remote command with the session's standard input (ssh(1): "the command
    /// is executed on the remote host"; stdin is forwarded). BatchMode: never a password prompt.
    Ssh,
    /// `gh secret set NAME`: without `--body` the value is read from standard input
    /// (cli/cli, `gh secret set --help`: "Read secret value from a file: gh secret set MYSECRET < myfile.txt").
    GithubActions,
    /// `vault kv put -mount=secret PATH api_key=-`: "it can be read from stdin using the '-'
    /// symbol" (developer.hashicorp.com/vault/docs/commands/kv/put).
    VaultKv,
    /// `doppler secrets set NAME --silent`: set "via an interactive mode, key-value pairs, or
    /// stdin" (docs.doppler.com/docs/setting-secrets); --silent keeps the value out of its output.
    Doppler,
}
// AWS Secrets Manager is left out: its CLI documents `--secret-string` and `file://` only, no
// standard-input form that works on Windows too.

/// Quotes one word for the command line so that `shell_words::split` gives it back whole.
fn quoted(word: &str) -> String {
    shell_words::quote(word).into_owned()
}

/// The command line of a preset, from the names the person fills in.
pub fn preset_command(preset: Preset, fields: &[&str]) -> String {
    let field = |i: usize| fields.get(i).copied().unwrap_or("").trim();
    match preset {
        Preset::Ssh => {
            // user@host, the file, an optional reload command.
            let mut remote = format!("umask 077 && cat > {}", quoted(field(1)));
            if !field(2).is_empty() {
                remote.push_str(&format!(" && {}", field(2)));
            }
            format!("ssh -o BatchMode=yes {} {}", quoted(field(0)), quoted(&remote))
        }
        Preset::GithubActions => format!("gh secret set {} --repo {}", quoted(field(0)), quoted(field(1))),
        Preset::VaultKv => format!("vault kv put -mount={} {} {}", quoted(field(0)), quoted(field(1)), quoted(&format!("{}=-", field(2)))),
        Preset::Doppler => format!("doppler secrets set {} --silent", quoted(field(0))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(command: &str) -> DeliveryTarget {
        DeliveryTarget { name: "Servidor da loja".into(), command: command.into(), timeout_s: 5, also_copy: false }
    }

    #[test]
    fn a_command_line_splits_as_a_shell_would_and_is_never_run_by_one() {
        let words = target(r#"ssh -o BatchMode=yes ana@loja 'umask 077 && cat > /etc/loja/certopay.key'"#).words().unwrap();
        assert_eq!(words, ["ssh", "-o", "BatchMode=yes", "ana@loja", "umask 077 && cat > /etc/loja/certopay.key"]);
        assert!(target("ssh 'unbalanced").words().is_err());
        assert!(target("   ").words().is_err());
        assert!(DeliveryTarget { timeout_s: 0, ..target("true") }.words().is_err());
    }

    #[test]
    fn presets_give_the_documented_stdin_forms() {
        let ssh = preset_command(Preset::Ssh, &["deploy@loja.example", "/srv/loja/certopay key", "systemctl reload loja"]);
        assert_eq!(
            shell_words::split(&ssh).unwrap(),
            ["ssh", "-o", "BatchMode=yes", "deploy@loja.example", "umask 077 && cat > '/srv/loja/certopay key' && systemctl reload loja"]
        );
        assert_eq!(
            preset_command(Preset::GithubActions, &["CERTOPAY_API_KEY", "loja/site"]),
            "gh secret set CERTOPAY_API_KEY --repo loja/site"
        );
        let vault = preset_command(Preset::VaultKv, &["secret", "loja/certopay", "api_key"]);
        assert_eq!(shell_words::split(&vault).unwrap(), ["vault", "kv", "put", "-mount=secret", "loja/certopay", "api_key=-"]);
        assert_eq!(preset_command(Preset::Doppler, &["CERTOPAY_API_KEY"]), "doppler secrets set CERTOPAY_API_KEY --silent");
    }

    #[test]
    fn output_never_shows_a_secret_or_a_token() {
        let shown = screened(
            "wrote sk_live_abcdef123456\nBearer eyJhbGciOi.x.y\n\nok: the-real-secret-value\npassword certopay-demo",
            "the-real-secret-value",
            &|word| word == "certopay-demo",
        );
        assert_eq!(shown, "wrote [hidden]\nBearer [hidden]\nok: [hidden]\npassword [hidden]");
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn the_secret_arrives_on_standard_input_and_failures_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let got = dir.path().join("got");
        let write = format!("sh -c 'cat > {}'", got.display());
        let report = deliver(&target(&write), "sk_live_secret", &|_| false).await;
        assert!(report.outcome.is_ok(), "{report:?}");
        assert_eq!(std::fs::read_to_string(&got).unwrap(), "sk_live_secret", "all of it, then end of input");

        let exit = deliver(&target("sh -c 'echo no permission >&2; exit 3'"), "sk_live_secret", &|_| false).await;
        assert_eq!(exit.outcome, Err(DeliveryFailure::Exited { code: 3 }));
        assert_eq!(exit.output, "no permission");
        let hang = deliver(&DeliveryTarget { timeout_s: 1, ..target("sleep 30") }, "sk_live_secret", &|_| false).await;
        assert_eq!(hang.outcome, Err(DeliveryFailure::TimedOut { seconds: 1 }));
        let missing = deliver(&target("/nonexistent/deliver-key"), "sk_live_secret", &|_| false).await;
        assert_eq!(missing.outcome, Err(DeliveryFailure::NotFound { program: "/nonexistent/deliver-key".into() }));
        let killed = deliver(&target("sh -c 'kill -9 $$'"), "sk_live_secret", &|_| false).await;
        assert_eq!(killed.outcome, Err(DeliveryFailure::Killed { signal: 9 }));
        assert!(find_program("sh").is_some() && find_program("no-such-program-here").is_none());
    }
}
