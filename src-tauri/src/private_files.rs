//! The app's own files (settings, history): readable by the user alone (0600 in 0700
//! folders), written whole or not at all (a temporary file, `sync_all`, then a rename), and
//! read only up to a size cap. Plain Rust.

use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// The most of one of the app's files that is read: both are a few KiB in use.
pub const MAX_FILE: u64 = 1024 * 1024;

/// Creates the folder (and its parents) and makes it the user's alone.
pub fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

fn open_private(path: &Path, options: &mut std::fs::OpenOptions) -> std::io::Result<std::fs::File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let file = options.open(path)?;
    #[cfg(unix)]
    {
        // A file made before this rule keeps its mode on open: set it.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}

/// Tells apart the temporary files of writes that overlap, within this process.
static WRITES: AtomicU64 = AtomicU64::new(0);

/// Replaces the file with `bytes`: a crash leaves the old file or the new one, never half.
/// Each write has its own temporary file, and the folder is synced after the rename so that
/// the rename itself survives a power cut.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().expect("a file path has a folder");
    private_dir(dir)?;
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let write = WRITES.fetch_add(1, Ordering::Relaxed);
    let temp = dir.join(format!(".{name}.{}.{write}.tmp", std::process::id()));
    let written = (|| {
        let mut file = open_private(&temp, std::fs::OpenOptions::new().write(true).create(true).truncate(true))?;
        file.write_all(bytes)?;
        file.sync_all()
    })();
    match written.and_then(|()| std::fs::rename(&temp, path)) {
        Ok(()) => sync_dir(dir),
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            Err(e)
        }
    }
}

/// Makes a rename in `dir` durable. Windows has no handle on a folder to sync: there the
/// rename is durable once `MoveFileEx` returns, as far as the file system promises.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    std::fs::File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Appends one line in a single write, so an interrupted append loses at most that line.
pub fn append_line(path: &Path, line: &str) -> std::io::Result<()> {
    private_dir(path.parent().expect("a file path has a folder"))?;
    let mut file = open_private(path, std::fs::OpenOptions::new().create(true).append(true))?;
    file.write_all(line.as_bytes())?;
    file.sync_all()
}

/// What stopped a file from being read.
#[derive(Debug, PartialEq)]
pub enum ReadProblem {
    /// It exists and could not be read.
    Unreadable,
    /// Larger than `MAX_FILE`: not the app's file as the app writes it.
    TooLarge,
}

/// The file's bytes; `Ok(None)` when there is no file.
pub fn read_capped(path: &Path) -> Result<Option<Vec<u8>>, ReadProblem> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(_) => return Err(ReadProblem::Unreadable),
    };
    let mut bytes = Vec::new();
    // One byte past the cap tells a file at the cap from a larger one.
    file.take(MAX_FILE + 1).read_to_end(&mut bytes).map_err(|_| ReadProblem::Unreadable)?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(ReadProblem::TooLarge);
    }
    Ok(Some(bytes))
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn files_are_the_users_alone_and_written_whole() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("a/b");
        let file = folder.join("settings.json");
        write_atomically(&file, b"{}").unwrap();
        assert_eq!((mode(&folder), mode(&file)), (0o700, 0o600));
        let history = folder.join("history.jsonl");
        std::fs::write(&history, b"old\n").unwrap();
        std::fs::set_permissions(&history, std::fs::Permissions::from_mode(0o644)).unwrap();
        append_line(&history, "new\n").unwrap();
        assert_eq!(mode(&history), 0o600, "an older file is made private too");
        assert_eq!(std::fs::read(&history).unwrap(), b"old\nnew\n");
        let names: Vec<_> = std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names.len(), 2, "no temporary file left: {names:?}");
    }

    #[test]
    fn a_file_over_the_cap_is_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        assert_eq!(read_capped(&path), Ok(None));
        std::fs::write(&path, vec![b' '; MAX_FILE as usize]).unwrap();
        assert_eq!(read_capped(&path).unwrap().unwrap().len() as u64, MAX_FILE);
        std::fs::write(&path, vec![b' '; MAX_FILE as usize + 1]).unwrap();
        assert_eq!(read_capped(&path), Err(ReadProblem::TooLarge));
    }
}
