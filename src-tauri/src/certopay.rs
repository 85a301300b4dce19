//! The CertoPay client: login, key read and regenerate, parsed as tolerantly as
//! `shared/certopay-api.md` says. Plain Rust: no tauri here.

use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use url::Url;
use zeroize::{Zeroize, Zeroizing};

use crate::error::AppError;
use crate::session::{Jwt, JwtClaims};
use crate::settings::validate_base_url;

#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub connect_timeout: Duration,
    /// The whole request, answer included.
    pub request_timeout: Duration,
    /// Extra attempts for a GET that got a 5xx or a 429.
    pub get_retries: u32,
    /// The first backoff; it doubles on each retry when no `Retry-After` is given.
    pub backoff: Duration,
    /// A `Retry-After` longer than this is not waited out: the user is told instead.
    pub max_retry_wait: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(20),
            get_retries: 2,
            backoff: Duration::from_millis(300),
            max_retry_wait: Duration::from_secs(5),
        }
    }
}

/// The key's metadata as the server sent it. `key_prefix` and `masked_key` are shown exactly
/// as received, never rebuilt.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ApiKey {
    pub id: String,
    pub label: String,
    pub key_prefix: String,
    pub masked_key: Option<String>,
    pub active: bool,
    pub rate_limit: Option<u64>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: Option<DateTime<Utc>>,
}

/// What a successful login yields.
#[derive(Debug)]
pub struct LoggedIn {
    pub jwt: Jwt,
    pub expires_at: DateTime<Utc>,
    pub claims: JwtClaims,
}

/// A regenerate that answered with a secret. The secret is zeroized when this is dropped.
pub struct Regenerated {
    pub secret: Zeroizing<String>,
    /// The new key's metadata when the answer carried it.
    pub metadata: Option<ApiKey>,
}

impl std::fmt::Debug for Regenerated {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Regenerated").field("secret", &"[redacted]").field("metadata", &self.metadata).finish()
    }
}

#[derive(Debug, PartialEq)]
pub enum RegenerateError {
    /// The server said no (4xx) or the request never left: nothing was rotated.
    Refused(AppError),
    /// The request went out and no usable answer came back (timeout, reset, 5xx): the key
    /// may or may not have been rotated. Only a re-read can tell.
    NoAnswer,
    /// A 2xx whose body carries no readable secret: the old key is gone.
    RotatedWithoutSecret,
}

pub struct CertoPayClient {
    http: reqwest::Client,
    base: Url,
    options: ClientOptions,
}

/// How long a session lasts when the server says neither `exp` nor `expiresIn`; a 401 still
/// ends it sooner.
const ASSUMED_SESSION: chrono::Duration = chrono::Duration::minutes(15);

#[derive(Clone, Copy, PartialEq)]
enum Endpoint {
    Login,
    Key,
}

impl CertoPayClient {
    pub fn new(base_url: &str, options: ClientOptions) -> Result<Self, AppError> {
        let base = validate_base_url(base_url)?;
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .connect_timeout(options.connect_timeout)
            .timeout(options.request_timeout)
            // No proxy taken from the environment, and no redirects: the token goes to the
            // profile's host and nowhere else.
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("CertoPayKeys/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| AppError::Network { detail: format!("HTTP client: {e}"), timed_out: false })?;
        Ok(CertoPayClient { http, base, options })
    }

    fn url(&self, path: &str) -> Url {
        let mut url = self.base.clone();
        let joined = format!("{}{}", url.path().trim_end_matches('/'), path);
        url.set_path(&joined);
        url
    }

    pub async fn login(&self, email: &str, password: &str) -> Result<LoggedIn, AppError> {
        let body = Zeroizing::new(serde_json::json!({ "email": email, "password": password }).to_string());
        let response = self
            .http
            .post(self.url("/api/auth/login"))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.as_bytes().to_vec())
            .send()
            .await
            .map_err(network_error)?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = Zeroizing::new(response.bytes().await.map_err(network_error)?.to_vec());
        if !status.is_success() {
            return Err(error_from(status, &headers, &bytes, Endpoint::Login));
        }
        let mut answer: LoginAnswer = serde_json::from_slice(&bytes)
            .map_err(|_| AppError::Malformed { detail: "the login answer is not the expected JSON".into() })?;
        let token = [&mut answer.access_token, &mut answer.access_token_snake, &mut answer.token, &mut answer.jwt]
            .into_iter()
            .find_map(|t| t.take().filter(|t| !t.is_empty()))
            .ok_or_else(|| AppError::Malformed { detail: "the login answer has no token".into() })?;
        answer.zeroize();
        let jwt = Jwt::new(token);
        let claims = jwt.claims()?;
        // The token's own `exp` wins over `expiresIn`.
        let expires_at = claims
            .exp
            .or_else(|| answer.expires_in.map(|s| Utc::now() + chrono::Duration::seconds(s as i64)))
            .unwrap_or_else(|| Utc::now() + ASSUMED_SESSION);
        Ok(LoggedIn { jwt, expires_at, claims })
    }

