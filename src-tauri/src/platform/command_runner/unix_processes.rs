//! The delivery command's runner on Unix: a program is runnable when it has an execute bit,
//! the secret is written without ever blocking (the pipe made non-blocking), the bytes left
//! unread are counted with FIONREAD, and an end by a signal is told apart.

use std::path::{Path, PathBuf};

use crate::rules::delivery_failure::ProcessEnd;

pub(super) fn with_extensions(path: PathBuf) -> Vec<PathBuf> {
    vec![path]
}

pub(super) fn runnable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Writes the whole key into the command's input, which never blocks: a key of at most 512
/// bytes into an empty pipe.
pub(super) fn write_whole(mut input: std::io::PipeWriter, key: &[u8]) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let fd = input.as_raw_fd();
    // SAFETY: reads and sets the status flags of our own descriptor.
    unsafe { libc::fcntl(fd, libc::F_SETFL, libc::fcntl(fd, libc::F_GETFL) | libc::O_NONBLOCK) };
    std::io::Write::write_all(&mut input, key)
}

/// The bytes still in the pipe behind our read end.
pub(super) fn unread_bytes(probe: &std::io::PipeReader) -> u64 {
    use std::os::fd::AsRawFd;
    let mut count: libc::c_int = 0;
    // SAFETY: FIONREAD writes one int through the pointer given.
    let done = unsafe { libc::ioctl(probe.as_raw_fd(), libc::FIONREAD, &mut count) };
    if done == 0 {
        count.max(0) as u64
    } else {
        0
    }
}

/// How the process ended: a signal, or its exit code.
pub(super) fn process_end(status: std::process::ExitStatus) -> ProcessEnd {
    use std::os::unix::process::ExitStatusExt;
    match status.signal() {
        Some(signal) => ProcessEnd::Killed { signal },
        None => ProcessEnd::Exited { code: status.code().unwrap_or(-1) },
    }
}
