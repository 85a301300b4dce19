//! Values in Windows' registry: the organisation's policy read, the autostart `Run` value
//! written and removed, and in tests what the app left there. Windows only.

use windows_sys::Win32::Foundation::ERROR_FILE_NOT_FOUND;
use windows_sys::Win32::System::Registry::{
    RegDeleteKeyValueW, RegGetValueW, RegSetKeyValueW, HKEY, REG_SZ, RRF_RT_REG_BINARY, RRF_RT_REG_DWORD, RRF_RT_REG_SZ,
};

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

/// The raw bytes of `name` under `key` of `root`, of the type `flags` allows; `None` when absent.
fn read_raw(root: HKEY, key: &str, name: &str, flags: u32) -> Option<Vec<u8>> {
    let (key, name) = (wide(key), wide(name));
    let mut size: u32 = 0;
    // SAFETY: NUL-terminated strings that outlive the call; a null buffer asks for the size.
    let status = unsafe { RegGetValueW(root, key.as_ptr(), name.as_ptr(), flags, std::ptr::null_mut(), std::ptr::null_mut(), &mut size) };
    if status != 0 {
        return None;
    }
    let mut buffer = vec![0u8; size as usize];
    // SAFETY: as above; the buffer holds `size` bytes.
    let status =
        unsafe { RegGetValueW(root, key.as_ptr(), name.as_ptr(), flags, std::ptr::null_mut(), buffer.as_mut_ptr().cast(), &mut size) };
    buffer.truncate(size as usize);
    (status == 0).then_some(buffer)
}

/// The string `name` under `key` of `root`; `None` when it is absent or not a string.
pub fn read_string(root: HKEY, key: &str, name: &str) -> Option<String> {
    let bytes = read_raw(root, key, name, RRF_RT_REG_SZ)?;
    let text: Vec<u16> = bytes.chunks_exact(2).map(|pair| u16::from_le_bytes([pair[0], pair[1]])).take_while(|&c| c != 0).collect();
    String::from_utf16(&text).ok()
}

/// The binary value `name` under `key` of `root`; `None` when it is absent or not binary.
pub fn read_binary(root: HKEY, key: &str, name: &str) -> Option<Vec<u8>> {
    read_raw(root, key, name, RRF_RT_REG_BINARY)
}

fn write_raw(root: HKEY, key: &str, name: &str, kind: u32, data: &[u8]) -> std::io::Result<()> {
    // SAFETY: NUL-terminated strings and a buffer of `data.len()` bytes, all outliving the call.
    let status = unsafe { RegSetKeyValueW(root, wide(key).as_ptr(), wide(name).as_ptr(), kind, data.as_ptr().cast(), data.len() as u32) };
    if status == 0 {
        Ok(())
    } else {
        Err(std::io::Error::from_raw_os_error(status as i32))
    }
}

/// Sets the string `name` under `key` of `root`, making the key if needed.
pub fn write_string(root: HKEY, key: &str, name: &str, value: &str) -> std::io::Result<()> {
    let bytes: Vec<u8> = wide(value).into_iter().flat_map(u16::to_le_bytes).collect();
    write_raw(root, key, name, REG_SZ, &bytes)
}

/// Sets the binary value `name` under `key` of `root`, making the key if needed (tests: what
/// Task Manager writes).
#[cfg(test)]
pub fn write_binary(root: HKEY, key: &str, name: &str, value: &[u8]) -> std::io::Result<()> {
    write_raw(root, key, name, windows_sys::Win32::System::Registry::REG_BINARY, value)
}

/// Removes the value `name` under `key` of `root`; already gone is fine.
pub fn delete_value(root: HKEY, key: &str, name: &str) -> std::io::Result<()> {
    // SAFETY: NUL-terminated strings that outlive the call.
    let status = unsafe { RegDeleteKeyValueW(root, wide(key).as_ptr(), wide(name).as_ptr()) };
    match status {
        0 | ERROR_FILE_NOT_FOUND => Ok(()),
        other => Err(std::io::Error::from_raw_os_error(other as i32)),
    }
}
