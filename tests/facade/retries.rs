//! Retries: which calls go again, how often, and after how long.

use crate::*;
use httpmock::prelude::*;
use scalexpert::Error;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Answers `status` (with `headers`) to the first `times` requests on `path`; later requests
/// fall through to mocks created after this one (httpmock serves the first match in creation
/// order).
fn first_answers<'a>(
    server: &'a MockServer,
    path: &'static str,
    times: usize,
    status: u16,
    headers: &[(&str, &str)],
) -> httpmock::Mock<'a> {
    let seen = Arc::new(AtomicUsize::new(0));
    server.mock(|when, then| {
        when.is_true(move |req| {
            req.uri().path() == path && seen.fetch_add(1, Ordering::SeqCst) < times
        });
        let mut then = then.status(status);
        for (name, value) in headers {
            then = then.header(*name, *value);
        }
    })
}

#[tokio::test]
async fn a_get_answered_503_503_200_succeeds_on_the_third_attempt() {
    let server = MockServer::start_async().await;
    token_mock(&server, 900);
    let unavailable = first_answers(&server, ELIGIBLE_PATH, 2, 503, &[]);
    let api = eligible_mock(&server);

    eligible(&client(&server))
        .await
        .expect("third attempt succeeds");
    unavailable.assert_calls(2);
    api.assert_calls(1);
}

#[tokio::test]
async fn retries_stop_at_max_attempts_with_the_last_error() {
    let server = MockServer::start_async().await;
    token_mock(&server, 900);
    let unavailable = server.mock(|when, then| {
        when.method(GET).path(ELIGIBLE_PATH);
        then.status(503);
    });
    let error = eligible(&client(&server)).await.expect_err("always 503");
    assert_eq!(
        error.status(),
        Some(reqwest::StatusCode::SERVICE_UNAVAILABLE)
    );
    unavailable.assert_calls(3);
}

#[tokio::test]
async fn retry_after_one_second_is_waited_for() {
    let server = MockServer::start_async().await;
    token_mock(&server, 900);
    let limited = first_answers(&server, ELIGIBLE_PATH, 1, 429, &[("retry-after", "1")]);
    let api = eligible_mock(&server);
    // Backoff alone would wait at most 5 ms: only Retry-After explains a full second.
    let started = Instant::now();
    eligible(&client(&server))
        .await
        .expect("second attempt succeeds");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited only {:?}",
        started.elapsed()
    );
    limited.assert_calls(1);
    api.assert_calls(1);
}

#[tokio::test]
async fn post_subscriptions_answered_503_is_not_retried() {
    let server = MockServer::start_async().await;
    token_mock(&server, 900);
    let create = server.mock(|when, then| {
        when.method(POST).path(SUBSCRIPTIONS_PATH);
        then.status(503);
    });
    let error = subscribe(&client(&server)).await.expect_err("503");
    assert!(
        matches!(&error, Error::Api(api) if api.status == 503),
        "{error:?}"
    );
    // A replay could create a second credit application: one attempt only.
    create.assert_calls(1);
}

#[tokio::test]
async fn a_connection_that_never_opened_is_retried_even_for_post_subscriptions() {
    let captured = crate::redaction::Captured::default();
    let _guard = captured.install(tracing::Level::DEBUG);
    let client = builder_at(&token_then_gone()).build().expect("valid");

    let error = subscribe(&client).await.expect_err("nothing listens");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    // Each attempt logs its failure; the third is the last.
    let log = captured.text();
    assert_eq!(log.matches("attempt failed").count(), 3, "{log}");
    assert_eq!(log.matches("attempt failed, retrying").count(), 2, "{log}");
    assert_eq!(log.matches("reason=OutOfAttempts").count(), 1, "{log}");
}

