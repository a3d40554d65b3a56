//! Error mapping, what is retried and what is not, and what is refused before sending.

use crate::*;
use httpmock::prelude::*;
use payment_assist::{Enveloped, Error, Pence};
use serde_json::json;
use std::time::Duration;

/// The error GET /status gets when the server answers `status` with `body`.
async fn status_error(status: u16, content_type: &str, body: &str) -> (Error, usize) {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET).path("/status");
            then.status(status)
                .header("content-type", content_type)
                .body(body);
        })
        .await;
    let error = dealer(&server)
        .api()
        .status()
        .token(token())
        .send()
        .await
        .map(|answer| answer.into_data())
        .map_err(Error::from)
        .expect_err("an error");
    (error, mock.calls_async().await)
}

#[tokio::test]
async fn each_documented_status_has_its_variant_with_the_message() {
    let refused =
        |msg: &str| json!({"status": "error", "msg": msg, "data": {"field": "token"}}).to_string();
    let (error, _) = status_error(400, "application/json", &refused("Invalid token")).await;
    let Error::BadRequest(api) = &error else {
        panic!("expected BadRequest, got {error:?}")
    };
    assert_eq!(api.operation_id, "status");
    assert_eq!(api.request, "GET /status");
    assert_eq!(api.message.as_deref(), Some("Invalid token"));
    assert_eq!(api.data, Some(json!({"field": "token"})));
    assert!(error.to_string().contains("Invalid token"), "{error}");

    let (error, _) = status_error(401, "application/json", &refused("Invalid signature")).await;
    assert!(matches!(error, Error::Unauthorized(_)), "{error:?}");
    let (error, _) = status_error(403, "application/json", &refused("Forbidden")).await;
    assert!(matches!(error, Error::Forbidden(_)), "{error:?}");
    let (error, _) = status_error(404, "application/json", &refused("Not found")).await;
    assert!(matches!(error, Error::NotFound(_)), "{error:?}");
    let (error, _) = status_error(405, "application/json", &refused("Method not allowed")).await;
    assert!(
        matches!(&error, Error::Api(api) if api.status == 405),
        "{error:?}"
    );
}

#[tokio::test]
async fn an_error_envelope_with_a_success_status_is_an_error() {
    let body = json!({"status": "error", "msg": "Application expired", "data": null}).to_string();
    let (error, _) = status_error(200, "application/json", &body).await;
    let Error::Api(api) = &error else {
        panic!("expected Api, got {error:?}")
    };
    assert_eq!(api.status, 200);
    assert_eq!(api.message.as_deref(), Some("Application expired"));
    assert!(api.enveloped);
}

#[tokio::test]
async fn a_body_that_is_no_envelope_still_gives_a_typed_error() {
    let (error, _) = status_error(400, "text/html", "<html>bad gateway config</html>").await;
    let Error::BadRequest(api) = &error else {
        panic!("expected BadRequest, got {error:?}")
    };
    assert!(!api.enveloped);
    assert!(error.to_string().contains("not a JSON envelope"), "{error}");

    let (error, _) = status_error(200, "application/json", "{\"data\": 1}").await;
    assert!(
        matches!(&error, Error::Decode { status: Some(s), .. } if *s == 200),
        "{error:?}"
    );
}

#[tokio::test]
async fn data_not_as_the_spec_says_is_a_decode_error_without_the_values() {
    let body = ok(json!({"token": TOKEN, "status": 7, "pa_ref": "Ada Lovelace"})).to_string();
    let (error, _) = status_error(200, "application/json", &body).await;
    assert!(matches!(error, Error::Decode { .. }), "{error:?}");
    assert!(!error.to_string().contains("Ada"), "{error}");
}

#[tokio::test]
async fn a_replay_safe_call_is_retried_after_503() {
    let (error, calls) = status_error(
        503,
        "application/json",
        r#"{"status":"error","msg":"busy","data":null}"#,
    )
    .await;
    assert!(
        matches!(&error, Error::Api(api) if api.status == 503),
        "{error:?}"
    );
    assert_eq!(calls, fast_retries().max_attempts as usize);
}

