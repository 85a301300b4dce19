//! The app's sources keep their layers: each folder imports only the layers below it, only the
//! shell and the commands know Tauri, and the rules touch nothing outside the process. Read
//! from the files themselves (every `crate::…` path, `use` lines and inline ones alike).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::support::source_files::files_with_extension;

/// Each source file (relative to src-tauri/src) and its code before its tests, comments left out.
fn code_by_file() -> BTreeMap<String, String> {
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

/// The crate's own modules this code names (`crate::rules::…` gives `rules`).
fn crate_imports(code: &str) -> BTreeSet<String> {
    code.split("crate::")
        .skip(1)
        .map(|rest| rest.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).next().unwrap().to_string())
        .filter(|name| !name.is_empty())
        .collect()
}

#[test]
fn each_layer_imports_only_the_layers_below_it() {
    let allowed: BTreeMap<&str, &[&str]> = BTreeMap::from([
        ("rules", &["rules"][..]),
        ("platform", &["rules", "platform"][..]),
        ("certopay", &["rules", "certopay"][..]),
        // The private files' Windows access list speaks Windows' wide strings.
        ("store", &["rules", "platform", "store"][..]),
        // Types only, re-exported as the window receives them.
        ("wire", &["rules", "platform", "certopay", "store", "wire"][..]),
        ("app", &["rules", "platform", "certopay", "store", "wire", "app"][..]),
        ("commands", &["rules", "platform", "app", "wire", "shell"][..]),
        ("shell", &["rules", "platform", "certopay", "store", "app", "wire", "commands", "shell"][..]),
        ("lib", &[][..]),
        ("main", &[][..]),
    ]);
    let files = code_by_file();
    assert!(files.len() > 30, "{:?}", files.keys());
    for (file, code) in &files {
        let layer = layer(file);
        let Some(allowed) = allowed.get(layer) else { panic!("{file}: {layer} is not a known layer") };
        for import in crate_imports(code) {
            assert!(allowed.contains(&import.as_str()), "{file} ({layer}) imports crate::{import}");
        }
    }
}

#[test]
fn only_the_shell_and_the_commands_know_tauri() {
    for (file, code) in code_by_file() {
        let knows_tauri = code.contains("tauri::") || code.contains("use tauri");
        assert!(!knows_tauri || matches!(layer(&file), "shell" | "commands"), "{file} uses Tauri");
    }
}

#[test]
fn the_rules_touch_nothing_outside_the_process() {
    let outside = [
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
    ];
    let files = code_by_file();
    let rules: Vec<_> = files.iter().filter(|(file, _)| layer(file) == "rules").collect();
    assert!(rules.len() >= 10, "{rules:?}");
    for (file, code) in rules {
        for word in outside {
            assert!(!code.contains(word), "{file} uses {word}");
        }
    }
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
