//! Windows: the `Run` value under HKCU, for this user only, whoever runs the app (elevated too).

use windows_sys::Win32::System::Registry::{HKEY_CURRENT_USER, HKEY_LOCAL_MACHINE};

use crate::platform::windows_registry::{delete_value, read_binary, read_string, write_string};
use crate::rules::autostart_entry::windows_run_value;

const RUN: &str = r"Software\Microsoft\Windows\CurrentVersion\Run";
/// Where Task Manager keeps its "Disabled" for a `Run` value (the first byte odd: turned off).
const STARTUP_APPROVED: &str = r"Software\Microsoft\Windows\CurrentVersion\Explorer\StartupApproved\Run";

/// On: the value is there and Task Manager has not turned it off.
pub fn is_enabled(name: &str) -> bool {
    let turned_off =
        read_binary(HKEY_CURRENT_USER, STARTUP_APPROVED, name).and_then(|bytes| bytes.first().copied()).is_some_and(|first| first % 2 == 1);
    read_string(HKEY_CURRENT_USER, RUN, name).is_some() && !turned_off
}

/// Writes the value for this very program (`current_exe`), and takes back a "Disabled" Task
/// Manager kept: the person has just asked for it.
pub fn enable(name: &str, args: &[&str]) -> std::io::Result<()> {
    let program = std::env::current_exe()?;
    let program = program.to_str().ok_or_else(|| std::io::Error::other("the program's path is not Unicode"))?;
    write_string(HKEY_CURRENT_USER, RUN, name, &windows_run_value(program, args))?;
    delete_value(HKEY_CURRENT_USER, STARTUP_APPROVED, name)
}

/// Removes the value; and the machine-wide one an earlier release wrote when it ran elevated,
/// where this run may remove it (a refusal there is not this user's to fix).
pub fn disable(name: &str) -> std::io::Result<()> {
    delete_value(HKEY_CURRENT_USER, RUN, name)?;
    let _ = delete_value(HKEY_LOCAL_MACHINE, RUN, name);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_run_value_is_the_quoted_path_under_the_current_user_even_when_the_machine_key_is_writable() {
        // Wine gives a test run the same process id again: a value a stopped run left goes first.
        let name = format!("CertoPay Keys test {}", std::process::id());
        let _ = delete_value(HKEY_LOCAL_MACHINE, RUN, &name);
        let _ = delete_value(HKEY_CURRENT_USER, RUN, &name);
        // Whether this run could write machine-wide (under Wine it can: it runs as an
        // administrator), which is when the plugin wrote HKLM.
        let probe = r"Software\CertoPay Keys test";
        let elevated = write_string(HKEY_LOCAL_MACHINE, probe, "probe", "1").is_ok();
        let _ = delete_value(HKEY_LOCAL_MACHINE, probe, "probe");

        enable(&name, &["--minimized"]).unwrap();
        let exe = std::env::current_exe().unwrap();
        assert_eq!(read_string(HKEY_CURRENT_USER, RUN, &name), Some(format!("\"{}\" --minimized", exe.display())));
        assert_eq!(read_string(HKEY_LOCAL_MACHINE, RUN, &name), None, "never machine-wide (elevated: {elevated})");
        assert!(is_enabled(&name));

        // Turned off in Task Manager: off here too; turned on again from the app: on.
        crate::platform::windows_registry::write_binary(HKEY_CURRENT_USER, STARTUP_APPROVED, &name, &[3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
            .unwrap();
        assert!(!is_enabled(&name));
        enable(&name, &["--minimized"]).unwrap();
        assert!(is_enabled(&name));

        disable(&name).unwrap();
        assert_eq!(read_string(HKEY_CURRENT_USER, RUN, &name), None);
        assert!(!is_enabled(&name));
        disable(&name).unwrap();
    }
}
