//! Secrets and tokens never reach logs, `Debug` output or error messages.

use crate::retries::subscribe;
use crate::*;
use httpmock::prelude::*;
use scalexpert::RetryPolicy;
use std::io::Write;
use std::sync::{Arc, Mutex};

/// Collects everything the tracing subscriber writes.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0
            .lock()
            .expect("not poisoned")
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().expect("not poisoned")).into_owned()
    }

    /// Captures this thread's tracing output at `level` and below until the guard drops.
    /// Thread-local: use it in single-threaded tests, where every span lands on this thread.
    pub fn install(&self, level: tracing::Level) -> tracing::subscriber::DefaultGuard {
        let writer = self.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(level)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        tracing::subscriber::set_default(subscriber)
    }
}

const BUYER_EMAIL: &str = "claire.martin@example.fr";

#[tokio::test]
async fn the_whole_flow_at_trace_level_never_shows_secret_token_or_buyer_data() {
    let captured = Captured::default();
    let _guard = captured.install(tracing::Level::TRACE);

    let server = MockServer::start_async().await;
    token_mock(&server, 900);
    eligible_mock(&server);
    server.mock(|when, then| {
        when.method(POST).path(SUBSCRIPTIONS_PATH);
        then.status(400).json_body(serde_json::json!({
            "errorCode": "BAD_REQUEST", "errorMessage": "duplicate order"
        }));
    });
    let unauthorized = server.mock(|when, then| {
        when.method(GET).path_includes("/subscriptions/");
        then.status(401);
    });

    let builder = builder(&server).retry_policy(RetryPolicy::none());
    let builder_debug = format!("{builder:?}");
    let client = builder.build().expect("valid");
    let shop = client.for_merchant("SHOP-1").expect("valid");
    eligible(&shop).await.expect("eligibility");
    let create_error = subscribe(&shop).await.expect_err("400");
    let status_error = shop
        .e_financing_v1_6_6()
        .retrieve_credit_subscription()
        .credit_subscription_id("2b8e6c1e-3f0e-4a4f-9a57-0b8d2c6b9a10")
        .send()
        .await
        .map(|_| ())
        .map_err(scalexpert::Error::from)
        .expect_err("401");
    unauthorized.assert_calls(2);

    let mut shown = captured.text();
    assert!(
        shown.contains("scalexpert.call"),
        "the call spans were captured: {shown}"
    );
    for debug in [
        builder_debug,
        format!("{client:?}"),
        format!("{shop:?}"),
        format!("{:?}", shop.e_financing_v1_6_6()),
        format!("{:?}", Credentials::new(CLIENT_ID, SECRET)),
        format!("{create_error:?} {create_error}"),
        format!("{status_error:?} {status_error}"),
    ] {
        shown.push_str(&debug);
    }
    for secret in [SECRET, TOKEN, BUYER_EMAIL] {
        assert!(!shown.contains(secret), "{secret} leaked in: {shown}");
    }
}

#[tokio::test]
async fn payload_logging_is_an_explicit_opt_in() {
    let captured = Captured::default();
    let _guard = captured.install(tracing::Level::TRACE);

    let server = MockServer::start_async().await;
    token_mock(&server, 900);
    server.mock(|when, then| {
        when.method(POST).path(SUBSCRIPTIONS_PATH);
        then.status(400)
            .json_body(serde_json::json!({ "errorCode": "BAD_REQUEST" }));
    });
    let client = builder(&server)
        .retry_policy(RetryPolicy::none())
        .log_payloads(true)
        .build()
        .expect("valid");
    subscribe(&client).await.expect_err("400");

    let shown = captured.text();
    assert!(shown.contains(BUYER_EMAIL), "opted in: the body is logged");
    assert!(!shown.contains(SECRET) && !shown.contains(TOKEN), "{shown}");
}
