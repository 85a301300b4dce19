//! certopay-sandbox: a local server that speaks the CertoPay API as `shared/certopay-api.md`
//! describes it, so the app can be shown and tested end to end over real HTTP. It binds
//! loopback only, keeps its state in memory and is never shipped inside the app.

mod faults;
pub mod host;
pub mod jwt;
mod world;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, SubsecRound, Utc};
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tower::ServiceExt;

use world::{admit, new_key, sha256, World};
pub use world::{Role, DEMO_PASSWORD};

#[derive(Debug, Clone)]
pub struct Options {
    /// 0 picks a free port.
    pub port: u16,
    pub token_ttl: Duration,
    /// How far behind real time this server's clock is (the `iat` and `exp` of the tokens it
    /// issues): a test's way to put the computer's clock ahead of the server's.
    pub clock_behind: Duration,
    /// Makes keys, ids and the signing key deterministic.
    pub seed: Option<u64>,
    /// Enables `/__sandbox/faults`; without it that path does not exist.
    pub faults: bool,
    /// Length of the rolling rate-limit window (60 s, as CertoPay's).
    pub rate_window: Duration,
    /// One line per request on stderr (the binary does; tests stay quiet).
    pub log_requests: bool,
    /// Serve HTTPS with this certificate instead of plain HTTP.
    pub tls: Option<TlsPem>,
    /// Files served at their paths to GET, as they are: an update feed and its package, in
    /// the tests of the app's updates.
    pub files: std::collections::BTreeMap<String, Vec<u8>>,
    /// This server's clock runs faster than real time (`make soak`'s day in minutes).
    pub fast_clock: Option<FastClock>,
}

/// A clock `speed` times as fast as real time, counted from `origin_ms` (Unix milliseconds):
/// the app's `fast-clock` build given the same two (CERTOPAY_KEYS_CLOCK_SPEED and
/// CERTOPAY_KEYS_CLOCK_ORIGIN_MS) reads the same time, so tokens and keys age as it expects.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FastClock {
    pub origin_ms: i64,
    pub speed: u32,
}

impl FastClock {
    pub fn now(&self) -> DateTime<Utc> {
        let origin = DateTime::from_timestamp_millis(self.origin_ms).unwrap_or_default();
        origin + (Utc::now() - origin) * i32::try_from(self.speed).unwrap_or(i32::MAX)
    }
}

/// A server certificate (with its chain) and its private key, PEM-encoded.
#[derive(Debug, Clone)]
pub struct TlsPem {
    pub cert_chain_pem: String,
    pub key_pem: String,
    /// The name the URL uses (one the certificate may or may not be for).
    pub host: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            port: 0,
            token_ttl: Duration::from_secs(15 * 60),
            clock_behind: Duration::ZERO,
            seed: None,
            faults: false,
            rate_window: Duration::from_secs(60),
            log_requests: false,
            tls: None,
            files: Default::default(),
            fast_clock: None,
        }
    }
}

/// A running sandbox; dropping it stops the server.
pub struct Sandbox {
    pub addr: SocketAddr,
    /// The TLS name, when it serves HTTPS.
    tls_host: Option<String>,
    running: Running,
}

/// Where a sandbox runs: in this process, or in a `certopay-sandbox --host` (see `host`).
enum Running {
    Here(tokio::task::JoinHandle<()>),
    Elsewhere { host: String, id: u64 },
}

impl Sandbox {
    pub fn url(&self) -> String {
        match &self.tls_host {
            Some(host) => format!("https://{host}:{}", self.addr.port()),
            None => format!("http://{}", self.addr),
        }
    }
}

fn tls_acceptor(pem: &TlsPem) -> std::io::Result<tokio_rustls::TlsAcceptor> {
    use rustls_pki_types::pem::PemObject;
    use rustls_pki_types::{CertificateDer, PrivateKeyDer};
    let invalid = |e: &dyn std::fmt::Display| std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string());
    let chain = CertificateDer::pem_slice_iter(pem.cert_chain_pem.as_bytes()).collect::<Result<Vec<_>, _>>().map_err(|e| invalid(&e))?;
    let key = PrivateKeyDer::from_pem_slice(pem.key_pem.as_bytes()).map_err(|e| invalid(&e))?;
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = tokio_rustls::rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid(&e))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| invalid(&e))?;
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        match &self.running {
            Running::Here(task) => task.abort(),
            Running::Elsewhere { host, id } => host::stop_there(host, *id),
        }
    }
}

/// One seeded account, for the start-up banner and the README.
pub struct DemoAccount {
    pub email: String,
    pub role: &'static str,
    pub shows: &'static str,
}

