//! "Remember password": the OS keychain, and nothing else. The platform store is chosen
//! explicitly, so keyring's mock store (which keeps nothing) can never be in use; a platform
//! without one does not build.

use serde::Serialize;
use zeroize::Zeroizing;

use crate::rules::app_error::AppError;

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
compile_error!("CertoPay Keys needs an OS keychain: Secret Service, macOS Keychain or Windows Credential Manager");

fn platform_store() -> Box<keyring::credential::CredentialBuilder> {
    #[cfg(target_os = "linux")]
    return keyring::secret_service::default_credential_builder();
    #[cfg(target_os = "macos")]
    return keyring::macos::default_credential_builder();
    #[cfg(target_os = "windows")]
    return keyring::windows::default_credential_builder();
}

/// Whether a keychain answered, and if not, why (shown beside the disabled box).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeychainStatus {
    pub available: bool,
    pub reason: Option<String>,
}

/// Where remembered passwords live, one per server origin and e-mail: a password is only ever
/// sent back to the server it was typed for. The real one is `OsKeychain`; tests with no
/// Secret Service may bring their own.
pub trait Keychain: Send + Sync {
    /// Whether it answers, and why not.
    fn status(&self) -> &KeychainStatus;
    fn store(&self, origin: &str, email: &str, password: &str) -> Result<(), AppError>;
    fn fetch(&self, origin: &str, email: &str) -> Result<Option<Zeroizing<String>>, AppError>;
    /// Removes the stored password; absent is fine.
    fn delete(&self, origin: &str, email: &str) -> Result<(), AppError>;

    /// Refuses, with the reason, where no keychain answers.
    fn require_available(&self) -> Result<(), AppError> {
        let status = self.status();
        if status.available {
            return Ok(());
        }
        Err(AppError::Keychain { detail: status.reason.clone().unwrap_or_default() })
    }
}

/// The OS keychain through keyring.
pub struct OsKeychain {
    service: String,
    status: KeychainStatus,
}

impl OsKeychain {
    /// Selects the platform store and asks it once whether it answers. Blocking (D-Bus on Linux).
    pub fn open(service: &str) -> OsKeychain {
        keyring::set_default_credential_builder(platform_store());
        let status = match keyring::Entry::new(service, "availability-check").and_then(|e| e.get_password()) {
            Ok(_) | Err(keyring::Error::NoEntry) => KeychainStatus { available: true, reason: None },
            Err(e) => KeychainStatus { available: false, reason: Some(describe(&e)) },
        };
        OsKeychain { service: service.to_string(), status }
    }

    fn entry(&self, origin: &str, email: &str) -> Result<keyring::Entry, AppError> {
        self.require_available()?;
        keyring::Entry::new(&self.service, &user_name(origin, email)).map_err(keychain_error)
    }
}

/// The keychain's user name for a password: the server it was typed for and the e-mail.
fn user_name(origin: &str, email: &str) -> String {
    format!("{origin}/{}", email.to_lowercase())
}

impl Keychain for OsKeychain {
    fn status(&self) -> &KeychainStatus {
        &self.status
    }

    #[cfg(not(windows))]
    fn store(&self, origin: &str, email: &str, password: &str) -> Result<(), AppError> {
        self.entry(origin, email)?.set_password(password).map_err(keychain_error)
    }

    /// Written by hand on Windows: keyring's credential roams with the user's profile to every
    /// machine they log on to (CRED_PERSIST_ENTERPRISE); a payment account's password stays on
    /// this one. The same target and user name as keyring's, so its read and delete find it.
    #[cfg(windows)]
    fn store(&self, origin: &str, email: &str, password: &str) -> Result<(), AppError> {
        self.require_available()?;
        this_computer_only::store(&self.service, &user_name(origin, email), password)
            .map_err(|code| AppError::Keychain { detail: format!("Credential Manager refused the password (error {code})") })
    }

    fn fetch(&self, origin: &str, email: &str) -> Result<Option<Zeroizing<String>>, AppError> {
        match self.entry(origin, email)?.get_password() {
            Ok(password) => {
                let password = Zeroizing::new(password);
                // An earlier build wrote it through keyring, roaming (CRED_PERSIST_ENTERPRISE):
                // it is written again for this computer only, now that it is read. If that
                // fails, the login still works and the next read tries again.
                #[cfg(windows)]
                if !this_computer_only::is_kept_here(&self.service, &user_name(origin, email)) {
                    let _ = this_computer_only::store(&self.service, &user_name(origin, email), &password);
                }
                Ok(Some(password))
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keychain_error(e)),
        }
    }

