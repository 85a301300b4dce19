//! HS256 JSON Web Tokens, just enough for the sandbox to issue and check its own.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Claims {
    pub sub: String,
    pub email: String,
    pub role: String,
    pub iat: i64,
    pub exp: i64,
}

#[derive(Debug, PartialEq)]
pub enum TokenError {
    /// Not three parts, bad base64, bad JSON or a signature that does not match.
    Invalid,
    Expired,
}

pub fn sign(claims: &Claims, key: &[u8]) -> String {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(claims).expect("claims serialize"));
    let signing_input = format!("{header}.{payload}");
    let signature = URL_SAFE_NO_PAD.encode(mac(key, signing_input.as_bytes()).finalize().into_bytes());
    format!("{signing_input}.{signature}")
}

pub fn verify(token: &str, key: &[u8], now: i64) -> Result<Claims, TokenError> {
    let mut parts = token.split('.');
    let (Some(header_b64), Some(payload), Some(signature), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(TokenError::Invalid);
    };
    let header: serde_json::Value =
        URL_SAFE_NO_PAD.decode(header_b64).ok().and_then(|h| serde_json::from_slice(&h).ok()).ok_or(TokenError::Invalid)?;
    // Only HS256: a token claiming "none" or anything else is forged.
    if header.get("alg").and_then(|a| a.as_str()) != Some("HS256") {
        return Err(TokenError::Invalid);
    }
    let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| TokenError::Invalid)?;
    mac(key, format!("{header_b64}.{payload}").as_bytes()).verify_slice(&signature).map_err(|_| TokenError::Invalid)?;
    let claims: Claims = URL_SAFE_NO_PAD.decode(payload).ok().and_then(|p| serde_json::from_slice(&p).ok()).ok_or(TokenError::Invalid)?;
    if now >= claims.exp {
        return Err(TokenError::Expired);
    }
    Ok(claims)
}

fn mac(key: &[u8], data: &[u8]) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(data);
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> Claims {
        Claims { sub: "u1".into(), email: "a@b.c".into(), role: "admin".into(), iat: 0, exp }
    }

    #[test]
    fn round_trip_and_expiry() {
        let token = sign(&claims(100), b"k");
        assert_eq!(verify(&token, b"k", 99), Ok(claims(100)));
        assert_eq!(verify(&token, b"k", 100), Err(TokenError::Expired));
    }

    #[test]
    fn wrong_key_or_tampered_payload_is_invalid() {
        let token = sign(&claims(100), b"k");
        assert_eq!(verify(&token, b"other", 0), Err(TokenError::Invalid));
        let forged = sign(&Claims { role: "owner".into(), ..claims(100) }, b"k");
        let mixed: Vec<&str> = token.split('.').collect();
        let forged_payload = forged.split('.').nth(1).unwrap();
        let tampered = format!("{}.{}.{}", mixed[0], forged_payload, mixed[2]);
        assert_eq!(verify(&tampered, b"k", 0), Err(TokenError::Invalid));
        assert_eq!(verify("not-a-jwt", b"k", 0), Err(TokenError::Invalid));
    }
}
