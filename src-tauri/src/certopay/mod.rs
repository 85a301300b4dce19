//! The CertoPay client: login, key read and regenerate over HTTP; and CertoPay's update server
//! (`update_server`), reached the same way. What the answers mean is
//! read in `parse`, as tolerantly as `shared/certopay-api.md` says. Plain Rust: no tauri here.

mod parse;
mod transport;
pub mod update_server;

use std::net::SocketAddr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use zeroize::Zeroizing;

use crate::rules::api_key::ApiKey;
use crate::rules::app_error::AppError;
use crate::rules::base_url::BaseUrl;
use crate::rules::jwt::{Jwt, JwtClaims};
use crate::rules::proxy_route::ProxyRoute;
use parse::{error_from, screened, Endpoint};
pub use parse::{parse_error, parse_key_answer, parse_login, parse_regenerated, parse_retry_after, MAX_RETRY_AFTER_S};
use transport::network_error;
pub use transport::{trust_store, TrustStore};

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
    /// How requests reach the server (`proxy::route` decides it for the profile).
    pub proxy: ProxyRoute,
    /// The proxy's user and password, where it asks for them (from the OS keychain).
    pub proxy_credentials: Option<(String, Zeroizing<String>)>,
    /// The calendar clock a login's end is read against: the system's, or the app's own
    /// (`platform::app_clock`, faster in the soak's build).
    pub clock: fn() -> DateTime<Utc>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(20),
            get_retries: 2,
            backoff: Duration::from_millis(300),
            max_retry_wait: Duration::from_secs(5),
            proxy: ProxyRoute::Direct,
            proxy_credentials: None,
            clock: Utc::now,
        }
    }
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
    /// The request went out and no usable answer came back (timeout, reset): the key may or
    /// may not have been rotated. Only a re-read can tell.
    NoAnswer,
    /// The server, or a gateway or proxy in front of it, answered with a status that is not a
    /// definite refusal (a 5xx, a 3xx, 408, 409, …): the rotation may have been carried out, or
    /// may still be running. Only re-reads can tell.
    UnclearAnswer { status: u16 },
    /// A 2xx whose body carries no readable secret: the old key is gone.
    RotatedWithoutSecret,
}

/// An HTTP client as every request of the app needs one: TLS verified against the system's
/// trust store, the route's proxy and no other, the options' timeouts. The caller says where
/// redirects may go.
fn http_client_builder(options: &ClientOptions) -> Result<reqwest::ClientBuilder, AppError> {
    let http = reqwest::Client::builder()
        .use_preconfigured_tls(transport::tls_config()?)
        .connect_timeout(options.connect_timeout)
        .timeout(options.request_timeout)
        // localhost is this computer, never whatever a DNS server says it is.
        .resolve_to_addrs("localhost", &[SocketAddr::from(([127, 0, 0, 1], 0)), SocketAddr::from(([0, 0, 0, 0, 0, 0, 0, 1], 0))])
        .user_agent(concat!("CertoPayKeys/", env!("CARGO_PKG_VERSION")));
    let client_error = |e: reqwest::Error| AppError::Network { detail: format!("HTTP client: {e}"), timed_out: false };
    // Only the proxy the route names. To an https server a proxy only ever sees a CONNECT
    // tunnel: the password and the token travel inside TLS.
    Ok(match &options.proxy {
        ProxyRoute::Direct => http.no_proxy(),
        ProxyRoute::PlatformSettings => http,
        ProxyRoute::Via { proxy, .. } => {
            let mut via = reqwest::Proxy::all(proxy.as_str()).map_err(client_error)?;
            if let Some((user, password)) = &options.proxy_credentials {
                via = via.basic_auth(user, password);
            }
            http.no_proxy().proxy(via)
        }
    })
}

pub struct CertoPayClient {
    http: reqwest::Client,
    base: BaseUrl,
    options: ClientOptions,
}

impl CertoPayClient {
    pub fn new(base_url: &str, options: ClientOptions) -> Result<Self, AppError> {
        Self::for_server(BaseUrl::parse(base_url)?, options)
    }

    pub fn for_server(base: BaseUrl, options: ClientOptions) -> Result<Self, AppError> {
        let http = http_client_builder(&options)?
            // No redirects: the token goes to the profile's host and nowhere else.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| AppError::Network { detail: format!("HTTP client: {e}"), timed_out: false })?;
        Ok(CertoPayClient { http, base, options })
    }

    fn network_error(&self, error: reqwest::Error) -> AppError {
        network_error(error, matches!(self.options.proxy, ProxyRoute::Via { .. } | ProxyRoute::PlatformSettings))
    }

    fn url(&self, path: &str) -> url::Url {
        self.base.join(path)
    }

    /// Logs in; the body's only copy of the password is zeroized once the client drops it.
    pub async fn login(&self, email: &str, password: &str) -> Result<LoggedIn, AppError> {
        let response = self
            .http
            .post(self.url("/api/auth/login"))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(login_body(email, password))
            .send()
            .await
            .map_err(|e| self.network_error(e))?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = read_body(response).await?;
        if !status.is_success() {
            return Err(screened(error_from(status, &headers, &bytes, Endpoint::Login), &[password]));
        }
        parse_login(&bytes, (self.options.clock)())
    }

    /// Reads the key, retrying a 5xx or a 429 a bounded number of times.
    pub async fn current_key(&self, jwt: &Jwt) -> Result<ApiKey, AppError> {
        self.read_key(jwt, self.options.get_retries).await
    }

