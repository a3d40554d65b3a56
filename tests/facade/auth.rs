//! OAuth2 client credentials: the token call, the cache, single flight, expiry, 401 handling.

use crate::*;
use httpmock::prelude::*;
use scalexpert::Error;
use std::time::Duration;

#[tokio::test]
async fn token_call_sends_basic_credentials_and_form_then_bearer_on_the_api() {
    let server = MockServer::start_async().await;
    // printf 'merchant-app:s3cr3t-Zq9-never-printed' | base64
    let basic = "Basic bWVyY2hhbnQtYXBwOnMzY3IzdC1acTktbmV2ZXItcHJpbnRlZA==";
    let token = server.mock(|when, then| {
        when.method(POST)
            .path(TOKEN_PATH)
            .header("authorization", basic)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials&scope=e-financing%3Arw");
        then.status(200).json_body(serde_json::json!({
            "access_token": TOKEN, "token_type": "Bearer", "expires_in": 900
        }));
    });
    let api = server.mock(|when, then| {
        when.method(GET)
            .path(ELIGIBLE_PATH)
            .query_param("buyerBillingCountry", "FR")
            .query_param("financedAmount", "1500.0")
            .header("authorization", format!("Bearer {TOKEN}"))
            // The generator's own version header is not part of the API.
            .header_missing("api-version");
        then.status(200)
            .json_body(serde_json::json!({ "solutions": [] }));
    });

    let client = client(&server);
    assert_eq!(eligible(&client).await.expect("call succeeds"), 0);
    assert_eq!(eligible(&client).await.expect("call succeeds"), 0);

    token.assert_calls(1);
    api.assert_calls(2);
}

#[tokio::test]
async fn added_scopes_replace_the_spec_scope_space_separated() {
    let server = MockServer::start_async().await;
    let token = server.mock(|when, then| {
        when.method(POST)
            .path(TOKEN_PATH)
            .body("grant_type=client_credentials&scope=e-financing%3Arw+insurance%3Arw");
        then.status(200).json_body(serde_json::json!({
            "access_token": TOKEN, "token_type": "Bearer", "expires_in": 900
        }));
    });
    let api = eligible_mock(&server);
    let client = builder(&server)
        .scope("e-financing:rw")
        .scope("insurance:rw")
        .build()
        .expect("valid");
    eligible(&client).await.expect("call succeeds");
    token.assert_calls(1);
    api.assert_calls(1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_concurrent_cold_calls_fetch_one_token() {
    let server = MockServer::start_async().await;
    let token = server.mock(|when, then| {
        when.method(POST).path(TOKEN_PATH);
        // Slow enough that every caller arrives while the first fetch is in flight.
        then.status(200)
            .delay(Duration::from_millis(200))
            .json_body(serde_json::json!({
                "access_token": TOKEN, "token_type": "Bearer", "expires_in": 900
            }));
    });
    let api = eligible_mock(&server);
    let client = client(&server);

    let calls: Vec<_> = (0..64)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { eligible(&client).await })
        })
        .collect();
    for call in calls {
        call.await.expect("task").expect("call succeeds");
    }

    token.assert_calls(1);
    api.assert_calls(64);
}

#[tokio::test]
async fn a_token_past_expires_in_minus_margin_is_refreshed() {
    let server = MockServer::start_async().await;
    // Valid 61 s by the server's clock, but the client keeps a 60 s margin: usable for 1 s.
    let token = token_mock(&server, 61);
    let api = eligible_mock(&server);
    let client = builder(&server)
        .token_refresh_margin(Duration::from_secs(60))
        .build()
        .expect("valid");

    eligible(&client).await.expect("first call");
    eligible(&client).await.expect("second call, same token");
    token.assert_calls(1);

    tokio::time::sleep(Duration::from_millis(1200)).await;
    eligible(&client)
        .await
        .expect("third call, after the usable window");
    token.assert_calls(2);
    api.assert_calls(3);
}

