//! The CertoPay client against the sandbox over real HTTP on loopback, and against a small
//! local server for the answer shapes the sandbox does not speak.

use crate::support;

use std::time::{Duration, Instant};

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use certopay_keys::certopay::{CertoPayClient, ClientOptions, RegenerateError};
use certopay_keys::rules::app_error::{AppError, InputProblem};
use certopay_keys::rules::jwt::Jwt;
use certopay_sandbox::{Options, Sandbox, DEMO_PASSWORD};
use serde_json::{json, Value};
use support::app::{arm, nothing_listens_url, sandbox, served_key, LIVE};

fn client(url: &str) -> CertoPayClient {
    CertoPayClient::new(url, ClientOptions { backoff: Duration::from_millis(20), ..ClientOptions::default() }).unwrap()
}

async fn jwt(c: &CertoPayClient, email: &str) -> Jwt {
    c.login(email, DEMO_PASSWORD).await.unwrap().jwt
}

/// Uses a secret as the merchant's servers would.
async fn payment_status(sb: &Sandbox, secret: &str) -> u16 {
    let response = reqwest::Client::new().get(format!("{}/api/orders", sb.url())).header("X-Api-Key", secret).send().await.unwrap();
    response.status().as_u16()
}

#[tokio::test]
async fn login_reads_the_token_and_its_expiry() {
    let sb = sandbox(Options { token_ttl: Duration::from_secs(600), ..Options::default() }).await;
    let c = client(&sb.url());
    let before = chrono::Utc::now();
    let logged = c.login(LIVE, DEMO_PASSWORD).await.unwrap();
    let lifetime = (logged.expires_at - before).num_seconds();
    assert!((599..=601).contains(&lifetime), "{lifetime}");
    assert_eq!(logged.claims.email.as_deref(), Some(LIVE));
    assert!(logged.claims.sub.is_some());
    assert_eq!(format!("{:?}", logged.jwt), "Jwt([redacted])");
}

#[tokio::test]
async fn login_errors_by_kind() {
    let sb = sandbox(Options::default()).await;
    let c = client(&sb.url());
    assert_eq!(c.login(LIVE, "wrong").await.unwrap_err(), AppError::InvalidCredentials);
    assert_eq!(
        c.login("not-an-email", DEMO_PASSWORD).await.unwrap_err(),
        AppError::BadRequest { messages: vec!["email must be an email".into()] }
    );
    arm(&sb, json!({"path": "/api/auth/login", "kind": "status", "status": 500})).await;
    assert_eq!(c.login(LIVE, DEMO_PASSWORD).await.unwrap_err(), AppError::Server { status: 500 });
    arm(&sb, json!({"path": "/api/auth/login", "kind": "status", "status": 429, "retryAfter": 9})).await;
    assert_eq!(c.login(LIVE, DEMO_PASSWORD).await.unwrap_err(), AppError::RateLimited { retry_after_s: Some(9) });
    arm(&sb, json!({"path": "/api/auth/login", "kind": "html"})).await;
    assert_eq!(c.login(LIVE, DEMO_PASSWORD).await.unwrap_err(), AppError::Server { status: 502 });
    arm(&sb, json!({"path": "/api/auth/login", "kind": "truncated_json"})).await;
    assert!(matches!(c.login(LIVE, DEMO_PASSWORD).await.unwrap_err(), AppError::Malformed { .. }));
    // A base URL that is not CertoPay's API.
    let elsewhere = client(&format!("{}/not-the-api", sb.url()));
    assert_eq!(elsewhere.login(LIVE, DEMO_PASSWORD).await.unwrap_err(), AppError::Unexpected { status: 404 });
}

#[tokio::test]
async fn current_key_equals_what_the_sandbox_serves() {
    let sb = sandbox(Options::default()).await;
    let c = client(&sb.url());
    let token = jwt(&c, LIVE).await;
    let key = c.current_key(&token).await.unwrap();
    let served = served_key(&sb, LIVE).await;
    assert_eq!(key.id, served["id"].as_str().unwrap());
    assert_eq!(key.label, served["label"].as_str().unwrap());
    assert_eq!(key.key_prefix, served["keyPrefix"].as_str().unwrap());
    assert_eq!(key.masked_key.as_deref(), served["maskedKey"].as_str());
    assert_eq!(key.active, served["active"].as_bool().unwrap());
    assert_eq!(key.rate_limit, served["rateLimit"].as_u64());
    assert_eq!(key.last_used_at.unwrap().to_rfc3339_opts(chrono::SecondsFormat::Secs, true), served["lastUsedAt"].as_str().unwrap());
    assert_eq!(key.created_at.unwrap().to_rfc3339_opts(chrono::SecondsFormat::Secs, true), served["createdAt"].as_str().unwrap());

    let unused = c.current_key(&jwt(&c, "admin@unused.example").await).await.unwrap();
    assert_eq!((unused.last_used_at, unused.label.as_str()), (None, ""));
    assert!(!c.current_key(&jwt(&c, "admin@inactive.example").await).await.unwrap().active);
    assert_eq!(c.current_key(&jwt(&c, "admin@nokey.example").await).await.unwrap_err(), AppError::NoKey);
}

