//! The logged-in session's token: the JWT, held only here, and what its payload says. The
//! `Authorization` header made from it is the client's (`certopay`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use serde::Serialize;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::rules::app_error::AppError;

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

    /// `Bearer <token>`, for the client's `Authorization` header; zeroized when dropped.
    pub fn bearer(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("Bearer {}", self.0))
    }

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
        let time = |name: &str| {
            value.get(name).and_then(|e| e.as_i64().or_else(|| e.as_f64().map(|f| f as i64))).and_then(|e| DateTime::from_timestamp(e, 0))
        };
        let text = |name: &str| value.get(name).and_then(|v| v.as_str()).map(str::to_string);
        Ok(JwtClaims { exp: time("exp"), iat: time("iat"), sub: text("sub"), email: text("email") })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct JwtClaims {
    pub exp: Option<DateTime<Utc>>,
    /// When the server issued it, by the server's clock.
    pub iat: Option<DateTime<Utc>>,
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
        let claims = token(r#"{"exp": 1900000000, "iat": 1899999100, "sub": "u1", "email": "a@b.c", "extra": [1]}"#).claims().unwrap();
        assert_eq!(claims.exp, DateTime::from_timestamp(1_900_000_000, 0));
        assert_eq!(claims.iat, DateTime::from_timestamp(1_899_999_100, 0));
        assert_eq!(claims.sub.as_deref(), Some("u1"));
        assert_eq!(claims.email.as_deref(), Some("a@b.c"));
        assert_eq!(token(r#"{"sub": "u1"}"#).claims().unwrap().exp, None);
        assert!(matches!(Jwt::new("opaque".into()).claims(), Err(AppError::Malformed { .. })));
    }
}