    fn delete(&self, origin: &str, email: &str) -> Result<(), AppError> {
        match self.entry(origin, email)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keychain_error(e)),
        }
    }
}

fn describe(error: &keyring::Error) -> String {
    match error {
        keyring::Error::NoStorageAccess(_) => "the keychain is locked or refused access".into(),
        keyring::Error::PlatformFailure(e) => format!("no keychain answered ({e})"),
        other => other.to_string(),
    }
}

fn keychain_error(error: keyring::Error) -> AppError {
    AppError::Keychain { detail: describe(&error) }
}

#[cfg(windows)]
mod this_computer_only {
    use windows_sys::Win32::Foundation::GetLastError;
    use windows_sys::Win32::Security::Credentials::{
        CredFree, CredReadW, CredWriteW, CREDENTIALW, CRED_PERSIST_LOCAL_MACHINE, CRED_TYPE_GENERIC,
    };
    use zeroize::Zeroizing;

    use crate::platform::windows_text::wide;

    /// keyring's naming of a credential: "user.service".
    fn target_name(service: &str, user: &str) -> Vec<u16> {
        wide(&format!("{user}.{service}"))
    }

    /// Whether the credential is kept for this computer only (false too when there is none).
    pub(super) fn is_kept_here(service: &str, user: &str) -> bool {
        let name = target_name(service, user);
        let mut found: *mut CREDENTIALW = std::ptr::null_mut();
        // SAFETY: a NUL-terminated name; the credential is freed below with CredFree.
        if unsafe { CredReadW(name.as_ptr(), CRED_TYPE_GENERIC, 0, &mut found) } == 0 {
            return false;
        }
        // SAFETY: CredReadW succeeded, so `found` points to one credential, freed once.
        unsafe {
            let persist = (*found).Persist;
            CredFree(found.cast());
            persist == CRED_PERSIST_LOCAL_MACHINE
        }
    }

    /// Keeps `password` for `user` of `service` in Credential Manager, for this computer only;
    /// the error is Windows' code.
    pub(super) fn store(service: &str, user: &str, password: &str) -> Result<(), u32> {
        // keyring's naming and its blob: the password as UTF-16, no NUL.
        let mut target = target_name(service, user);
        let mut user_name = wide(user);
        let mut blob: Zeroizing<Vec<u8>> = Zeroizing::new(password.encode_utf16().flat_map(u16::to_le_bytes).collect());
        let credential = CREDENTIALW {
            Flags: 0,
            Type: CRED_TYPE_GENERIC,
            TargetName: target.as_mut_ptr(),
            Comment: std::ptr::null_mut(),
            LastWritten: Default::default(),
            CredentialBlobSize: u32::try_from(blob.len()).map_err(|_| 0u32)?,
            CredentialBlob: blob.as_mut_ptr(),
            Persist: CRED_PERSIST_LOCAL_MACHINE,
            AttributeCount: 0,
            Attributes: std::ptr::null_mut(),
            TargetAlias: std::ptr::null_mut(),
            UserName: user_name.as_mut_ptr(),
        };
        // SAFETY: every pointer is to a live, NUL-terminated buffer (the blob has its size).
        if unsafe { CredWriteW(&credential, 0) } == 0 {
            // SAFETY: no other call in between.
            return Err(unsafe { GetLastError() });
        }
        Ok(())
    }
}

/// Credential Manager under Wine (CredWriteW, CredReadW, CredDeleteW): the password is kept,
/// read back through the system's own enumeration (not only keyring's), and deleted.
#[cfg(all(test, windows))]
mod windows_tests {
    use super::*;
    use windows_sys::Win32::Security::Credentials::{
        CredEnumerateW, CredFree, CredReadW, CREDENTIALW, CRED_PERSIST_ENTERPRISE, CRED_PERSIST_LOCAL_MACHINE, CRED_TYPE_GENERIC,
    };

