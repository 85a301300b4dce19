//! The project's own source files, read by the tests of its shape (the window's modules, the
//! app's layers).

use std::path::{Path, PathBuf};

/// Every file under `dir`, at any depth, whose name ends in `.extension`.
pub fn files_with_extension(dir: &Path, extension: &str) -> Vec<PathBuf> {
    every_file(dir).into_iter().filter(|path| path.extension().is_some_and(|e| e == extension)).collect()
}

/// Every file under `dir`, at any depth (also what a test's app wrote into its own folder).
pub fn every_file(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut folders = vec![dir.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                folders.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found
}
