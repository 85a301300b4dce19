//! Rotation history: one JSON line per attempt in the app's data dir. Prefixes and outcomes
//! only; never a secret or a token. Plain Rust: no tauri here.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::rules::app_error::AppError;
use crate::store::private_files::{append_line, read_capped, write_atomically, ReadProblem};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RotationOutcome {
    /// A new key, its secret delivered to the clipboard.
    Rotated,
    /// Rotated, but the secret never reached the clipboard (lost on the way or absent).
    RotatedSecretLost,
    /// The server refused or never got the request: the old key still works.
    NotRotated,
    /// No answer, and a re-read could not tell.
    Unknown,
}

/// What the rollout watch saw after a rotation: the outage the merchant's integrations had.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase", rename_all_fields = "camelCase")]
pub enum Rollout {
    /// The new key was first seen in use this long after the rotation.
    InUseAfter { seconds: u64 },
    /// Not seen in use within this many minutes of watching.
    NotSeenWithin { minutes: u64 },
}

/// One destination's verdict in a rotation's row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DestinationOutcome {
    pub name: String,
    /// It has the new key; if not, the key went to the clipboard for it.
    pub delivered: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", from = "HistoryLine")]
pub struct HistoryEntry {
    pub time: DateTime<Utc>,
    pub profile: String,
    pub email: String,
    pub old_prefix: String,
    pub new_prefix: Option<String>,
    pub outcome: RotationOutcome,
    /// Filled in when the rollout watch ends.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollout: Option<Rollout>,
    /// Each destination's verdict, in the profile's order; empty: the clipboard alone.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deliveries: Vec<DestinationOutcome>,
}

/// A history line as read: rows written before several destinations name the one that took
/// the key as `deliveredTo` (a failed one was not written).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct HistoryLine {
    time: DateTime<Utc>,
    profile: String,
    email: String,
    old_prefix: String,
    new_prefix: Option<String>,
    outcome: RotationOutcome,
    #[serde(default)]
    rollout: Option<Rollout>,
    #[serde(default)]
    deliveries: Vec<DestinationOutcome>,
    #[serde(default)]
    delivered_to: Option<String>,
}

impl From<HistoryLine> for HistoryEntry {
    fn from(line: HistoryLine) -> HistoryEntry {
        let HistoryLine { time, profile, email, old_prefix, new_prefix, outcome, rollout, mut deliveries, delivered_to } = line;
        if let Some(name) = delivered_to.filter(|_| deliveries.is_empty()) {
            deliveries.push(DestinationOutcome { name, delivered: true });
        }
        HistoryEntry { time, profile, email, old_prefix, new_prefix, outcome, rollout, deliveries }
    }
}

impl HistoryEntry {
    /// The destinations that have the new key.
    pub fn delivered_to(&self) -> impl Iterator<Item = &str> {
        self.deliveries.iter().filter(|d| d.delivered).map(|d| d.name.as_str())
    }

    /// The destinations that failed: the key went to the clipboard for them.
    pub fn not_delivered_to(&self) -> impl Iterator<Item = &str> {
        self.deliveries.iter().filter(|d| !d.delivered).map(|d| d.name.as_str())
    }
}

impl HistoryEntry {
    /// One line of the history file; `None` for a line that is not an entry.
    pub fn parse(line: &str) -> Option<HistoryEntry> {
        serde_json::from_str(line).ok()
    }
}

pub struct History {
    path: PathBuf,
    /// One write at a time: an append and a rewrite never interleave.
    writing: Mutex<()>,
}

/// How many entries the window shows.
pub const SHOWN: usize = 50;
/// How many entries the file keeps: the oldest go first.
pub const KEPT: usize = 1000;

impl History {
    pub fn new(data_dir: &Path) -> Self {
        History { path: data_dir.join("rotation-history.jsonl"), writing: Mutex::new(()) }
    }

    /// The folder the history lives in (the app's data folder).
    pub fn dir(&self) -> &Path {
        self.path.parent().expect("a file path has a folder")
    }

