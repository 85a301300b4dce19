//! Whether the organisation turned the app's updates off for everyone: the machine's policy
//! key on Windows (`HKLM\Software\Policies\CertoPay Keys`, `DisableUpdates` = 1, as Group
//! Policy or IT's deployment sets it), or `CERTOPAY_KEYS_DISABLE_UPDATES=1` on any system.

use crate::rules::update_status::variable_disables;

pub const DISABLE_UPDATES_VARIABLE: &str = "CERTOPAY_KEYS_DISABLE_UPDATES";

pub fn updates_disabled_by_organisation() -> bool {
    variable_disables(std::env::var(DISABLE_UPDATES_VARIABLE).ok().as_deref()) || policy_disables()
}

#[cfg(windows)]
pub(crate) const POLICY_KEY: &str = r"Software\Policies\CertoPay Keys";

/// The machine's policy value: `DisableUpdates` is a DWORD 1.
#[cfg(windows)]
fn policy_disables() -> bool {
    use windows_sys::Win32::System::Registry::HKEY_LOCAL_MACHINE;
    crate::platform::windows_registry::read_dword(HKEY_LOCAL_MACHINE, POLICY_KEY, "DisableUpdates") == Some(1)
}

#[cfg(not(windows))]
fn policy_disables() -> bool {
    false
}

/// The policy value under Wine: written as IT would write it, read back by the app, removed.
#[cfg(all(test, windows))]
mod windows_tests {
    use super::*;
    use crate::platform::windows_text::wide;
    use windows_sys::Win32::System::Registry::{RegDeleteKeyValueW, RegSetKeyValueW, HKEY_LOCAL_MACHINE, REG_DWORD};

    fn set_policy(value: Option<u32>) {
        // SAFETY: NUL-terminated strings; the data is a DWORD with its size.
        unsafe {
            match value {
                Some(value) => {
                    let status = RegSetKeyValueW(
                        HKEY_LOCAL_MACHINE,
                        wide(POLICY_KEY).as_ptr(),
                        wide("DisableUpdates").as_ptr(),
                        REG_DWORD,
                        (&value as *const u32).cast(),
                        std::mem::size_of::<u32>() as u32,
                    );
                    assert_eq!(status, 0, "the policy value is written");
                }
                None => {
                    RegDeleteKeyValueW(HKEY_LOCAL_MACHINE, wide(POLICY_KEY).as_ptr(), wide("DisableUpdates").as_ptr());
                }
            }
        }
    }

    #[test]
    fn the_machines_policy_value_turns_updates_off() {
        set_policy(None);
        assert!(!policy_disables(), "no value: updates are the app's to decide");
        set_policy(Some(1));
        assert!(policy_disables(), "DisableUpdates = 1");
        set_policy(Some(0));
        assert!(!policy_disables(), "DisableUpdates = 0");
        set_policy(None);
    }
}
