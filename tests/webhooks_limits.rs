//! The receiver faces the internet: what it checks before reading a body, how much body it
//! reads, how long it waits for heads and bodies, and how many deliveries it takes at once.
//!
//! Requests are written by hand on raw TCP, so a test can send headers and *withhold* the body:
//! an answer that arrives anyway proves the body was not needed for it. Each wait for an
//! answer is bounded (20 s) only so that a receiver that waits for the body fails the test
//! instead of hanging it; nothing asserts how fast anything is.
#![cfg(feature = "webhooks-axum")]

use axum::Router;
use chrono::Utc;
use scalexpert::webhooks::axum::{route, route_with_limits, serve, RouteLimits, ServeLimits};
use scalexpert::webhooks::{Event, Receiver, ReceiverSecrets, DEFAULT_MAX_BODY_BYTES};
use serde_json::Value;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, Notify};

const BODY: &str = r#"{"timestamp":"2024-03-18T14:27:45.612Z","id":"3e8b5f21-7c0d-4a96-b1e4-9f62d0a8c573","correlationId":"6a2d9c47-1f85-4e3b-a0d7-c5b8e2f19046","eventTypeCode":"SC_SUBSCRIPTION","eventCode":"SC_SUBSCRIPTION_ACCEPTED","data":{"eventTypeCode":"SC_SUBSCRIPTION","eventCode":"SC_SUBSCRIPTION_ACCEPTED","merchantGlobalOrderId":"CMD-2024-009347","financedAmount":1249.9,"consolidatedStatus":"ACCEPTED"}}"#;

/// What a sender pretends to upload: the size of the flood in issue 13.
const TWO_MB: usize = 2_000_000;

/// Only so that a receiver waiting for a withheld body fails instead of hanging.
const BOUND: Duration = Duration::from_secs(20);

fn secret_header() -> ReceiverSecrets {
    ReceiverSecrets::secret_header("none-secret-4a1f").with_signature_key("sig-none")
}

fn api_key() -> ReceiverSecrets {
    ReceiverSecrets::api_key("api-key-77c2").with_signature_key("sig-api")
}

fn basic() -> ReceiverSecrets {
    ReceiverSecrets::basic_auth("scalexpert-notifier", "basic-pass-19e3")
        .with_signature_key("sig-basic")
}

/// A PSP endpoint with one merchant per authentication method.
fn shops() -> HashMap<String, ReceiverSecrets> {
    HashMap::from([
        ("SHOP-NONE".to_string(), secret_header()),
        ("SHOP-KEY".to_string(), api_key()),
        ("SHOP-BASIC".to_string(), basic()),
    ])
}

fn counting(
    calls: &Arc<AtomicUsize>,
) -> impl Fn(Event) -> std::future::Ready<Result<(), String>> + Clone {
    let calls = Arc::clone(calls);
    move |_event: Event| {
        calls.fetch_add(1, Ordering::SeqCst);
        std::future::ready(Ok(()))
    }
}

/// Serves `app` with axum's own server: what the route does, whatever the server.
async fn start(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    address
}

/// Serves `app` with the crate's server.
async fn start_served(app: Router, limits: ServeLimits) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move { serve(listener, app, limits).await.unwrap() });
    address
}

/// A request head: `headers` (name, value) and the given framing line.
fn head(headers: &[(String, String)], framing: &str) -> String {
    let mut text = String::from("POST /hooks HTTP/1.1\r\nHost: receiver.test\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    text.push_str(framing);
    text.push_str("\r\n\r\n");
    text
}

/// The headers Scalexpert would send with `body` for `secrets` (and `merchant`).
fn signed(secrets: &ReceiverSecrets, merchant: Option<&str>, body: &[u8]) -> Vec<(String, String)> {
    secrets
        .delivery_headers(merchant, body, Utc::now())
        .unwrap()
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_string()))
        .collect()
}

fn without(mut headers: Vec<(String, String)>, name: &str) -> Vec<(String, String)> {
    headers.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    headers
}

fn with(mut headers: Vec<(String, String)>, name: &str, value: &str) -> Vec<(String, String)> {
    headers = without(headers, name);
    headers.push((name.to_string(), value.to_string()));
    headers
}

