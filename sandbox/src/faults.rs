//! Fault injection, only with `--faults`: `POST /__sandbox/faults` arms a fault for the next
//! `count` requests to one path; `DELETE /__sandbox/faults` disarms all. `GET
//! /__sandbox/requests` counts the requests each "METHOD /path" got, for tests.
//!
//! ```json
//! {"path": "/api/api-keys/me", "kind": "status", "status": 503, "count": 2}
//! ```
//! Kinds: `latency` (with `delayMs`, then the normal answer), `status` (500, 502 or 503 in the
//! error shape, nothing done; 429 as the rate limit answers it, with `retryAfter` seconds, or
//! a string sent as it is), `html` (a proxy's HTML page, 502 unless `status` says, nothing
//! done), `truncated_json` (the normal answer cut in half: a regenerate has committed),
//! `no_secret` (a regenerate that commits and answers 200 without the secret), `no_details` (a
//! regenerate that commits and answers 200 with the secret alone, none of the key's details),
//! `drop_after_commit` (the request is carried out, then the connection closes unanswered),
//! `late_commit` (with `delayMs`: the handler goes on after the delay and commits whether or not
//! the client is still there, as a real server's does), `drop` (the connection closes unanswered
//! and nothing is done),
//! `oversized` (a 200 streaming `bytes` of padding), `trickle` (a 200 sending a byte every
//! `intervalMs`, forever).

use std::time::Duration;

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::{ApiError, ConnectionKill, Shared};

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum FaultKind {
    Latency {
        #[serde(rename = "delayMs")]
        delay_ms: u64,
    },
    Status {
        status: u16,
        /// A number (seconds) or a string sent as it is: `"18446744073709551615"`, `"-1"`, `"1e99"`.
        #[serde(rename = "retryAfter")]
        retry_after: Option<Value>,
    },
    Html {
        status: Option<u16>,
    },
    TruncatedJson,
    NoSecret,
    /// The regenerate answer holds the secret and nothing else.
    NoDetails,
    /// The regenerate answer shows the whole secret as its `keyPrefix` and `maskedKey`.
    SecretInPrefix,
    DropAfterCommit,
    /// The request is carried out after `delayMs`, even if the client gave up meanwhile.
    LateCommit {
        #[serde(rename = "delayMs")]
        delay_ms: u64,
    },
    /// The connection closes with no answer, before anything is done.
    Drop,
    /// A 200 whose body streams `bytes` of JSON padding, with no Content-Length.
    Oversized {
        bytes: usize,
    },
    /// A 200 whose body sends one byte every `intervalMs`, forever.
    Trickle {
        #[serde(rename = "intervalMs")]
        interval_ms: u64,
    },
}

#[derive(Debug, Clone, Deserialize)]
pub struct Fault {
    path: String,
    #[serde(flatten)]
    kind: FaultKind,
    #[serde(default = "one")]
    count: u32,
}

fn one() -> u32 {
    1
}

pub async fn add(State(state): State<Shared>, body: Bytes) -> Result<Response, ApiError> {
    let fault: Fault = serde_json::from_slice(&body).map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, format!("Bad fault: {e}")))?;
    if let FaultKind::Status { status, .. } = fault.kind {
        if StatusCode::from_u16(status).is_err() {
            return Err(ApiError::new(StatusCode::BAD_REQUEST, "Bad fault: status"));
        }
    }
    state.faults.lock().unwrap().push(fault);
    Ok((StatusCode::CREATED, Json(json!({ "armed": true }))).into_response())
}

pub async fn clear(State(state): State<Shared>) -> StatusCode {
    state.faults.lock().unwrap().clear();
    StatusCode::NO_CONTENT
}

/// Takes one use of the first armed fault for this path.
fn take(state: &Shared, path: &str) -> Option<FaultKind> {
    let mut faults = state.faults.lock().unwrap();
    let index = faults.iter().position(|f| f.path == path && f.count > 0)?;
    faults[index].count -= 1;
    let kind = faults[index].kind.clone();
    if faults[index].count == 0 {
        faults.remove(index);
    }
    Some(kind)
}

/// `GET /__sandbox/requests`: how many requests each "METHOD /path" got so far.
pub async fn requests(State(state): State<Shared>) -> Json<Value> {
    Json(json!(*state.requests.lock().unwrap()))
}

