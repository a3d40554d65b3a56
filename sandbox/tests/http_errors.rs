//! What the HTTP layer refuses, in the gateway's `BaasExceptionHttpResponse` like every other
//! error: wrong method, oversized body, target or headers, bytes that are no URL, and headers
//! that say two things at once.

use scalexpert_sandbox::{Sandbox, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use serde_json::Value;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const API: &str = "/e-financing/api/v1";

async fn token(sandbox: &Sandbox, id: &str, secret: &str) -> String {
    let answer: Value = reqwest::Client::new()
        .post(format!(
            "{}/auth-server/api/v1/oauth2/token",
            sandbox.base_url()
        ))
        .basic_auth(id, Some(secret))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    answer["access_token"].as_str().expect("token").to_string()
}

/// Sends `request` as raw bytes and returns the status, the head and the JSON body.
async fn raw(sandbox: &Sandbox, request: &[u8]) -> (u16, String, Value) {
    let address = sandbox.base_url().trim_start_matches("http://").to_string();
    let mut stream = TcpStream::connect(address).await.expect("connected");
    // The sandbox may refuse before reading everything: a failed write is no failure.
    let _ = stream.write_all(request).await;
    let mut received = Vec::new();
    let mut buffer = [0u8; 8192];
    loop {
        match tokio::time::timeout(Duration::from_secs(20), stream.read(&mut buffer)).await {
            Err(_) => panic!("no answer"),
            Ok(Ok(0)) | Ok(Err(_)) => break,
            Ok(Ok(n)) => {
                received.extend_from_slice(&buffer[..n]);
                if complete(&received) {
                    break;
                }
            }
        }
    }
    let text = String::from_utf8_lossy(&received).into_owned();
    let (head, body) = text
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no answer head in {text:?}"));
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("a status");
    let body = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {text:?}"));
    (status, head.to_lowercase(), body)
}

/// Whether `received` holds a whole answer with a `content-length` body.
fn complete(received: &[u8]) -> bool {
    let text = String::from_utf8_lossy(received);
    let Some((head, body)) = text.split_once("\r\n\r\n") else {
        return false;
    };
    head.to_lowercase()
        .lines()
        .find_map(|line| line.strip_prefix("content-length:"))
        .and_then(|length| length.trim().parse::<usize>().ok())
        .is_some_and(|length| body.len() >= length)
}

fn host(sandbox: &Sandbox) -> String {
    sandbox.base_url().trim_start_matches("http://").to_string()
}

/// The gateway's error shape, with this status.
fn assert_baas(body: &Value, status: u16, code: &str) {
    assert_eq!(body["httpStatusCode"], status, "{body}");
    assert_eq!(body["errorCode"], code, "{body}");
    assert!(body["errorMessage"].is_string(), "{body}");
    assert!(body["timestamp"].is_string(), "{body}");
}

#[tokio::test]
async fn a_wrong_method_is_a_json_405_with_allow() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let answer = reqwest::Client::new()
        .put(format!("{}{API}/subscriptions", sandbox.base_url()))
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status(), 405);
    assert!(answer.headers().contains_key("allow"));
    assert_eq!(answer.headers()["content-type"], "application/json");
    let body: Value = answer.json().await.expect("json");
    assert_baas(&body, 405, "METHOD_NOT_ALLOWED");
    assert_eq!(body["requestMethod"], "PUT");
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_json_413() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let bearer = token(&sandbox, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET).await;
    let answer = reqwest::Client::new()
        .post(format!("{}{API}/_simulate-solutions", sandbox.base_url()))
        .bearer_auth(bearer)
        .header("content-type", "application/json")
        .body(vec![b' '; 300 * 1024])
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status(), 413);
    assert_baas(
        &answer.json().await.expect("json"),
        413,
        "PAYLOAD_TOO_LARGE",
    );
    // The token endpoint too, once the credentials passed (a stranger gets 401 first).
    let answer = reqwest::Client::new()
        .post(format!(
            "{}/auth-server/api/v1/oauth2/token",
            sandbox.base_url()
        ))
        .basic_auth(DEFAULT_CLIENT_ID, Some(DEFAULT_CLIENT_SECRET))
        .body(vec![b'a'; 300 * 1024])
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status(), 413);
    assert_baas(
        &answer.json().await.expect("json"),
        413,
        "PAYLOAD_TOO_LARGE",
    );
}

#[tokio::test]
async fn long_targets_are_a_json_414_whoever_refuses_them() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    // Past the sandbox's 8 KiB, and past hyper's own 64 KiB.
    for length in [10_000, 70_000] {
        let request = format!(
            "GET {API}/subscriptions?merchantBasketId={} HTTP/1.1\r\nHost: {}\r\n\r\n",
            "b".repeat(length),
            host(&sandbox)
        );
        let (status, head, body) = raw(&sandbox, request.as_bytes()).await;
        assert_eq!(status, 414, "{length}");
        assert!(head.contains("content-type: application/json"), "{head}");
        assert_baas(&body, 414, "URI_TOO_LONG");
    }
}

