//! Values read from Windows' registry: the organisation's policy, and in tests what the app
//! left there. Windows only.

use windows_sys::Win32::System::Registry::{RegGetValueW, HKEY, RRF_RT_REG_DWORD};

use crate::platform::windows_text::wide;

/// The DWORD `name` under `key` of `root`; `None` when it is absent or not a DWORD.
pub fn read_dword(root: HKEY, key: &str, name: &str) -> Option<u32> {
    let mut value: u32 = 0;
    let mut size = std::mem::size_of::<u32>() as u32;
    // SAFETY: NUL-terminated strings that outlive the call; the buffer is a DWORD with its size.
    let status = unsafe {
        RegGetValueW(
            root,
            wide(key).as_ptr(),
            wide(name).as_ptr(),
            RRF_RT_REG_DWORD,
            std::ptr::null_mut(),
            (&mut value as *mut u32).cast(),
            &mut size,
        )
    };
    (status == 0).then_some(value)
}