#[tokio::test]
async fn a_401_refreshes_once_and_retries_once_then_fails_typed() {
    let server = MockServer::start_async().await;
    let token = token_mock(&server, 900);
    let api = server.mock(|when, then| {
        when.method(GET).path(ELIGIBLE_PATH);
        then.status(401);
    });
    let client = client(&server);

    let error = eligible(&client).await.expect_err("401 twice");
    assert!(matches!(error, Error::Unauthorized(_)), "{error:?}");
    assert_eq!(error.status(), Some(reqwest::StatusCode::UNAUTHORIZED));
    // One token for the first attempt, one refresh: never a loop.
    token.assert_calls(2);
    api.assert_calls(2);
}

#[tokio::test]
async fn a_401_then_success_is_transparent() {
    let server = MockServer::start_async().await;
    let token = token_mock(&server, 900);
    let seen = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    // httpmock serves the first mock (in creation order) that matches: the first API call
    // gets 401, the next ones fall through to the 200 mock.
    let rejected = server.mock(|when, then| {
        let seen = seen.clone();
        when.is_true(move |req| {
            req.uri().path() == ELIGIBLE_PATH
                && seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0
        });
        then.status(401);
    });
    let api = eligible_mock(&server);

    eligible(&client(&server))
        .await
        .expect("refreshed and replayed");
    token.assert_calls(2);
    rejected.assert_calls(1);
    api.assert_calls(1);
}

#[tokio::test]
async fn token_endpoint_failure_is_a_typed_auth_error_without_the_secret() {
    let server = MockServer::start_async().await;
    let token = server.mock(|when, then| {
        when.method(POST).path(TOKEN_PATH);
        // A gateway that echoes what it was sent must not make us print the secret.
        then.status(401).body(format!(
            "{{\"error\":\"invalid_client\",\"sent\":\"{SECRET}\"}}"
        ));
    });
    let api = eligible_mock(&server);

    let error = eligible(&client(&server)).await.expect_err("no token");
    match &error {
        Error::Auth(auth) => {
            assert_eq!(auth.status, Some(reqwest::StatusCode::UNAUTHORIZED));
            assert!(auth.detail.contains("invalid_client"), "{}", auth.detail);
        }
        other => panic!("expected Error::Auth, got {other:?}"),
    }
    assert!(!error.to_string().contains(SECRET));
    assert!(!format!("{error:?}").contains(SECRET));
    token.assert_calls(1);
    api.assert_calls(0);
}

/// A token endpoint that answers, but only after five seconds.
fn stalled_token_endpoint(server: &MockServer) -> httpmock::Mock<'_> {
    server.mock(|when, then| {
        when.method(POST).path(TOKEN_PATH);
        then.status(200)
            .delay(Duration::from_secs(5))
            .json_body(serde_json::json!({
                "access_token": TOKEN, "token_type": "Bearer", "expires_in": 900
            }));
    })
}

#[tokio::test]
async fn a_stalled_token_endpoint_is_bounded_by_the_views_timeout() {
    let server = MockServer::start_async().await;
    stalled_token_endpoint(&server);
    let api = eligible_mock(&server);
    let view = builder(&server)
        .retry_policy(scalexpert::RetryPolicy::none())
        .build()
        .expect("valid")
        .with_timeout(Duration::from_millis(300));
    let error = eligible(&view)
        .await
        .expect_err("the token comes too late for this view");
    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
    assert!(error.to_string().contains("token request"), "{error}");
    api.assert_calls(0);
}

#[tokio::test]
async fn a_stalled_token_endpoint_is_bounded_with_a_custom_http_client() {
    let server = MockServer::start_async().await;
    stalled_token_endpoint(&server);
    let api = eligible_mock(&server);
    // A client of the user's own, without any timeout: the builder's still bounds the token.
    let client = builder(&server)
        .http_client(reqwest::Client::new())
        .request_timeout(Duration::from_millis(300))
        .retry_policy(scalexpert::RetryPolicy::none())
        .build()
        .expect("valid");
    let error = eligible(&client)
        .await
        .expect_err("the token comes too late");
    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
    api.assert_calls(0);
}
