//! What CertoPay's answers mean: the login answer, the regenerate answer and the error body,
//! read as tolerantly as `shared/certopay-api.md` says. No I/O here.

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value};
use zeroize::{Zeroize, Zeroizing};

use super::{LoggedIn, RegenerateError, Regenerated};
use crate::rules::api_key::ApiKey;
use crate::rules::app_error::AppError;
use crate::rules::jwt::Jwt;

/// How long a session lasts when the server says neither `exp` nor `expiresIn`; a 401 still
/// ends it sooner.
const ASSUMED_SESSION: chrono::TimeDelta = chrono::TimeDelta::minutes(15);

/// Reads key metadata: unknown fields ignored, `label` and `lastUsedAt` may be null or absent,
/// timestamps with `Z` or an offset.
fn parse_key(object: &Map<String, Value>) -> Result<ApiKey, AppError> {
    let malformed = |detail: &str| AppError::Malformed { detail: detail.to_string() };
    let text = |name: &str| object.get(name).and_then(Value::as_str).map(str::to_string);
    let time = |name: &str| -> Result<Option<DateTime<Utc>>, AppError> {
        match object.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => DateTime::parse_from_rfc3339(s)
                .map(|t| Some(t.with_timezone(&Utc)))
                .map_err(|_| malformed(&format!("{name} is not an ISO 8601 time"))),
            Some(_) => Err(malformed(&format!("{name} is not a time"))),
        }
    };
    let key_prefix = text("keyPrefix").ok_or_else(|| malformed("the key has no keyPrefix"))?;
    let id = match object.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(malformed("the key has no id")),
    };
    Ok(ApiKey {
        id,
        label: text("label").unwrap_or_default(),
        masked_key: text("maskedKey"),
        key_prefix,
        active: object.get("active").and_then(Value::as_bool).unwrap_or(true),
        rate_limit: object.get("rateLimit").and_then(Value::as_u64),
        last_used_at: time("lastUsedAt")?,
        created_at: time("createdAt")?,
    })
}

/// A 2xx login answer: the JWT in the first present of `accessToken`, `access_token`, `token`,
/// `jwt`, and when the session ends (`exp` wins over `expiresIn`, seconds from `now`). The
/// answer's copies of the token are zeroized.
pub fn parse_login(bytes: &[u8], now: DateTime<Utc>) -> Result<LoggedIn, AppError> {
    let mut answer: LoginAnswer =
        serde_json::from_slice(bytes).map_err(|_| AppError::Malformed { detail: "the login answer is not the expected JSON".into() })?;
    let token = [&mut answer.access_token, &mut answer.access_token_snake, &mut answer.token, &mut answer.jwt]
        .into_iter()
        .find_map(|t| t.take().filter(|t| !t.is_empty()))
        .ok_or_else(|| AppError::Malformed { detail: "the login answer has no token".into() })?;
    answer.zeroize();
    let jwt = Jwt::new(token);
    let claims = jwt.claims()?;
    // Any number a server sends: one past the calendar's end is no end at all.
    let after = |seconds: u64| i64::try_from(seconds).ok().and_then(chrono::TimeDelta::try_seconds).and_then(|d| now.checked_add_signed(d));
    let expires_at =
        claims.exp.or_else(|| answer.expires_in.and_then(after)).unwrap_or_else(|| now.checked_add_signed(ASSUMED_SESSION).unwrap_or(now));
    if expires_at <= now {
        // Already over by this computer's clock: its clock is ahead of the server's. By how
        // much: from when the server issued it, else at least from when it ended; to the
        // nearest minute, one at least.
        let ahead = now - claims.iat.unwrap_or(expires_at);
        let minutes = ((ahead.num_seconds().max(0) as u64 + 30) / 60).max(1);
        return Err(AppError::ClockAhead { minutes });
    }
    Ok(LoggedIn { jwt, expires_at, claims })
}

