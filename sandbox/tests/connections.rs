//! Connections that are slow, idle, oversized or anonymous cannot hold the sandbox: timeouts,
//! the connection limit, and the token checked before any body is read. Raw TCP, since an HTTP
//! client would not misbehave on purpose.

use scalexpert_sandbox::{Limits, Sandbox};
use serde_json::Value;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Long enough for any answer on a loaded machine; a test that waits this long has failed.
const PATIENCE: Duration = Duration::from_secs(20);

async fn connect(sandbox: &Sandbox) -> TcpStream {
    let address = sandbox.base_url().trim_start_matches("http://").to_string();
    TcpStream::connect(address).await.expect("connected")
}

/// Reads until the sandbox closes the connection: everything it sent.
async fn read_to_close(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match tokio::time::timeout(PATIENCE, stream.read(&mut buffer)).await {
            Err(_) => panic!(
                "still open after {PATIENCE:?}; received {:?}",
                String::from_utf8_lossy(&received)
            ),
            Ok(Ok(0)) | Ok(Err(_)) => return String::from_utf8_lossy(&received).into_owned(),
            Ok(Ok(n)) => received.extend_from_slice(&buffer[..n]),
        }
    }
}

fn status_and_body(answer: &str) -> (u16, Value) {
    let (head, body) = answer.split_once("\r\n\r\n").expect("an answer");
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("a status");
    (status, serde_json::from_str(body).expect("a JSON body"))
}

async fn token(sandbox: &Sandbox) -> String {
    let answer: Value = reqwest::Client::new()
        .post(format!(
            "{}/auth-server/api/v1/oauth2/token",
            sandbox.base_url()
        ))
        .basic_auth(
            scalexpert_sandbox::DEFAULT_CLIENT_ID,
            Some(scalexpert_sandbox::DEFAULT_CLIENT_SECRET),
        )
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    answer["access_token"].as_str().expect("token").to_string()
}

/// The head of a creation declaring `length` bytes of body.
fn creation_head(sandbox: &Sandbox, authorization: Option<&str>, length: u64) -> String {
    let host = sandbox.base_url().trim_start_matches("http://");
    let authorization = authorization
        .map(|value| format!("Authorization: {value}\r\n"))
        .unwrap_or_default();
    format!(
        "POST /e-financing/api/v1/subscriptions?language=fr-FR HTTP/1.1\r\nHost: {host}\r\n\
         {authorization}Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    )
}

#[tokio::test]
async fn an_idle_connection_is_closed_after_the_header_read_timeout() {
    let sandbox = Sandbox::builder()
        .limits(Limits::default().header_read_timeout(Duration::from_millis(300)))
        .start()
        .await
        .expect("sandbox");
    // Never a byte: closed.
    let mut silent = connect(&sandbox).await;
    assert_eq!(read_to_close(&mut silent).await, "");
    // One request, then idle on keep-alive: answered, then closed.
    let mut kept = connect(&sandbox).await;
    let host = sandbox.base_url().trim_start_matches("http://");
    let request = format!("GET /sandbox/health HTTP/1.1\r\nHost: {host}\r\n\r\n");
    kept.write_all(request.as_bytes()).await.expect("sent");
    let answer = read_to_close(&mut kept).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    // Half a head, then nothing: closed too.
    let mut slow = connect(&sandbox).await;
    slow.write_all(b"GET /sandbox/health HTTP/1.1\r\nHo")
        .await
        .expect("sent");
    read_to_close(&mut slow).await;
}

#[tokio::test]
async fn a_huge_body_without_a_token_is_refused_before_it_is_read() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let mut stream = connect(&sandbox).await;
    let head = creation_head(&sandbox, None, 100_000_000_000);
    stream.write_all(head.as_bytes()).await.expect("head");
    stream
        .write_all(&[b' '; 1024])
        .await
        .expect("1 KB of the 100 GB");
    // Answered and closed without waiting for the rest.
    let answer = read_to_close(&mut stream).await;
    let (status, body) = status_and_body(&answer);
    assert_eq!(status, 401, "{answer}");
    assert_eq!(body["error"], "invalid_token");
}