    /// Reads the key with one request and no retry, for callers that keep their own pace
    /// (the rollout watch).
    pub async fn current_key_once(&self, jwt: &Jwt) -> Result<ApiKey, AppError> {
        self.read_key(jwt, 0).await
    }

    async fn read_key(&self, jwt: &Jwt, retries: u32) -> Result<ApiKey, AppError> {
        let url = self.url("/api/api-keys/me");
        let mut attempt = 0;
        loop {
            let response = self
                .http
                .get(url.clone())
                .header(reqwest::header::AUTHORIZATION, authorization(jwt)?)
                .send()
                .await
                .map_err(|e| self.network_error(e))?;
            let status = response.status();
            if status.is_success() {
                return parse_key_answer(&read_body(response).await?);
            }
            let headers = response.headers().clone();
            let bytes = read_body(response).await.unwrap_or_default();
            let error = error_from(status, &headers, &bytes, Endpoint::Key);
            let retriable = status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS;
            if !retriable || attempt >= retries {
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
        let authorization = authorization(jwt).map_err(RegenerateError::Refused)?;
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
            Err(e) if e.is_connect() => return Err(RegenerateError::Refused(self.network_error(e))),
            Err(_) => return Err(RegenerateError::NoAnswer),
        };
        let status = response.status();
        if !status.is_success() && !is_definite_refusal(status) {
            // A gateway may fail, time out or redirect while the server carries the rotation out.
            return Err(RegenerateError::UnclearAnswer { status: status.as_u16() });
        }
        let headers = response.headers().clone();
        let bytes = match read_body(response).await {
            Ok(bytes) => bytes,
            // The rotation was carried out and its answer could not be read: only a re-read tells.
            Err(_) if status.is_success() => return Err(RegenerateError::NoAnswer),
            Err(e) => return Err(RegenerateError::Refused(e)),
        };
        if !status.is_success() {
            return Err(RegenerateError::Refused(error_from(status, &headers, &bytes, Endpoint::Key)));
        }
        parse_regenerated(&bytes)
    }
}

/// The answers to regenerate that mean the server did not act on the key: bad input, no or a
/// refused login, no key, a validation error, the rate limit. Anything else that is not a 2xx
/// may have come from a gateway while the server went on.
/// The `Authorization` header, marked sensitive so reqwest and hyper never print it.
fn authorization(jwt: &Jwt) -> Result<reqwest::header::HeaderValue, AppError> {
    let mut value = reqwest::header::HeaderValue::from_str(&jwt.bearer())
        .map_err(|_| AppError::Malformed { detail: "the login token has characters a header cannot carry".into() })?;
    value.set_sensitive(true);
    Ok(value)
}

pub fn is_definite_refusal(status: StatusCode) -> bool {
    matches!(status.as_u16(), 400 | 401 | 403 | 404 | 422 | 429)
}

/// The most of an answer the app reads: CertoPay's are a few hundred bytes.
pub const MAX_BODY: usize = 64 * 1024;

/// Reads an answer's body up to `MAX_BODY`, refusing a larger one by its `Content-Length` or as
/// it arrives. A body that trickles in forever is cut by the whole-request timeout. The bytes
/// are zeroized when dropped: login and regenerate answers carry a token or a secret.
async fn read_body(mut response: reqwest::Response) -> Result<Zeroizing<Vec<u8>>, AppError> {
    let too_large = || AppError::Malformed { detail: format!("the answer is larger than {} KiB", MAX_BODY / 1024) };
    if response.content_length().is_some_and(|n| n > MAX_BODY as u64) {
        return Err(too_large());
    }
    // Room for the largest body up front: no reallocation leaves a copy behind unzeroized.
    let mut body = Zeroizing::new(Vec::with_capacity(MAX_BODY));
    // The connection is open by now: whatever fails here is not the proxy's doing.
    while let Some(chunk) = response.chunk().await.map_err(|e| network_error(e, false))? {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The login request's body, written from the borrowed fields straight into one buffer (sized
/// for the worst escaping, so it never moves and leaves no copy behind) that is zeroized when
/// the HTTP client drops it. No JSON value holds an owned copy of the password.
fn login_body(email: &str, password: &str) -> bytes::Bytes {
    #[derive(serde::Serialize)]
    struct LoginRequest<'a> {
        email: &'a str,
        password: &'a str,
    }
    // JSON escapes a character as at most 6 bytes (\uXXXX).
    let mut buffer = Zeroizing::new(Vec::with_capacity(32 + 6 * (email.len() + password.len())));
    serde_json::to_writer(&mut *buffer, &LoginRequest { email, password }).expect("two strings always serialize");
    bytes::Bytes::from_owner(buffer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_body_is_the_json_of_the_two_fields_and_never_grows() {
        let password = "pa\"ss\\wörd\u{1}";
        let body = login_body("ana@loja.com.br", password);
        let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(value, serde_json::json!({ "email": "ana@loja.com.br", "password": password }));
        assert!(body.len() <= 32 + 6 * ("ana@loja.com.br".len() + password.len()), "within the buffer sized first");
    }

    fn token(payload: &str) -> Jwt {
        use base64::Engine;
        Jwt::new(format!("eyJhbGciOiJIUzI1NiJ9.{}.sig", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(payload)))
    }

    #[test]
    fn authorization_header_is_sensitive() {
        let header = authorization(&token("{}")).unwrap();
        assert!(header.is_sensitive());
        assert!(header.to_str().unwrap().starts_with("Bearer eyJ"));
    }
}