/// Reads the status line of the answer on `stream`.
async fn status(stream: &mut TcpStream) -> u16 {
    let mut received = Vec::new();
    let mut buf = [0u8; 1024];
    loop {
        if let Some(end) = received.windows(2).position(|w| w == b"\r\n") {
            let line = String::from_utf8_lossy(&received[..end]).to_string();
            return line
                .split(' ')
                .nth(1)
                .and_then(|code| code.parse().ok())
                .unwrap_or_else(|| panic!("not a status line: {line:?}"));
        }
        let n = stream.read(&mut buf).await.expect("an answer, not a reset");
        assert!(n > 0, "the connection closed without an answer");
        received.extend_from_slice(&buf[..n]);
    }
}

/// Sends `head` and nothing more, then waits (bounded) for the answer's status.
async fn answer_without_body(address: SocketAddr, head: String) -> u16 {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    tokio::time::timeout(BOUND, status(&mut stream))
        .await
        .expect("answered from the headers alone, without waiting for the body")
}

/// Sends a whole request and returns the answer's status.
async fn answer(address: SocketAddr, head: String, body: &[u8]) -> u16 {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body).await.unwrap();
    tokio::time::timeout(BOUND, status(&mut stream))
        .await
        .expect("an answer")
}

fn length(n: usize) -> String {
    format!("Content-Length: {n}")
}

