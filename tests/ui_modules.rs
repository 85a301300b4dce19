//! The window's modules keep their shape: no import circles, and `api.js` is the only module
//! that talks to Rust. Read from the files themselves; no browser needed.

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use support::catalogue::{catalogue, placeholders_of};

fn modules(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            modules(&path, found);
        } else if path.extension().is_some_and(|e| e == "js") {
            found.push(path);
        }
    }
}

/// Each module and the modules it imports, as paths relative to ui/.
fn import_graph() -> BTreeMap<String, Vec<String>> {
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui");
    let mut files = Vec::new();
    modules(&ui, &mut files);
    let name = |p: &Path| p.strip_prefix(&ui).unwrap().to_string_lossy().replace('\\', "/");
    files
        .iter()
        .map(|file| {
            let text = std::fs::read_to_string(file).unwrap();
            let imports = text
                .split(" from '")
                .skip(1)
                .map(|rest| {
                    let target = &rest[..rest.find('\'').unwrap()];
                    let resolved = file.parent().unwrap().join(target);
                    let resolved = resolved.canonicalize().unwrap_or_else(|_| panic!("{} imports missing {target}", name(file)));
                    name(&resolved)
                })
                .collect();
            (name(file), imports)
        })
        .collect()
}

#[test]
fn the_window_modules_import_no_circle() {
    let graph = import_graph();
    assert!(graph.len() >= 10, "{graph:?}");
    // Depth-first, with the path so far: a module met again on its own path is a circle.
    fn visit(module: &str, graph: &BTreeMap<String, Vec<String>>, path: &mut Vec<String>) {
        if let Some(start) = path.iter().position(|m| m == module) {
            panic!("import circle: {} -> {module}", path[start..].join(" -> "));
        }
        path.push(module.to_string());
        for next in &graph[module] {
            visit(next, graph, path);
        }
        path.pop();
    }
    for module in graph.keys() {
        visit(module, &graph, &mut Vec::new());
    }
}

#[test]
fn only_api_js_calls_invoke() {
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui");
    let mut files = Vec::new();
    modules(&ui, &mut files);
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let talks_to_rust = text.contains("__TAURI_INTERNALS__") || text.contains("__TAURI__") || text.contains("invoke(");
        assert_eq!(talks_to_rust, file.ends_with("api.js"), "{}", file.display());
        // Through Tauri's public API only: its internals may change under any release.
        assert!(!text.contains("__TAURI_INTERNALS__") && !text.contains("transformCallback"), "{}", file.display());
    }
}

#[test]
fn both_catalogues_have_the_same_keys_and_placeholders() {
    let placeholders =
        |file| -> BTreeMap<String, Vec<String>> { catalogue(file).into_iter().map(|(key, text)| (key, placeholders_of(&text))).collect() };
    let en = placeholders("en.js");
    let pt = placeholders("pt-BR.js");
    let only_en: Vec<_> = en.keys().filter(|k| !pt.contains_key(*k)).collect();
    let only_pt: Vec<_> = pt.keys().filter(|k| !en.contains_key(*k)).collect();
    assert!(only_en.is_empty() && only_pt.is_empty(), "only in English: {only_en:?}; only in Portuguese: {only_pt:?}");
    for (key, placeholders) in &en {
        assert_eq!(&pt[key], placeholders, "{key}: the placeholders differ");
    }
}

#[test]
fn every_command_the_window_calls_is_declared_and_granted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let api = std::fs::read_to_string(root.join("ui/api.js")).unwrap();
    let build = std::fs::read_to_string(root.join("src-tauri/build.rs")).unwrap();
    let capability = std::fs::read_to_string(root.join("src-tauri/capabilities/main.json")).unwrap();
    let called: Vec<&str> = api.split("invoke('").skip(1).filter_map(|rest| rest.split('\'').next()).collect();
    assert!(called.len() > 20, "{called:?}");
    for command in called {
        // Undeclared, the command has no permission; ungranted, the window is refused it.
        assert!(build.contains(&format!("\"{command}\"")), "{command} is not in build.rs");
        assert!(capability.contains(&format!("\"allow-{}\"", command.replace('_', "-"))), "{command} is not granted");
    }
}