    pub fn append(&self, entry: &HistoryEntry) -> Result<(), AppError> {
        let _one_at_a_time = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        let mut line = serde_json::to_string(entry).expect("entry serializes");
        line.push('\n');
        append_line(&self.path, &line).map_err(|e| self.fail(e))?;
        let lines = self.lines();
        if lines.len() > KEPT {
            self.write(&lines[lines.len() - KEPT..])?;
        }
        Ok(())
    }

    fn fail(&self, e: std::io::Error) -> AppError {
        AppError::Settings { detail: format!("{}: {e}", self.path.display()) }
    }

    /// The file's lines, or none when it is absent, unreadable or over 1 MiB (a file that
    /// large is moved aside, as a corrupt settings file is).
    fn lines(&self) -> Vec<String> {
        match read_capped(&self.path) {
            Ok(Some(bytes)) => String::from_utf8_lossy(&bytes).lines().map(str::to_string).collect(),
            Err(ReadProblem::TooLarge) => {
                let _ = std::fs::rename(&self.path, self.path.with_extension("jsonl.too-large"));
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn write(&self, lines: &[String]) -> Result<(), AppError> {
        let mut text = lines.join("\n");
        text.push('\n');
        write_atomically(&self.path, text.as_bytes()).map_err(|e| self.fail(e))
    }

    /// Records what the rollout watch saw on the entry made at `time`.
    pub fn set_rollout(&self, time: DateTime<Utc>, rollout: Rollout) -> Result<(), AppError> {
        self.update(time, |entry| entry.rollout = Some(rollout))
    }

    /// Corrects the outcome of the entry made at `time`, once the checks after an unanswered
    /// rotation have told what happened.
    pub fn set_outcome(&self, time: DateTime<Utc>, outcome: RotationOutcome, new_prefix: Option<String>) -> Result<(), AppError> {
        self.update(time, |entry| {
            entry.outcome = outcome;
            entry.new_prefix = new_prefix;
        })
    }

    /// Changes the entry made at `time`. The file is written anew beside the old one and
    /// renamed over it; unreadable lines are kept as they were.
    fn update(&self, time: DateTime<Utc>, change: impl FnOnce(&mut HistoryEntry)) -> Result<(), AppError> {
        let _one_at_a_time = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        let mut change = Some(change);
        let lines: Vec<String> = self
            .lines()
            .into_iter()
            .map(|line| match HistoryEntry::parse(&line) {
                Some(mut entry) if entry.time == time && change.is_some() => {
                    (change.take().expect("checked"))(&mut entry);
                    serde_json::to_string(&entry).expect("entry serializes")
                }
                _ => line,
            })
            .collect();
        self.write(&lines)
    }

    /// Every entry kept, oldest first (the auditor's export); unreadable lines are skipped.
    pub fn oldest_first(&self) -> Vec<HistoryEntry> {
        self.lines().iter().filter_map(|l| HistoryEntry::parse(l)).collect()
    }

    /// Newest first; unreadable lines are skipped, not fatal.
    pub fn newest_first(&self) -> Vec<HistoryEntry> {
        let mut entries: Vec<HistoryEntry> = self.lines().iter().filter_map(|l| HistoryEntry::parse(l)).collect();
        entries.reverse();
        entries.truncate(SHOWN);
        entries
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    /// A rotation at second `n` of the epoch.
    fn entry(n: i64) -> HistoryEntry {
        HistoryEntry {
            time: DateTime::from_timestamp(n, 0).unwrap(),
            profile: "Produção".into(),
            email: "ana@loja.example".into(),
            old_prefix: "sk_live_old...".into(),
            new_prefix: Some("sk_live_new...".into()),
            outcome: RotationOutcome::Rotated,
            rollout: None,
            deliveries: Vec::new(),
        }
    }

    #[test]
    fn a_row_written_before_several_destinations_reads_as_one_delivered_destination() {
        // As the release before this one wrote it.
        let line = r#"{"time":"2026-11-29T19:29:05Z","profile":"Loja","email":"ana@loja.example","oldPrefix":"sk_live_ab12...","newPrefix":"sk_live_cd34...","outcome":"rotated","deliveredTo":"Servidor da loja"}"#;
        let entry = HistoryEntry::parse(line).unwrap();
        assert_eq!(entry.deliveries, vec![DestinationOutcome { name: "Servidor da loja".into(), delivered: true }]);
        let written = serde_json::to_string(&entry).unwrap();
        assert!(
            written.contains(r#""deliveries":[{"name":"Servidor da loja","delivered":true}]"#) && !written.contains("deliveredTo"),
            "{written}"
        );
        assert_eq!(HistoryEntry::parse(&written), Some(entry));
    }

    #[test]
    fn appends_and_reads_newest_first_skipping_bad_lines() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::new(dir.path());
        history.append(&entry(1)).unwrap();
        std::fs::OpenOptions::new().append(true).open(dir.path().join("rotation-history.jsonl")).unwrap().write_all(b"{broken\n").unwrap();
        history.append(&entry(2)).unwrap();
        assert_eq!(history.newest_first(), vec![entry(2), entry(1)]);

        // The rollout is written into its own row; the rest, broken line included, stays.
        history.set_rollout(entry(1).time, Rollout::InUseAfter { seconds: 192 }).unwrap();
        let rows = history.newest_first();
        assert_eq!(rows[1].rollout, Some(Rollout::InUseAfter { seconds: 192 }));
        assert_eq!(rows[0], entry(2));
        let text = std::fs::read_to_string(dir.path().join("rotation-history.jsonl")).unwrap();
        assert!(text.contains("{broken\n"), "{text}");
        assert!(text.contains(r#""rollout":{"kind":"inUseAfter","seconds":192}"#), "{text}");
    }

    #[test]
    fn concurrent_writes_lose_no_row() {
        let dir = tempfile::tempdir().unwrap();
        let history = std::sync::Arc::new(History::new(dir.path()));
        history.append(&entry(0)).unwrap();
        let writers: Vec<_> = (0..4)
            .map(|w| {
                let history = history.clone();
                std::thread::spawn(move || {
                    for n in 0..25 {
                        history.append(&entry(1 + w * 25 + n)).unwrap();
                        // A rewrite of another row at the same time as the other threads' appends.
                        history.set_rollout(entry(0).time, Rollout::InUseAfter { seconds: n as u64 }).unwrap();
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().unwrap();
        }
        let text = std::fs::read_to_string(dir.path().join("rotation-history.jsonl")).unwrap();
        let mut times: Vec<i64> = text.lines().map(|l| HistoryEntry::parse(l).expect("every line whole").time.timestamp()).collect();
        times.sort();
        assert_eq!(times, (0..101).collect::<Vec<_>>(), "every row, once");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
    }

    #[test]
    fn an_outcome_is_corrected_in_its_own_row() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::new(dir.path());
        let mut unknown = entry(1);
        unknown.outcome = RotationOutcome::Unknown;
        unknown.new_prefix = None;
        history.append(&unknown).unwrap();
        history.append(&entry(2)).unwrap();
        history.set_outcome(unknown.time, RotationOutcome::RotatedSecretLost, Some("sk_live_late...".into())).unwrap();
        let rows = history.newest_first();
        assert_eq!((rows[1].outcome, rows[1].new_prefix.as_deref()), (RotationOutcome::RotatedSecretLost, Some("sk_live_late...")));
        assert_eq!(rows[0], entry(2));
    }

    #[test]
    fn keeps_the_last_thousand_rows() {
        let dir = tempfile::tempdir().unwrap();
        let history = History::new(dir.path());
        for n in 0..(KEPT as i64 + 5) {
            history.append(&entry(n)).unwrap();
        }
        let text = std::fs::read_to_string(dir.path().join("rotation-history.jsonl")).unwrap();
        assert_eq!(text.lines().count(), KEPT);
        assert_eq!(history.newest_first()[0], entry(KEPT as i64 + 4));
        assert!(text.lines().next().unwrap().contains(&entry(5).time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)));
    }
}
