//! The app's own process: kept out of core dumps (Linux, macOS) and crash dumps (Windows Error
//! Reporting), so a crash cannot write the JWT, a typed password or a new secret to disk
//! through the system's dump handler.

/// Turns core dumps off for this process: no core file (`RLIMIT_CORE` 0) and, on Linux, not
/// dumpable at all (`PR_SET_DUMPABLE` 0, which also keeps other processes of the same user
/// from attaching to read its memory). Child processes start afresh when they exec.
///
/// On Windows: Windows Error Reporting leaves this program alone for this user
/// (`WerAddExcludedApplication`, per user: no administrator needed), so a crash writes no
/// dump with the process's memory and sends none; and no crash dialog waits on the screen
/// (`SEM_NOGPFAULTERRORBOX`, with `SEM_FAILCRITICALERRORS` for "insert a disk" boxes).
pub fn disable_core_dumps() -> std::io::Result<()> {
    #[cfg(unix)]
    {
        let none = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
        // SAFETY: setrlimit reads the struct we pass and nothing else.
        if unsafe { libc::setrlimit(libc::RLIMIT_CORE, &none) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    #[cfg(target_os = "linux")]
    {
        // SAFETY: PR_SET_DUMPABLE takes one integer argument; the rest are ignored.
        if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, 0, 0, 0, 0) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    #[cfg(windows)]
    windows_error_reporting::exclude_this_program()?;
    Ok(())
}

#[cfg(windows)]
mod windows_error_reporting {
    use windows_sys::Win32::System::Diagnostics::Debug::{GetErrorMode, SetErrorMode, SEM_FAILCRITICALERRORS, SEM_NOGPFAULTERRORBOX};
    use windows_sys::Win32::System::ErrorReporting::WerAddExcludedApplication;

    pub fn exclude_this_program() -> std::io::Result<()> {
        // SAFETY: both take and return plain flags.
        unsafe { SetErrorMode(GetErrorMode() | SEM_NOGPFAULTERRORBOX | SEM_FAILCRITICALERRORS) };
        let exe = std::env::current_exe()?;
        // WER matches the program by its file name ("the full path is optional").
        let name = exe.file_name().unwrap_or(exe.as_os_str()).to_string_lossy();
        let name = crate::platform::windows_text::wide(&name);
        // SAFETY: a NUL-terminated UTF-16 string that outlives the call; FALSE: this user only.
        let result = unsafe { WerAddExcludedApplication(name.as_ptr(), 0) };
        if result < 0 {
            return Err(std::io::Error::other(format!("Windows Error Reporting refused the exclusion (HRESULT {result:#010x})")));
        }
        Ok(())
    }
}

#[cfg(all(test, windows))]
mod windows_tests {
    use crate::platform::windows_registry::read_dword;
    use crate::platform::windows_text::wide;
    use windows_sys::Win32::System::Diagnostics::Debug::{GetErrorMode, SEM_NOGPFAULTERRORBOX};
    use windows_sys::Win32::System::Registry::{RegDeleteKeyValueW, HKEY_CURRENT_USER};

    /// The user's ExcludedApplications key, where WER looks: Windows documents it under
    /// `Software\Microsoft\Windows\Windows Error Reporting`; Wine 8 keeps it one level up,
    /// without `Windows\`. Either names this test program with 1, and no crash dialog is shown.
    #[test]
    fn crash_reports_and_dialogs_are_off_afterwards() {
        let exe = std::env::current_exe().unwrap();
        let name = exe.file_name().unwrap().to_string_lossy().to_string();
        let keys = [
            r"Software\Microsoft\Windows\Windows Error Reporting\ExcludedApplications",
            r"Software\Microsoft\Windows Error Reporting\ExcludedApplications",
        ];
        for key in keys {
            // An earlier run's value must not answer for this one. SAFETY: NUL-terminated strings.
            unsafe { RegDeleteKeyValueW(HKEY_CURRENT_USER, wide(key).as_ptr(), wide(&name).as_ptr()) };
        }
        super::disable_core_dumps().unwrap();
        // SAFETY: reads the process's flags.
        assert_ne!(unsafe { GetErrorMode() } & SEM_NOGPFAULTERRORBOX, 0);
        let excluded = keys.into_iter().filter_map(|key| read_dword(HKEY_CURRENT_USER, key, &name)).collect::<Vec<_>>();
        assert_eq!(excluded, [1], "ExcludedApplications names {name} once, with 1");
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn core_dumps_are_off_afterwards() {
        super::disable_core_dumps().unwrap();
        // SAFETY: PR_GET_DUMPABLE takes no arguments.
        assert_eq!(unsafe { libc::prctl(libc::PR_GET_DUMPABLE, 0, 0, 0, 0) }, 0);
        let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
        let core = limits.lines().find(|l| l.starts_with("Max core file size")).unwrap();
        assert_eq!(core.split_whitespace().skip(4).take(2).collect::<Vec<_>>(), ["0", "0"], "{core}");
    }
}
