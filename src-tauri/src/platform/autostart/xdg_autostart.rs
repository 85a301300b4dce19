//! Linux: the autostart entry, written by the app itself (the autostart plugin wrote its path
//! unquoted): `$XDG_CONFIG_HOME/autostart/<name>.desktop` (`~/.config` by default), for this
//! user only.

use std::path::PathBuf;

use crate::rules::autostart_entry::desktop_entry;

fn entry_path(name: &str) -> Option<PathBuf> {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))?;
    Some(config.join("autostart").join(format!("{name}.desktop")))
}

fn no_home() -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::NotFound, "no home folder")
}

pub fn is_enabled(name: &str) -> bool {
    entry_path(name).is_some_and(|path| path.exists())
}

/// Writes the entry for this very program (`current_exe`) with `args`.
pub fn enable(name: &str, args: &[&str]) -> std::io::Result<()> {
    let path = entry_path(name).ok_or_else(no_home)?;
    let program = std::env::current_exe()?;
    let program = program.to_str().ok_or_else(|| std::io::Error::other("the program's path is not UTF-8"))?;
    std::fs::create_dir_all(path.parent().expect("a folder"))?;
    std::fs::write(&path, desktop_entry(name, program, args))
}

pub fn disable(name: &str) -> std::io::Result<()> {
    match std::fs::remove_file(entry_path(name).ok_or_else(no_home)?) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}