/// The token text, for requests a test makes itself. Only tests do this.
fn jwt_text(jwt: &Jwt) -> String {
    jwt.bearer().trim_start_matches("Bearer ").to_string()
}

#[tokio::test]
async fn expired_and_forged_tokens_end_the_session() {
    let sb = sandbox(Options { token_ttl: Duration::from_secs(1), ..Options::default() }).await;
    let c = client(&sb.url());
    let logged = c.login(LIVE, DEMO_PASSWORD).await.unwrap();
    let text = jwt_text(&logged.jwt);
    let parts: Vec<&str> = text.split('.').collect();
    let forged = Jwt::new(format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(r#"{"sub":"x","exp":9999999999}"#), parts[2]));
    assert_eq!(c.current_key(&forged).await.unwrap_err(), AppError::SessionEnded);
    let until = (logged.expires_at - chrono::Utc::now()).num_milliseconds().max(0) as u64;
    tokio::time::sleep(Duration::from_millis(until + 50)).await;
    assert_eq!(c.current_key(&logged.jwt).await.unwrap_err(), AppError::SessionEnded);
}

#[tokio::test]
async fn gets_retry_5xx_a_bounded_number_of_times() {
    let sb = sandbox(Options::default()).await;
    let c = client(&sb.url());
    let token = jwt(&c, LIVE).await;
    arm(&sb, json!({"path": "/api/api-keys/me", "kind": "status", "status": 503, "count": 2})).await;
    assert!(c.current_key(&token).await.is_ok(), "two 503s, then the third attempt answers");
    arm(&sb, json!({"path": "/api/api-keys/me", "kind": "status", "status": 500, "count": 3})).await;
    assert_eq!(c.current_key(&token).await.unwrap_err(), AppError::Server { status: 500 });
    arm(&sb, json!({"path": "/api/api-keys/me", "kind": "html", "count": 3})).await;
    assert_eq!(c.current_key(&token).await.unwrap_err(), AppError::Server { status: 502 });
    assert!(c.current_key(&token).await.is_ok(), "exactly three attempts were made");
}

#[tokio::test]
async fn gets_wait_out_a_short_retry_after_and_report_a_long_one() {
    let sb = sandbox(Options { rate_window: Duration::from_secs(2), ..Options::default() }).await;
    let c = client(&sb.url());
    let token = jwt(&c, "admin@limited.example").await;
    for _ in 0..5 {
        c.current_key(&token).await.unwrap();
    }
    let started = Instant::now();
    assert!(c.current_key(&token).await.is_ok(), "waited as Retry-After said, then got in");
    assert!(started.elapsed() >= Duration::from_millis(900), "{:?}", started.elapsed());

    let sb = sandbox(Options::default()).await;
    let c = client(&sb.url());
    let token = jwt(&c, "admin@limited.example").await;
    for _ in 0..5 {
        c.current_key(&token).await.unwrap();
    }
    let started = Instant::now();
    match c.current_key(&token).await.unwrap_err() {
        AppError::RateLimited { retry_after_s: Some(s) } => assert!((59..=60).contains(&s), "{s}"),
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() < Duration::from_secs(2), "a minute's wait is reported, not slept");
}

#[tokio::test]
async fn unreadable_answers_and_network_failures() {
    let sb = sandbox(Options::default()).await;
    let c = client(&sb.url());
    let token = jwt(&c, LIVE).await;
    arm(&sb, json!({"path": "/api/api-keys/me", "kind": "html", "status": 200})).await;
    assert!(matches!(c.current_key(&token).await.unwrap_err(), AppError::Malformed { .. }));
    arm(&sb, json!({"path": "/api/api-keys/me", "kind": "truncated_json"})).await;
    assert!(matches!(c.current_key(&token).await.unwrap_err(), AppError::Malformed { .. }));

    let impatient =
        CertoPayClient::new(&sb.url(), ClientOptions { request_timeout: Duration::from_millis(300), ..ClientOptions::default() }).unwrap();
    arm(&sb, json!({"path": "/api/api-keys/me", "kind": "latency", "delayMs": 1500})).await;
    assert!(matches!(impatient.current_key(&token).await.unwrap_err(), AppError::Network { timed_out: true, .. }));

    // Nothing listens there: said as such, not as "no internet".
    match client(&nothing_listens_url()).login(LIVE, DEMO_PASSWORD).await.unwrap_err() {
        AppError::ConnectionRefused { detail } => assert!(detail.contains("refused"), "{detail}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn regenerate_returns_the_new_secret_and_the_old_key_dies() {
    let sb = sandbox(Options::default()).await;
    let c = client(&sb.url());
    let token = jwt(&c, LIVE).await;
    let first = c.regenerate(&token).await.unwrap();
    assert_eq!(payment_status(&sb, &first.secret).await, 200);
    let second = c.regenerate(&token).await.unwrap();
    let meta = second.metadata.as_ref().expect("the sandbox sends the new metadata");
    assert!(second.secret.starts_with(meta.key_prefix.trim_end_matches("...")));
    assert_eq!(payment_status(&sb, &first.secret).await, 401);
    assert_eq!(payment_status(&sb, &second.secret).await, 200);
    assert!(!format!("{second:?}").contains(second.secret.as_str()));
}

#[tokio::test]
async fn regenerate_failures_are_told_apart_and_never_retried() {
    let sb = sandbox(Options::default()).await;
    let c = client(&sb.url());
    let token = jwt(&c, LIVE).await;
    let prefix = || async { c.current_key(&token).await.unwrap().key_prefix };

    let viewer = jwt(&c, "viewer@live.example").await;
    assert_eq!(c.regenerate(&viewer).await.unwrap_err(), RegenerateError::Refused(AppError::Forbidden));

    let before = prefix().await;
    arm(&sb, json!({"path": "/api/api-keys/me/regenerate", "kind": "status", "status": 503})).await;
    assert_eq!(c.regenerate(&token).await.unwrap_err(), RegenerateError::UnclearAnswer { status: 503 });
    assert_eq!(prefix().await, before, "one send only: a retry would have rotated the key");

    // Only a definite refusal means "not sent to the key"; a gateway's 408 or a redirect does not.
    for status in [302, 408, 409] {
        arm(&sb, json!({"path": "/api/api-keys/me/regenerate", "kind": "status", "status": status})).await;
        assert_eq!(c.regenerate(&token).await.unwrap_err(), RegenerateError::UnclearAnswer { status }, "{status}");
    }
    arm(&sb, json!({"path": "/api/api-keys/me/regenerate", "kind": "status", "status": 422})).await;
    assert!(matches!(c.regenerate(&token).await.unwrap_err(), RegenerateError::Refused(_)));
    assert_eq!(prefix().await, before);

    arm(&sb, json!({"path": "/api/api-keys/me/regenerate", "kind": "drop_after_commit"})).await;
    assert_eq!(c.regenerate(&token).await.unwrap_err(), RegenerateError::NoAnswer);
    let after_drop = prefix().await;
    assert_ne!(after_drop, before, "the sandbox committed before dropping");

    arm(&sb, json!({"path": "/api/api-keys/me/regenerate", "kind": "no_secret"})).await;
    assert_eq!(c.regenerate(&token).await.unwrap_err(), RegenerateError::RotatedWithoutSecret);
    arm(&sb, json!({"path": "/api/api-keys/me/regenerate", "kind": "truncated_json"})).await;
    assert_eq!(c.regenerate(&token).await.unwrap_err(), RegenerateError::RotatedWithoutSecret);

    let impatient =
        CertoPayClient::new(&sb.url(), ClientOptions { request_timeout: Duration::from_millis(300), ..ClientOptions::default() }).unwrap();
    arm(&sb, json!({"path": "/api/api-keys/me/regenerate", "kind": "latency", "delayMs": 1500})).await;
    assert_eq!(impatient.regenerate(&token).await.unwrap_err(), RegenerateError::NoAnswer);

    assert!(matches!(
        client(&nothing_listens_url()).regenerate(&token).await.unwrap_err(),
        RegenerateError::Refused(AppError::ConnectionRefused { .. })
    ));
}

// ---- answer shapes the sandbox does not speak, from a small server of the test's own ----

fn unsigned_jwt(payload: Value) -> String {
    format!("{}.{}.sig", URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256"}"#), URL_SAFE_NO_PAD.encode(payload.to_string()))
}

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

#[tokio::test]
async fn every_token_field_variant_is_accepted_and_exp_wins_over_expires_in() {
    for field in ["accessToken", "access_token", "token", "jwt"] {
        let token = unsigned_jwt(json!({"exp": 4_000_000_000i64, "email": "a@b.example"}));
        let body = json!({ field: token, "expiresIn": 60, "user": {"id": 1} });
        let url = serve(Router::new().route("/api/auth/login", post(move || async move { (StatusCode::OK, axum::Json(body)) }))).await;
        let logged = client(&url).login("a@b.example", "pw").await.unwrap();
        assert_eq!(logged.expires_at.timestamp(), 4_000_000_000, "{field}: exp wins");
    }
    let token = unsigned_jwt(json!({"sub": "u"}));
    let url =
        serve(Router::new().route("/api/auth/login", post(move || async move { axum::Json(json!({"token": token, "expiresIn": 120})) })))
            .await;
    let lifetime = (client(&url).login("a@b.example", "pw").await.unwrap().expires_at - chrono::Utc::now()).num_seconds();
    assert!((118..=120).contains(&lifetime), "expiresIn used when there is no exp: {lifetime}");
    let url = serve(Router::new().route("/api/auth/login", post(|| async { axum::Json(json!({"user": "x"})) }))).await;
    assert!(matches!(client(&url).login("a@b.example", "pw").await.unwrap_err(), AppError::Malformed { .. }));
}

#[tokio::test]
async fn key_answers_with_offsets_nulls_unknown_fields_and_error_variants() {
    let key = json!({
        "id": "9f1c", "label": null, "keyPrefix": "sk_live_a1b2c3d4...", "maskedKey": "sk_live_a1b2c3d4...••••••••••",
        "active": true, "rateLimit": 250, "lastUsedAt": "2026-06-26T07:00:00-03:00", "createdAt": "2026-06-01T10:00:00.123Z",
        "scopes": ["payments"], "owner": {"name": "Loja"}
    });
    let router = Router::new()
        .route("/api/api-keys/me", get(move || async move { axum::Json(key) }))
        .route(
            "/api/auth/login",
            post(|| async {
                (
                    StatusCode::BAD_REQUEST,
                    axum::Json(json!({"statusCode": 400, "message": "password is too short", "error": "Bad Request"})),
                )
            }),
        )
        .route(
            "/api/api-keys/me/regenerate",
            post(|| async {
                (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "Wed, 21 Oct 2099 07:28:00 GMT")], "slow down").into_response()
            }),
        );
    let url = serve(router).await;
    let c = client(&url);
    let token = Jwt::new(unsigned_jwt(json!({"exp": 4_000_000_000i64})));
    let parsed = c.current_key(&token).await.unwrap();
    assert_eq!(parsed.label, "");
    assert_eq!(parsed.rate_limit, Some(250));
    assert_eq!(parsed.key_prefix, "sk_live_a1b2c3d4...");
    assert_eq!(parsed.last_used_at.unwrap().to_rfc3339(), "2026-06-26T10:00:00+00:00");
    assert_eq!(c.login("a@b.example", "x").await.unwrap_err(), AppError::BadRequest { messages: vec!["password is too short".into()] });
    match c.regenerate(&token).await.unwrap_err() {
        RegenerateError::Refused(AppError::RateLimited { retry_after_s: Some(s) }) => {
            // Read as seconds until that date, and capped where it is parsed (an hour at most).
            assert_eq!(s, certopay_keys::certopay::MAX_RETRY_AFTER_S, "an HTTP date read as seconds: {s}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn only_https_or_loopback_base_urls_make_a_client() {
    assert!(CertoPayClient::new("https://v2.certopaybrasil.com", ClientOptions::default()).is_ok());
    assert!(CertoPayClient::new("http://127.0.0.1:1", ClientOptions::default()).is_ok());
    assert!(matches!(
        CertoPayClient::new("http://v2.certopaybrasil.com", ClientOptions::default()),
        Err(AppError::InvalidInput { reason: InputProblem::NotHttps, .. })
    ));
}

#[tokio::test]
async fn localhost_is_this_computer() {
    // The sandbox listens on 127.0.0.1 only; "localhost" reaches it without asking DNS.
    let sb = sandbox(Options::default()).await;
    let c = client(&sb.url().replace("127.0.0.1", "localhost"));
    assert!(c.login(LIVE, DEMO_PASSWORD).await.is_ok());
}