#[tokio::test]
async fn large_header_sections_are_a_json_431_whoever_refuses_them() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let host = host(&sandbox);
    let big = |bytes: usize| format!("X-Big: {}\r\n", "h".repeat(bytes));
    let many: String = (0..150).map(|i| format!("X-Many-{i}: v\r\n")).collect();
    // Over the sandbox's 16 KiB, over hyper's read buffer, over hyper's 100 headers.
    for headers in [big(20_000), big(200_000), many] {
        let request = format!("GET /sandbox/health HTTP/1.1\r\nHost: {host}\r\n{headers}\r\n");
        let (status, _, body) = raw(&sandbox, request.as_bytes()).await;
        assert_eq!(status, 431, "{} bytes of headers", headers.len());
        assert_baas(&body, 431, "REQUEST_HEADER_FIELDS_TOO_LARGE");
    }
}

#[tokio::test]
async fn bytes_that_are_no_url_are_a_json_400() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let host = host(&sandbox);
    // A raw byte hyper cannot take as a path, and an escape axum cannot decode as UTF-8.
    let mut request = format!("GET {API}/subscriptions/").into_bytes();
    request.extend_from_slice(b"\xff\x01 HTTP/1.1\r\nHost: ");
    request.extend_from_slice(format!("{host}\r\n\r\n").as_bytes());
    let (status, _, body) = raw(&sandbox, &request).await;
    assert_eq!(status, 400);
    assert_baas(&body, 400, "BAD_REQUEST");
    let request = format!("GET /sandbox/journey/%FF%FE HTTP/1.1\r\nHost: {host}\r\n\r\n");
    let (status, _, body) = raw(&sandbox, request.as_bytes()).await;
    assert_eq!(status, 400);
    assert_baas(&body, 400, "BAD_REQUEST");
}

/// A list call of `sandbox` with `headers` as they are (name, value), repeated ones included.
async fn list_with(sandbox: &Sandbox, headers: &[(&str, &str)]) -> (u16, Value) {
    let mut request = format!(
        "GET {API}/subscriptions HTTP/1.1\r\nHost: {}\r\n",
        host(sandbox)
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("Connection: close\r\n\r\n");
    let (status, _, body) = raw(sandbox, request.as_bytes()).await;
    (status, body)
}

#[tokio::test]
async fn merchant_headers_that_are_empty_blank_or_repeated_are_refused() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let psp = format!(
        "Bearer {}",
        token(
            &sandbox,
            scalexpert_sandbox::DEFAULT_PSP_CLIENT_ID,
            scalexpert_sandbox::DEFAULT_PSP_CLIENT_SECRET
        )
        .await
    );
    let merchant = format!(
        "Bearer {}",
        token(&sandbox, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET).await
    );
    const HEADER: &str = "X-BAAS-CLIENT-REF-FOR-PROXI-ID";
    let (status, _) = list_with(&sandbox, &[("Authorization", &psp), (HEADER, "SHOP-A")]).await;
    assert_eq!(status, 200);
    for bearer in [&psp, &merchant] {
        for merchants in [
            &[""][..],
            &["   "],
            &["SHOP-A", "SHOP-B"],
            &["SHOP-A", "SHOP-A"],
        ] {
            let mut headers = vec![("Authorization", bearer.as_str())];
            headers.extend(merchants.iter().map(|m| (HEADER, *m)));
            let (status, body) = list_with(&sandbox, &headers).await;
            assert_eq!(status, 400, "{merchants:?}");
            assert_baas(&body, 400, "BAD_REQUEST");
        }
    }
}

#[tokio::test]
async fn two_authorization_headers_are_refused_not_first_one_wins() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let bearer = format!(
        "Bearer {}",
        token(&sandbox, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET).await
    );
    let (status, _) = list_with(&sandbox, &[("Authorization", &bearer)]).await;
    assert_eq!(status, 200);
    for second in [bearer.as_str(), "Bearer sbx_unknown"] {
        let (status, body) = list_with(
            &sandbox,
            &[("Authorization", &bearer), ("Authorization", second)],
        )
        .await;
        assert_eq!(status, 400, "{second}");
        assert_baas(&body, 400, "BAD_REQUEST");
    }
    // At the token endpoint, as an OAuth2 error.
    let basic = "Basic c2FuZGJveC1tZXJjaGFudDpzYW5kYm94LW1lcmNoYW50LXNlY3JldA==";
    let form = "grant_type=client_credentials";
    let request = format!(
        "POST /auth-server/api/v1/oauth2/token HTTP/1.1\r\nHost: {}\r\nAuthorization: {basic}\r\n\
         Authorization: {basic}\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: {}\r\n\r\n{form}",
        host(&sandbox),
        form.len()
    );
    let (status, _, body) = raw(&sandbox, request.as_bytes()).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_request");
}