    /// How the credential named `target` is kept (CRED_PERSIST_*), read back with CredReadW.
    fn persistence_of(target: &str) -> Option<u32> {
        let name = crate::platform::windows_text::wide(target);
        let mut found: *mut CREDENTIALW = std::ptr::null_mut();
        // SAFETY: a NUL-terminated name; the credential is freed below with CredFree.
        if unsafe { CredReadW(name.as_ptr(), CRED_TYPE_GENERIC, 0, &mut found) } == 0 {
            return None;
        }
        // SAFETY: CredReadW succeeded, so `found` points to one credential.
        let persist = unsafe { (*found).Persist };
        // SAFETY: the credential CredReadW gave.
        unsafe { CredFree(found.cast()) };
        Some(persist)
    }

    /// The passwords Credential Manager holds for this user name, as UTF-16 text.
    fn credential_manager_holds(user: &str) -> Vec<String> {
        let mut count = 0u32;
        let mut list: *mut *mut CREDENTIALW = std::ptr::null_mut();
        // SAFETY: a null filter enumerates all; the list is freed below with CredFree.
        if unsafe { CredEnumerateW(std::ptr::null(), 0, &mut count, &mut list) } == 0 {
            return Vec::new();
        }
        let mut found = Vec::new();
        for i in 0..count as usize {
            // SAFETY: `count` valid entries, each with its own NUL-terminated user name and blob.
            unsafe {
                let credential = &**list.add(i);
                if credential.UserName.is_null() {
                    continue;
                }
                let name = crate::platform::windows_text::from_wide(credential.UserName);
                if name == user {
                    let blob =
                        std::slice::from_raw_parts(credential.CredentialBlob.cast::<u16>(), credential.CredentialBlobSize as usize / 2);
                    found.push(String::from_utf16_lossy(blob));
                }
            }
        }
        // SAFETY: the list CredEnumerateW gave.
        unsafe { CredFree(list.cast()) };
        found
    }

    #[test]
    fn the_password_lives_in_credential_manager() {
        let keychain = OsKeychain::open("CertoPay Keys (test)");
        assert!(keychain.status().available, "{:?}", keychain.status().reason);
        let (origin, email) = ("https://api.certopay.test", "Ana@Loja.example");
        keychain.store(origin, email, "senha-do-teste").unwrap();
        assert_eq!(keychain.fetch(origin, email).unwrap().as_deref().map(String::as_str), Some("senha-do-teste"));
        assert_eq!(credential_manager_holds("https://api.certopay.test/ana@loja.example"), ["senha-do-teste"]);
        let target = "https://api.certopay.test/ana@loja.example.CertoPay Keys (test)";
        assert_eq!(persistence_of(target), Some(CRED_PERSIST_LOCAL_MACHINE), "kept on this computer, never roaming");
        // Stored again (a changed password): still one credential, still this computer's.
        keychain.store(origin, email, "senha-nova").unwrap();
        assert_eq!(credential_manager_holds("https://api.certopay.test/ana@loja.example"), ["senha-nova"]);
        assert_eq!(persistence_of(target), Some(CRED_PERSIST_LOCAL_MACHINE));
        keychain.delete(origin, email).unwrap();
        assert_eq!(keychain.fetch(origin, email).unwrap(), None);
        assert!(credential_manager_holds("https://api.certopay.test/ana@loja.example").is_empty());
    }

    #[test]
    fn a_roaming_password_an_earlier_build_wrote_is_kept_for_this_computer_once_read() {
        let keychain = OsKeychain::open("CertoPay Keys (roaming test)");
        let (origin, email) = ("https://api.certopay.test", "bia@loja.example");
        // What an earlier build did: keyring's own write, which roams with the user's profile.
        keyring::Entry::new("CertoPay Keys (roaming test)", &user_name(origin, email)).unwrap().set_password("senha-antiga").unwrap();
        let target = "https://api.certopay.test/bia@loja.example.CertoPay Keys (roaming test)";
        assert_eq!(persistence_of(target), Some(CRED_PERSIST_ENTERPRISE), "an earlier build's credential roams");
        // The next login reads it: the same password, now kept on this computer only.
        assert_eq!(keychain.fetch(origin, email).unwrap().as_deref().map(String::as_str), Some("senha-antiga"));
        assert_eq!(persistence_of(target), Some(CRED_PERSIST_LOCAL_MACHINE), "rewritten for this computer only");
        assert_eq!(credential_manager_holds("https://api.certopay.test/bia@loja.example"), ["senha-antiga"], "one credential");
        keychain.delete(origin, email).unwrap();
    }
}
