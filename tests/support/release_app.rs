//! A release binary started as a person starts it (no WebDriver), for the benchmarks: `make
//! bench` and `make soak`.

use std::time::{Duration, Instant};

use tokio::io::AsyncBufReadExt;

/// A started release binary, its milestones read from stderr as they arrive (times since
/// spawn, measured here, the same way for both apps). Its stderr is read all along, so a full
/// pipe never stops it.
pub struct Started {
    pub child: tokio::process::Child,
    spawned: Instant,
    lines: tokio::sync::mpsc::UnboundedReceiver<(String, Instant)>,
}

impl Started {
    /// Starts `binary` with `args` and `env`, its settings and data in a folder of its own.
    pub async fn spawn(binary: &std::path::Path, args: &[&str], env: &[(&str, String)]) -> Started {
        let home = tempfile::tempdir().unwrap().keep();
        let mut command = tokio::process::Command::new(binary);
        command
            .args(args)
            .env("XDG_CONFIG_HOME", home.join("config"))
            .env("XDG_DATA_HOME", home.join("data"))
            .env("XDG_CACHE_HOME", home.join("cache"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        for (name, value) in env {
            command.env(name, value);
        }
        let spawned = Instant::now();
        let mut child = command.spawn().unwrap();
        let mut stderr = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
        let (arrived, lines) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Ok(Some(line)) = stderr.next_line().await {
                let _ = arrived.send((line, Instant::now()));
            }
        });
        Started { child, spawned, lines }
    }

    /// Waits for a milestone line containing `what`; the time since spawn at which it came.
    pub async fn until(&mut self, what: &str) -> Duration {
        let wait = tokio::time::timeout(Duration::from_secs(30), async {
            while let Some((line, at)) = self.lines.recv().await {
                if line.contains(what) {
                    return at - self.spawned;
                }
            }
            panic!("the app ended before {what}");
        });
        wait.await.unwrap_or_else(|_| panic!("no {what} within 30 s"))
    }
}

/// Types into the window named `window_name`, focused first, as a person would (xdotool,
/// package xdotool): `key:Tab` presses a key, anything else is typed.
pub fn type_keys(window_name: &str, steps: &[&str]) {
    let found = std::process::Command::new("xdotool").args(["search", "--sync", "--name", window_name]).output().expect("xdotool runs");
    let id = String::from_utf8_lossy(&found.stdout).lines().last().unwrap_or_default().to_string();
    std::process::Command::new("xdotool").args(["windowfocus", "--sync", &id]).status().unwrap();
    for step in steps {
        let args: Vec<&str> = if let Some(key) = step.strip_prefix("key:") { vec!["key", key] } else { vec!["type", "--delay", "0", step] };
        std::process::Command::new("xdotool").args(&args).status().unwrap();
    }
}

/// The shared target folder, where `make bench` builds both release binaries.
pub fn target_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}
