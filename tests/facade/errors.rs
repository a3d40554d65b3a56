//! Every variant of `scalexpert::Error`, each from the answer that produces it.

use crate::retries::{closed_port, subscribe};
use crate::*;
use httpmock::prelude::*;
use scalexpert::error::ErrorBody;
use scalexpert::{Error, RetryPolicy};
use std::time::Duration;

/// The error a GET /eligible-solutions gets when the API answers `status` with `body`.
async fn error_for(status: u16, content_type: &str, body: &str) -> Error {
    let server = MockServer::start_async().await;
    token_mock(&server, 900);
    server.mock(|when, then| {
        when.method(GET).path(ELIGIBLE_PATH);
        then.status(status)
            .header("content-type", content_type)
            .body(body);
    });
    let client = builder(&server)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("valid");
    eligible(&client).await.expect_err("an error status")
}

#[tokio::test]
async fn a_baas_validation_error_keeps_its_codes_and_request_uri() {
    let body = r#"{"timestamp":"2024-05-02T10:00:00Z","httpStatusCode":"400","httpStatusMessage":"BAD_REQUEST",
        "errorCode":"REQUEST_VALIDATION_ERROR","errorMessage":"invalid request",
        "errors":[{"code":"INVALID_COUNTRY_CODE","message":"country not supported"}],
        "requestMethod":"GET","requestURI":"/e-financing/api/v1/eligible-solutions"}"#;
    let error = error_for(400, "application/json", body).await;
    let Error::Api(api) = &error else {
        panic!("expected Error::Api, got {error:?}")
    };
    assert_eq!(api.status, 400);
    assert_eq!(api.operation_id, "get_eligible_product_services");
    assert_eq!(
        api.codes(),
        ["REQUEST_VALIDATION_ERROR", "INVALID_COUNTRY_CODE"]
    );
    match &api.body {
        ErrorBody::Baas(baas) => {
            assert_eq!(baas.http_status_code, Some(400));
            assert_eq!(
                baas.request_uri.as_deref(),
                Some("/e-financing/api/v1/eligible-solutions")
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(
        error.to_string().contains("INVALID_COUNTRY_CODE"),
        "{error}"
    );
}

#[tokio::test]
async fn the_gateway_422_shape_is_recognised() {
    let body = r#"{"path":"/e-financing/api/v1/eligible-solutions","status":422,"error":"Unprocessable Entity",
        "message":"schema validation failed","requestId":"req-1","traceId":"trace-1"}"#;
    let error = error_for(422, "application/json", body).await;
    match error.api_error().map(|api| &api.body) {
        Some(ErrorBody::Gateway(gateway)) => {
            assert_eq!(gateway.trace_id.as_deref(), Some("trace-1"));
            assert_eq!(gateway.status, Some(422));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_502_html_page_is_a_typed_error_with_an_excerpt() {
    let page = format!(
        "<html><body><h1>502 Bad Gateway</h1>{}</body></html>",
        "x".repeat(5000)
    );
    let error = error_for(502, "text/html", &page).await;
    let Error::Api(api) = &error else {
        panic!("expected Error::Api, got {error:?}")
    };
    assert_eq!(api.status, 502);
    match &api.body {
        ErrorBody::Unstructured { excerpt } => {
            assert!(excerpt.starts_with("<html><body><h1>502 Bad Gateway"));
            assert!(excerpt.len() < 1000, "the excerpt is bounded");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn forbidden_without_a_body() {
    let error = error_for(403, "application/json", "").await;
    assert!(
        matches!(&error, Error::Forbidden(api) if matches!(api.body, ErrorBody::Empty)),
        "{error:?}"
    );
}

#[tokio::test]
async fn not_found_carries_entity_not_found() {
    let body = r#"{"httpStatusCode":404,"errorCode":"ENTITY_NOT_FOUND","errorMessage":"no such subscription"}"#;
    let error = error_for(404, "application/json", body).await;
    assert!(
        matches!(&error, Error::NotFound(api) if api.has_code("ENTITY_NOT_FOUND")),
        "{error:?}"
    );
}

#[tokio::test]
async fn conflict() {
    let error = error_for(409, "application/json", r#"{"errorCode":"CONFLICT"}"#).await;
    assert!(matches!(error, Error::Conflict(_)), "{error:?}");
}

#[tokio::test]
async fn rate_limited_with_retry_after() {
    let server = MockServer::start_async().await;
    token_mock(&server, 900);
    server.mock(|when, then| {
        when.method(POST).path(SUBSCRIPTIONS_PATH);
        then.status(429).header("retry-after", "7");
    });
    let error = subscribe(&client(&server)).await.expect_err("429");
    match &error {
        Error::RateLimited(api) => assert_eq!(api.retry_after, Some(Duration::from_secs(7))),
        other => panic!("{other:?}"),
    }
    assert_eq!(error.retry_after(), Some(Duration::from_secs(7)));
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout() {
    let server = MockServer::start_async().await;
    token_mock(&server, 900);
    server.mock(|when, then| {
        when.method(GET).path(ELIGIBLE_PATH);
        then.status(200)
            .delay(Duration::from_secs(3))
            .json_body(serde_json::json!({ "solutions": [] }));
    });
    let client = builder(&server)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("valid")
        .with_timeout(Duration::from_millis(200));
    let error = eligible(&client).await.expect_err("too slow");
    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
}

#[tokio::test]
async fn an_unreachable_api_is_a_transport_error() {
    let client = builder_at(&token_then_gone())
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("valid");
    let error = eligible(&client).await.expect_err("nothing listens");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
}

#[tokio::test]
async fn an_unreachable_token_endpoint_is_an_auth_error_without_status() {
    let root = format!("http://127.0.0.1:{}", closed_port());
    let client = builder_at(&root)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("valid");
    match eligible(&client).await.expect_err("nothing listens") {
        Error::Auth(auth) => assert_eq!(auth.status, None),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_success_body_that_breaks_the_spec_is_a_decode_error_not_a_panic() {
    let server = MockServer::start_async().await;
    token_mock(&server, 900);
    server.mock(|when, then| {
        when.method(GET).path(ELIGIBLE_PATH);
        then.status(200)
            .header("content-type", "application/json")
            .body(r#"{"solutions": "not a list"}"#);
    });
    let error = eligible(&client(&server)).await.expect_err("bad body");
    match error {
        Error::Decode { excerpt, .. } => {
            assert_eq!(
                excerpt, r#"{"solutions":"…"}"#,
                "shape kept, strings masked"
            )
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_value_breaking_a_spec_constraint_is_refused_before_sending() {
    use scalexpert::e_financing::v1_6_6::types;
    let server = MockServer::start_async().await;
    let anything = server.mock(|when, then| {
        when.any_request();
        then.status(200);
    });
    let mut request = crate::retries::subscription_request();
    // The spec limits a city name to 140 characters.
    request["buyers"][0]["billingAddress"]["cityName"] = serde_json::Value::String("X".repeat(141));
    let decoded: Result<types::InitiateCreditSubscriptionRequest, _> =
        serde_json::from_value(request);
    let refusal = decoded.expect_err("the generated type refuses the value");
    assert!(refusal.to_string().contains("140"), "{refusal}");

    let error = client(&server)
        .e_financing_v1_6_6()
        .credit_simulation()
        .body_map(|body| body.financed_amount(1500.0).buyer_billing_country("ZZ"))
        .send()
        .await
        .map_err(Error::from)
        .expect_err("ZZ is not a billing country of the spec");
    match &error {
        Error::InvalidRequest(message) => {
            assert!(message.contains("buyer_billing_country"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    anything.assert_calls(0);
}

/// The I/O error at the bottom of `error`'s source chain.
fn io_cause(error: &Error) -> Option<std::io::ErrorKind> {
    let mut cause = std::error::Error::source(error);
    while let Some(current) = cause {
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            return Some(io.kind());
        }
        cause = current.source();
    }
    None
}

#[tokio::test]
async fn a_refused_token_request_says_so_and_keeps_its_cause() {
    let root = format!("http://127.0.0.1:{}", closed_port());
    let client = builder_at(&root)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("valid");
    let error = eligible(&client).await.expect_err("nothing listens");
    assert!(matches!(error, Error::Auth(_)), "{error:?}");
    assert!(error.to_string().contains("connection refused"), "{error}");
    assert_eq!(
        io_cause(&error),
        Some(std::io::ErrorKind::ConnectionRefused),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_refused_call_says_so_and_keeps_its_cause() {
    let client = builder_at(&token_then_gone())
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("valid");
    let error = eligible(&client).await.expect_err("nothing listens");
    match &error {
        Error::Transport(network) => {
            assert_eq!(
                network.kind(),
                scalexpert::error::NetworkErrorKind::ConnectionRefused
            );
            assert!(!network.may_have_arrived());
        }
        other => panic!("{other:?}"),
    }
    assert!(error.to_string().contains("connection refused"), "{error}");
    assert_eq!(
        io_cause(&error),
        Some(std::io::ErrorKind::ConnectionRefused)
    );
}

#[tokio::test]
async fn a_host_that_does_not_resolve_says_so_and_keeps_its_cause() {
    // `.invalid` never resolves (RFC 6761).
    let client = builder_at("http://scalexpert-gateway.invalid")
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("valid");
    let error = eligible(&client).await.expect_err("no such host");
    assert!(matches!(error, Error::Auth(_)), "{error:?}");
    assert!(error.to_string().contains("DNS"), "{error}");
    assert!(std::error::Error::source(&error).is_some(), "{error:?}");
}

#[tokio::test]
async fn a_timeout_of_the_call_keeps_its_cause() {
    let server = MockServer::start_async().await;
    token_mock(&server, 900);
    server.mock(|when, then| {
        when.method(GET).path(ELIGIBLE_PATH);
        then.status(200)
            .delay(Duration::from_secs(3))
            .json_body(serde_json::json!({ "solutions": [] }));
    });
    let client = builder(&server)
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("valid")
        .with_timeout(Duration::from_millis(200));
    let error = eligible(&client).await.expect_err("too slow");
    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
    assert!(std::error::Error::source(&error).is_some(), "{error:?}");
    assert!(error.to_string().contains("200ms"), "{error}");
}

#[tokio::test]
async fn a_create_answered_200_instead_of_201_is_a_success_and_non_2xx_still_fails() {
    use scalexpert::e_financing::v1_6_6::types;
    let created = serde_json::json!({
        "id": "73a91eda-b559-46d1-b2a3-2eb77b281077",
        "redirect": { "type": "url", "value": "https://lender.example/journey" },
    });
    let request: types::InitiateCreditSubscriptionRequest =
        serde_json::from_value(crate::retries::subscription_request()).expect("valid request");
    for (status, succeeds) in [
        (200, true),
        (201, true),
        (202, true),
        (400, false),
        (302, false),
    ] {
        let server = MockServer::start_async().await;
        token_mock(&server, 900);
        server.mock(|when, then| {
            when.method(POST).path(SUBSCRIPTIONS_PATH);
            then.status(status)
                .header("content-type", "application/json")
                .json_body(created.clone());
        });
        let answer = client(&server)
            .e_financing_v1_6_6()
            .initiate_credit_subscription()
            .language("fr")
            .body(request.clone())
            .send()
            .await
            .map_err(Error::from);
        match answer {
            Ok(subscription) if succeeds => assert_eq!(
                subscription.id.to_string(),
                "73a91eda-b559-46d1-b2a3-2eb77b281077",
                "{status}"
            ),
            Err(Error::Api(api)) if !succeeds => assert_eq!(api.status, status, "{status}"),
            other => panic!("{status}: {other:?}"),
        }
    }
}
