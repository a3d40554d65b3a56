//! The facade against httpmock: what every generated call gains (token, PSP header, retries,
//! typed errors, redaction), one module per concern. One test binary keeps link time down.
#![cfg(feature = "e-financing-1_6_6")]

mod auth;
mod environments;
mod errors;
mod psp;
mod quota;
mod redaction;
mod retries;
#[cfg(feature = "insurance-1_7_1")]
mod scopes;
mod wire;

use httpmock::prelude::*;
use scalexpert::{Client, Credentials, Environment, RetryPolicy};
use std::time::Duration;

pub const TOKEN_PATH: &str = "/auth-server/api/v1/oauth2/token";
pub const ELIGIBLE_PATH: &str = "/e-financing/api/v1/eligible-solutions";
pub const SUBSCRIPTIONS_PATH: &str = "/e-financing/api/v1/subscriptions";
pub const SIMULATE_PATH: &str = "/e-financing/api/v1/_simulate-solutions";
pub const CLIENT_ID: &str = "merchant-app";
/// Distinctive so that a leak is found by a plain substring search.
pub const SECRET: &str = "s3cr3t-Zq9-never-printed";
pub const TOKEN: &str = "tok-7f3a-opaque-never-printed";

/// The token endpoint, answering `TOKEN` valid for `expires_in` seconds.
pub fn token_mock(server: &MockServer, expires_in: u64) -> httpmock::Mock<'_> {
    server.mock(|when, then| {
        when.method(POST).path(TOKEN_PATH);
        then.status(200)
            .header("content-type", "application/json")
            .json_body(serde_json::json!({
                "access_token": TOKEN,
                "token_type": "Bearer",
                "expires_in": expires_in,
            }));
    })
}

/// `GET /eligible-solutions` answering an empty, valid list.
pub fn eligible_mock(server: &MockServer) -> httpmock::Mock<'_> {
    server.mock(|when, then| {
        when.method(GET).path(ELIGIBLE_PATH);
        then.status(200)
            .header("content-type", "application/json")
            .json_body(serde_json::json!({ "solutions": [] }));
    })
}

/// Retries without real waiting: backoff of a few milliseconds at most.
pub fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
        max_retry_after: Duration::from_secs(2),
    }
}

/// A client pointed at the mock server with test credentials and quick retries.
pub fn client(server: &MockServer) -> Client {
    builder(server).build().expect("valid configuration")
}

pub fn builder(server: &MockServer) -> scalexpert::ClientBuilder {
    builder_at(&server.base_url())
}

/// A builder for the gateway at `root`, with test credentials and quick retries. The mock
/// gateway has no quota: the governor is off unless a test sets one (`quota.rs`).
pub fn builder_at(root: &str) -> scalexpert::ClientBuilder {
    Client::builder()
        .environment(Environment::custom(root).expect("a URL"))
        .credentials(Credentials::new(CLIENT_ID, SECRET))
        .retry_policy(quick_retries())
        .no_quota()
}

/// One eligibility call, the cheapest GET of the API.
pub async fn eligible(client: &Client) -> scalexpert::Result<usize> {
    let answer = client
        .e_financing_v1_6_6()
        .get_eligible_product_services()
        .buyer_billing_country("FR")
        .financed_amount(1500.0)
        .send()
        .await?;
    Ok(answer.solutions.len())
}

/// A gateway that hands out one token and then goes away: it stops listening before it
/// answers, so every later connection is refused. httpmock cannot close its port, and a
/// refused connection is the one failure that proves a request never reached the server.
pub fn token_then_gone() -> String {
    use std::io::{BufRead, BufReader, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let root = format!("http://{}", listener.local_addr().expect("address"));
    std::thread::spawn(move || {
        let Ok((stream, _)) = listener.accept() else {
            return;
        };
        drop(listener);
        let mut reader = BufReader::new(stream);
        let mut length = 0usize;
        let mut line = String::new();
        while reader.read_line(&mut line).is_ok_and(|n| n > 0) && line != "\r\n" {
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap_or(0);
                }
            }
            line.clear();
        }
        let mut body = vec![0; length];
        let _ = reader.read_exact(&mut body);
        let json =
            format!(r#"{{"access_token":"{TOKEN}","token_type":"Bearer","expires_in":900}}"#);
        let _ = write!(
            reader.get_mut(),
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{json}",
            json.len()
        );
    });
    root
}