#[tokio::test]
async fn secrets_and_basic_credentials_are_checked_before_the_body_is_sent() {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = Router::new().route("/hooks", route(Receiver::new(shops()), counting(&calls)));
    let address = start(app).await;
    let body = BODY.as_bytes();

    let cases = [
        // NONE with a secret: X-BAAS-SECRET missing, then wrong.
        without(
            signed(&secret_header(), Some("SHOP-NONE"), body),
            "x-baas-secret",
        ),
        with(
            signed(&secret_header(), Some("SHOP-NONE"), body),
            "x-baas-secret",
            "guess",
        ),
        // API_KEY: Authorization missing, then wrong.
        without(signed(&api_key(), Some("SHOP-KEY"), body), "authorization"),
        with(
            signed(&api_key(), Some("SHOP-KEY"), body),
            "authorization",
            "api-key-77c3",
        ),
        // BASIC_AUTH: missing, wrong password, not Basic at all.
        without(signed(&basic(), Some("SHOP-BASIC"), body), "authorization"),
        with(
            signed(&basic(), Some("SHOP-BASIC"), body),
            "authorization",
            "Basic c2NhbGV4cGVydC1ub3RpZmllcjp3cm9uZw==",
        ),
        with(
            signed(&basic(), Some("SHOP-BASIC"), body),
            "authorization",
            "Bearer x",
        ),
        // A merchant the PSP does not know, and no merchant at all.
        signed(&secret_header(), Some("SHOP-OTHER"), body),
        signed(&secret_header(), None, body),
    ];
    for headers in cases {
        let status = answer_without_body(address, head(&headers, &length(TWO_MB))).await;
        assert_eq!(status, 401, "{headers:?}");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn missing_or_malformed_signature_headers_are_refused_before_the_body_is_sent() {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = Router::new().route("/hooks", route(Receiver::new(api_key()), counting(&calls)));
    let address = start(app).await;
    let genuine = signed(&api_key(), None, BODY.as_bytes());

    let cases = [
        without(genuine.clone(), "x-baas-signature"),
        without(genuine.clone(), "x-baas-signature-timestamp"),
        without(
            without(genuine.clone(), "x-baas-signature"),
            "x-baas-signature-timestamp",
        ),
        with(genuine.clone(), "x-baas-signature", "abc123"),
        with(genuine.clone(), "x-baas-signature", &"zz".repeat(32)),
        with(genuine.clone(), "x-baas-signature", &"ab".repeat(33)),
        with(genuine.clone(), "x-baas-signature-timestamp", "yesterday"),
    ];
    for headers in cases {
        let status = answer_without_body(address, head(&headers, &length(TWO_MB))).await;
        assert_eq!(status, 401, "{headers:?}");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_body_declared_as_anything_but_json_is_refused_before_it_is_sent() {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = Router::new().route("/hooks", route(Receiver::new(api_key()), counting(&calls)));
    let address = start(app).await;
    let genuine = signed(&api_key(), None, BODY.as_bytes());

    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/jsonp",
    ] {
        let headers = with(genuine.clone(), "content-type", content_type);
        let status = answer_without_body(address, head(&headers, &length(TWO_MB))).await;
        assert_eq!(status, 415, "{content_type}");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 0);

    // JSON with a charset, or a +json type, is an event body.
    let headers = with(genuine, "content-type", "application/json; charset=UTF-8");
    let status = answer(
        address,
        head(&headers, &length(BODY.len())),
        BODY.as_bytes(),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_declared_length_over_the_limit_is_refused_before_the_body_is_sent() {
    let calls = Arc::new(AtomicUsize::new(0));
    let receiver = Receiver::new(api_key());
    let app = Router::new().route("/hooks", route(receiver, counting(&calls)));
    let address = start(app).await;
    let genuine = signed(&api_key(), None, BODY.as_bytes());

    for declared in [DEFAULT_MAX_BODY_BYTES + 1, TWO_MB, 100_000_000_000] {
        let status = answer_without_body(address, head(&genuine, &length(declared))).await;
        assert_eq!(status, 413, "Content-Length {declared}");
    }
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

/// A genuine event padded with JSON whitespace to `size` bytes, and its signed headers.
fn padded(secrets: &ReceiverSecrets, size: usize) -> (Vec<u8>, Vec<(String, String)>) {
    let mut body = BODY.as_bytes().to_vec();
    body.resize(size, b' ');
    let headers = signed(secrets, None, &body);
    (body, headers)
}

/// `body` in HTTP/1.1 chunks of 4 KiB: no length declared up front.
fn chunked(body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in body.chunks(4096) {
        out.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

#[tokio::test]
async fn an_undeclared_body_stops_being_read_at_the_limit_and_the_limit_is_configurable() {
    let (body, headers) = padded(&api_key(), 40 * 1024);
    let transfer = head(&headers, "Transfer-Encoding: chunked");

    let calls = Arc::new(AtomicUsize::new(0));
    let app = Router::new().route("/hooks", route(Receiver::new(api_key()), counting(&calls)));
    let address = start(app).await;
    assert_eq!(
        answer(address, transfer.clone(), &chunked(&body)).await,
        413
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0);

    // A receiver configured for larger bodies takes the same delivery.
    let roomy = Receiver::new(api_key()).max_body_bytes(64 * 1024);
    let app = Router::new().route("/hooks", route(roomy, counting(&calls)));
    let address = start(app).await;
    assert_eq!(answer(address, transfer, &chunked(&body)).await, 200);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[test]
fn the_default_body_limit_is_sized_to_scalexperts_events() {
    // Every event of our spec (listed ones carry their delivery state on top), as JSON.
    let spec: Value =
        serde_yaml_ng::from_str(include_str!("../specs/merchant-webhooks/1.0.6/prod.yaml"))
            .unwrap();
    let listed = &spec["paths"]["/events"]["get"]["responses"]["200"]["content"]
        ["application/json"]["example"]["events"];
    let one = &spec["paths"]["/events/{eventId}"]["get"]["responses"]["200"]["content"]
        ["application/json"]["example"];
    let mut events: Vec<&Value> = listed.as_array().unwrap().iter().collect();
    events.push(one);
    assert_eq!(events.len(), 4);
    let largest = events
        .iter()
        .map(|e| serde_json::to_string_pretty(e).unwrap().len())
        .max()
        .unwrap();
    // Room for fields Scalexpert adds later (more than 30 times the largest event)...
    assert!(
        largest * 30 < DEFAULT_MAX_BODY_BYTES,
        "largest event {largest} B"
    );
    // ...without letting a sender park megabytes (axum's default was 2 MB).
    const { assert!(DEFAULT_MAX_BODY_BYTES <= 64 * 1024) };
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_answered_408_after_the_body_read_timeout() {
    let calls = Arc::new(AtomicUsize::new(0));
    let limits = RouteLimits::default().body_read_timeout(Duration::from_millis(300));
    let app = Router::new().route(
        "/hooks",
        route_with_limits(Receiver::new(api_key()), limits, counting(&calls)),
    );
    let address = start(app).await;
    let genuine = signed(&api_key(), None, BODY.as_bytes());

    let mut stream = TcpStream::connect(address).await.unwrap();
    stream
        .write_all(head(&genuine, &length(BODY.len())).as_bytes())
        .await
        .unwrap();
    stream.write_all(&BODY.as_bytes()[..20]).await.unwrap();
    // The rest never comes; the connection stays open.
    let status = tokio::time::timeout(BOUND, status(&mut stream))
        .await
        .expect("a stalled body is given up on");
    assert_eq!(status, 408);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn deliveries_beyond_the_concurrency_limit_get_503_before_their_body_is_read() {
    let (started_tx, mut started) = mpsc::unbounded_channel::<()>();
    let release = Arc::new(Notify::new());
    let gate = Arc::clone(&release);
    let limits = RouteLimits::default().max_concurrent_deliveries(1);
    let app = Router::new().route(
        "/hooks",
        route_with_limits(Receiver::new(api_key()), limits, move |_event: Event| {
            let started_tx = started_tx.clone();
            let gate = Arc::clone(&gate);
            async move {
                started_tx.send(()).unwrap();
                gate.notified().await;
                Ok::<_, std::convert::Infallible>(())
            }
        }),
    );
    let address = start(app).await;

    let genuine = signed(&api_key(), None, BODY.as_bytes());
    let first = tokio::spawn(answer(
        address,
        head(&genuine, &length(BODY.len())),
        BODY.as_bytes(),
    ));
    started.recv().await.unwrap();

    // Another event while the only slot is busy: refused from its headers.
    let other = BODY.replace("3e8b5f21", "4e8b5f21");
    let other_headers = signed(&api_key(), None, other.as_bytes());
    let status = answer_without_body(address, head(&other_headers, &length(other.len()))).await;
    assert_eq!(status, 503);

    release.notify_one();
    assert_eq!(first.await.unwrap(), 200);
    // With the slot free again, Scalexpert's redelivery of the other event is handled.
    let other_headers = signed(&api_key(), None, other.as_bytes());
    let status = answer(
        address,
        head(&other_headers, &length(other.len())),
        other.as_bytes(),
    );
    // The handler waits for a notification: give it one up front.
    release.notify_one();
    assert_eq!(status.await, 200);
}

/// Waits (bounded) until the server closes `stream`; true if it did.
async fn closed_by_server(stream: &mut TcpStream) -> bool {
    let mut buf = [0u8; 4096];
    let read_until_eof = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => continue,
            }
        }
    };
    tokio::time::timeout(BOUND, read_until_eof).await.is_ok()
}

#[tokio::test]
async fn the_server_closes_connections_that_do_not_send_their_head_in_time() {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = Router::new().route("/hooks", route(Receiver::new(api_key()), counting(&calls)));
    let limits = ServeLimits::default().header_read_timeout(Duration::from_millis(300));
    let address = start_served(app, limits).await;

    // Connected, silent.
    let mut silent = TcpStream::connect(address).await.unwrap();
    assert!(
        closed_by_server(&mut silent).await,
        "a silent connection is closed"
    );

    // Half a head, then nothing (slowloris).
    let mut slow = TcpStream::connect(address).await.unwrap();
    slow.write_all(b"POST /hooks HTTP/1.1\r\nHost: receiver.test\r\nX-BAAS-")
        .await
        .unwrap();
    assert!(
        closed_by_server(&mut slow).await,
        "a half head is given up on"
    );

    // A delivery answered, then the kept-alive connection idles: closed too.
    let genuine = signed(&api_key(), None, BODY.as_bytes());
    let mut kept = TcpStream::connect(address).await.unwrap();
    kept.write_all(head(&genuine, &length(BODY.len())).as_bytes())
        .await
        .unwrap();
    kept.write_all(BODY.as_bytes()).await.unwrap();
    assert_eq!(
        tokio::time::timeout(BOUND, status(&mut kept))
            .await
            .unwrap(),
        200
    );
    assert!(
        closed_by_server(&mut kept).await,
        "an idle keep-alive connection is closed"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn the_server_serves_deliveries_over_several_connections() {
    let calls = Arc::new(AtomicUsize::new(0));
    let app = Router::new().route("/hooks", route(Receiver::new(api_key()), counting(&calls)));
    let address = start_served(app, ServeLimits::default().max_connections(2)).await;
    for n in 0..5u8 {
        let body = BODY.replace("3e8b5f21", &format!("3e8b5f2{n}"));
        let headers = signed(&api_key(), None, body.as_bytes());
        let status = answer(
            address,
            head(&headers, &length(body.len())),
            body.as_bytes(),
        )
        .await;
        assert_eq!(status, 200);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 5);
}