/// A 2xx key answer: the bare object, or one inside `data`.
pub fn parse_key_answer(bytes: &[u8]) -> Result<ApiKey, AppError> {
    let value: Value = serde_json::from_slice(bytes).map_err(|_| AppError::Malformed { detail: "the key answer is not JSON".into() })?;
    let object = value.as_object().map(|o| o.get("data").and_then(Value::as_object).unwrap_or(o));
    parse_key(object.ok_or_else(|| AppError::Malformed { detail: "the key answer is not an object".into() })?)
}

/// An error answer to a key request with this status, as the window is told it.
pub fn parse_error(status: u16, body: &[u8]) -> AppError {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    error_from(status, &HeaderMap::new(), body, Endpoint::Key)
}

#[derive(Clone, Copy, PartialEq)]
pub(super) enum Endpoint {
    Login,
    Key,
}

/// Finds the secret in a 2xx regenerate answer: the first present of `apiKey`, `key`, `secret`,
/// `plainKey`, at the top level or inside `data`.
pub fn parse_regenerated(bytes: &[u8]) -> Result<Regenerated, RegenerateError> {
    let mut body: RegenerateAnswer = serde_json::from_slice(bytes).map_err(|_| RegenerateError::RotatedWithoutSecret)?;
    let mut data = body.data.take().and_then(|d| serde_json::from_value::<RegenerateAnswer>(d).ok());
    let secret = body.take_secret().or_else(|| data.as_mut().and_then(RegenerateAnswer::take_secret));
    body.zeroize_secrets();
    if let Some(d) = data.as_mut() {
        d.zeroize_secrets();
    }
    let secret = secret.ok_or(RegenerateError::RotatedWithoutSecret)?;
    let metadata = parse_key(&body.rest).ok().or_else(|| data.and_then(|d| parse_key(&d.rest).ok()));
    // Details that show the secret are malformed for display: they are dropped, never shown.
    let metadata = metadata.filter(|key| !key.reveals(&secret));
    Ok(Regenerated { secret, metadata })
}

#[derive(Deserialize, Zeroize)]
#[zeroize(drop)]
struct LoginAnswer {
    #[serde(rename = "accessToken")]
    access_token: Option<String>,
    #[serde(rename = "access_token")]
    access_token_snake: Option<String>,
    token: Option<String>,
    jwt: Option<String>,
    #[serde(rename = "expiresIn")]
    #[zeroize(skip)]
    expires_in: Option<u64>,
}

#[derive(Deserialize)]
struct RegenerateAnswer {
    #[serde(rename = "apiKey")]
    api_key: Option<Value>,
    key: Option<Value>,
    secret: Option<Value>,
    #[serde(rename = "plainKey")]
    plain_key: Option<Value>,
    data: Option<Value>,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

impl RegenerateAnswer {
    fn take_secret(&mut self) -> Option<Zeroizing<String>> {
        [&mut self.api_key, &mut self.key, &mut self.secret, &mut self.plain_key].into_iter().find_map(|field| match field.take() {
            Some(Value::String(s)) if !s.is_empty() => Some(Zeroizing::new(s)),
            Some(Value::String(mut s)) => {
                s.zeroize();
                None
            }
            _ => None,
        })
    }

