//! Text as Windows' wide ("W") calls take and give it: UTF-16, NUL-terminated. Windows only.

use std::ffi::OsStr;
use std::os::windows::ffi::OsStrExt;

/// `text` as a NUL-terminated UTF-16 string, for a `PCWSTR` argument.
pub fn wide(text: &str) -> Vec<u16> {
    text.encode_utf16().chain([0]).collect()
}

/// A path or other OS string the same way, exactly as Windows spells it.
pub fn wide_os(text: &OsStr) -> Vec<u16> {
    text.encode_wide().chain([0]).collect()
}

/// The NUL-terminated UTF-16 string at `text`, as Rust text.
///
/// # Safety
/// `text` points to a NUL-terminated UTF-16 string.
pub unsafe fn from_wide(text: *const u16) -> String {
    // SAFETY: the caller's promise: readable up to and including the NUL.
    unsafe {
        let len = (0..).take_while(|&i| *text.add(i) != 0).count();
        String::from_utf16_lossy(std::slice::from_raw_parts(text, len))
    }
}