#[tokio::test]
async fn a_simulation_answered_503_is_retried_since_it_changes_nothing() {
    let server = MockServer::start_async().await;
    token_mock(&server, 900);
    let unavailable = first_answers(&server, SIMULATE_PATH, 1, 503, &[]);
    let simulate = server.mock(|when, then| {
        when.method(POST).path(SIMULATE_PATH);
        then.status(200).json_body(serde_json::json!({
            "financedAmount": 1500.0, "buyerBillingCountry": "FR", "solutionSimulations": []
        }));
    });
    client(&server)
        .e_financing_v1_6_6()
        .credit_simulation()
        .body_map(|body| body.financed_amount(1500.0).buyer_billing_country("FR"))
        .send()
        .await
        .expect("second attempt succeeds");
    unavailable.assert_calls(1);
    simulate.assert_calls(1);
}

/// A port nothing listens on.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("address").port();
    drop(listener);
    port
}

/// `POST /subscriptions` with a complete, valid request.
pub async fn subscribe(client: &Client) -> scalexpert::Result<()> {
    use scalexpert::e_financing::v1_6_6::types;
    let request: types::InitiateCreditSubscriptionRequest =
        serde_json::from_value(subscription_request()).expect("valid request");
    client
        .e_financing_v1_6_6()
        .initiate_credit_subscription()
        .language("fr")
        .body(request)
        .send()
        .await?;
    Ok(())
}

/// The request example of our 1.6.6 spec: a complete subscription that meets every constraint.
pub fn subscription_request() -> serde_json::Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/specs/e-financing/1.6.6/uatc.yaml"
    );
    let text = std::fs::read_to_string(path).expect("our spec");
    let spec: serde_json::Value = serde_yaml_ng::from_str(&text).expect("valid YAML");
    spec.pointer("/paths/~1subscriptions/post/requestBody/content/application~1json/example")
        .cloned()
        .expect("the spec documents a request example")
}

const NO_SOLUTIONS: &str = r#"{"solutions":[]}"#;

#[tokio::test]
async fn a_get_whose_body_breaks_off_is_retried() {
    use crate::wire::{Answer, Gateway};
    let gateway = Gateway::start(vec![
        Answer::BrokenAfter {
            body: NO_SOLUTIONS.into(),
            sent: 5,
        },
        Answer::Whole {
            status: 200,
            body: NO_SOLUTIONS.into(),
        },
    ]);
    let client = builder_at(&gateway.root).build().expect("valid");
    eligible(&client)
        .await
        .expect("the second attempt gets the whole body");
    assert_eq!(gateway.api_requests(), 2);
}

#[tokio::test]
async fn a_get_whose_body_stalls_is_retried() {
    use crate::wire::{Answer, Gateway};
    let gateway = Gateway::start(vec![
        Answer::StalledAfter {
            body: NO_SOLUTIONS.into(),
            sent: 5,
            stall: Duration::from_secs(3),
        },
        Answer::Whole {
            status: 200,
            body: NO_SOLUTIONS.into(),
        },
    ]);
    let client = builder_at(&gateway.root)
        .build()
        .expect("valid")
        .with_timeout(Duration::from_millis(500));
    eligible(&client)
        .await
        .expect("the stalled attempt times out, the second gets the whole body");
    assert_eq!(gateway.api_requests(), 2);
}

#[tokio::test]
async fn a_create_whose_body_breaks_off_is_not_replayed() {
    use crate::wire::{Answer, Gateway};
    let created = r#"{"id":"73a91eda-b559-46d1-b2a3-2eb77b281077"}"#;
    let gateway = Gateway::start(vec![
        Answer::BrokenAfter {
            body: created.into(),
            sent: 5,
        },
        Answer::Whole {
            status: 201,
            body: created.into(),
        },
    ]);
    let client = builder_at(&gateway.root).build().expect("valid");
    let error = subscribe(&client)
        .await
        .expect_err("the server may have created it: no second application");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert_eq!(gateway.paths(), ["/e-financing/api/v1/subscriptions"]);
}