    fn zeroize_secrets(&mut self) {
        for field in [&mut self.api_key, &mut self.key, &mut self.secret, &mut self.plain_key] {
            if let Some(Value::String(s)) = field.as_mut() {
                s.zeroize();
            }
            *field = None;
        }
    }
}

/// Turns an error answer into the kind the window tells apart: the `code` when present, else
/// the status. A body that is not JSON still yields an error from the status.
pub(super) fn error_from(status: StatusCode, headers: &HeaderMap, body: &[u8], endpoint: Endpoint) -> AppError {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let code = parsed.as_ref().and_then(|b| b.get("code")).and_then(Value::as_str);
    let messages = || -> Vec<String> {
        match parsed.as_ref().and_then(|b| b.get("message")) {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(str::to_string).collect(),
            _ => Vec::new(),
        }
    };
    let retry_after = || retry_after_seconds(headers);
    match code {
        Some("expired_token") => return AppError::SessionEnded,
        Some("insufficient_permissions") => return AppError::Forbidden,
        Some("rate_limit_exceeded") => return AppError::RateLimited { retry_after_s: retry_after() },
        _ => {}
    }
    match status.as_u16() {
        400 | 422 => screened(AppError::BadRequest { messages: messages() }, &[]),
        401 if endpoint == Endpoint::Login => AppError::InvalidCredentials,
        401 => AppError::SessionEnded,
        403 => AppError::Forbidden,
        404 if endpoint == Endpoint::Key => AppError::NoKey,
        429 => AppError::RateLimited { retry_after_s: retry_after() },
        500..=599 => AppError::Server { status: status.as_u16() },
        other => AppError::Unexpected { status: other },
    }
}

/// The longest server message shown, and how many.
const MESSAGE_CHARS: usize = 200;
const MESSAGES: usize = 5;

/// Server text the window may show as written: never one that repeats a password (`secrets`),
/// a token or an API key, as a gateway echoing the request would, and never a long one.
pub(super) fn screened(error: AppError, secrets: &[&str]) -> AppError {
    let AppError::BadRequest { messages } = error else { return error };
    let leaks = |m: &str| {
        secrets.iter().any(|s| !s.is_empty() && m.contains(s)) || ["eyJ", "Bearer ", "sk_live_", "sk_test_"].iter().any(|p| m.contains(p))
    };
    let messages = messages
        .into_iter()
        .filter(|m| !leaks(m))
        .map(|m| if m.chars().count() > MESSAGE_CHARS { m.chars().take(MESSAGE_CHARS).chain(['…']).collect() } else { m })
        .take(MESSAGES)
        .collect();
    AppError::BadRequest { messages }
}

/// The longest `Retry-After` believed: a server's word past an hour is taken as an hour, so
/// no time computed from it can overflow (the rollout watch adds it to the clock).
pub const MAX_RETRY_AFTER_S: u64 = 60 * 60;

fn retry_after_seconds(headers: &HeaderMap) -> Option<u64> {
    parse_retry_after(headers.get(RETRY_AFTER)?.to_str().ok()?)
}

/// A `Retry-After` value as whole seconds, at most `MAX_RETRY_AFTER_S`: either a number of
/// seconds or an HTTP date. Anything else (a sign, a fraction, an exponent) is no answer.
pub fn parse_retry_after(value: &str) -> Option<u64> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(seconds.min(MAX_RETRY_AFTER_S));
    }
    // Digits only, but past u64: as long as anything can be.
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(MAX_RETRY_AFTER_S);
    }
    let date = DateTime::parse_from_rfc2822(value).ok()?;
    let wait = date.with_timezone(&Utc).signed_duration_since(Utc::now()).num_seconds();
    Some(u64::try_from(wait).unwrap_or(0).min(MAX_RETRY_AFTER_S))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_parsing_tolerates_nulls_offsets_and_unknown_fields() {
        let value = json!({
            "id": "k1", "label": null, "keyPrefix": "sk_test_a1b2c3d4...", "active": false,
            "lastUsedAt": null, "createdAt": "2026-06-01T07:00:00-03:00", "future": {"x": 1}
        });
        let key = parse_key(value.as_object().unwrap()).unwrap();
        assert_eq!(key.label, "");
        assert_eq!(key.masked_key, None);
        assert!(!key.active);
        assert_eq!(key.rate_limit, None);
        assert_eq!(key.last_used_at, None);
        assert_eq!(key.created_at, Some("2026-06-01T10:00:00Z".parse().unwrap()));
    }

    #[test]
    fn retry_after_is_bounded_and_only_whole_seconds_or_a_date() {
        assert_eq!(parse_retry_after("7"), Some(7));
        assert_eq!(parse_retry_after(" 3600 "), Some(3600));
        assert_eq!(parse_retry_after("18446744073709551615"), Some(MAX_RETRY_AFTER_S));
        assert_eq!(parse_retry_after("99999999999999999999999999"), Some(MAX_RETRY_AFTER_S));
        for refused in ["-1", "1e99", "1.5", "", "soon"] {
            assert_eq!(parse_retry_after(refused), None, "{refused:?}");
        }
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), Some(0), "a date past is no wait");
        assert_eq!(parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT"), Some(MAX_RETRY_AFTER_S));
    }

    #[test]
    fn regenerate_secret_variants() {
        for body in [
            json!({"apiKey": "sk_live_1"}),
            json!({"key": "sk_live_1", "keyPrefix": "sk_live_1...", "id": "n"}),
            json!({"secret": "sk_live_1"}),
            json!({"plainKey": "sk_live_1"}),
            json!({"data": {"apiKey": "sk_live_1", "id": "n", "keyPrefix": "sk_live_1..."}}),
            json!({"apiKey": "", "plainKey": "sk_live_1"}),
        ] {
            let parsed = parse_regenerated(body.to_string().as_bytes()).unwrap();
            assert_eq!(parsed.secret.as_str(), "sk_live_1", "{body}");
        }
        let with_meta = parse_regenerated(json!({"apiKey": "s", "id": "n", "keyPrefix": "p..."}).to_string().as_bytes()).unwrap();
        assert_eq!(with_meta.metadata.unwrap().key_prefix, "p...");
        assert_eq!(parse_regenerated(br#"{"id": "n"}"#).unwrap_err(), RegenerateError::RotatedWithoutSecret);
        assert_eq!(parse_regenerated(br#"{"apiKey": "sk_li"#).unwrap_err(), RegenerateError::RotatedWithoutSecret);
    }

    #[test]
    fn regenerated_debug_hides_the_secret() {
        let parsed = parse_regenerated(br#"{"apiKey": "sk_live_topsecret"}"#).unwrap();
        assert!(!format!("{parsed:?}").contains("topsecret"));
    }

    #[test]
    fn server_text_never_repeats_a_secret_and_stays_short() {
        let h = HeaderMap::new();
        let echo = json!({"message": [
            "password hunter2-secret is too weak", "Authorization: Bearer abc", "token eyJhbGciOi.x.y",
            "key sk_live_abcdef", "email must be an email", "x".repeat(500),
        ]});
        let error = screened(error_from(StatusCode::BAD_REQUEST, &h, echo.to_string().as_bytes(), Endpoint::Login), &["hunter2-secret"]);
        let AppError::BadRequest { messages } = error else { panic!("{error:?}") };
        assert_eq!(messages[0], "email must be an email");
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[1].chars().count(), MESSAGE_CHARS + 1);
    }

    #[test]
    fn errors_by_code_then_status() {
        let h = HeaderMap::new();
        let body = |v: Value| v.to_string().into_bytes();
        assert_eq!(
            error_from(StatusCode::UNAUTHORIZED, &h, &body(json!({"code": "expired_token"})), Endpoint::Key),
            AppError::SessionEnded
        );
        assert_eq!(error_from(StatusCode::UNAUTHORIZED, &h, b"", Endpoint::Login), AppError::InvalidCredentials);
        assert_eq!(
            error_from(StatusCode::BAD_REQUEST, &h, &body(json!({"message": ["email must be an email", "x"]})), Endpoint::Login),
            AppError::BadRequest { messages: vec!["email must be an email".into(), "x".into()] }
        );
        assert_eq!(
            error_from(StatusCode::BAD_REQUEST, &h, &body(json!({"message": "bad"})), Endpoint::Login),
            AppError::BadRequest { messages: vec!["bad".into()] }
        );
        assert_eq!(error_from(StatusCode::BAD_GATEWAY, &h, b"<html>", Endpoint::Key), AppError::Server { status: 502 });
        assert_eq!(error_from(StatusCode::NOT_FOUND, &h, b"", Endpoint::Login), AppError::Unexpected { status: 404 });
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "7".parse().unwrap());
        assert_eq!(error_from(StatusCode::TOO_MANY_REQUESTS, &h, b"", Endpoint::Key), AppError::RateLimited { retry_after_s: Some(7) });
    }
}
