//! The payment-assist facade against httpmock: what each call sends (signature included,
//! checked against vectors computed with `openssl dgst -sha256 -hmac`), what it decodes, which
//! errors it gives, what it retries, and which returns and webhooks it accepts.

mod errors;
mod operations;
mod signing;
mod verification;

use httpmock::MockServer;
use payment_assist::{Client, Credentials, Dealer, Environment, RetryPolicy};
use std::time::Duration;

/// The test dealer's API key.
pub const API_KEY: &str = "dealer-key-0001";
/// The test dealer's secret (a demo one, by its prefix). Every vector below is
/// `printf '%s' '<canonical string>' | openssl dgst -sha256 -hmac demo_b7c2e91f4a6d3058`.
pub const SECRET: &str = "demo_b7c2e91f4a6d3058";
/// An application token.
pub const TOKEN: &str = "3f2b8c1e-7d4a-4e59-9b06-1c8e2f7a5d30";

pub fn credentials() -> Credentials {
    Credentials::new(API_KEY, SECRET)
}

pub fn token() -> uuid::Uuid {
    TOKEN.parse().expect("a UUID")
}

/// Retries quick enough for tests.
pub fn fast_retries() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(5),
        max_retry_after: Duration::from_millis(5),
    }
}

/// A dealer view pointed at `server`.
pub fn dealer(server: &MockServer) -> Dealer {
    Client::builder()
        .environment(Environment::custom(server.base_url()))
        .retry_policy(fast_retries())
        .build()
        .expect("valid settings")
        .dealer(credentials())
        .expect("any secret goes to a custom URL")
}

/// `{status: "ok", msg: null, data}`.
pub fn ok(data: serde_json::Value) -> serde_json::Value {
    serde_json::json!({"status": "ok", "msg": null, "data": data})
}
