//! Running a delivery command: found as the system would find it, started without a shell
//! before the regenerate and proven ready, then given the secret on its standard input and end
//! of input (or killed, never given end of input, when there is no secret), within its
//! timeout; what it prints read bounded. The rules of a target (its words, its presets, the
//! screening of its output) are `rules::delivery_target`; what counts as delivered is
//! `rules::delivery_failure::delivery_verdict`. Each system's own calls: `unix_processes.rs`,
//! `windows_processes.rs`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::AsyncReadExt;

#[cfg(unix)]
mod unix_processes;
#[cfg(windows)]
mod windows_processes;

#[cfg(unix)]
use unix_processes::{process_end, runnable, unread_bytes, with_extensions, write_whole};
#[cfg(windows)]
use windows_processes::{process_end, runnable, unread_bytes, with_extensions, write_whole};

use crate::platform::process_tree::{self, ProcessTree};
use crate::rules::delivery_failure::{delivery_verdict, DeliveryFailure, EnvFileProblem, KeptAttribute};
use crate::rules::delivery_target::{
    plausible_secret, screened, DeliveryTarget, DELIVERED_MARKER, ENV_MARKER, KEEP_MARKER, MAX_OUTPUT, READY_MARKER,
};

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

/// What a delivery did.
#[derive(Debug)]
pub struct DeliveryReport {
    pub outcome: Result<Duration, DeliveryFailure>,
    /// What it printed (standard output, then standard error), bounded and screened.
    pub output: String,
    /// Where the key now is, as the command said it (`DELIVERED_MARKER`: the SSH preset names
    /// the file); `None` when it did not say.
    pub destination: Option<String>,
    /// The `.env` preset added the variable's line: the file did not set it.
    pub appended: bool,
}

impl DeliveryReport {
    fn failed(failure: DeliveryFailure) -> DeliveryReport {
        DeliveryReport { outcome: Err(failure), output: String::new(), destination: None, appended: false }
    }
}

/// A delivery command started before the regenerate and ready to read: the secret is written
/// with `deliver`, or, when there is no secret to give (refused, unknown), the command is
/// killed with `abandon` and never sees end of input, so it writes nothing. Dropped unfinished
/// (the app quits), it is killed the same way.
pub struct OpenDelivery {
    child: tokio::process::Child,
    /// The command and everything it started: what a kill stops.
    tree: ProcessTree,
    /// Its standard input; dropped (end of input) only after the whole secret is in.
    input: Option<std::io::PipeWriter>,
    /// Our own read end of that pipe: what is still in it once the command exited was never
    /// read. Holding it also means a write never fails because the command left.
    unread_probe: std::io::PipeReader,
    output: OutputReaders,
    timeout: Duration,
    settled: bool,
}

/// How long a command that promises no ready line must stay running before it is taken as
/// ready: long enough to see `true` or a missing file end, short beside a rotation.
const READY_SETTLE: Duration = Duration::from_millis(400);
/// Once the command exited, how long its output is still read (a background child of it may
/// hold the pipes open for ever).
const OUTPUT_GRACE: Duration = Duration::from_millis(300);

