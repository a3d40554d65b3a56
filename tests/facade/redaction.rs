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

// printf 'merchant-app:s3cr3t-Zq9-never-printed' | base64
const BASIC: &str = "bWVyY2hhbnQtYXBwOnMzY3IzdC1acTktbmV2ZXItcHJpbnRlZA==";

#[tokio::test]
async fn credentials_a_token_endpoint_echoes_never_reach_the_error() {
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(POST).path(TOKEN_PATH);
        // An error page that lists the request it got, one copy cut short.
        then.status(400).body(format!(
            "<html>Bad request. Received headers: Authorization: Basic {BASIC}\n\
             form: client_secret={SECRET}\nfirst bytes: Basic {}…</html>",
            &BASIC[..8]
        ));
    });
    let client = builder(&server)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("valid");
    let error = eligible(&client).await.expect_err("no token");
    assert!(matches!(error, scalexpert::Error::Auth(_)), "{error:?}");
    let shown = format!("{error} {error:?}");
    for leak in [BASIC, SECRET, &BASIC[..8]] {
        assert!(!shown.contains(leak), "{leak} leaked in: {shown}");
    }
    assert!(
        shown.contains("Received headers"),
        "the rest is kept: {shown}"
    );
}

#[tokio::test]
async fn a_token_a_401_body_echoes_never_reaches_the_error() {
    let server = MockServer::start_async().await;
    token_mock(&server, 900);
    server.mock(|when, then| {
        when.method(GET).path(ELIGIBLE_PATH);
        then.status(401).json_body(serde_json::json!({
            "errorCode": "UNAUTHORIZED",
            "errorMessage": format!("invalid token: Bearer {TOKEN}"),
        }));
    });
    let error = eligible(&client(&server)).await.expect_err("401");
    assert!(
        matches!(error, scalexpert::Error::Unauthorized(_)),
        "{error:?}"
    );
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(TOKEN), "the token leaked in: {shown}");
    assert!(shown.contains("invalid token"), "the rest is kept: {shown}");
}

#[tokio::test]
async fn decode_errors_name_path_and_type_but_quote_no_value_of_the_body() {
    let server = MockServer::start_async().await;
    token_mock(&server, 900);
    server.mock(|when, then| {
        when.method(GET).path(ELIGIBLE_PATH);
        then.status(200).body(
            r#"{"solutions":[{"solutionCode":"SCFRSP-3XTS","familyCode":"SP","marketCode":"FR","conditions":"x","communicationKit":"12 bis, rue du Moulin"}]}"#,
        );
    });
    let error = eligible(&client(&server)).await.expect_err("a bad body");
    assert!(
        matches!(error, scalexpert::Error::Decode { .. }),
        "{error:?}"
    );
    let shown = format!("{error} {error:?}");
    assert!(
        !shown.contains("12 bis") && !shown.contains("Moulin"),
        "{shown}"
    );
    assert!(
        shown.contains("expected struct CommunicationKit"),
        "{shown}"
    );
    assert!(shown.contains("solutions[0].communicationKit"), "{shown}");
}

#[tokio::test]
async fn events_of_other_tasks_are_not_logged_inside_the_token_span() {
    let captured = Captured::default();
    let _guard = captured.install(tracing::Level::DEBUG);
    let server = MockServer::start_async().await;
    server.mock(|when, then| {
        when.method(POST).path(TOKEN_PATH);
        // Slow enough that the other task runs while the token is fetched.
        then.status(200)
            .delay(std::time::Duration::from_millis(300))
            .json_body(serde_json::json!({
                "access_token": TOKEN, "token_type": "Bearer", "expires_in": 900
            }));
    });
    eligible_mock(&server);
    let shop = client(&server).for_merchant("SHOP-A").expect("valid");

    // One thread (a current-thread runtime): the other task runs between the call's polls.
    let unrelated = tokio::spawn(async {
        for _ in 0..10 {
            tracing::info!("unrelated work");
            tokio::time::sleep(std::time::Duration::from_millis(40)).await;
        }
    });
    eligible(&shop).await.expect("call succeeds");
    unrelated.await.expect("task");

    let log = captured.text();
    let unrelated: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("unrelated work"))
        .collect();
    assert_eq!(unrelated.len(), 10, "{log}");
    for line in unrelated {
        assert!(
            !line.contains("scalexpert.token") && !line.contains("scalexpert.call"),
            "another task's event inside the call's spans: {line}"
        );
    }
}