    pub async fn current_key(&self, jwt: &Jwt) -> Result<ApiKey, AppError> {
        let url = self.url("/api/api-keys/me");
        let mut attempt = 0;
        loop {
            let response = self
                .http
                .get(url.clone())
                .header(reqwest::header::AUTHORIZATION, jwt.authorization()?)
                .send()
                .await
                .map_err(network_error)?;
            let status = response.status();
            if status.is_success() {
                let bytes = response.bytes().await.map_err(network_error)?;
                let value: Value =
                    serde_json::from_slice(&bytes).map_err(|_| AppError::Malformed { detail: "the key answer is not JSON".into() })?;
                let object = value.as_object().map(|o| o.get("data").and_then(Value::as_object).unwrap_or(o));
                return parse_key(object.ok_or_else(|| AppError::Malformed { detail: "the key answer is not an object".into() })?);
            }
            let headers = response.headers().clone();
            let bytes = response.bytes().await.unwrap_or_default();
            let error = error_from(status, &headers, &bytes, Endpoint::Key);
            let retriable = status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS;
            if !retriable || attempt >= self.options.get_retries {
                return Err(error);
            }
            let wait = match &error {
                AppError::RateLimited { retry_after_s: Some(s) } => Duration::from_secs(*s),
                _ => self.options.backoff * 2u32.pow(attempt),
            };
            if wait > self.options.max_retry_wait {
                return Err(error);
            }
            tokio::time::sleep(wait).await;
            attempt += 1;
        }
    }

    /// Sends the regenerate request exactly once. Never retried: the old key dies on the
    /// server's side the moment it is carried out.
    pub async fn regenerate(&self, jwt: &Jwt) -> Result<Regenerated, RegenerateError> {
        let authorization = jwt.authorization().map_err(RegenerateError::Refused)?;
        let sent = self
            .http
            .post(self.url("/api/api-keys/me/regenerate"))
            .header(reqwest::header::AUTHORIZATION, authorization)
            .header(reqwest::header::CONTENT_LENGTH, 0)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            // Could not even connect: the request never left.
            Err(e) if e.is_connect() => return Err(RegenerateError::Refused(network_error(e))),
            Err(_) => return Err(RegenerateError::NoAnswer),
        };
        let status = response.status();
        if status.is_server_error() {
            // A gateway may fail after the server carried the rotation out.
            return Err(RegenerateError::NoAnswer);
        }
        let headers = response.headers().clone();
        let bytes: Zeroizing<Vec<u8>> = match response.bytes().await {
            Ok(bytes) => Zeroizing::new(bytes.to_vec()),
            Err(_) if status.is_success() => return Err(RegenerateError::NoAnswer),
            Err(e) => return Err(RegenerateError::Refused(network_error(e))),
        };
        if !status.is_success() {
            return Err(RegenerateError::Refused(error_from(status, &headers, &bytes, Endpoint::Key)));
        }
        parse_regenerated(&bytes)
    }
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

/// Reads key metadata: unknown fields ignored, `label` and `lastUsedAt` may be null or absent,
/// timestamps with `Z` or an offset.
pub fn parse_key(object: &Map<String, Value>) -> Result<ApiKey, AppError> {
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

/// Turns an error answer into the kind the window tells apart: the `code` when present, else
/// the status. A body that is not JSON still yields an error from the status.
fn error_from(status: StatusCode, headers: &HeaderMap, body: &[u8], endpoint: Endpoint) -> AppError {
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
        Some("expired_token") => return AppError::SessionExpired,
        Some("insufficient_permissions") => return AppError::Forbidden,
        Some("rate_limit_exceeded") => return AppError::RateLimited { retry_after_s: retry_after() },
        _ => {}
    }
    match status.as_u16() {
        400 | 422 => AppError::BadRequest { messages: messages() },
        401 if endpoint == Endpoint::Login => AppError::InvalidCredentials,
        401 => AppError::SessionExpired,
        403 => AppError::Forbidden,
        404 if endpoint == Endpoint::Key => AppError::NoKey,
        429 => AppError::RateLimited { retry_after_s: retry_after() },
        500..=599 => AppError::Server { status: status.as_u16() },
        other => AppError::Unexpected { status: other },
    }
}

/// `Retry-After` as whole seconds: either a number or an HTTP date.
fn retry_after_seconds(headers: &HeaderMap) -> Option<u64> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(seconds);
    }
    let date = DateTime::parse_from_rfc2822(value).ok()?;
    Some((date.with_timezone(&Utc) - Utc::now()).num_seconds().max(0) as u64)
}

fn network_error(error: reqwest::Error) -> AppError {
    let timed_out = error.is_timeout();
    let mut cause: &dyn std::error::Error = &error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    let detail = if timed_out {
        "the server did not answer in time".to_string()
    } else if error.is_connect() {
        format!("could not connect ({cause})")
    } else {
        format!("the connection failed ({cause})")
    };
    AppError::Network { detail, timed_out }
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
    fn errors_by_code_then_status() {
        let h = HeaderMap::new();
        let body = |v: Value| v.to_string().into_bytes();
        assert_eq!(
            error_from(StatusCode::UNAUTHORIZED, &h, &body(json!({"code": "expired_token"})), Endpoint::Key),
            AppError::SessionExpired
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
