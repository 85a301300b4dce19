//! Sandboxes started on request, for tests that run elsewhere: the app's tests built for
//! Windows run under Wine, while their sandboxes run natively in `certopay-sandbox --host`
//! (what a Windows machine talking to a server over loopback would see). A test process finds
//! the host through `CERTOPAY_SANDBOX_HOST` (its `127.0.0.1:PORT`); `start` then asks it for each
//! sandbox instead of serving one in-process.
//!
//! The protocol is two requests on loopback, plain HTTP/1.1, one JSON object each:
//! `POST /sandboxes` with the options gives `{"id": N, "port": P}`; `DELETE /sandboxes/N` stops
//! that one. The test side speaks it over a bare TCP stream, so the sandbox library needs no
//! HTTP client.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::{Options, Sandbox, TlsPem};

/// Where a test process finds the host, when its sandboxes run elsewhere.
pub const HOST_VAR: &str = "CERTOPAY_SANDBOX_HOST";

/// Options as they cross the wire (durations in milliseconds).
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wanted {
    token_ttl_ms: u64,
    clock_behind_ms: u64,
    seed: Option<u64>,
    faults: bool,
    rate_window_ms: u64,
    tls: Option<(String, String, String)>,
    #[serde(default)]
    files: std::collections::BTreeMap<String, Vec<u8>>,
    /// `FastClock`'s origin and speed.
    #[serde(default)]
    fast_clock: Option<(i64, u32)>,
}

impl From<&Options> for Wanted {
    fn from(o: &Options) -> Wanted {
        Wanted {
            token_ttl_ms: o.token_ttl.as_millis() as u64,
            clock_behind_ms: o.clock_behind.as_millis() as u64,
            seed: o.seed,
            faults: o.faults,
            rate_window_ms: o.rate_window.as_millis() as u64,
            tls: o.tls.as_ref().map(|t| (t.cert_chain_pem.clone(), t.key_pem.clone(), t.host.clone())),
            files: o.files.clone(),
            fast_clock: o.fast_clock.map(|c| (c.origin_ms, c.speed)),
        }
    }
}

impl From<Wanted> for Options {
    fn from(w: Wanted) -> Options {
        Options {
            port: 0,
            token_ttl: Duration::from_millis(w.token_ttl_ms),
            clock_behind: Duration::from_millis(w.clock_behind_ms),
            seed: w.seed,
            faults: w.faults,
            rate_window: Duration::from_millis(w.rate_window_ms),
            log_requests: false,
            tls: w.tls.map(|(cert_chain_pem, key_pem, host)| TlsPem { cert_chain_pem, key_pem, host }),
            files: w.files,
            fast_clock: w.fast_clock.map(|(origin_ms, speed)| crate::FastClock { origin_ms, speed }),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct Started {
    id: u64,
    port: u16,
}

#[derive(Default)]
struct Running {
    next: u64,
    sandboxes: HashMap<u64, Sandbox>,
}

type Shared = Arc<Mutex<Running>>;

/// Serves the host on `listener` until the process ends.
pub async fn serve(listener: tokio::net::TcpListener) -> std::io::Result<()> {
    let router =
        Router::new().route("/sandboxes", post(start_one)).route("/sandboxes/{id}", delete(stop_one)).with_state(Shared::default());
    axum::serve(listener, router).await
}

async fn start_one(State(running): State<Shared>, Json(wanted): Json<Wanted>) -> Result<Json<Started>, (StatusCode, String)> {
    let sandbox = crate::start_here(wanted.into()).await.map_err(|e| (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))?;
    let port = sandbox.addr.port();
    let mut running = running.lock().unwrap();
    running.next += 1;
    let id = running.next;
    running.sandboxes.insert(id, sandbox);
    Ok(Json(Started { id, port }))
}

async fn stop_one(State(running): State<Shared>, Path(id): Path<u64>) -> StatusCode {
    match running.lock().unwrap().sandboxes.remove(&id) {
        Some(_) => StatusCode::NO_CONTENT,
        None => StatusCode::NOT_FOUND,
    }
}

/// One request to the host, answered before it returns (`Connection: close`).
fn request(host: &str, method: &str, path: &str, body: &str) -> std::io::Result<(u16, String)> {
    let mut stream = std::net::TcpStream::connect(host)?;
    write!(stream, "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    let invalid = || std::io::Error::new(std::io::ErrorKind::InvalidData, format!("the sandbox host answered: {answer:?}"));
    let status = answer.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or_else(invalid)?;
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).ok_or_else(invalid)?;
    Ok((status, body))
}

/// Asks the host at `host` (`127.0.0.1:PORT`) for a sandbox with these options.
pub async fn start_in(host: String, options: Options) -> std::io::Result<Sandbox> {
    let tls_host = options.tls.as_ref().map(|t| t.host.clone());
    let body = serde_json::to_string(&Wanted::from(&options)).expect("options serialise");
    let asked = host.clone();
    let (status, answer) =
        tokio::task::spawn_blocking(move || request(&asked, "POST", "/sandboxes", &body)).await.expect("the request ran")?;
    let started: Started = match status {
        200 => serde_json::from_str(&answer).map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?,
        _ => return Err(std::io::Error::other(format!("the sandbox host refused ({status}): {answer}"))),
    };
    let addr = SocketAddr::from(([127, 0, 0, 1], started.port));
    Ok(Sandbox { addr, tls_host, running: crate::Running::Elsewhere { host, id: started.id } })
}

/// Stops a sandbox the host runs; a host already gone has nothing left to stop.
pub(crate) fn stop_there(host: &str, id: u64) {
    let _ = request(host, "DELETE", &format!("/sandboxes/{id}"), "");
}
