//! Processes a test started, seen as the kernel sees them (`/proc`, Linux).

use std::time::{Duration, Instant};

/// Whether process `pid` still runs: one gone, or a zombie its parent has not reaped yet, does
/// not (it never runs code again).
pub fn running(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| !stat.rsplit(") ").next().unwrap_or("").starts_with('Z'))
}

/// Waits until process `pid` no longer runs; fails with `still` after `patience`.
pub async fn wait_until_ended(pid: &str, patience: Duration, still: &str) {
    let started = Instant::now();
    while running(pid) {
        assert!(started.elapsed() < patience, "{still}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The parent of process `pid`, if it still runs.
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit(')').next()?.split_whitespace().nth(1)?.parse().ok()
}

/// Process `root` and every process below it (an app and its web processes).
pub fn tree(root: u32) -> Vec<u32> {
    let pids: Vec<u32> = std::fs::read_dir("/proc").unwrap().flatten().filter_map(|e| e.file_name().to_str()?.parse().ok()).collect();
    let in_tree = |pid: u32| {
        let mut at = pid;
        loop {
            if at == root {
                return true;
            }
            match parent_of(at) {
                Some(parent) if parent > 1 => at = parent,
                _ => return false,
            }
        }
    };
    pids.into_iter().filter(|p| in_tree(*p)).collect()
}

/// A number from a `/proc/<pid>/…` file's line `name:   value kB`.
fn status_figure(path: &str, name: &str) -> u64 {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with(name)).and_then(|l| l.split_whitespace().nth(1)?.parse().ok()))
        .unwrap_or(0)
}

/// Resident memory (RSS) of every process below `root` (not `root` itself: a WebDriver's app
/// and its web processes), in MiB.
pub fn tree_rss_mib(root: u32) -> f64 {
    tree(root).iter().filter(|p| **p != root).map(|p| status_figure(&format!("/proc/{p}/status"), "VmRSS:")).sum::<u64>() as f64 / 1024.0
}

/// Proportional memory (PSS) of a process tree, in MiB: shared pages are counted once across
/// the tree, so two apps compare fairly.
pub fn tree_pss_mib(root: u32) -> f64 {
    tree_pss_by_process(root).values().sum()
}

/// What a process tree has used and holds, read at one moment.
#[derive(Debug, Clone, Default)]
pub struct TreeFigures {
    /// CPU time used so far (user and system, every thread), in seconds.
    pub cpu_s: f64,
    /// Times each thread of the tree (by its id) was switched out so far: each wake-up ends in one.
    pub context_switches: std::collections::BTreeMap<u32, u64>,
    /// Each thread's name (its process's and its own, as `ps` shows them), by its id.
    pub thread_names: std::collections::BTreeMap<u32, String>,
    pub threads: u64,
    pub open_files: u64,
    pub pss_mib: f64,
}

pub fn tree_figures(root: u32) -> TreeFigures {
    // SAFETY: sysconf reads a constant of the system.
    let ticks_per_s = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    let mut figures = TreeFigures { pss_mib: tree_pss_mib(root), ..TreeFigures::default() };
    for pid in tree(root) {
        if let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            // utime and stime: the 14th and 15th fields, the 12th and 13th after the name.
            let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
            let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
            figures.cpu_s += (ticks(11) + ticks(12)) as f64 / ticks_per_s;
        }
        let process = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
        let threads: Vec<_> =
            std::fs::read_dir(format!("/proc/{pid}/task")).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
        figures.threads += threads.len() as u64;
        for thread in threads {
            let Some(id) = thread.file_name().and_then(|n| n.to_str()?.parse().ok()) else { continue };
            let status = thread.join("status").display().to_string();
            let switches = status_figure(&status, "voluntary_ctxt_switches:") + status_figure(&status, "nonvoluntary_ctxt_switches:");
            figures.context_switches.insert(id, switches);
            let name = std::fs::read_to_string(thread.join("comm")).unwrap_or_default();
            figures.thread_names.insert(id, format!("{}/{}", process.trim(), name.trim()));
        }
        figures.open_files += std::fs::read_dir(format!("/proc/{pid}/fd")).map(|d| d.count() as u64).unwrap_or(0);
    }
    figures
}

impl TreeFigures {
    /// Wake-ups since `earlier`: each thread's switches since then (all of a thread started
    /// since); a thread that ended meanwhile is not counted.
    pub fn wakeups_since(&self, earlier: &TreeFigures) -> u64 {
        self.wakeups_by_thread_since(earlier).values().sum()
    }

    /// Wake-ups since `earlier` by thread name (threads of one name added up), as
    /// `wakeups_since` counts them: which threads wake, and how often.
    pub fn wakeups_by_thread_since(&self, earlier: &TreeFigures) -> std::collections::BTreeMap<String, u64> {
        let mut by_name = std::collections::BTreeMap::new();
        for (id, now) in &self.context_switches {
            let name = self.thread_names.get(id).cloned().unwrap_or_default();
            *by_name.entry(name).or_default() += now.saturating_sub(earlier.context_switches.get(id).copied().unwrap_or(0));
        }
        by_name
    }
}

/// PSS of each process of a tree by its name, in MiB (which process holds the memory).
pub fn tree_pss_by_process(root: u32) -> std::collections::BTreeMap<String, f64> {
    let mut by_name = std::collections::BTreeMap::new();
    for pid in tree(root) {
        let name = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default().trim().to_string();
        *by_name.entry(name).or_default() += status_figure(&format!("/proc/{pid}/smaps_rollup"), "Pss:") as f64 / 1024.0;
    }
    by_name
}

/// The open files of a tree by what they are: `socket`, `pipe`, `anon_inode:[eventfd]`, or a
/// file's path (which kind of file is held open, when the count grows).
pub fn tree_open_files_by_kind(root: u32) -> std::collections::BTreeMap<String, u64> {
    let mut by_kind = std::collections::BTreeMap::new();
    for pid in tree(root) {
        for fd in std::fs::read_dir(format!("/proc/{pid}/fd")).into_iter().flatten().flatten() {
            let Ok(target) = std::fs::read_link(fd.path()) else { continue };
            let target = target.display().to_string();
            let kind = match target.split_once(":[") {
                Some((kind, _)) if kind != "anon_inode" => kind.to_string(),
                _ => target,
            };
            *by_kind.entry(kind).or_default() += 1;
        }
    }
    by_kind
}