/// Starts the target's command and waits until it is ready to read: it printed the ready line
/// (`READY_MARKER`, when its command line promises it: the SSH preset does once the connection
/// is up and the temporary file exists), or it is still running after a short settle. A
/// command that ends, cannot start or is not ready within its time is a failure, told with
/// what it printed (screened with `hidden`).
pub async fn open(target: &DeliveryTarget, hidden: &(dyn Fn(&str) -> bool + Sync)) -> Result<OpenDelivery, DeliveryReport> {
    let words = target.words().map_err(|e| DeliveryReport::failed(DeliveryFailure::Failed { detail: e.to_string() }))?;
    if crate::rules::delivery_target::is_batch_file(&words[0]) {
        return Err(DeliveryReport::failed(DeliveryFailure::BatchFile));
    }
    let Some(program) = find_program(&words[0]) else {
        return Err(DeliveryReport::failed(DeliveryFailure::NotFound { program: words[0].clone() }));
    };
    let io_failure = |e: std::io::Error| DeliveryReport::failed(DeliveryFailure::Failed { detail: e.to_string() });
    let (reader, writer) = std::io::pipe().map_err(io_failure)?;
    let unread_probe = reader.try_clone().map_err(io_failure)?;
    let mut command = tokio::process::Command::new(&program);
    command.args(&words[1..]).stdin(reader).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
    crate::platform::web_process::without_switches(&mut command);
    // A kill reaches every process it starts (a shell's `cat`, a job-control shell's background
    // job, PowerShell's `vault.exe`), so none of them is left to see end of input and write an
    // empty key.
    let mark = process_tree::prepare(&mut command);
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(DeliveryReport::failed(DeliveryFailure::NotFound { program: words[0].clone() }))
        }
        Err(e) => return Err(io_failure(e)),
    };
    drop(command);
    let tree = match ProcessTree::adopt(mark, &child) {
        Ok(tree) => tree,
        Err(e) => {
            let _ = child.start_kill();
            return Err(io_failure(e));
        }
    };
    let output = OutputReaders::start(&mut child);
    let mut open = OpenDelivery { child, tree, input: Some(writer), unread_probe, output, timeout: target.timeout(), settled: false };
    let promises_ready_line = target.command.contains(READY_MARKER);
    let mut ready_line = open.output.ready_line.clone();
    let ready = async {
        if promises_ready_line {
            if ready_line.wait_for(|seen| *seen).await.is_err() {
                // Its output ended without the line: only its exit (or the limit) says more.
                std::future::pending::<()>().await;
            }
        } else {
            tokio::time::sleep(READY_SETTLE).await;
        }
    };
    let failure = tokio::select! {
        status = open.child.wait() => match status {
            Ok(status) => process_end(status).failure(),
            Err(e) => DeliveryFailure::Failed { detail: e.to_string() },
        },
        within = tokio::time::timeout(target.ready_limit(), ready) => match within {
            Ok(()) => return Ok(open),
            Err(_) => DeliveryFailure::TimedOut { seconds: target.ready_limit().as_secs() as u32 },
        },
    };
    open.kill().await;
    let said = open.output.collect("", hidden).await;
    // The preset said why: the new file could not keep the shop's owner, group or mode, or the
    // environment file cannot take the key.
    let failure = match (said.cannot_keep, said.env_problem) {
        (Some(what), _) => DeliveryFailure::CannotKeep { what },
        (None, Some(problem)) => DeliveryFailure::EnvFile { problem },
        (None, None) => failure,
    };
    Err(DeliveryReport { output: said.output, ..DeliveryReport::failed(failure) })
}

impl OpenDelivery {
    /// Whether it is still running: checked again just before the regenerate is sent.
    pub fn still_ready(&mut self) -> Result<(), DeliveryFailure> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(process_end(status).failure()),
            Err(e) => Err(DeliveryFailure::Failed { detail: e.to_string() }),
        }
    }

    /// Writes the secret, then end of input, and waits for the command within its timeout.
    /// Delivered only if it read every byte and exited 0; the verdict follows the process, not
    /// its pipes. A secret that is not a plausible key is never written: the command is
    /// stopped and the key goes to the clipboard.
    pub async fn deliver(mut self, secret: &str, hidden: &(dyn Fn(&str) -> bool + Sync)) -> DeliveryReport {
        if !plausible_secret(secret) {
            self.kill().await;
            let said = self.output.collect(secret, hidden).await;
            return DeliveryReport { output: said.output, ..DeliveryReport::failed(DeliveryFailure::ImplausibleKey) };
        }
        let started = Instant::now();
        let input = self.input.take().expect("written once");
        let key = zeroize::Zeroizing::new(secret.as_bytes().to_vec());
        // The write and the wait, both within the timeout; the write off the runtime's threads,
        // and never blocking even there (a key of at most 512 bytes into an empty pipe).
        let verdict = tokio::time::timeout(self.timeout, async {
            let written = tokio::task::spawn_blocking(move || write_whole(input, &key))
                .await
                .unwrap_or_else(|e| Err(std::io::Error::other(e.to_string())));
            (written, self.child.wait().await)
        })
        .await;
        let outcome = match verdict {
            Err(_) => {
                self.kill().await;
                Err(DeliveryFailure::TimedOut { seconds: self.timeout.as_secs() as u32 })
            }
            Ok((written, status)) => {
                self.settled = true;
                let unread = unread_bytes(&self.unread_probe);
                let written = written.map_err(|e| e.to_string());
                let ended = status.map(process_end).map_err(|e| e.to_string());
                delivery_verdict(written, ended, unread).map(|()| started.elapsed())
            }
        };
        let said = self.output.collect(secret, hidden).await;
        let destination = said.delivered_to.filter(|_| outcome.is_ok());
        let appended = said.appended && outcome.is_ok();
        DeliveryReport { outcome, output: said.output, destination, appended }
    }

    /// There is no secret to give: the command is killed before it ever sees end of input.
    pub async fn abandon(mut self) {
        self.kill().await;
    }

    /// Kills the command and everything it started, and reaps it; only then is its input
    /// closed, when this is dropped.
    async fn kill(&mut self) {
        self.kill_now();
        let _ = self.child.wait().await;
        self.settled = true;
    }

    fn kill_now(&mut self) {
        self.tree.stop();
        let _ = self.child.start_kill();
    }
}

