//! A release binary started as a person starts it (no WebDriver), for the benchmarks: `make
//! bench` and `make soak`.

use std::time::{Duration, Instant};

use tokio::io::AsyncBufReadExt;

/// A started release binary, its milestones read from stderr as they arrive (times since
/// spawn, measured here, the same way for both apps).
pub struct Started {
    pub child: tokio::process::Child,
    spawned: Instant,
    lines: tokio::io::Lines<tokio::io::BufReader<tokio::process::ChildStderr>>,
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
        let lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
        Started { child, spawned, lines }
    }

    /// Waits for a milestone line containing `what`; the time since spawn.
    pub async fn until(&mut self, what: &str) -> Duration {
        let wait = tokio::time::timeout(Duration::from_secs(30), async {
            while let Ok(Some(line)) = self.lines.next_line().await {
                if line.contains(what) {
                    return self.spawned.elapsed();
                }
            }
            panic!("the app ended before {what}");
        });
        wait.await.unwrap_or_else(|_| panic!("no {what} within 30 s"))
    }
}

impl Started {
    /// The rest of its stderr is read and dropped (a full pipe would stop the app), for a run
    /// that waits for no more milestones.
    pub fn keep_reading(mut self) -> tokio::process::Child {
        tokio::spawn(async move { while let Ok(Some(_)) = self.lines.next_line().await {} });
        self.child
    }
}

/// The shared target folder, where `make bench` builds both release binaries.
pub fn target_dir() -> std::path::PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target"))
}