pub fn demo_accounts() -> Vec<DemoAccount> {
    World::seeded(Some(0), Duration::from_secs(60))
        .users
        .iter()
        .map(|u| DemoAccount { email: u.email.clone(), role: u.role.as_str(), shows: u.shows })
        .collect()
}

pub(crate) struct AppState {
    world: Mutex<World>,
    token_ttl: Duration,
    faults: Mutex<Vec<faults::Fault>>,
    /// With faults on: how many requests each "METHOD /path" got, for tests that count.
    requests: Mutex<std::collections::BTreeMap<String, u64>>,
}

type Shared = Arc<AppState>;

/// A connection, plain or TLS.
trait Stream: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> Stream for T {}

/// Closes the connection it belongs to without an answer (the "commit then drop" fault).
#[derive(Clone)]
pub(crate) struct ConnectionKill(Arc<Notify>);

/// Starts a sandbox: in this process, or, when `CERTOPAY_SANDBOX_HOST` names a host (tests
/// built for Windows and run under Wine), in that host.
pub async fn start(options: Options) -> std::io::Result<Sandbox> {
    match std::env::var(host::HOST_VAR) {
        Ok(host) if !host.is_empty() => host::start_in(host, options).await,
        _ => start_here(options).await,
    }
}

/// Starts a sandbox in this process.
pub async fn start_here(options: Options) -> std::io::Result<Sandbox> {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], options.port))).await?;
    let addr = listener.local_addr()?;
    let state: Shared = Arc::new(AppState {
        world: Mutex::new(World {
            clock_behind: options.clock_behind,
            fast_clock: options.fast_clock,
            ..World::seeded(options.seed, options.rate_window)
        }),
        token_ttl: options.token_ttl,
        faults: Mutex::new(Vec::new()),
        requests: Mutex::default(),
    });
    let router = router(state, options.faults, options.log_requests, &options.files);
    let acceptor = options.tls.as_ref().map(tls_acceptor).transpose()?;
    let task = tokio::spawn(async move {
        loop {
            let Ok((tcp, _)) = listener.accept().await else { continue };
            let kill = ConnectionKill(Arc::new(Notify::new()));
            let service = router.clone().map_request({
                let kill = kill.clone();
                move |mut req: axum::http::Request<hyper::body::Incoming>| {
                    req.extensions_mut().insert(kill.clone());
                    req
                }
            });
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let stream: Box<dyn Stream> = match acceptor {
                    // A client that refuses the certificate ends the handshake: nothing to serve.
                    Some(acceptor) => match acceptor.accept(tcp).await {
                        Ok(tls) => Box::new(tls),
                        Err(_) => return,
                    },
                    None => Box::new(tcp),
                };
                let connection =
                    hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
                tokio::select! {
                    _ = connection => {}
                    // Dropping the connection future closes the socket with nothing written.
                    _ = kill.0.notified() => {}
                }
            });
        }
    });
    Ok(Sandbox { addr, tls_host: options.tls.map(|t| t.host), running: Running::Here(task) })
}

fn router(state: Shared, with_faults: bool, log_requests: bool, files: &std::collections::BTreeMap<String, Vec<u8>>) -> Router {
    let mut router = Router::new();
    for (path, bytes) in files {
        let bytes = Bytes::from(bytes.clone());
        router = router.route(path, get(move || async move { bytes }));
    }
    let mut router = router
        .route("/api/auth/login", post(login))
        .route("/api/api-keys/me", get(read_key))
        .route("/api/api-keys/me/regenerate", post(regenerate))
        .route("/api/customers", get(customers))
        .route("/api/orders", get(orders))
        .route("/api/transactions", get(transactions))
        .route("/api/payment-gateway/process", post(process_payment));
    if with_faults {
        router = router
            .route("/__sandbox/faults", post(faults::add).delete(faults::clear))
            .route("/__sandbox/requests", get(faults::requests))
            .route("/__sandbox/key-timings", get(key_timings))
            .layer(axum::middleware::from_fn_with_state(state.clone(), faults::inject));
    }
    router = router.fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "Cannot find that route") });
    if log_requests {
        router = router.layer(axum::middleware::from_fn(log_request));
    }
    router.with_state(state)
}

/// One line per request on stderr: method, path, status. Never a header or a body.
async fn log_request(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let line = format!("{} {}", req.method(), req.uri().path());
    let response = next.run(req).await;
    eprintln!("{line} -> {}", response.status().as_u16());
    response
}

