//! The account password, kept only as a salted hash for the session's life: what the person
//! types again to rotate after a keychain login, or to set a delivery target.

use zeroize::{Zeroize, ZeroizeOnDrop};

/// Wrong passwords a session takes: the next one ends it. A page script that guesses gets five
/// tries, then a login screen.
pub const MAX_WRONG_PASSWORDS: u32 = 5;

/// The password, once more, for a session that was opened or renewed with the remembered one:
/// rotating then needs the person, not only the desk (GitHub's "sudo mode"). Only a salted
/// SHA-256 of the password is kept, in memory, zeroized on drop; a typed password is compared
/// with it in constant time, and never sent anywhere.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct PasswordCheck {
    salt: [u8; 32],
    digest: [u8; 32],
}

impl std::fmt::Debug for PasswordCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordCheck([redacted])")
    }
}

impl PasswordCheck {
    /// `salt`: 32 random bytes, fresh for each check.
    pub fn new(password: &str, salt: [u8; 32]) -> Self {
        let digest = Self::digest(&salt, password);
        PasswordCheck { salt, digest }
    }

    fn digest(salt: &[u8; 32], password: &str) -> [u8; 32] {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        hasher.update(salt);
        hasher.update(password.as_bytes());
        hasher.finalize().into()
    }

    /// Whether `typed` is the password, compared in constant time.
    pub fn matches(&self, typed: &str) -> bool {
        use subtle::ConstantTimeEq;
        let mut typed_digest = Self::digest(&self.salt, typed);
        let same = typed_digest.ct_eq(&self.digest).into();
        typed_digest.zeroize();
        same
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_check_knows_only_the_password() {
        let check = PasswordCheck::new("certopay-demo", [7; 32]);
        assert!(check.matches("certopay-demo"));
        for wrong in ["", "certopay-dem", "certopay-demo ", "CERTOPAY-DEMO"] {
            assert!(!check.matches(wrong), "{wrong:?}");
        }
        assert_eq!(format!("{check:?}"), "PasswordCheck([redacted])");
        assert_ne!(PasswordCheck::new("x", [1; 32]).digest, PasswordCheck::new("x", [2; 32]).digest, "the salt changes the digest");
    }
}
