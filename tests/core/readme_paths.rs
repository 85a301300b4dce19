//! Every path the READMEs name (in backticks, from the repository's root) exists: a file moved
//! or renamed is moved in the README too.

use std::path::Path;

/// The backticked words of `text` that name a path in the repository: they start with one of
/// its top-level folders (or are one of its top-level files). What a run makes (the folders
/// `.gitignore` names from the root: `target`, `screenshots`, …) is not the repository's.
fn named_paths(text: &str, root: &Path) -> Vec<String> {
    let ignored = std::fs::read_to_string(root.join(".gitignore")).unwrap();
    let made: Vec<&str> = ignored.lines().filter_map(|l| l.strip_prefix('/')).collect();
    let top: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name != ".git" && !made.contains(&name.as_str()))
        .collect();
    text.split('`')
        .skip(1)
        .step_by(2)
        .flat_map(|quoted| quoted.split([',', ' ']))
        .map(|word| word.trim_end_matches(['.', ':', ')']).to_string())
        .filter(|word| !word.contains(['*', '<', '{', '$']) && !word.starts_with('-'))
        .filter(|word| top.iter().any(|t| word == t || word.starts_with(&format!("{t}/"))))
        .collect()
}

#[test]
fn every_path_the_readmes_name_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for readme in ["README.md", "README.pt-BR.md"] {
        let text = std::fs::read_to_string(root.join(readme)).unwrap();
        let paths = named_paths(&text, root);
        assert!(readme != "README.md" || paths.len() > 50, "{readme}: {paths:?}");
        let missing: Vec<&String> = paths.iter().filter(|p| !root.join(p).exists()).collect();
        assert!(missing.is_empty(), "{readme} names paths that do not exist: {missing:?}");
    }
}