/// The error shape of every CertoPay endpoint: `{statusCode, message, error, code?}`.
pub(crate) struct ApiError {
    status: StatusCode,
    message: Value,
    code: Option<&'static str>,
    /// The `Retry-After` header's text: whole seconds from the rate limit, anything from a fault.
    retry_after: Option<String>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<Value>) -> Self {
        ApiError { status, message: message.into(), code: None, retry_after: None }
    }
    fn code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }
    pub(crate) fn rate_limited(retry_after: u64) -> Self {
        ApiError::rate_limited_saying(retry_after.to_string())
    }
    /// A 429 whose `Retry-After` says `text`, as a server may put it (even nonsense).
    pub(crate) fn rate_limited_saying(text: String) -> Self {
        ApiError {
            retry_after: Some(text),
            ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded").code("rate_limit_exceeded")
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({
            "statusCode": self.status.as_u16(),
            "message": self.message,
            "error": self.status.canonical_reason().unwrap_or("Error"),
        });
        if let Some(code) = self.code {
            body["code"] = json!(code);
        }
        let mut response = (self.status, Json(body)).into_response();
        if let Some(value) = self.retry_after.and_then(|text| header::HeaderValue::from_str(&text).ok()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }
}

async fn login(State(state): State<Shared>, body: Bytes) -> Result<Response, ApiError> {
    let body: Value = serde_json::from_slice(&body).map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "Body must be JSON"))?;
    let field = |name: &str| body.get(name).and_then(Value::as_str).unwrap_or("").to_string();
    let (email, password) = (field("email"), field("password"));
    let mut problems = Vec::new();
    if !email.contains('@') {
        problems.push("email must be an email");
    }
    if password.is_empty() {
        problems.push("password should not be empty");
    }
    if !problems.is_empty() {
        return Err(ApiError::new(StatusCode::BAD_REQUEST, problems));
    }
    let world = state.world.lock().unwrap();
    let user = world
        .users
        .iter()
        .find(|u| u.email.eq_ignore_ascii_case(&email) && password == DEMO_PASSWORD)
        .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "Invalid credentials"))?;
    let iat = server_now(&world);
    let ttl = state.token_ttl.as_secs() as i64;
    let claims = jwt::Claims { sub: user.id.clone(), email: user.email.clone(), role: user.role.as_str().to_string(), iat, exp: iat + ttl };
    let token = jwt::sign(&claims, &world.jwt_key);
    Ok((StatusCode::CREATED, Json(json!({ "accessToken": token, "expiresIn": ttl }))).into_response())
}

/// Who a management request is from: a valid JWT, never an API key. Counts the request
/// against the account's rolling window.
fn jwt_user(world: &mut World, headers: &HeaderMap) -> Result<usize, ApiError> {
    let bearer = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let Some(token) = bearer else {
        let message = if headers.contains_key("x-api-key") {
            "This endpoint takes a JWT (Authorization: Bearer), not an API key"
        } else {
            "Missing bearer token"
        };
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, message));
    };
    let claims = match jwt::verify(token, &world.jwt_key, server_now(world)) {
        Ok(claims) => claims,
        Err(jwt::TokenError::Expired) => return Err(ApiError::new(StatusCode::UNAUTHORIZED, "Token expired").code("expired_token")),
        Err(jwt::TokenError::Invalid) => return Err(ApiError::new(StatusCode::UNAUTHORIZED, "Invalid token")),
    };
    let user =
        world.users.iter().position(|u| u.id == claims.sub).ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "Invalid token"))?;
    let (window_len, merchant_index) = (world.rate_window, world.users[user].merchant);
    let merchant = &mut world.merchants[merchant_index];
    let limit = merchant.rate_limit();
    admit(&mut merchant.window, limit, window_len, Instant::now()).map_err(ApiError::rate_limited)?;
    Ok(user)
}

fn no_key() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "This account has no API key")
}

async fn read_key(State(state): State<Shared>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let mut world = state.world.lock().unwrap();
    let user = jwt_user(&mut world, &headers)?;
    let merchant = world.users[user].merchant;
    let key = world.merchants[merchant].key.as_ref().ok_or_else(no_key)?;
    Ok(Json(key.metadata()))
}

async fn regenerate(State(state): State<Shared>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    let mut world = state.world.lock().unwrap();
    let user = jwt_user(&mut world, &headers)?;
    if world.users[user].role != Role::Admin {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "This account may not regenerate API keys").code("insufficient_permissions"));
    }
    let merchant = world.users[user].merchant;
    let old = world.merchants[merchant].key.as_ref().ok_or_else(no_key)?;
    let (mode, label, limit) = (old.mode, old.label.clone(), old.rate_limit);
    let now = world.now().trunc_subsecs(0);
    let (key, secret) = new_key(&mut world.rng, mode, &label, limit, now);
    let mut body = key.metadata();
    body["apiKey"] = json!(secret);
    // The old key dies here: only the new key's hash is known from now on.
    world.merchants[merchant].key = Some(key);
    Ok(Json(body))
}

