//! The gateway's quota, enforced: calls per client id and scope in a sliding window, 429 with
//! the gateway's body and `Retry-After` past it, and the counts `GET /sandbox/admin/stats`
//! reports (which a client-side limiter is judged by).

use scalexpert::{Error, RetryPolicy};
use scalexpert_sandbox::{
    Sandbox, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_PSP_CLIENT_ID,
    DEFAULT_PSP_CLIENT_SECRET,
};
use serde_json::{json, Value};
use std::time::Duration;

async fn token(sandbox_url: &str, id: &str, secret: &str) -> String {
    let answer: Value = reqwest::Client::new()
        .post(format!("{sandbox_url}/auth-server/api/v1/oauth2/token"))
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

async fn list(sandbox_url: &str, token: &str, merchant: Option<&str>) -> reqwest::Response {
    let mut request = reqwest::Client::new()
        .get(format!("{sandbox_url}/e-financing/api/v1/subscriptions"))
        .bearer_auth(token);
    if let Some(merchant) = merchant {
        request = request.header("X-BAAS-CLIENT-REF-FOR-PROXI-ID", merchant);
    }
    request.send().await.expect("answer")
}

#[tokio::test]
async fn calls_past_the_quota_get_429_with_the_gateways_body_and_retry_after() {
    let sandbox = Sandbox::builder()
        .quota(3)
        .quota_window(Duration::from_secs(60))
        .start()
        .await
        .expect("sandbox");
    let url = sandbox.base_url();
    let merchant = token(url, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET).await;
    for _ in 0..3 {
        assert_eq!(list(url, &merchant, None).await.status(), 200);
    }
    let limited = list(url, &merchant, None).await;
    assert_eq!(limited.status(), 429);
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds");
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let body: Value = limited.json().await.expect("json");
    assert_eq!(body["httpStatusCode"], 429);
    assert_eq!(body["errorCode"], "TOO_MANY_REQUESTS");
    assert_eq!(body["requestURI"], "/e-financing/api/v1/subscriptions");
    // Another token of the same client shares its quota; another client has its own.
    let again = token(url, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET).await;
    assert_eq!(list(url, &again, None).await.status(), 429);
    let psp = token(url, DEFAULT_PSP_CLIENT_ID, DEFAULT_PSP_CLIENT_SECRET).await;
    assert_eq!(list(url, &psp, Some("SHOP-A")).await.status(), 200);
    // The facade reads it as the gateway's 429.
    let client = scalexpert::Client::builder()
        .environment(sandbox.environment())
        .credentials(sandbox.credentials().expect("credentials"))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let error = client
        .e_financing_v1_7_1()
        .retrieve_credit_subscription_for_specific_merchant()
        .send()
        .await
        .map_err(Error::from)
        .expect_err("limited");
    assert!(matches!(error, Error::RateLimited { .. }), "{error:?}");
}

#[tokio::test]
async fn stats_count_calls_tokens_refusals_and_the_busiest_window() {
    let sandbox = Sandbox::builder().quota(2).start().await.expect("sandbox");
    let url = sandbox.base_url();
    let merchant = token(url, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET).await;
    let _second = token(url, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET).await;
    let psp = token(url, DEFAULT_PSP_CLIENT_ID, DEFAULT_PSP_CLIENT_SECRET).await;
    let statuses = [
        list(url, &merchant, None).await.status().as_u16(),
        list(url, &merchant, None).await.status().as_u16(),
        list(url, &merchant, None).await.status().as_u16(),
        list(url, &psp, Some("SHOP-A")).await.status().as_u16(),
    ];
    assert_eq!(statuses, [200, 200, 429, 200]);
    // Calls with an unknown token belong to no client.
    assert_eq!(list(url, "sbx_unknown", None).await.status(), 401);
    let answer = crate::admin_http(&sandbox)
        .get(format!("{url}/sandbox/admin/stats"))
        .send()
        .await
        .expect("answer");
    assert_eq!(answer.status(), 200);
    let stats: Value = answer.json().await.expect("json");
    // A token asked without a scope carries every served one: a token request for each.
    assert_eq!(
        stats,
        json!({"clients": [
            {"clientId": DEFAULT_CLIENT_ID, "scope": "common-services:rw", "tokenRequests": 2,
             "calls": 0, "rateLimited": 0, "maxCallsInWindow": 0},
            {"clientId": DEFAULT_CLIENT_ID, "scope": "e-financing:rw", "tokenRequests": 2,
             "calls": 3, "rateLimited": 1, "maxCallsInWindow": 3},
            {"clientId": DEFAULT_CLIENT_ID, "scope": "insurance:rw", "tokenRequests": 2,
             "calls": 0, "rateLimited": 0, "maxCallsInWindow": 0},
            {"clientId": DEFAULT_PSP_CLIENT_ID, "scope": "common-services:rw", "tokenRequests": 1,
             "calls": 0, "rateLimited": 0, "maxCallsInWindow": 0},
            {"clientId": DEFAULT_PSP_CLIENT_ID, "scope": "e-financing:rw", "tokenRequests": 1,
             "calls": 1, "rateLimited": 0, "maxCallsInWindow": 1},
            {"clientId": DEFAULT_PSP_CLIENT_ID, "scope": "insurance:rw", "tokenRequests": 1,
             "calls": 0, "rateLimited": 0, "maxCallsInWindow": 0},
        ]})
    );
    let library = sandbox.stats();
    assert_eq!(serde_json::to_value(&library).expect("json"), stats);
}

#[tokio::test]
async fn the_default_quota_is_the_gateways_600_calls_a_minute() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let url = sandbox.base_url();
    let merchant = token(url, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET).await;
    let http = reqwest::Client::new();
    let list = || {
        http.get(format!("{url}/e-financing/api/v1/subscriptions"))
            .bearer_auth(&merchant)
            .send()
    };
    for call in 0..600 {
        assert_eq!(list().await.expect("answer").status(), 200, "call {call}");
    }
    assert_eq!(list().await.expect("answer").status(), 429);
    let stats = sandbox.stats();
    let only = stats
        .clients
        .iter()
        .find(|client| client.scope == "e-financing:rw")
        .expect("e-financing's stats");
    assert_eq!(
        (only.calls, only.rate_limited, only.max_calls_in_window),
        (601, 1, 601)
    );
}

#[tokio::test]
async fn the_binary_takes_the_quota_flags() {
    let (_running, url) = crate::binary::start(&["--quota", "1", "--quota-window-secs", "3600"]);
    let merchant = token(&url, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET).await;
    assert_eq!(list(&url, &merchant, None).await.status(), 200);
    let limited = list(&url, &merchant, None).await;
    assert_eq!(limited.status(), 429);
    let retry_after: u64 = limited.headers()["retry-after"]
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds");
    assert!(retry_after > 60, "the hour-long window: {retry_after}");
    let (_running, url) = crate::binary::start(&["--quota", "0"]);
    let merchant = token(&url, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET).await;
    for _ in 0..700 {
        assert_eq!(list(&url, &merchant, None).await.status(), 200);
    }
}