/// The real answer with its JSON object changed by `edit` (a body that is not one is sent as
/// `null`), its length no longer stated.
async fn with_json_edited(answer: Response, edit: impl FnOnce(&mut serde_json::Map<String, Value>)) -> Response {
    let (parts, body) = answer.into_parts();
    let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let mut value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    if let Some(object) = value.as_object_mut() {
        edit(object);
    }
    let mut response = Response::from_parts(parts, Body::from(value.to_string()));
    response.headers_mut().remove(header::CONTENT_LENGTH);
    response
}

pub async fn inject(State(state): State<Shared>, req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/__sandbox/") {
        *state.requests.lock().unwrap().entry(format!("{} {}", req.method(), req.uri().path())).or_default() += 1;
    }
    let Some(kind) = take(&state, req.uri().path()) else {
        return next.run(req).await;
    };
    match kind {
        FaultKind::Latency { delay_ms } => {
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            next.run(req).await
        }
        FaultKind::Status { status: 429, retry_after } => {
            let text = match retry_after {
                None => "60".to_string(),
                Some(Value::String(text)) => text,
                Some(other) => other.to_string(),
            };
            ApiError::rate_limited_saying(text).into_response()
        }
        FaultKind::Status { status, .. } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            ApiError::new(status, "Injected fault").into_response()
        }
        FaultKind::Html { status } => {
            let status = status.and_then(|s| StatusCode::from_u16(s).ok()).unwrap_or(StatusCode::BAD_GATEWAY);
            let page = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>\
                        <body><h1>Bad Gateway</h1><p>nginx</p></body></html>";
            (status, [(header::CONTENT_TYPE, "text/html")], page).into_response()
        }
        FaultKind::TruncatedJson => {
            let (parts, body) = next.run(req).await.into_parts();
            let bytes = to_bytes(body, usize::MAX).await.unwrap_or_default();
            let half = bytes.slice(..bytes.len() / 2);
            let mut response = Response::from_parts(parts, Body::from(half));
            response.headers_mut().remove(header::CONTENT_LENGTH);
            response
        }
        FaultKind::NoSecret => {
            with_json_edited(next.run(req).await, |object| {
                object.remove("apiKey");
            })
            .await
        }
        FaultKind::NoDetails => {
            with_json_edited(next.run(req).await, |object| {
                object.retain(|name, _| name == "apiKey");
            })
            .await
        }
        FaultKind::SecretInPrefix => {
            with_json_edited(next.run(req).await, |object| {
                let secret = object.get("apiKey").cloned().unwrap_or(Value::Null);
                object.insert("keyPrefix".into(), secret.clone());
                object.insert("maskedKey".into(), secret);
            })
            .await
        }
        FaultKind::Oversized { bytes } => {
            let chunk = Bytes::from(vec![b' '; 16 * 1024]);
            let chunks = (bytes / chunk.len()).max(1);
            let stream = futures_util::stream::iter((0..chunks).map(move |_| Ok::<_, std::convert::Infallible>(chunk.clone())));
            (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], Body::from_stream(stream)).into_response()
        }
        FaultKind::Trickle { interval_ms } => {
            let stream = futures_util::stream::unfold((), move |()| async move {
                tokio::time::sleep(Duration::from_millis(interval_ms)).await;
                Some((Ok::<_, std::convert::Infallible>(Bytes::from_static(b" ")), ()))
            });
            (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], Body::from_stream(stream)).into_response()
        }
        FaultKind::LateCommit { delay_ms } => {
            // A task of its own: a client that hangs up drops this future, never the commit.
            let carried_out = tokio::spawn(async move {
                tokio::time::sleep(Duration::from_millis(delay_ms)).await;
                next.run(req).await
            });
            carried_out.await.unwrap_or_else(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "late commit failed").into_response())
        }
        FaultKind::Drop => {
            if let Some(kill) = req.extensions().get::<ConnectionKill>() {
                kill.0.notify_one();
            }
            std::future::pending::<Response>().await
        }
        FaultKind::DropAfterCommit => {
            let kill = req.extensions().get::<ConnectionKill>().cloned();
            let _committed = next.run(req).await;
            if let Some(kill) = kill {
                kill.0.notify_one();
            }
            std::future::pending::<Response>().await
        }
    }
}