impl Drop for OpenDelivery {
    fn drop(&mut self) {
        if !self.settled {
            // The input is a field dropped after this: the kill comes first.
            self.kill_now();
        }
    }
}

/// Writes the whole key and closes the input (end of input). On Unix the write end is made
/// non-blocking first: the pipe is empty and the key small, so it goes in at once or fails.
/// Standard output and error, each read (bounded) by its own task while the command runs;
/// the ready line is noticed on standard output.
struct OutputReaders {
    stdout: tokio::task::JoinHandle<()>,
    stderr: tokio::task::JoinHandle<()>,
    ready_line: tokio::sync::watch::Receiver<bool>,
    kept_stdout: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    kept_stderr: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
}

impl OutputReaders {
    fn start(child: &mut tokio::process::Child) -> OutputReaders {
        let (ready_tx, ready_line) = tokio::sync::watch::channel(false);
        let kept_stdout = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept_stderr = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let stdout = child.stdout.take().expect("piped");
        let stderr = child.stderr.take().expect("piped");
        OutputReaders {
            stdout: tokio::spawn(read_bounded(stdout, kept_stdout.clone(), Some(ready_tx))),
            stderr: tokio::spawn(read_bounded(stderr, kept_stderr.clone(), None)),
            ready_line,
            kept_stdout,
            kept_stderr,
        }
    }

    /// What it printed, screened: read to the end, or for `OUTPUT_GRACE` after the command
    /// ended when something else still holds the pipes. The preset's own lines are read out,
    /// never shown.
    async fn collect(&mut self, secret: &str, hidden: &(dyn Fn(&str) -> bool + Sync)) -> Said {
        let _ = tokio::time::timeout(OUTPUT_GRACE, async {
            let _ = (&mut self.stdout).await;
            let _ = (&mut self.stderr).await;
        })
        .await;
        self.stdout.abort();
        self.stderr.abort();
        let text = |kept: &std::sync::Mutex<Vec<u8>>| String::from_utf8_lossy(&kept.lock().unwrap()).into_owned();
        let stdout = text(&self.kept_stdout);
        let after = |marker: &str| stdout.lines().find_map(|line| line.trim().strip_prefix(marker)).map(|rest| rest.trim().to_string());
        let delivered_to = after(DELIVERED_MARKER).filter(|place| !place.is_empty());
        let cannot_keep = after(KEEP_MARKER).and_then(|what| KeptAttribute::named(&what));
        let env_said: Vec<String> =
            stdout.lines().filter_map(|line| line.trim().strip_prefix(ENV_MARKER)).map(|w| w.trim().to_string()).collect();
        let env_problem = env_said.iter().find_map(|word| EnvFileProblem::named(word));
        let appended = env_said.iter().any(|word| word == "appended");
        let own_line = |line: &&str| {
            let line = line.trim();
            line == READY_MARKER || [DELIVERED_MARKER, KEEP_MARKER, ENV_MARKER].iter().any(|marker| line.starts_with(marker))
        };
        let out: String = stdout.lines().filter(|line| !own_line(line)).collect::<Vec<_>>().join("\n");
        let output = screened(&[out, text(&self.kept_stderr)].join("\n"), secret, hidden);
        Said { output, delivered_to: delivered_to.map(|place| screened(&place, secret, hidden)), cannot_keep, env_problem, appended }
    }
}

/// What a command printed: its output for the details line, and what the presets' own lines said.
struct Said {
    output: String,
    delivered_to: Option<String>,
    cannot_keep: Option<KeptAttribute>,
    env_problem: Option<EnvFileProblem>,
    appended: bool,
}

