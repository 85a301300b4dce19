//! Running a delivery command: found as the system would find it, started without a shell
//! before the regenerate and proven ready, then given the secret on its standard input and end
//! of input (or killed, never given end of input, when there is no secret), within its
//! timeout; what it prints read bounded. The rules of a target (its words, its presets, the screening of its output)
//! are `rules::delivery_target`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::AsyncReadExt;

use crate::rules::delivery_target::{screened, DeliveryFailure, DeliveryTarget, MAX_OUTPUT, READY_MARKER};

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

/// Windows finds `ssh` as `ssh.exe`: the extensions of PATHEXT, tried in order, less the batch
/// files' (they would run through cmd.exe, a shell).
#[cfg(windows)]
fn with_extensions(path: PathBuf) -> Vec<PathBuf> {
    let extensions = std::env::var("PATHEXT").unwrap_or_else(|_| ".COM;.EXE".into());
    let mut all = vec![path.clone()];
    let runnable = |e: &&str| !e.is_empty() && !crate::rules::delivery_target::is_batch_file(e);
    all.extend(extensions.split(';').filter(runnable).map(|e| {
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

impl DeliveryReport {
    fn failed(failure: DeliveryFailure) -> DeliveryReport {
        DeliveryReport { outcome: Err(failure), output: String::new() }
    }
}

/// A delivery command started before the regenerate and ready to read: the secret is written
/// with `deliver`, or, when there is no secret to give (refused, unknown), the command is
/// killed with `abandon` and never sees end of input, so it writes nothing. Dropped unfinished
/// (the app quits), it is killed the same way.
pub struct OpenDelivery {
    child: tokio::process::Child,
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
    // Its own process group: a kill reaches the children it started (a shell's `cat`), so none
    // of them is left to see end of input and write an empty key.
    #[cfg(unix)]
    command.process_group(0);
    // No console window flashes up for it on Windows.
    #[cfg(windows)]
    command.creation_flags(0x0800_0000); // CREATE_NO_WINDOW
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(DeliveryReport::failed(DeliveryFailure::NotFound { program: words[0].clone() }))
        }
        Err(e) => return Err(io_failure(e)),
    };
    drop(command);
    let output = OutputReaders::start(&mut child);
    let mut open = OpenDelivery { child, input: Some(writer), unread_probe, output, timeout: target.timeout(), settled: false };
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
            Ok(status) => exit_failure(status),
            Err(e) => DeliveryFailure::Failed { detail: e.to_string() },
        },
        within = tokio::time::timeout(target.ready_limit(), ready) => match within {
            Ok(()) => return Ok(open),
            Err(_) => DeliveryFailure::TimedOut { seconds: target.ready_limit().as_secs() as u32 },
        },
    };
    open.kill().await;
    let output = open.output.collect("", hidden).await;
    Err(DeliveryReport { outcome: Err(failure), output })
}

impl OpenDelivery {
    /// Whether it is still running: checked again just before the regenerate is sent.
    pub fn still_ready(&mut self) -> Result<(), DeliveryFailure> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(exit_failure(status)),
            Err(e) => Err(DeliveryFailure::Failed { detail: e.to_string() }),
        }
    }

    /// Writes the secret, then end of input, and waits for the command within its timeout.
    /// Delivered only if it read every byte and exited 0; the verdict follows the process, not
    /// its pipes.
    pub async fn deliver(mut self, secret: &str, hidden: &(dyn Fn(&str) -> bool + Sync)) -> DeliveryReport {
        let started = Instant::now();
        let mut input = self.input.take().expect("written once");
        // The pipe is empty and we hold a read end: a key's few bytes go in at once.
        let written = std::io::Write::write_all(&mut input, secret.as_bytes());
        drop(input);
        let outcome = match tokio::time::timeout(self.timeout, self.child.wait()).await {
            Err(_) => {
                self.kill().await;
                Err(DeliveryFailure::TimedOut { seconds: self.timeout.as_secs() as u32 })
            }
            Ok(status) => {
                self.settled = true;
                let unread = unread_bytes(&self.unread_probe);
                match (written, status) {
                    (Err(e), _) => Err(DeliveryFailure::Failed { detail: e.to_string() }),
                    (_, Err(e)) => Err(DeliveryFailure::Failed { detail: e.to_string() }),
                    (_, Ok(_)) if unread > 0 => Err(DeliveryFailure::LeftUnread { bytes: unread }),
                    (_, Ok(status)) if status.success() => Ok(started.elapsed()),
                    (_, Ok(status)) => Err(exit_failure(status)),
                }
            }
        };
        let output = self.output.collect(secret, hidden).await;
        DeliveryReport { outcome, output }
    }

    /// There is no secret to give: the command is killed before it ever sees end of input.
    pub async fn abandon(mut self) {
        self.kill().await;
    }

    /// Kills the command (its whole process group on Unix) and reaps it; only then is its
    /// input closed, when this is dropped.
    async fn kill(&mut self) {
        self.kill_now();
        let _ = self.child.wait().await;
        self.settled = true;
    }

    fn kill_now(&mut self) {
        #[cfg(unix)]
        if let Some(pid) = self.child.id() {
            // SAFETY: a plain signal to the group this child leads (process_group(0)).
            unsafe { libc::killpg(pid as libc::pid_t, libc::SIGKILL) };
        }
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

/// The bytes still in the pipe behind our read end.
#[cfg(unix)]
fn unread_bytes(probe: &std::io::PipeReader) -> u64 {
    use std::os::fd::AsRawFd;
    let mut count: libc::c_int = 0;
    // SAFETY: FIONREAD writes one int through the pointer given.
    let done = unsafe { libc::ioctl(probe.as_raw_fd(), libc::FIONREAD, &mut count) };
    if done == 0 {
        count.max(0) as u64
    } else {
        0
    }
}

#[cfg(windows)]
fn unread_bytes(probe: &std::io::PipeReader) -> u64 {
    use std::os::windows::io::AsRawHandle;
    let mut available: u32 = 0;
    // SAFETY: a peek that copies nothing, only the count of bytes available.
    let done = unsafe {
        windows_sys::Win32::System::Pipes::PeekNamedPipe(
            probe.as_raw_handle() as _,
            std::ptr::null_mut(),
            0,
            std::ptr::null_mut(),
            &mut available,
            std::ptr::null_mut(),
        )
    };
    if done != 0 {
        u64::from(available)
    } else {
        0
    }
}

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
    /// ended when something else still holds the pipes.
    async fn collect(&mut self, secret: &str, hidden: &(dyn Fn(&str) -> bool + Sync)) -> String {
        let _ = tokio::time::timeout(OUTPUT_GRACE, async {
            let _ = (&mut self.stdout).await;
            let _ = (&mut self.stderr).await;
        })
        .await;
        self.stdout.abort();
        self.stderr.abort();
        let text = |kept: &std::sync::Mutex<Vec<u8>>| String::from_utf8_lossy(&kept.lock().unwrap()).into_owned();
        let out: String = text(&self.kept_stdout).lines().filter(|line| line.trim() != READY_MARKER).collect::<Vec<_>>().join("\n");
        screened(&[out, text(&self.kept_stderr)].join("\n"), secret, hidden)
    }
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

#[cfg(all(test, windows))]
mod windows_tests {
    use super::*;

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
