//! The app's sources keep their layers: each folder imports only the layers below it, only the
//! shell knows Tauri, only `platform/` calls the systems' own interfaces (libc, windows-sys),
//! the rules touch nothing outside the process (no clock, no randomness, no `cfg!` of the
//! system) and no two files import each other, even through others. Read from the files
//! themselves: every `crate::…` and `super::…` path, `use` lines and inline ones alike. Each
//! rule is also shown to catch a planted violation.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::support::source_files::files_with_extension;

type Files = BTreeMap<String, String>;

/// Each source file (relative to src-tauri/src) and its code before its tests, comments left out.
fn code_by_file() -> Files {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src-tauri/src");
    let files = files_with_extension(&src, "rs");
    files
        .iter()
        .map(|file| {
            let text = std::fs::read_to_string(file).unwrap();
            let code = text.split("#[cfg(test)]").next().unwrap().split("#[cfg(all(test").next().unwrap();
            let code: Vec<&str> = code.lines().filter(|l| !l.trim_start().starts_with("//")).collect();
            (file.strip_prefix(&src).unwrap().to_string_lossy().replace('\\', "/"), code.join("\n"))
        })
        .collect()
}

/// The layer a file belongs to: its folder, or the file's own name at the top.
fn layer(file: &str) -> &str {
    file.split('/').next().unwrap().trim_end_matches(".rs")
}

/// The module path of a file: `app/rotation/mod.rs` is `app::rotation`, `rules/jwt.rs` is
/// `rules::jwt`, `lib.rs` and `main.rs` the crate's root.
fn module_of(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file.trim_end_matches(".rs").split('/').map(str::to_string).collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
        parts.pop();
    }
    parts
}

fn identifiers(rest: &str) -> Vec<String> {
    rest.split("::")
        .map(|part| part.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next().unwrap_or("").to_string())
        .take_while(|part| !part.is_empty() && part != "super")
        .collect()
}

/// Every module path the code names from the crate's root: `crate::rules::jwt::Jwt` and, in
/// `app/session.rs`, `super::AppState` (`app::AppState`) and `super::super::rules` alike.
fn paths_named(file: &str, code: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
            continue; // `certopay_keys_crate::` or `$crate::`: not this crate's root
        }
        paths.push(identifiers(&code[at + "crate::".len()..]));
    }
    let here = module_of(file);
    let mut at = 0;
    while let Some(found) = code[at..].find("super::") {
        let start = at + found;
        let before = code[..start].chars().next_back();
        let mut ups = 0;
        let mut rest = &code[start..];
        while let Some(after) = rest.strip_prefix("super::") {
            ups += 1;
            rest = after;
        }
        at = code.len() - rest.len();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let mut path: Vec<String> = here[..here.len().saturating_sub(ups)].to_vec();
        path.extend(identifiers(rest));
        paths.push(path);
    }
    paths.into_iter().filter(|p| !p.is_empty() && p[0] != "*").collect()
}

/// The source file a module path lands in: the longest prefix that is a file.
fn file_of(path: &[String], files: &Files) -> Option<String> {
    (1..=path.len()).rev().find_map(|n| {
        let stem = path[..n].join("/");
        [format!("{stem}.rs"), format!("{stem}/mod.rs")].into_iter().find(|f| files.contains_key(f))
    })
}

fn allowed_imports() -> BTreeMap<&'static str, &'static [&'static str]> {
    BTreeMap::from([
        ("rules", &["rules"][..]),
        ("platform", &["rules", "platform"][..]),
        ("certopay", &["rules", "certopay"][..]),
        ("store", &["rules", "platform", "store"][..]),
        // Types only, re-exported as the window receives them.
        ("wire", &["rules", "platform", "certopay", "store", "wire"][..]),
        ("app", &["rules", "platform", "certopay", "store", "wire", "app"][..]),
        ("shell", &["rules", "platform", "certopay", "store", "app", "wire", "shell"][..]),
        ("lib", &[][..]),
        ("main", &[][..]),
    ])
}

/// Each import of a layer the file's own may not import.
fn layer_violations(files: &Files) -> Vec<String> {
    let allowed = allowed_imports();
    let mut found = Vec::new();
    for (file, code) in files {
        let own = layer(file);
        let Some(allowed) = allowed.get(own) else {
            found.push(format!("{file}: {own} is not a known layer"));
            continue;
        };
        for path in paths_named(file, code) {
            let Some(target) = file_of(&path, files) else { continue };
            let target = layer(&target);
            if target != own && !allowed.contains(&target) {
                found.push(format!("{file} ({own}) imports {} ({target})", path.join("::")));
            }
        }
    }
    found
}

/// Each file that uses a word it may not: the systems' interfaces outside `platform/`; the
/// outside world, a clock, randomness or the system's `cfg!` in `rules/`.
fn forbidden_words(files: &Files) -> Vec<String> {
    let outside_the_process = [
        "tokio::",
        "reqwest::",
        "std::fs",
        "std::process",
        "std::env",
        "std::thread",
        "::now()",
        "arboard",
        "keyring",
        "dbus::",
        "windows_sys",
        "libc::",
        "rand::",
        "getrandom",
        "cfg!(",
    ];
    let mut found = Vec::new();
    for (file, code) in files {
        if layer(file) != "platform" {
            for word in ["libc::", "windows_sys"] {
                if code.contains(word) {
                    found.push(format!("{file} calls {word} outside platform/"));
                }
            }
        }
        if layer(file) == "rules" {
            for word in outside_the_process {
                if code.contains(word) {
                    found.push(format!("{file} uses {word}"));
                }
            }
        }
    }
    found
}

