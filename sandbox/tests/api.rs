//! The sandbox over real HTTP on loopback: every endpoint, error code, the rate limit, token
//! expiry and every injected fault.

use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use certopay_sandbox::{start, Options, Sandbox, DEMO_PASSWORD};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

const LIVE_ADMIN: &str = "admin@live.example";
const VIEWER: &str = "viewer@live.example";
const TEST_ADMIN: &str = "admin@test.example";
const INACTIVE: &str = "admin@inactive.example";
const UNUSED: &str = "admin@unused.example";
const LIMITED: &str = "admin@limited.example";
const NO_KEY: &str = "admin@nokey.example";

async fn sandbox(options: Options) -> (Sandbox, Client) {
    let sandbox = start(options).await.expect("sandbox starts");
    (sandbox, Client::new())
}

async fn with_faults() -> (Sandbox, Client) {
    sandbox(Options { faults: true, ..Options::default() }).await
}

async fn login(client: &Client, sb: &Sandbox, email: &str) -> String {
    let response = client
        .post(format!("{}/api/auth/login", sb.url()))
        .json(&json!({ "email": email, "password": DEMO_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    body["accessToken"].as_str().unwrap().to_string()
}

async fn get_key(client: &Client, sb: &Sandbox, jwt: &str) -> reqwest::Response {
    client.get(format!("{}/api/api-keys/me", sb.url())).bearer_auth(jwt).send().await.unwrap()
}

async fn regenerate(client: &Client, sb: &Sandbox, jwt: &str) -> reqwest::Response {
    client.post(format!("{}/api/api-keys/me/regenerate", sb.url())).bearer_auth(jwt).send().await.unwrap()
}

async fn key_json(client: &Client, sb: &Sandbox, jwt: &str) -> Value {
    let response = get_key(client, sb, jwt).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// Rotates and returns the new secret (the only way a test learns a usable key).
async fn fresh_secret(client: &Client, sb: &Sandbox, jwt: &str) -> String {
    let response = regenerate(client, sb, jwt).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    body["apiKey"].as_str().unwrap().to_string()
}

async fn pay(client: &Client, sb: &Sandbox, path: &str, key: &str) -> reqwest::Response {
    let url = format!("{}{path}", sb.url());
    let request = if path.ends_with("process") { client.post(url).json(&json!({"amount": 1000})) } else { client.get(url) };
    request.header("X-Api-Key", key).send().await.unwrap()
}

async fn error_body(response: reqwest::Response, status: StatusCode, code: Option<&str>) -> Value {
    assert_eq!(response.status(), status);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["statusCode"], json!(status.as_u16()), "{body}");
    assert_eq!(body["error"], json!(status.canonical_reason().unwrap()), "{body}");
    assert!(body["message"].is_string() || body["message"].is_array(), "{body}");
    assert_eq!(body.get("code").and_then(Value::as_str), code, "{body}");
    body
}

fn jwt_payload(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

async fn arm(client: &Client, sb: &Sandbox, fault: Value) {
    let response = client.post(format!("{}/__sandbox/faults", sb.url())).json(&fault).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED, "{fault}");
}

fn timestamp(value: &Value) -> chrono::DateTime<chrono::FixedOffset> {
    chrono::DateTime::parse_from_rfc3339(value.as_str().expect("a timestamp string")).expect("RFC 3339")
}

#[tokio::test]
async fn the_binary_prints_its_url_first_and_serves_it() {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_certopay-sandbox"))
        .args(["--port", "0"])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next_line().await.unwrap().unwrap();
    let url = first.strip_prefix("CERTOPAY_SANDBOX_URL=http://127.0.0.1:").expect(&first);
    assert!(url.parse::<u16>().unwrap() > 0);
    let mut rest = String::new();
    while let Some(line) = lines.next_line().await.unwrap() {
        rest.push_str(&line);
        rest.push('\n');
        if line.contains(NO_KEY) {
            break;
        }
    }
    for account in [LIVE_ADMIN, VIEWER, TEST_ADMIN, INACTIVE, UNUSED, LIMITED, DEMO_PASSWORD] {
        assert!(rest.contains(account), "banner lacks {account}: {rest}");
    }
    let response = Client::new()
        .post(format!("http://127.0.0.1:{url}/api/auth/login"))
        .json(&json!({ "email": LIVE_ADMIN, "password": DEMO_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    child.kill().await.unwrap();
}

#[tokio::test]
async fn login_issues_an_hs256_jwt_with_the_claims_and_lifetime() {
    let (sb, client) = sandbox(Options { token_ttl: Duration::from_secs(600), ..Options::default() }).await;
    let response = client
        .post(format!("{}/api/auth/login", sb.url()))
        .json(&json!({ "email": LIVE_ADMIN, "password": DEMO_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["expiresIn"], json!(600));
    let jwt = body["accessToken"].as_str().unwrap();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(jwt.split('.').next().unwrap()).unwrap()).unwrap();
    assert_eq!(header["alg"], "HS256");
    let claims = jwt_payload(jwt);
    assert_eq!(claims["email"], LIVE_ADMIN);
    assert_eq!(claims["role"], "admin");
    assert!(claims["sub"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 600);
    let now = chrono::Utc::now().timestamp();
    assert!((claims["iat"].as_i64().unwrap() - now).abs() <= 2);
    assert_eq!(jwt_payload(&login(&client, &sb, VIEWER).await)["role"], "viewer");
}

#[tokio::test]
async fn login_refuses_wrong_password_and_bad_input() {
    let (sb, client) = sandbox(Options::default()).await;
    let url = format!("{}/api/auth/login", sb.url());
    let wrong = client.post(&url).json(&json!({ "email": LIVE_ADMIN, "password": "nope" })).send().await.unwrap();
    error_body(wrong, StatusCode::UNAUTHORIZED, None).await;
    let unknown = client.post(&url).json(&json!({ "email": "who@x.example", "password": DEMO_PASSWORD })).send().await.unwrap();
    error_body(unknown, StatusCode::UNAUTHORIZED, None).await;
    let bad = client.post(&url).json(&json!({ "email": "not-an-email", "password": "" })).send().await.unwrap();
    let body = error_body(bad, StatusCode::BAD_REQUEST, None).await;
    assert_eq!(body["message"], json!(["email must be an email", "password should not be empty"]));
    let not_json = client.post(&url).body("email=a").send().await.unwrap();
    error_body(not_json, StatusCode::BAD_REQUEST, None).await;
}

#[tokio::test]
async fn read_key_reproduces_the_docs_example_field_for_field() {
    let (sb, client) = sandbox(Options::default()).await;
    let jwt = login(&client, &sb, LIVE_ADMIN).await;
    let key = key_json(&client, &sb, &jwt).await;
    let mut fields: Vec<&str> = key.as_object().unwrap().keys().map(String::as_str).collect();
    fields.sort();
    assert_eq!(fields, ["active", "createdAt", "id", "keyPrefix", "label", "lastUsedAt", "maskedKey", "rateLimit"]);
    assert_eq!(key["id"].as_str().unwrap().len(), 36);
    assert_eq!(key["label"], "Chave principal");
    let prefix = key["keyPrefix"].as_str().unwrap();
    assert!(prefix.starts_with("sk_live_") && prefix.ends_with("...") && prefix.chars().count() == 19, "{prefix}");
    assert_eq!(key["maskedKey"], json!(format!("{prefix}••••••••••")));
    assert_eq!(key["active"], json!(true));
    assert_eq!(key["rateLimit"], json!(100));
    assert!(key["createdAt"].as_str().unwrap().ends_with('Z'));
    let last_used = timestamp(&key["lastUsedAt"]);
    let created = timestamp(&key["createdAt"]);
    assert!(last_used > created && chrono::Utc::now().signed_duration_since(last_used).num_minutes() < 10);
    assert!(chrono::Utc::now().signed_duration_since(created).num_days() > 90, "seeded past the rotation period");
}

#[tokio::test]
async fn seeded_accounts_show_test_inactive_never_used_limited_and_keyless() {
    let (sb, client) = sandbox(Options::default()).await;
    let test = key_json(&client, &sb, &login(&client, &sb, TEST_ADMIN).await).await;
    assert!(test["keyPrefix"].as_str().unwrap().starts_with("sk_test_"));
    let inactive = key_json(&client, &sb, &login(&client, &sb, INACTIVE).await).await;
    assert_eq!(inactive["active"], json!(false));
    let unused = key_json(&client, &sb, &login(&client, &sb, UNUSED).await).await;
    assert_eq!(unused["lastUsedAt"], Value::Null);
    assert_eq!(unused["label"], "");
    let limited = key_json(&client, &sb, &login(&client, &sb, LIMITED).await).await;
    assert_eq!(limited["rateLimit"], json!(5));
    let none = get_key(&client, &sb, &login(&client, &sb, NO_KEY).await).await;
    error_body(none, StatusCode::NOT_FOUND, None).await;
}

#[tokio::test]
async fn regenerate_kills_the_old_key_at_once_and_the_new_one_works() {
    let (sb, client) = sandbox(Options::default()).await;
    let jwt = login(&client, &sb, LIVE_ADMIN).await;
    let old = fresh_secret(&client, &sb, &jwt).await;
    assert_eq!(pay(&client, &sb, "/api/customers", &old).await.status(), StatusCode::OK);

    let response = regenerate(&client, &sb, &jwt).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let new = body["apiKey"].as_str().unwrap().to_string();
    let prefix = body["keyPrefix"].as_str().unwrap();
    assert!(new.starts_with("sk_live_") && new.len() >= 8 + 32);
    assert!(new.starts_with(prefix.trim_end_matches("...")));
    assert_eq!(body["lastUsedAt"], Value::Null);
    assert_eq!(body["label"], "Chave principal");

    let refused = pay(&client, &sb, "/api/customers", &old).await;
    error_body(refused, StatusCode::UNAUTHORIZED, Some("invalid_api_key")).await;
    for path in ["/api/customers", "/api/orders", "/api/transactions", "/api/payment-gateway/process"] {
        let status = pay(&client, &sb, path, &new).await.status();
        assert!(status.is_success(), "{path}: {status}");
    }
    let after = key_json(&client, &sb, &jwt).await;
    assert_eq!(after["keyPrefix"], body["keyPrefix"]);
    assert_eq!(after["id"], body["id"]);
    let used = timestamp(&after["lastUsedAt"]);
    assert!(chrono::Utc::now().signed_duration_since(used).num_seconds() <= 2, "lastUsedAt moved to now");
    error_body(pay(&client, &sb, "/api/orders", "sk_live_unknown").await, StatusCode::UNAUTHORIZED, Some("invalid_api_key")).await;
}

#[tokio::test]
async fn an_inactive_key_is_refused_on_payment_endpoints() {
    let (sb, client) = sandbox(Options { faults: true, ..Options::default() }).await;
    let jwt = login(&client, &sb, INACTIVE).await;
    // The seeded inactive key's secret was never handed out; read its state instead.
    assert_eq!(key_json(&client, &sb, &jwt).await["active"], json!(false));
    // A rotation issues a fresh, active key; payments with it work.
    let secret = fresh_secret(&client, &sb, &jwt).await;
    assert_eq!(key_json(&client, &sb, &jwt).await["active"], json!(true));
    assert_eq!(pay(&client, &sb, "/api/orders", &secret).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn each_credential_is_refused_where_the_other_belongs() {
    let (sb, client) = sandbox(Options::default()).await;
    let jwt = login(&client, &sb, TEST_ADMIN).await;
    let secret = fresh_secret(&client, &sb, &jwt).await;
    for path in ["/api/customers", "/api/orders", "/api/payment-gateway/process"] {
        let url = format!("{}{path}", sb.url());
        let request = if path.ends_with("process") { client.post(url) } else { client.get(url) };
        let response = request.bearer_auth(&jwt).send().await.unwrap();
        error_body(response, StatusCode::UNAUTHORIZED, Some("invalid_api_key")).await;
    }
    let read = client.get(format!("{}/api/api-keys/me", sb.url())).header("X-Api-Key", &secret).send().await.unwrap();
    error_body(read, StatusCode::UNAUTHORIZED, None).await;
    let rotate = client.post(format!("{}/api/api-keys/me/regenerate", sb.url())).header("X-Api-Key", &secret).send().await.unwrap();
    error_body(rotate, StatusCode::UNAUTHORIZED, None).await;
    // A secret passed as a bearer token is no JWT either.
    let as_bearer = get_key(&client, &sb, &secret).await;
    error_body(as_bearer, StatusCode::UNAUTHORIZED, None).await;
    assert_eq!(pay(&client, &sb, "/api/customers", &secret).await.status(), StatusCode::OK, "the key still works");
}

#[tokio::test]
async fn a_viewer_gets_403_and_the_key_is_untouched() {
    let (sb, client) = sandbox(Options::default()).await;
    let jwt = login(&client, &sb, VIEWER).await;
    let before = key_json(&client, &sb, &jwt).await;
    let refused = regenerate(&client, &sb, &jwt).await;
    error_body(refused, StatusCode::FORBIDDEN, Some("insufficient_permissions")).await;
    assert_eq!(key_json(&client, &sb, &jwt).await["keyPrefix"], before["keyPrefix"]);
}

#[tokio::test]
async fn a_full_window_answers_429_with_the_exact_retry_after() {
    let (sb, client) = sandbox(Options::default()).await;
    let jwt = login(&client, &sb, LIMITED).await;
    let first = Instant::now();
    for _ in 0..5 {
        assert_eq!(get_key(&client, &sb, &jwt).await.status(), StatusCode::OK);
    }
    let refused = get_key(&client, &sb, &jwt).await;
    let elapsed = first.elapsed();
    let retry_after: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().expect("whole seconds");
    // The oldest counted request leaves the window 60 s after it was made.
    let latest = 60 - elapsed.as_secs();
    assert!(retry_after <= 60 && retry_after + 1 >= latest, "Retry-After {retry_after} after {elapsed:?}");
    error_body(refused, StatusCode::TOO_MANY_REQUESTS, Some("rate_limit_exceeded")).await;
}

#[tokio::test]
async fn an_api_key_has_a_window_of_its_own() {
    let (sb, client) = sandbox(Options::default()).await;
    let jwt = login(&client, &sb, LIMITED).await;
    let secret = fresh_secret(&client, &sb, &jwt).await;
    for _ in 0..5 {
        assert_eq!(pay(&client, &sb, "/api/orders", &secret).await.status(), StatusCode::OK);
    }
    let refused = pay(&client, &sb, "/api/orders", &secret).await;
    assert!(refused.headers().contains_key("retry-after"));
    error_body(refused, StatusCode::TOO_MANY_REQUESTS, Some("rate_limit_exceeded")).await;
    assert_eq!(get_key(&client, &sb, &jwt).await.status(), StatusCode::OK, "the account's JWT window is separate");
}

#[tokio::test]
async fn the_window_rolls_the_oldest_request_out_after_retry_after() {
    let (sb, client) = sandbox(Options { rate_window: Duration::from_secs(2), ..Options::default() }).await;
    let jwt = login(&client, &sb, LIMITED).await;
    for _ in 0..5 {
        assert_eq!(get_key(&client, &sb, &jwt).await.status(), StatusCode::OK);
    }
    let refused = get_key(&client, &sb, &jwt).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = refused.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&retry_after));
    // Waiting as told is the behaviour under test: the next request is admitted.
    tokio::time::sleep(Duration::from_secs(retry_after)).await;
    assert_eq!(get_key(&client, &sb, &jwt).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_expired_token_gets_expired_token_and_a_forged_one_no_code() {
    let (sb, client) = sandbox(Options { token_ttl: Duration::from_secs(2), ..Options::default() }).await;
    let jwt = login(&client, &sb, LIVE_ADMIN).await;
    assert_eq!(get_key(&client, &sb, &jwt).await.status(), StatusCode::OK);

    let parts: Vec<&str> = jwt.split('.').collect();
    let mut claims = jwt_payload(&jwt);
    claims["role"] = json!("owner");
    let forged = format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(claims.to_string()), parts[2]);
    error_body(get_key(&client, &sb, &forged).await, StatusCode::UNAUTHORIZED, None).await;
    error_body(get_key(&client, &sb, "garbage").await, StatusCode::UNAUTHORIZED, None).await;
    let unsigned = format!("{}.{}.", URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#), parts[1]);
    error_body(get_key(&client, &sb, &unsigned).await, StatusCode::UNAUTHORIZED, None).await;

    // Wait only until the token's own `exp` has passed.
    let exp = jwt_payload(&jwt)["exp"].as_i64().unwrap();
    let until_exp = exp * 1000 - chrono::Utc::now().timestamp_millis();
    tokio::time::sleep(Duration::from_millis(until_exp.max(0) as u64 + 50)).await;
    error_body(get_key(&client, &sb, &jwt).await, StatusCode::UNAUTHORIZED, Some("expired_token")).await;
    error_body(regenerate(&client, &sb, &jwt).await, StatusCode::UNAUTHORIZED, Some("expired_token")).await;
}

#[tokio::test]
async fn unknown_routes_get_404_in_the_error_shape_and_faults_exist_only_when_enabled() {
    let (sb, client) = sandbox(Options::default()).await;
    let missing = client.get(format!("{}/api/nothing", sb.url())).send().await.unwrap();
    error_body(missing, StatusCode::NOT_FOUND, None).await;
    let faults =
        client.post(format!("{}/__sandbox/faults", sb.url())).json(&json!({"path": "/", "kind": "no_secret"})).send().await.unwrap();
    assert_eq!(faults.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn fault_latency_delays_the_normal_answer() {
    let (sb, client) = with_faults().await;
    let jwt = login(&client, &sb, LIVE_ADMIN).await;
    arm(&client, &sb, json!({"path": "/api/api-keys/me", "kind": "latency", "delayMs": 400})).await;
    let started = Instant::now();
    assert_eq!(get_key(&client, &sb, &jwt).await.status(), StatusCode::OK);
    assert!(started.elapsed() >= Duration::from_millis(400));
}

#[tokio::test]
async fn fault_status_answers_each_5xx_and_429_for_the_armed_count_only() {
    let (sb, client) = with_faults().await;
    let jwt = login(&client, &sb, LIVE_ADMIN).await;
    for status in [500u16, 502, 503] {
        arm(&client, &sb, json!({"path": "/api/api-keys/me", "kind": "status", "status": status, "count": 2})).await;
        let code = StatusCode::from_u16(status).unwrap();
        error_body(get_key(&client, &sb, &jwt).await, code, None).await;
        error_body(get_key(&client, &sb, &jwt).await, code, None).await;
        assert_eq!(get_key(&client, &sb, &jwt).await.status(), StatusCode::OK, "only {status} twice");
    }
    arm(&client, &sb, json!({"path": "/api/api-keys/me", "kind": "status", "status": 429, "retryAfter": 7})).await;
    let limited = get_key(&client, &sb, &jwt).await;
    assert_eq!(limited.headers()["retry-after"], "7");
    error_body(limited, StatusCode::TOO_MANY_REQUESTS, Some("rate_limit_exceeded")).await;
    // A 5xx on regenerate did nothing.
    let before = key_json(&client, &sb, &jwt).await;
    arm(&client, &sb, json!({"path": "/api/api-keys/me/regenerate", "kind": "status", "status": 503})).await;
    assert_eq!(regenerate(&client, &sb, &jwt).await.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(key_json(&client, &sb, &jwt).await["keyPrefix"], before["keyPrefix"]);
}

#[tokio::test]
async fn fault_html_answers_a_proxy_page() {
    let (sb, client) = with_faults().await;
    let jwt = login(&client, &sb, LIVE_ADMIN).await;
    arm(&client, &sb, json!({"path": "/api/api-keys/me", "kind": "html"})).await;
    let response = get_key(&client, &sb, &jwt).await;
    assert_eq!(response.status(), StatusCode::BAD_GATEWAY);
    assert_eq!(response.headers()["content-type"], "text/html");
    let body = response.text().await.unwrap();
    assert!(body.starts_with("<!DOCTYPE html>") && serde_json::from_str::<Value>(&body).is_err());
    arm(&client, &sb, json!({"path": "/api/auth/login", "kind": "html", "status": 200})).await;
    let login = client
        .post(format!("{}/api/auth/login", sb.url()))
        .json(&json!({"email": LIVE_ADMIN, "password": DEMO_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    assert!(login.text().await.unwrap().contains("Bad Gateway"));
}

#[tokio::test]
async fn fault_truncated_json_cuts_the_body_after_the_work_is_done() {
    let (sb, client) = with_faults().await;
    let jwt = login(&client, &sb, LIVE_ADMIN).await;
    let before = key_json(&client, &sb, &jwt).await;
    arm(&client, &sb, json!({"path": "/api/api-keys/me/regenerate", "kind": "truncated_json"})).await;
    let response = regenerate(&client, &sb, &jwt).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = response.text().await.unwrap();
    assert!(body.starts_with('{') && serde_json::from_str::<Value>(&body).is_err(), "{body}");
    assert_ne!(key_json(&client, &sb, &jwt).await["keyPrefix"], before["keyPrefix"], "the rotation committed");
}

#[tokio::test]
async fn fault_no_secret_commits_and_answers_200_without_the_secret() {
    let (sb, client) = with_faults().await;
    let jwt = login(&client, &sb, LIVE_ADMIN).await;
    let before = key_json(&client, &sb, &jwt).await;
    arm(&client, &sb, json!({"path": "/api/api-keys/me/regenerate", "kind": "no_secret"})).await;
    let response = regenerate(&client, &sb, &jwt).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert!(body.get("apiKey").is_none());
    assert!(body["keyPrefix"].is_string());
    let after = key_json(&client, &sb, &jwt).await;
    assert_ne!(after["keyPrefix"], before["keyPrefix"]);
    assert_eq!(after["keyPrefix"], body["keyPrefix"]);
}

#[tokio::test]
async fn fault_drop_after_commit_rotates_and_closes_the_connection_unanswered() {
    let (sb, client) = with_faults().await;
    let jwt = login(&client, &sb, LIVE_ADMIN).await;
    let before = key_json(&client, &sb, &jwt).await;
    arm(&client, &sb, json!({"path": "/api/api-keys/me/regenerate", "kind": "drop_after_commit"})).await;
    let outcome =
        client.post(format!("{}/api/api-keys/me/regenerate", sb.url())).bearer_auth(&jwt).timeout(Duration::from_secs(10)).send().await;
    let error = outcome.expect_err("no answer comes back");
    assert!(!error.is_timeout(), "the connection was closed, not left hanging: {error}");
    let after = key_json(&client, &sb, &jwt).await;
    assert_ne!(after["keyPrefix"], before["keyPrefix"], "the rotation committed before the drop");
}

#[tokio::test]
async fn fault_late_commit_rotates_after_the_client_gave_up() {
    let (sb, client) = with_faults().await;
    let jwt = login(&client, &sb, LIVE_ADMIN).await;
    let before = key_json(&client, &sb, &jwt).await;
    arm(&client, &sb, json!({"path": "/api/api-keys/me/regenerate", "kind": "late_commit", "delayMs": 600})).await;
    let outcome =
        client.post(format!("{}/api/api-keys/me/regenerate", sb.url())).bearer_auth(&jwt).timeout(Duration::from_millis(200)).send().await;
    assert!(outcome.expect_err("the client gives up first").is_timeout());
    assert_eq!(key_json(&client, &sb, &jwt).await["keyPrefix"], before["keyPrefix"], "not yet carried out");
    // The handler goes on without its client: the key changes by itself, a moment later.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        if key_json(&client, &sb, &jwt).await["keyPrefix"] != before["keyPrefix"] {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the late commit never happened");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn fault_drop_closes_the_connection_and_does_nothing() {
    let (sb, client) = with_faults().await;
    let jwt = login(&client, &sb, LIVE_ADMIN).await;
    let before = key_json(&client, &sb, &jwt).await;
    arm(&client, &sb, json!({"path": "/api/api-keys/me/regenerate", "kind": "drop"})).await;
    let outcome =
        client.post(format!("{}/api/api-keys/me/regenerate", sb.url())).bearer_auth(&jwt).timeout(Duration::from_secs(10)).send().await;
    assert!(!outcome.expect_err("no answer comes back").is_timeout(), "closed, not left hanging");
    assert_eq!(key_json(&client, &sb, &jwt).await["keyPrefix"], before["keyPrefix"], "nothing was rotated");
}

/// `--host`: a sandbox started on request runs with the options asked for, and stops when the
/// test drops it (the Windows tests under Wine use it this way).
#[tokio::test]
async fn the_host_starts_sandboxes_on_request_and_stops_them() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let host = listener.local_addr().unwrap().to_string();
    tokio::spawn(certopay_sandbox::host::serve(listener));
    let client = Client::new();

    let sb =
        certopay_sandbox::host::start_in(host.clone(), Options { token_ttl: Duration::from_secs(7), faults: true, ..Options::default() })
            .await
            .unwrap();
    let claims = jwt_payload(&login(&client, &sb, LIVE_ADMIN).await);
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 7, "the token lifetime asked for");
    let faults = client.get(format!("{}/__sandbox/requests", sb.url())).send().await.unwrap();
    assert_eq!(faults.status(), StatusCode::OK, "faults on, as asked");

    let url = sb.url();
    tokio::task::spawn_blocking(move || drop(sb)).await.unwrap();
    // A new client: the old one's kept-alive connection outlives the listener, as in-process.
    assert!(Client::new().get(format!("{url}/api/api-keys/me")).send().await.is_err(), "stopped when dropped");
}