#[tokio::test]
async fn begin_is_never_replayed() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/begin");
            then.status(503)
                .json_body(json!({"status": "error", "msg": "busy", "data": null}));
        })
        .await;
    let error = begin(&dealer(&server)).await.expect_err("503");
    assert!(
        matches!(&error, Error::Api(api) if api.status == 503),
        "{error:?}"
    );
    assert_eq!(mock.calls_async().await, 1);

    // A timeout: the server may have opened the application, so it is not sent again...
    let slow = MockServer::start_async().await;
    let answer = ok(json!({"token": TOKEN, "url": "https://secure.example/x"}));
    let begin_mock = slow
        .mock_async(|when, then| {
            when.method(POST).path("/begin");
            then.status(200)
                .delay(Duration::from_secs(2))
                .json_body(answer.clone());
        })
        .await;
    let status_mock = slow
        .mock_async(|when, then| {
            when.method(GET).path("/status");
            then.status(200)
                .delay(Duration::from_secs(2))
                .json_body(answer);
        })
        .await;
    let impatient = Client::builder()
        .environment(Environment::custom(slow.base_url()))
        .retry_policy(fast_retries())
        .request_timeout(Duration::from_millis(100))
        .build()
        .expect("valid")
        .dealer(credentials())
        .expect("admitted");
    let error = begin(&impatient).await.expect_err("timed out");
    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
    assert_eq!(begin_mock.calls_async().await, 1);
    // ...while a status read is.
    let error = impatient
        .api()
        .status()
        .token(token())
        .send()
        .await
        .map_err(Error::from)
        .expect_err("timed out");
    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
    assert_eq!(status_mock.calls_async().await, 3);
}

async fn begin(dealer: &Dealer) -> Result<payment_assist::v1::types::Begun, Error> {
    Ok(dealer
        .api()
        .begin()
        .body_map(|b| {
            b.order_id("ORD-1")
                .amount(Pence::new(1000))
                .email("a@example.co.uk")
                .f_name("A")
                .s_name("B")
                .addr1("1 High St")
                .postcode("AB1 2CD")
        })
        .send()
        .await?
        .into_data())
}

#[tokio::test]
async fn a_value_breaking_the_spec_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200);
        })
        .await;
    let long = "x".repeat(256);
    let error = dealer(&server)
        .api()
        .preapproval()
        .body_map(|b| b.f_name(long.as_str()).s_name("B").addr1("1").postcode("A"))
        .send()
        .await
        .map_err(Error::from)
        .expect_err("too long");
    assert!(matches!(error, Error::InvalidRequest(_)), "{error:?}");
    assert!(error.to_string().contains("f_name"), "{error}");
    assert!(!error.to_string().contains(&long), "{error}");
    assert_eq!(mock.calls_async().await, 0);
}

#[tokio::test]
async fn secrets_never_show() {
    let client = Client::builder()
        .environment(Environment::Production)
        .build()
        .expect("valid");
    let refused = client.dealer(credentials()).expect_err("demo secret");
    assert!(matches!(refused, Error::Configuration(_)), "{refused:?}");
    assert!(!refused.to_string().contains(SECRET), "{refused}");

    let server = MockServer::start_async().await;
    let view = dealer(&server);
    for shown in [
        format!("{view:?}"),
        format!("{:?}", view.api()),
        format!("{client:?}"),
    ] {
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(!shown.contains("b7c2e91f"), "{shown}");
    }
    // An error names the request without its query (key and signature).
    let (error, _) = status_error(
        401,
        "application/json",
        r#"{"status":"error","msg":"no","data":null}"#,
    )
    .await;
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains("signature="), "{shown}");
    assert!(!shown.contains(API_KEY), "{shown}");
}
