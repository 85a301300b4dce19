//! The window's string catalogues (ui/catalogues/*.js), read as data: key → text.

use std::collections::BTreeMap;
use std::path::Path;

pub fn catalogue(file: &str) -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/catalogues").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut entries = BTreeMap::new();
    for line in text.lines().map(str::trim).filter(|l| l.starts_with('\'')) {
        let (key, value) = line[1..].split_once("': ").unwrap_or_else(|| panic!("{file}: not an entry: {line}"));
        let value = value.trim_end_matches(',').trim_matches('\'').replace("\\u2019", "\u{2019}").replace("\\'", "'");
        assert!(entries.insert(key.to_string(), value).is_none(), "{file}: {key} twice");
    }
    assert!(entries.len() > 100, "{file}: {} entries", entries.len());
    entries
}

/// The {placeholders} a text uses, sorted.
pub fn placeholders_of(text: &str) -> Vec<String> {
    let mut names: Vec<String> =
        text.split('{').skip(1).filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_string())).collect();
    names.sort();
    names
}

/// The runs of words of a text between its placeholders, long enough to be told apart.
pub fn fixed_runs(text: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (before, after) = match rest.split_once('{') {
            Some((before, after)) => (before, after.split_once('}').map_or("", |(_, a)| a)),
            None => (rest, ""),
        };
        let run = before.trim().trim_matches(|c: char| c.is_ascii_punctuation() || c == '·').trim();
        if run.chars().count() >= 5 {
            runs.push(run.to_string());
        }
        rest = after;
    }
    runs
}
