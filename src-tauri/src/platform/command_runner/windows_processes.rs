//! The delivery command's runner on Windows: `ssh` is found as `ssh.exe` (PATHEXT, less the
//! batch files'), the secret is written whole, and the bytes left unread are counted with
//! PeekNamedPipe.

use std::path::{Path, PathBuf};

use crate::rules::delivery_failure::ProcessEnd;

/// The extensions of PATHEXT, tried in order, less the batch files' (they would run through
/// cmd.exe, a shell).
pub(super) fn with_extensions(path: PathBuf) -> Vec<PathBuf> {
    let extensions = std::env::var("PATHEXT").unwrap_or_else(|_| ".COM;.EXE".into());
    let mut all = vec![path.clone()];
    let runnable = |e: &&str| !e.is_empty() && !crate::rules::delivery_target::is_batch_file(e);
    all.extend(extensions.split(';').filter(runnable).map(|e| {
        let mut with = path.clone().into_os_string();
        with.push(e);
        PathBuf::from(with)
    }));
    all
}

pub(super) fn runnable(path: &Path) -> bool {
    path.is_file()
}

/// Writes the whole key into the command's input (at most 512 bytes into an empty pipe).
pub(super) fn write_whole(mut input: std::io::PipeWriter, key: &[u8]) -> std::io::Result<()> {
    std::io::Write::write_all(&mut input, key)
}

/// The bytes still in the pipe behind our read end.
pub(super) fn unread_bytes(probe: &std::io::PipeReader) -> u64 {
    use std::os::windows::io::AsRawHandle;
    let mut available: u32 = 0;
    // SAFETY: a peek that copies nothing, only the count of bytes available.
    let done = unsafe {
        windows_sys::Win32::System::Pipes::PeekNamedPipe(
            probe.as_raw_handle() as _,
            std::ptr::null_mut(),
            0,
            std::ptr::null_mut(),
            &mut available,
            std::ptr::null_mut(),
        )
    };
    if done != 0 {
        u64::from(available)
    } else {
        0
    }
}

/// How the process ended: Windows has no signals, only exit codes.
pub(super) fn process_end(status: std::process::ExitStatus) -> ProcessEnd {
    ProcessEnd::Exited { code: status.code().unwrap_or(-1) }
}