/// Reads a stream up to `MAX_OUTPUT` into `kept`, then drains the rest unread so the command
/// never blocks on a full pipe; tells `ready` once the ready line was printed.
async fn read_bounded(
    mut stream: impl tokio::io::AsyncRead + Unpin,
    kept: std::sync::Arc<std::sync::Mutex<Vec<u8>>>,
    ready: Option<tokio::sync::watch::Sender<bool>>,
) {
    let mut chunk = [0u8; 4096];
    while let Ok(n) = stream.read(&mut chunk).await {
        if n == 0 {
            break;
        }
        let mut kept = kept.lock().unwrap();
        let room = MAX_OUTPUT.saturating_sub(kept.len());
        kept.extend_from_slice(&chunk[..n.min(room)]);
        if let Some(ready) = &ready {
            if !*ready.borrow() && String::from_utf8_lossy(&kept).lines().any(|line| line.trim() == READY_MARKER) {
                ready.send_replace(true);
            }
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn target(command: &str) -> DeliveryTarget {
        DeliveryTarget { name: "Servidor da loja".into(), command: command.into(), timeout_s: 5, also_copy: false }
    }

    /// Opens the target, then gives it the secret: the whole delivery.
    async fn run(target: &DeliveryTarget, secret: &str) -> DeliveryReport {
        match open(target, &|_| false).await {
            Ok(open) => open.deliver(secret, &|_| false).await,
            Err(report) => report,
        }
    }

    #[tokio::test]
    async fn the_secret_arrives_on_standard_input_and_failures_are_told_apart() {
        let dir = tempfile::tempdir().unwrap();
        let got = dir.path().join("got");
        let write = format!("sh -c 'cat > {}'", got.display());
        let report = run(&target(&write), "sk_live_secret").await;
        assert!(report.outcome.is_ok(), "{report:?}");
        assert_eq!(std::fs::read_to_string(&got).unwrap(), "sk_live_secret", "all of it, then end of input");

        let exit = run(&target("sh -c 'cat > /dev/null; echo no permission >&2; exit 3'"), "sk_live_secret").await;
        assert_eq!(exit.outcome, Err(DeliveryFailure::Exited { code: 3 }));
        assert_eq!(exit.output, "no permission");
        let hang = run(&DeliveryTarget { timeout_s: 1, ..target("sleep 30") }, "sk_live_secret").await;
        assert_eq!(hang.outcome, Err(DeliveryFailure::TimedOut { seconds: 1 }));
        let missing = run(&target("/nonexistent/deliver-key"), "sk_live_secret").await;
        assert_eq!(missing.outcome, Err(DeliveryFailure::NotFound { program: "/nonexistent/deliver-key".into() }));
        let killed = run(&target("sh -c 'cat > /dev/null; kill -9 $$'"), "sk_live_secret").await;
        assert_eq!(killed.outcome, Err(DeliveryFailure::Killed { signal: 9 }));
        assert!(find_program("sh").is_some() && find_program("no-such-program-here").is_none());
    }

    #[tokio::test]
    async fn a_command_that_ends_before_it_is_ready_is_told_with_its_own_words() {
        let refused = open(&target("sh -c 'echo ssh: connect to host loja port 22: Connection refused >&2; exit 255'"), &|_| false).await;
        let report = refused.err().expect("never ready");
        assert_eq!(report.outcome, Err(DeliveryFailure::Exited { code: 255 }));
        assert_eq!(report.output, "ssh: connect to host loja port 22: Connection refused");
        // A command that promises the ready line is waited for until it prints it.
        let silent = open(&DeliveryTarget { timeout_s: 1, ..target("sh -c 'sleep 30; echo certopay-ready'") }, &|_| false).await;
        assert_eq!(silent.err().expect("never ready").outcome, Err(DeliveryFailure::TimedOut { seconds: 1 }));
    }

    #[tokio::test]
    async fn delivered_only_when_the_whole_key_was_read_and_the_command_exited_0() {
        // `true` reads nothing: it ends before it is ready, or leaves the key in the pipe.
        let report = run(&target("true"), "sk_live_secret").await;
        assert!(matches!(report.outcome, Err(DeliveryFailure::Exited { code: 0 } | DeliveryFailure::LeftUnread { .. })), "{report:?}");
        // One byte read, the rest left: not delivered, whatever its exit status.
        let partial = run(&target("sh -c 'echo certopay-ready; dd bs=1 count=1 of=/dev/null 2>/dev/null'"), "sk_live_secret").await;
        assert_eq!(partial.outcome, Err(DeliveryFailure::LeftUnread { bytes: 13 }));
    }

    #[tokio::test]
    async fn the_verdict_follows_the_process_not_a_background_child_holding_its_output() {
        let dir = tempfile::tempdir().unwrap();
        let got = dir.path().join("got");
        let command = format!("sh -c 'cat > {}; echo reloading; sleep 60 &'", got.display());
        let report = run(&DeliveryTarget { timeout_s: 30, ..target(&command) }, "sk_live_secret").await;
        let took = report.outcome.clone().expect("delivered");
        assert!(took < Duration::from_secs(30), "delivered as soon as it exited, not at the timeout: {took:?}");
        assert_eq!(report.output, "reloading");
        assert_eq!(std::fs::read_to_string(&got).unwrap(), "sk_live_secret");
    }

    #[tokio::test]
    async fn an_abandoned_command_is_killed_before_it_ever_sees_end_of_input() {
        let dir = tempfile::tempdir().unwrap();
        let after = dir.path().join("after-end-of-input");
        // The shell runs `cat` as its child: the kill reaches both, so nothing after the read runs.
        let command = format!("sh -c 'cat > /dev/null; touch {}'", after.display());
        let open = open(&target(&command), &|_| false).await.expect("ready");
        open.abandon().await;
        assert!(!after.exists(), "the command went on as if the input had ended");
    }
}

#[cfg(all(test, target_os = "linux"))]
mod whole_tree_tests {
    use super::*;

    fn target(command: &str) -> DeliveryTarget {
        DeliveryTarget { name: "Servidor da loja".into(), command: command.into(), timeout_s: 10, also_copy: false }
    }

    /// Waits (bounded) until the process whose id is written in `pid_file` has ended, whatever
    /// ended it: only then can a test say what it did or did not do.
    async fn wait_until_gone(pid_file: &Path) {
        let deadline = Instant::now() + Duration::from_secs(20);
        let pid = loop {
            if let Some(pid) = std::fs::read_to_string(pid_file).ok().and_then(|t| t.trim().parse::<u32>().ok()) {
                break pid;
            }
            assert!(Instant::now() < deadline, "the reader never started");
            tokio::time::sleep(Duration::from_millis(20)).await;
        };
        loop {
            let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok();
            // Gone, or a zombie: it runs no more code.
            if state.as_deref().is_none_or(|s| s.rsplit(") ").next().is_some_and(|rest| rest.starts_with('Z'))) {
                return;
            }
            assert!(Instant::now() < deadline, "the reader {pid} still runs");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Abandons the delivery (a refused regenerate) and says whether anything of it went on to
    /// see end of input.
    async fn after_abandon(command: impl Fn(&Path, &Path) -> String, wait_for_leader: bool) -> bool {
        let dir = tempfile::tempdir().unwrap();
        let (after, pid) = (dir.path().join("AFTER"), dir.path().join("reader.pid"));
        let mut open = open(&target(&command(&after, &pid)), &|_| false).await.expect("ready");
        if wait_for_leader {
            // The leader ends on its own and is reaped (as the check before the regenerate does).
            while open.still_ready().is_ok() {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        open.abandon().await;
        wait_until_gone(&pid).await;
        after.exists()
    }

    #[tokio::test]
    async fn a_background_reader_is_stopped_even_after_its_shell_was_reaped() {
        let went_on = after_abandon(
            |after, pid| {
                // A background job of a shell without job control reads /dev/null unless it takes
                // the input by another descriptor: this one does, as a real reader would.
                format!(
                    "sh -c 'exec 3<&0; (exec sh -c \"echo \\$\\$ > {}; cat <&3 > /dev/null; touch {}\") & sleep 0.6'",
                    pid.display(),
                    after.display()
                )
            },
            true,
        )
        .await;
        assert!(!went_on, "the background reader saw end of input after its shell had ended");
    }

    #[tokio::test]
    async fn a_reader_in_a_job_control_shells_own_group_is_stopped_too() {
        let went_on = after_abandon(
            |after, pid| {
                format!("bash -c 'set -m; (echo $BASHPID > {}; cat > /dev/null; touch {}) & wait'", pid.display(), after.display())
            },
            false,
        )
        .await;
        assert!(!went_on, "the job-control shell's background job saw end of input");
    }

    #[tokio::test]
    async fn a_reader_that_started_its_own_session_is_stopped_too() {
        let went_on = after_abandon(
            |after, pid| format!("setsid -w sh -c 'echo $$ > {}; cat > /dev/null; touch {}'", pid.display(), after.display()),
            false,
        )
        .await;
        assert!(!went_on, "the reader in its own session saw end of input");
    }

    #[tokio::test]
    async fn a_secret_that_is_not_a_plausible_key_never_reaches_the_command() {
        let dir = tempfile::tempdir().unwrap();
        let got = dir.path().join("got");
        for secret in ["sk_live_abc\nsecond line".to_string(), format!("sk_live_{}", "x".repeat(600))] {
            let open = open(&target(&format!("sh -c 'cat > {}'", got.display())), &|_| false).await.expect("ready");
            let report = open.deliver(&secret, &|_| false).await;
            assert_eq!(report.outcome, Err(DeliveryFailure::ImplausibleKey));
            assert!(std::fs::read(&got).is_ok_and(|got| got.is_empty()) || !got.exists(), "nothing was written");
        }
    }
}

#[cfg(all(test, windows))]
mod windows_tests {
    use super::*;

    /// Whether a process of this name runs now (a snapshot of the system's processes).
    fn running(name: &str) -> bool {
        use windows_sys::Win32::Foundation::{CloseHandle, INVALID_HANDLE_VALUE};
        use windows_sys::Win32::System::Diagnostics::ToolHelp::{
            CreateToolhelp32Snapshot, Process32FirstW, Process32NextW, PROCESSENTRY32W, TH32CS_SNAPPROCESS,
        };
        // SAFETY: a snapshot walked with a sized entry, then closed.
        unsafe {
            let snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0);
            assert!(snapshot != INVALID_HANDLE_VALUE);
            let mut entry: PROCESSENTRY32W = std::mem::zeroed();
            entry.dwSize = std::mem::size_of::<PROCESSENTRY32W>() as u32;
            let mut found = false;
            let mut more = Process32FirstW(snapshot, &mut entry) != 0;
            while more && !found {
                let end = entry.szExeFile.iter().position(|c| *c == 0).unwrap_or(entry.szExeFile.len());
                found = String::from_utf16_lossy(&entry.szExeFile[..end]).eq_ignore_ascii_case(name);
                more = Process32NextW(snapshot, &mut entry) != 0;
            }
            CloseHandle(snapshot);
            found
        }
    }

    /// cmd.exe starts another cmd.exe, which runs find.exe on the input and, once find.exe saw
    /// end of input, writes a file. Killing the first cmd.exe alone would leave the others to
    /// go on: the whole job is ended, so the file is never written.
    #[tokio::test]
    async fn an_abandoned_command_and_all_it_started_are_ended_with_its_job() {
        let dir = tempfile::tempdir().unwrap();
        let after = dir.path().join("after.txt");
        let command = format!("cmd.exe /c cmd.exe /c \"find x & echo after> {}\"", after.display());
        let target = DeliveryTarget { name: "Servidor da loja".into(), command, timeout_s: 60, also_copy: false };
        let open = open(&target, &|_| false).await.expect("ready");
        let started = Instant::now();
        while !running("find.exe") {
            assert!(started.elapsed() < Duration::from_secs(30), "find.exe never started");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        open.abandon().await;
        // Whatever ended them (the job, or end of input), they write nothing more once gone.
        while running("find.exe") || running("cmd.exe") {
            assert!(started.elapsed() < Duration::from_secs(60), "find.exe or cmd.exe still runs");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert!(!after.exists(), "what the command started saw end of input and went on");
    }

    /// A real program (Windows' own find.exe) copied into a folder with spaces, named by its
    /// backslash path: split by Windows' rules, it runs, reads the whole key and exits 0.
    #[tokio::test]
    async fn a_program_in_a_folder_with_spaces_runs_by_its_backslash_path() {
        let system = std::env::var("SystemRoot").unwrap_or_else(|_| r"C:\windows".into());
        let dir = tempfile::Builder::new().prefix("Loja Entrega ").tempdir().unwrap();
        let program = dir.path().join("find.exe");
        std::fs::copy(format!(r"{system}\system32\find.exe"), &program).unwrap();
        let command = format!("\"{}\" sk_live_", program.display());
        assert!(command.contains(r"\Loja Entrega "), "{command}");
        let target = DeliveryTarget { name: "Servidor da loja".into(), command, timeout_s: 60, also_copy: false };
        let open = open(&target, &|_| false).await.expect("ready");
        let report = open.deliver("sk_live_secret_key_for_the_test", &|_| false).await;
        assert!(report.outcome.is_ok(), "{report:?}");
        assert_eq!(report.output, "[hidden]", "it printed the key back; the window never sees it");
    }
}
