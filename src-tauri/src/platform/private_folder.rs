//! The app's private folder on Windows: a protected access list (`D:P`: nothing inherited
//! from the folders above, so a grant on `AppData` to other users or groups does not reach in)
//! with one entry: the user running the app, full control, inherited by the files and folders
//! inside (`OICI`). Unix folders are 0700 (`store::private_files`).

use std::path::Path;

use windows_sys::Win32::Foundation::{CloseHandle, LocalFree, HANDLE};
use windows_sys::Win32::Security::Authorization::{
    ConvertSidToStringSidW, ConvertStringSecurityDescriptorToSecurityDescriptorW, SetNamedSecurityInfoW, SDDL_REVISION_1, SE_FILE_OBJECT,
};
use windows_sys::Win32::Security::{
    GetSecurityDescriptorDacl, GetTokenInformation, TokenUser, ACL, DACL_SECURITY_INFORMATION, PROTECTED_DACL_SECURITY_INFORMATION,
    PSECURITY_DESCRIPTOR, TOKEN_QUERY, TOKEN_USER,
};
use windows_sys::Win32::System::Threading::{GetCurrentProcess, OpenProcessToken};

use crate::platform::windows_text::{from_wide, wide, wide_os};

fn failed(what: &str) -> std::io::Error {
    let os = std::io::Error::last_os_error();
    std::io::Error::new(os.kind(), format!("{what}: {os}"))
}

/// The running user's SID as text ("S-1-5-21-..."), asked of Windows once per process: every
/// write of the app's files sets the folder's list.
pub fn current_user_sid() -> std::io::Result<String> {
    static SID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    if let Some(sid) = SID.get() {
        return Ok(sid.clone());
    }
    let sid = ask_for_user_sid()?;
    Ok(SID.get_or_init(|| sid).clone())
}

fn ask_for_user_sid() -> std::io::Result<String> {
    // SAFETY: the token is closed below; the buffer is sized by the first call and aligned
    // for TOKEN_USER (u64 words); the SID string is freed with LocalFree.
    unsafe {
        let mut token: HANDLE = std::ptr::null_mut();
        if OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &mut token) == 0 {
            return Err(failed("OpenProcessToken"));
        }
        let mut needed = 0u32;
        GetTokenInformation(token, TokenUser, std::ptr::null_mut(), 0, &mut needed);
        let mut buffer = vec![0u64; (needed as usize).div_ceil(8)];
        let read = GetTokenInformation(token, TokenUser, buffer.as_mut_ptr().cast(), needed, &mut needed);
        CloseHandle(token);
        if read == 0 {
            return Err(failed("GetTokenInformation"));
        }
        let user = &*(buffer.as_ptr() as *const TOKEN_USER);
        let mut text: *mut u16 = std::ptr::null_mut();
        if ConvertSidToStringSidW(user.User.Sid, &mut text) == 0 {
            return Err(failed("ConvertSidToStringSidW"));
        }
        let sid = from_wide(text);
        LocalFree(text.cast());
        Ok(sid)
    }
}

pub fn grant_the_user_alone(dir: &Path) -> std::io::Result<()> {
    let sddl = wide(&format!("D:P(A;OICI;FA;;;{})", current_user_sid()?));
    let path = wide_os(dir.as_os_str());
    // SAFETY: NUL-terminated strings; the descriptor is freed with LocalFree after use, and
    // the DACL pointer points into it.
    unsafe {
        let mut descriptor: PSECURITY_DESCRIPTOR = std::ptr::null_mut();
        if ConvertStringSecurityDescriptorToSecurityDescriptorW(sddl.as_ptr(), SDDL_REVISION_1, &mut descriptor, std::ptr::null_mut()) == 0
        {
            return Err(failed("ConvertStringSecurityDescriptorToSecurityDescriptorW"));
        }
        let (mut present, mut defaulted) = (0, 0);
        let mut dacl: *mut ACL = std::ptr::null_mut();
        GetSecurityDescriptorDacl(descriptor, &mut present, &mut dacl, &mut defaulted);
        let status = SetNamedSecurityInfoW(
            path.as_ptr(),
            SE_FILE_OBJECT,
            DACL_SECURITY_INFORMATION | PROTECTED_DACL_SECURITY_INFORMATION,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            dacl,
            std::ptr::null(),
        );
        LocalFree(descriptor);
        if status != 0 {
            return Err(std::io::Error::from_raw_os_error(status as i32));
        }
    }
    Ok(())
}
