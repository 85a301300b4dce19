//! The app's own files (settings, history): readable by the user alone (0600 in 0700
//! folders; on Windows, a folder whose access list grants the user alone, inherited by its
//! files, none from the folders above), written whole or not at all (a temporary file,
//! `sync_all`, then a rename: `replace_whole`, which an export to the user's folder uses too),
//! and read only up to a size cap. Plain Rust.

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
    #[cfg(windows)]
    crate::platform::private_folder::grant_the_user_alone(dir)?;
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

/// How a write makes its temporary file (`replace_whole`'s `create`): new, never one already
/// there (nor a link planted under its name in a shared folder, which would be followed).
pub fn new_file() -> std::fs::OpenOptions {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    options
}

/// Replaces one of the app's files with `bytes`, in its private folder (`replace_whole`).
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    private_dir(path.parent().expect("a file path has a folder"))?;
    replace_whole(path, bytes, |temp| open_private(temp, &mut new_file()))
}

/// Replaces the file with `bytes`: a crash leaves the old file or the new one, never half.
/// Each write has its own temporary file beside it, made by `create`, and the folder is synced
/// after the rename so that the rename itself survives a power cut. The app's private files
/// and an export in a folder of the user's choosing (made as that folder makes files) share it.
pub fn replace_whole(path: &Path, bytes: &[u8], create: impl FnOnce(&Path) -> std::io::Result<std::fs::File>) -> std::io::Result<()> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let write = WRITES.fetch_add(1, Ordering::Relaxed);
    // Not to be guessed by another user of a shared folder, and made new (`create`).
    let temp = dir.join(format!(".{name}.{}.{write}.{:016x}.tmp", std::process::id(), rand::random::<u64>()));
    let written = (|| {
        let mut file = create(&temp)?;
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

/// The access lists Windows keeps for the folder and a file in it, read back as SDDL text
/// (Wine keeps them with the file).
#[cfg(all(test, windows))]
mod windows_tests {
    use super::*;
    use windows_sys::Win32::Foundation::LocalFree;
    use windows_sys::Win32::Security::Authorization::{
        ConvertSecurityDescriptorToStringSecurityDescriptorW, GetNamedSecurityInfoW, SDDL_REVISION_1, SE_FILE_OBJECT,
    };
    use windows_sys::Win32::Security::{DACL_SECURITY_INFORMATION, PSECURITY_DESCRIPTOR};

    fn access_list(path: &Path) -> String {
        let wide = crate::platform::windows_text::wide_os(path.as_os_str());
        // SAFETY: out-pointers the calls fill; both allocations are freed with LocalFree.
        unsafe {
            let mut descriptor: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
            let status = GetNamedSecurityInfoW(
                wide.as_ptr(),
                SE_FILE_OBJECT,
                DACL_SECURITY_INFORMATION,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                &mut descriptor,
            );
            assert_eq!(status, 0, "GetNamedSecurityInfoW {}", path.display());
            let mut text: *mut u16 = std::ptr::null_mut();
            let mut len = 0u32;
            assert_ne!(
                ConvertSecurityDescriptorToStringSecurityDescriptorW(
                    descriptor,
                    SDDL_REVISION_1,
                    DACL_SECURITY_INFORMATION,
                    &mut text,
                    &mut len
                ),
                0
            );
            let sddl = crate::platform::windows_text::from_wide(text);
            LocalFree(text.cast());
            LocalFree(descriptor);
            sddl
        }
    }

    /// Wine answers `wine_get_version` from its ntdll; Windows has no such export.
    fn under_wine() -> bool {
        use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleW, GetProcAddress};
        let ntdll = crate::platform::windows_text::wide("ntdll.dll");
        // SAFETY: ntdll is loaded in every process; the name is NUL-terminated.
        unsafe { GetProcAddress(GetModuleHandleW(ntdll.as_ptr()), c"wine_get_version".as_ptr().cast()).is_some() }
    }

    /// On Windows, the folder's and the file's lists as read back. Wine 8 accepts the change
    /// and keeps nothing (no stored list, the Unix mode unchanged), so under Wine this checks
    /// only that the write succeeds through it; the workflow's Windows runner checks the rest.
    #[test]
    fn the_folder_and_its_files_grant_the_user_alone() {
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("CertoPay Keys");
        let file = folder.join("settings.json");
        write_atomically(&file, b"{}").unwrap();
        let user = crate::platform::private_folder::current_user_sid().unwrap();
        assert!(user.starts_with("S-1-5-21-"), "a user's SID: {user}");
        if under_wine() {
            return;
        }
        assert_eq!(access_list(&folder), format!("D:P(A;OICI;FA;;;{user})"), "protected, the user alone, inherited inside");
        assert_eq!(access_list(&file), format!("D:(A;ID;FA;;;{user})"), "the file inherits the one grant");
    }
}