/// Files that import each other, directly or through others: each cycle once. A folder's
/// `mod.rs` and the files it declares are one module and may name each other.
fn import_cycles(files: &Files) -> Vec<Vec<String>> {
    let folder = |file: &str| file.rsplit_once('/').map_or("", |(dir, _)| dir).to_string();
    let mut edges: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
    for (file, code) in files {
        for path in paths_named(file, code) {
            let Some(target) = file_of(&path, files) else { continue };
            let parent_and_child = (file.ends_with("mod.rs") && folder(&target).starts_with(&folder(file)))
                || (target.ends_with("mod.rs") && folder(file).starts_with(&folder(&target)));
            if target != *file && !parent_and_child {
                edges.entry(file).or_default().insert(target);
            }
        }
    }
    let mut cycles: Vec<Vec<String>> = Vec::new();
    for start in files.keys() {
        // Depth first from each file, back to it: the shortest way round is enough to name it.
        let mut stack = vec![vec![start.clone()]];
        let mut seen = BTreeSet::new();
        while let Some(way) = stack.pop() {
            let last = way.last().unwrap();
            for next in edges.get(last.as_str()).into_iter().flatten() {
                if next == start {
                    let mut cycle = way.clone();
                    let smallest = (0..cycle.len()).min_by_key(|&i| &cycle[i]).unwrap();
                    cycle.rotate_left(smallest);
                    if !cycles.contains(&cycle) {
                        cycles.push(cycle);
                    }
                } else if seen.insert(next.clone()) {
                    let mut longer = way.clone();
                    longer.push(next.clone());
                    stack.push(longer);
                }
            }
        }
    }
    cycles
}

#[test]
fn each_layer_imports_only_the_layers_below_it() {
    let files = code_by_file();
    assert!(files.len() > 30, "{:?}", files.keys());
    let found = layer_violations(&files);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn only_the_shell_knows_tauri() {
    for (file, code) in code_by_file() {
        let knows_tauri = code.contains("tauri::") || code.contains("use tauri");
        assert!(!knows_tauri || layer(&file) == "shell", "{file} uses Tauri");
    }
}

#[test]
fn the_rules_touch_nothing_outside_the_process_and_only_platform_calls_the_systems() {
    let files = code_by_file();
    assert!(files.keys().filter(|f| layer(f) == "rules").count() >= 10);
    let found = forbidden_words(&files);
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn no_two_files_import_each_other() {
    let cycles = import_cycles(&code_by_file());
    assert!(cycles.is_empty(), "{cycles:#?}");
}

/// Each rule above catches what it is for, planted in a copy of the real sources.
#[test]
fn each_rule_catches_a_planted_violation() {
    let real = code_by_file();
    let planted = |file: &str, line: &str| {
        let mut files = real.clone();
        files.entry(file.to_string()).or_default().push_str(&format!("\n{line}\n"));
        files
    };
    // A rule reaching up to the app, by `crate::` and by `super::`.
    assert!(!layer_violations(&planted("rules/jwt.rs", "use crate::app::AppState;")).is_empty());
    assert!(!layer_violations(&planted("rules/jwt.rs", "use super::super::app::AppState;")).is_empty());
    // A store file naming the shell through its parent.
    assert!(!layer_violations(&planted("store/history.rs", "use super::super::shell::CloseQuestion;")).is_empty());
    // The systems' interfaces outside platform/; randomness and `cfg!` in the rules.
    assert!(!forbidden_words(&planted("store/history.rs", "let pid = unsafe { libc::getpid() };")).is_empty());
    assert!(!forbidden_words(&planted("app/session.rs", "use windows_sys::Win32::Foundation::HANDLE;")).is_empty());
    assert!(!forbidden_words(&planted("rules/jwt.rs", "let n: u32 = rand::random();")).is_empty());
    assert!(!forbidden_words(&planted("rules/jwt.rs", "let linux = cfg!(target_os = \"linux\");")).is_empty());
    // Two rules files naming each other, one of them through `super::`.
    let files = planted("rules/base_url.rs", "use super::jwt::Jwt;");
    let files = {
        let mut files = files;
        files.get_mut("rules/jwt.rs").unwrap().push_str("\nuse crate::rules::base_url::BaseUrl;\n");
        files
    };
    let cycles = import_cycles(&files);
    assert!(cycles.iter().any(|c| c.contains(&"rules/jwt.rs".to_string()) && c.contains(&"rules/base_url.rs".to_string())), "{cycles:?}");
}

/// No two files share a name (folders' `mod.rs`, `main.rs` aside): one name per concept.
#[test]
fn no_two_source_files_share_a_name() {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for file in code_by_file().keys() {
        let name = file.rsplit('/').next().unwrap().to_string();
        if name == "mod.rs" || name == "main.rs" {
            continue;
        }
        if let Some(other) = seen.insert(name.clone(), file.clone()) {
            panic!("{file} and {other} share the name {name}");
        }
    }
}
