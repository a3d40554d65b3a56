//! The load balancer in front of the receivers, as a PSP runs one: the gateway's deliveries go
//! to its one URL, and each is forwarded to the next live receiver in turn (round robin).
//!
//! A receiver that refuses connections (its process is gone) is taken out of the rotation, as
//! a balancer's passive health check does, and the delivery that found it gone is answered 502,
//! so the sender delivers it again. A delivery cut off mid-way (the receiver died while
//! handling it) is answered 502 too. Other answers are passed back as they are (200, 409 for an
//! event being handled elsewhere, ...).

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a receiver may take to answer a forwarded delivery: longer than the sandbox waits
/// (5 s), so the sender, not the balancer, decides when a delivery is late.
const FORWARD_TIMEOUT: Duration = Duration::from_secs(10);

struct Target {
    url: String,
    live: AtomicBool,
}

struct Balancer {
    targets: Vec<Target>,
    next: AtomicUsize,
    http: reqwest::Client,
    /// Deliveries by the status the balancer answered.
    answers: Mutex<BTreeMap<u16, u64>>,
}

/// A running balancer: its URL, and its counts for the summary.
pub(crate) struct Running {
    pub(crate) url: String,
    balancer: Arc<Balancer>,
}

impl Running {
    /// `{"deliveries": n, "answers": {"200": n, "409": n, "502": n, ...}}`.
    pub(crate) fn counts(&self) -> Value {
        let answers = self
            .balancer
            .answers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let deliveries: u64 = answers.values().sum();
        let answers: serde_json::Map<String, Value> = answers
            .into_iter()
            .map(|(status, count)| (status.to_string(), count.into()))
            .collect();
        json!({"deliveries": deliveries, "answers": answers})
    }
}

/// Serves the balancer on a free loopback port, at `path`, in front of `receivers`.
pub(crate) async fn start(receivers: Vec<String>, path: &str) -> Result<Running, String> {
    let http = reqwest::Client::builder()
        .timeout(FORWARD_TIMEOUT)
        .build()
        .map_err(|e| format!("balancer HTTP client: {e}"))?;
    let balancer = Arc::new(Balancer {
        targets: receivers
            .into_iter()
            .map(|url| Target {
                url,
                live: AtomicBool::new(true),
            })
            .collect(),
        next: AtomicUsize::new(0),
        http,
        answers: Mutex::new(BTreeMap::new()),
    });
    let app = axum::Router::new()
        .route(path, axum::routing::post(forward))
        .with_state(Arc::clone(&balancer));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| format!("balancer: {e}"))?;
    let address = listener
        .local_addr()
        .map_err(|e| format!("balancer: {e}"))?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(Running {
        url: format!("http://{address}{path}"),
        balancer,
    })
}

impl Balancer {
    /// The next live receiver, in turn; `None` once every one is gone.
    fn pick(&self) -> Option<&Target> {
        (0..self.targets.len())
            .map(|_| self.next.fetch_add(1, Ordering::Relaxed) % self.targets.len())
            .map(|index| &self.targets[index])
            .find(|target| target.live.load(Ordering::Relaxed))
    }

    fn count(&self, status: StatusCode) {
        *self
            .answers
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(status.as_u16())
            .or_default() += 1;
    }
}

async fn forward(
    State(balancer): State<Arc<Balancer>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let response = match balancer.pick() {
        None => StatusCode::BAD_GATEWAY.into_response(),
        Some(target) => {
            let mut forwarded = headers;
            // Hop-by-hop: the client sets its own for the next hop.
            for name in [
                header::HOST,
                header::CONNECTION,
                header::CONTENT_LENGTH,
                header::TRANSFER_ENCODING,
            ] {
                forwarded.remove(name);
            }
            let sent = balancer
                .http
                .post(&target.url)
                .headers(forwarded)
                .body(body)
                .send()
                .await;
            match sent {
                Ok(answer) => {
                    let status = answer.status();
                    let body = answer.bytes().await.unwrap_or_default();
                    (status, body).into_response()
                }
                Err(error) => {
                    if error.is_connect() {
                        target.live.store(false, Ordering::Relaxed);
                    }
                    StatusCode::BAD_GATEWAY.into_response()
                }
            }
        }
    };
    balancer.count(response.status());
    response
}