/// Which account a payment request is from: a current, active API key, never a JWT. Counts
/// the request against the key's rolling window and marks the key used.
fn api_key_merchant(world: &mut World, headers: &HeaderMap) -> Result<usize, ApiError> {
    let invalid = |message: &'static str| ApiError::new(StatusCode::UNAUTHORIZED, message).code("invalid_api_key");
    let Some(secret) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) else {
        return Err(if headers.contains_key(header::AUTHORIZATION) {
            invalid("This endpoint takes an API key (X-Api-Key), not a JWT")
        } else {
            invalid("Missing API key")
        });
    };
    let hash = sha256(secret);
    let merchant = world
        .merchants
        .iter()
        .position(|m| m.key.as_ref().is_some_and(|k| k.secret_sha256 == hash))
        .ok_or_else(|| invalid("Invalid API key"))?;
    let window_len = world.rate_window;
    let world_now = world.now();
    let key = world.merchants[merchant].key.as_mut().expect("found by its key");
    if !key.active {
        return Err(invalid("API key is inactive"));
    }
    admit(&mut key.window, key.rate_limit, window_len, Instant::now()).map_err(ApiError::rate_limited)?;
    key.last_used_at = Some(world_now.trunc_subsecs(0));
    key.first_used.get_or_insert_with(Instant::now);
    // A bench's shop may name itself: each shop's own outage, when several read the key.
    if let Some(shop) = headers.get("x-sandbox-shop").and_then(|v| v.to_str().ok()) {
        key.first_used_by.entry(shop.to_string()).or_insert_with(Instant::now);
    }
    Ok(merchant)
}

/// This server's clock, in Unix seconds: its time (`World::now`) less `clock_behind`.
fn server_now(world: &World) -> i64 {
    world.now().timestamp() - world.clock_behind.as_secs() as i64
}

/// Each account's key: how long after it was issued it was first accepted, in milliseconds by
/// this server's clock (`null`: not yet), and by each shop that named itself
/// (`X-Sandbox-Shop`). After a rotation, that is the outage its integrations saw.
async fn key_timings(State(state): State<Shared>) -> Json<Value> {
    let world = state.world.lock().unwrap();
    let keys: Vec<Value> = world
        .merchants
        .iter()
        .filter_map(|m| m.key.as_ref())
        .map(|k| {
            let after = |used: &Instant| used.duration_since(k.issued).as_millis() as u64;
            let by_shop: serde_json::Map<String, Value> =
                k.first_used_by.iter().map(|(shop, used)| (shop.clone(), json!(after(used)))).collect();
            let issued_ms = k.issued_wall.duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or_default();
            json!({ "keyPrefix": k.prefix, "issuedAtUnixMs": issued_ms, "firstUseAfterMs": k.first_used.as_ref().map(after), "firstUseAfterMsByShop": by_shop })
        })
        .collect();
    Json(json!(keys))
}

async fn customers(State(state): State<Shared>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    api_key_merchant(&mut state.world.lock().unwrap(), &headers)?;
    Ok(Json(json!({ "data": [{ "id": "cus_0001", "name": "Maria Silva", "document": "***.456.789-**" }], "total": 1 })))
}

async fn orders(State(state): State<Shared>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    api_key_merchant(&mut state.world.lock().unwrap(), &headers)?;
    Ok(Json(json!({ "data": [{ "id": "ord_0001", "amount": 15990, "currency": "BRL", "status": "paid" }], "total": 1 })))
}

async fn transactions(State(state): State<Shared>, headers: HeaderMap) -> Result<Json<Value>, ApiError> {
    api_key_merchant(&mut state.world.lock().unwrap(), &headers)?;
    Ok(Json(json!({ "data": [{ "id": "txn_0001", "amount": 15990, "method": "pix", "status": "approved" }], "total": 1 })))
}

async fn process_payment(State(state): State<Shared>, headers: HeaderMap) -> Result<Response, ApiError> {
    let mut world = state.world.lock().unwrap();
    api_key_merchant(&mut world, &headers)?;
    let id = world::uuid(&mut world.rng);
    Ok((StatusCode::CREATED, Json(json!({ "id": format!("pay_{id}"), "status": "approved" }))).into_response())
}
