//! The logged-in session: the JWT, held only here, and what the window may know about it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use reqwest::header::HeaderValue;
use serde::Serialize;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::AppError;

/// The JWT. Zeroized on drop, `[redacted]` in Debug, never Serialize: it cannot reach the
/// window, a log or a file by accident.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct Jwt(String);

impl std::fmt::Debug for Jwt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Jwt([redacted])")
    }
}

impl Jwt {
    pub fn new(token: String) -> Self {
        Jwt(token)
    }

    /// The `Authorization` header, marked sensitive so reqwest and hyper never print it.
    pub fn authorization(&self) -> Result<HeaderValue, AppError> {
        let text = Zeroizing::new(format!("Bearer {}", self.0));
        let mut value = HeaderValue::from_str(&text)
            .map_err(|_| AppError::Malformed { detail: "the login token has characters a header cannot carry".into() })?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// Whether `text` is this token (to screen it out of what others print).
    pub fn is(&self, text: &str) -> bool {
        !text.is_empty() && self.0 == text
    }

    /// The payload's claims, base64url-decoded. The signature is not checked: the app has no
    /// key, and the server checks it on every request.
    pub fn claims(&self) -> Result<JwtClaims, AppError> {
        let malformed = |what: &str| AppError::Malformed { detail: format!("the login token {what}") };
        let payload = self.0.split('.').nth(1).ok_or_else(|| malformed("is not a JWT"))?;
        let bytes =
            Zeroizing::new(URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).map_err(|_| malformed("payload is not base64url"))?);
        let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| malformed("payload is not JSON"))?;
        let exp =
            value.get("exp").and_then(|e| e.as_i64().or_else(|| e.as_f64().map(|f| f as i64))).and_then(|e| DateTime::from_timestamp(e, 0));
        let text = |name: &str| value.get(name).and_then(|v| v.as_str()).map(str::to_string);
        Ok(JwtClaims { exp, sub: text("sub"), email: text("email") })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct JwtClaims {
    pub exp: Option<DateTime<Utc>>,
    pub sub: Option<String>,
    pub email: Option<String>,
}

/// A live session: the token and when it ends.
#[derive(Debug)]
pub struct Session {
    pub jwt: Jwt,
    pub email: String,
    pub profile_id: String,
    pub expires_at: DateTime<Utc>,
}

impl Session {
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires_at
    }

    pub fn view(&self) -> SessionView {
        SessionView { email: self.email.clone(), profile_id: self.profile_id.clone(), expires_at: self.expires_at }
    }
}

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
    pub fn new(password: &str) -> Self {
        let mut salt = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut salt);
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

/// What the window learns about the session: who, and until when.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    pub email: String,
    pub profile_id: String,
    pub expires_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(payload: &str) -> Jwt {
        Jwt::new(format!("eyJhbGciOiJIUzI1NiJ9.{}.sig", URL_SAFE_NO_PAD.encode(payload)))
    }

    #[test]
    fn debug_never_shows_the_token() {
        let jwt = token(r#"{"exp": 1}"#);
        assert_eq!(format!("{jwt:?}"), "Jwt([redacted])");
        let session = Session { jwt, email: "a@b".into(), profile_id: "p".into(), expires_at: Utc::now() };
        assert!(!format!("{session:?}").contains("eyJ"));
    }

    #[test]
    fn claims_are_read_from_the_payload() {
        let claims = token(r#"{"exp": 1900000000, "sub": "u1", "email": "a@b.c", "extra": [1]}"#).claims().unwrap();
        assert_eq!(claims.exp, DateTime::from_timestamp(1_900_000_000, 0));
        assert_eq!(claims.sub.as_deref(), Some("u1"));
        assert_eq!(claims.email.as_deref(), Some("a@b.c"));
        assert_eq!(token(r#"{"sub": "u1"}"#).claims().unwrap().exp, None);
        assert!(matches!(Jwt::new("opaque".into()).claims(), Err(AppError::Malformed { .. })));
    }

    #[test]
    fn the_password_check_knows_only_the_password() {
        let check = PasswordCheck::new("certopay-demo");
        assert!(check.matches("certopay-demo"));
        for wrong in ["", "certopay-dem", "certopay-demo ", "CERTOPAY-DEMO"] {
            assert!(!check.matches(wrong), "{wrong:?}");
        }
        assert_eq!(format!("{check:?}"), "PasswordCheck([redacted])");
        assert_ne!(PasswordCheck::new("x").salt, PasswordCheck::new("x").salt, "salted anew each time");
    }

    #[test]
    fn authorization_header_is_sensitive() {
        let header = token("{}").authorization().unwrap();
        assert!(header.is_sensitive());
        assert!(header.to_str().unwrap().starts_with("Bearer eyJ"));
    }
}
