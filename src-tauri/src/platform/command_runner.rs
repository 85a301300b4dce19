//! Running a delivery command: found as the system would find it, started without a shell, the
//! secret written to its standard input then end of input, within its timeout; what it prints
//! read bounded. The rules of a target (its words, its presets, the screening of its output)
//! are `rules::delivery_target`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::rules::delivery_target::{screened, DeliveryFailure, DeliveryTarget, MAX_OUTPUT};

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
pub async fn run_with_secret(target: &DeliveryTarget, secret: &str, hidden: &(dyn Fn(&str) -> bool + Sync)) -> DeliveryReport {
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

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn target(command: &str) -> DeliveryTarget {
        DeliveryTarget { name: "Servidor da loja".into(), command: command.into(), timeout_s: 5, also_copy: false }
    }

    #[tokio::test]
    async fn the_secret_arrives_on_standard_input_and_failures_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let got = dir.path().join("got");
        let write = format!("sh -c 'cat > {}'", got.display());
        let report = run_with_secret(&target(&write), "sk_live_secret", &|_| false).await;
        assert!(report.outcome.is_ok(), "{report:?}");
        assert_eq!(std::fs::read_to_string(&got).unwrap(), "sk_live_secret", "all of it, then end of input");

        let exit = run_with_secret(&target("sh -c 'echo no permission >&2; exit 3'"), "sk_live_secret", &|_| false).await;
        assert_eq!(exit.outcome, Err(DeliveryFailure::Exited { code: 3 }));
        assert_eq!(exit.output, "no permission");
        let hang = run_with_secret(&DeliveryTarget { timeout_s: 1, ..target("sleep 30") }, "sk_live_secret", &|_| false).await;
        assert_eq!(hang.outcome, Err(DeliveryFailure::TimedOut { seconds: 1 }));
        let missing = run_with_secret(&target("/nonexistent/deliver-key"), "sk_live_secret", &|_| false).await;
        assert_eq!(missing.outcome, Err(DeliveryFailure::NotFound { program: "/nonexistent/deliver-key".into() }));
        let killed = run_with_secret(&target("sh -c 'kill -9 $$'"), "sk_live_secret", &|_| false).await;
        assert_eq!(killed.outcome, Err(DeliveryFailure::Killed { signal: 9 }));
        assert!(find_program("sh").is_some() && find_program("no-such-program-here").is_none());
    }
}