#[tokio::test]
async fn the_token_endpoint_refuses_wrong_credentials_before_reading_the_body() {
    // A body read timeout no test waits for: a refusal after reading would never come.
    let sandbox = Sandbox::builder()
        .limits(Limits::default().body_read_timeout(Duration::from_secs(600)))
        .start()
        .await
        .expect("sandbox");
    let host = sandbox.base_url().trim_start_matches("http://").to_string();
    for authorization in ["", "Authorization: Basic bm9ib2R5Om5vdGhpbmc=\r\n"] {
        let mut stream = connect(&sandbox).await;
        let head = format!(
            "POST /auth-server/api/v1/oauth2/token HTTP/1.1\r\nHost: {host}\r\n{authorization}\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 200000\r\n\r\n"
        );
        stream.write_all(head.as_bytes()).await.expect("head");
        stream
            .write_all(b"grant_type=client_credentials&padding=")
            .await
            .expect("the start of the body");
        let answer = read_to_close(&mut stream).await;
        let (status, body) = status_and_body(&answer);
        assert_eq!(status, 401, "{answer}");
        assert_eq!(body["error"], "invalid_client");
    }
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_with_413_declared_or_sent() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let bearer = format!("Bearer {}", token(&sandbox).await);
    let mut declared = connect(&sandbox).await;
    let head = creation_head(&sandbox, Some(&bearer), 100_000_000_000);
    declared.write_all(head.as_bytes()).await.expect("head");
    let (status, body) = status_and_body(&read_to_close(&mut declared).await);
    assert_eq!(status, 413);
    assert_eq!(body["errorCode"], "PAYLOAD_TOO_LARGE");
    assert_eq!(body["requestMethod"], "POST");

    // Chunked, with no length declared: refused once the limit is passed.
    let mut sent = connect(&sandbox).await;
    let host = sandbox.base_url().trim_start_matches("http://");
    let head = format!(
        "POST /e-financing/api/v1/subscriptions?language=fr-FR HTTP/1.1\r\nHost: {host}\r\n\
         Authorization: {bearer}\r\nContent-Type: application/json\r\n\
         Transfer-Encoding: chunked\r\n\r\n"
    );
    sent.write_all(head.as_bytes()).await.expect("head");
    let chunk = format!("400\r\n{}\r\n", " ".repeat(1024));
    for _ in 0..=Limits::default().max_body_bytes / 1024 {
        sent.write_all(chunk.as_bytes()).await.expect("a chunk");
    }
    let (status, body) = status_and_body(&read_to_close(&mut sent).await);
    assert_eq!(status, 413);
    assert_eq!(body["errorCode"], "PAYLOAD_TOO_LARGE");
}

#[tokio::test]
async fn a_body_that_does_not_arrive_gets_408() {
    let sandbox = Sandbox::builder()
        .limits(Limits::default().body_read_timeout(Duration::from_millis(300)))
        .start()
        .await
        .expect("sandbox");
    let bearer = format!("Bearer {}", token(&sandbox).await);
    let mut stream = connect(&sandbox).await;
    let head = creation_head(&sandbox, Some(&bearer), 2_000);
    stream.write_all(head.as_bytes()).await.expect("head");
    stream
        .write_all(b"{\"solutionCode\":")
        .await
        .expect("a start");
    let (status, body) = status_and_body(&read_to_close(&mut stream).await);
    assert_eq!(status, 408);
    assert_eq!(body["errorCode"], "REQUEST_TIMEOUT");
}

#[tokio::test]
async fn past_the_connection_limit_new_connections_wait_for_a_free_slot() {
    let sandbox = Sandbox::builder()
        .limits(Limits::default().max_connections(1))
        .start()
        .await
        .expect("sandbox");
    let host = sandbox.base_url().trim_start_matches("http://").to_string();
    let request =
        format!("GET /sandbox/health HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    let holder = connect(&sandbox).await;
    let mut waiting = connect(&sandbox).await;
    waiting.write_all(request.as_bytes()).await.expect("sent");
    // While the only slot is held, the waiting connection gets nothing.
    let mut first = [0u8; 1];
    let early = tokio::time::timeout(Duration::from_millis(300), waiting.read(&mut first)).await;
    assert!(early.is_err(), "answered past the connection limit");
    drop(holder);
    let mut answer = String::from_utf8_lossy(&first).into_owned();
    answer.push_str(&read_to_close(&mut waiting).await);
    assert!(answer.contains("200 OK"), "{answer}");
}
