//! The window's modules keep their shape: no import circles, and `api.js` is the only module
//! that talks to Rust. Read from the files themselves; no browser needed.

use crate::support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use support::catalogue::{catalogue, placeholders_of};
use support::source_files::files_with_extension;

/// Each module and the modules it imports, as paths relative to ui/.
fn import_graph() -> BTreeMap<String, Vec<String>> {
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui");
    let files = files_with_extension(&ui, "js");
    let name = |p: &Path| p.strip_prefix(&ui).unwrap().to_string_lossy().replace('\\', "/");
    files
        .iter()
        .map(|file| {
            let text = std::fs::read_to_string(file).unwrap();
            // Static imports, and the ones loaded when needed (`import('…')`).
            let imports = [" from '", "import('"]
                .iter()
                .flat_map(|pattern| text.split(pattern).skip(1))
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

/// Modules at the root of ui/ are shared by the screens: they never import one (the screens
/// listen on `events.js` instead), so no screen's change reaches them. `app.js`, the entry
/// point that starts each screen, is the one exception.
#[test]
fn root_modules_never_import_a_screen() {
    let graph = import_graph();
    for (module, imports) in &graph {
        if module.contains('/') || module == "app.js" {
            continue;
        }
        let screens: Vec<_> = imports.iter().filter(|i| i.starts_with("screens/")).collect();
        assert!(screens.is_empty(), "{module} imports {screens:?}");
    }
}

#[test]
fn only_api_js_calls_invoke() {
    let ui = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui");
    let files = files_with_extension(&ui, "js");
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

/// The names in the one list of commands (`src-tauri/commands.txt`).
fn command_list(root: &Path) -> BTreeSet<String> {
    let text = std::fs::read_to_string(root.join("src-tauri/commands.txt")).unwrap();
    text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_string).collect()
}

#[test]
fn every_command_the_window_calls_is_declared_and_granted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let api = std::fs::read_to_string(root.join("ui/api.js")).unwrap();
    let build = std::fs::read_to_string(root.join("src-tauri/build.rs")).unwrap();
    let capability = std::fs::read_to_string(root.join("src-tauri/capabilities/main.json")).unwrap();
    let called: Vec<&str> = api.split("invoke('").skip(1).filter_map(|rest| rest.split('\'').next()).collect();
    assert!(called.len() > 20, "{called:?}");
    let list = command_list(root);
    // build.rs declares what the one list says, and nothing of its own.
    assert!(build.contains("include_str!(\"commands.txt\")") && !build.contains("\"app_snapshot\""), "build.rs reads commands.txt");
    for command in called {
        // Undeclared, the command has no permission; ungranted, the window is refused it.
        assert!(list.contains(command), "{command} is not in commands.txt (build.rs)");
        assert!(capability.contains(&format!("\"allow-{}\"", command.replace('_', "-"))), "{command} is not granted");
    }
}

/// The one list against the other three places that name commands: the shell's handler list,
/// the `#[tauri::command]` functions, the capability's grants, and what api.js invokes.
#[test]
fn the_one_list_of_commands_matches_the_handler_the_functions_the_grants_and_api_js() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let read = |path: &str| std::fs::read_to_string(root.join(path)).unwrap();
    let list = command_list(root);
    assert!(list.len() > 20, "{list:?}");
    let shell = read("src-tauri/src/shell/mod.rs");
    let handler = &shell[shell.find("generate_handler![").expect("the shell's handler list")..];
    let handler: BTreeSet<String> = handler[..handler.find(']').unwrap()]
        .split("commands::")
        .skip(1)
        .map(|rest| rest.split(',').next().unwrap().trim().to_string())
        .collect();
    let commands = read("src-tauri/src/shell/commands.rs");
    let functions: BTreeSet<String> = commands
        .split("#[tauri::command]")
        .skip(1)
        .map(|rest| {
            let after_fn = &rest[rest.find("fn ").unwrap() + 3..];
            after_fn[..after_fn.find(['(', '<']).unwrap()].to_string()
        })
        .collect();
    let capability: serde_json::Value = serde_json::from_str(&read("src-tauri/capabilities/main.json")).unwrap();
    let granted: BTreeSet<String> = capability["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().strip_prefix("allow-").expect("only allow-… grants").replace('-', "_"))
        .collect();
    let api = read("ui/api.js");
    let invoked: BTreeSet<String> = api.split("invoke('").skip(1).filter_map(|rest| rest.split('\'').next()).map(str::to_string).collect();
    for (place, names) in
        [("the shell's handler", &handler), ("commands.rs", &functions), ("the capability", &granted), ("ui/api.js", &invoked)]
    {
        let missing: Vec<_> = list.difference(names).collect();
        let extra: Vec<_> = names.difference(&list).collect();
        assert!(missing.is_empty() && extra.is_empty(), "{place}: missing {missing:?}, not in commands.txt {extra:?}");
    }
}
