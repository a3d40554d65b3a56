//! `scalexpert::workflows` against httpmock: each lost answer of a create, cancel or
//! confirmation gives the right outcome and never a second create; paging reads each page
//! once and stops where it should; the status watch yields each change. One test binary.
#![cfg(feature = "e-financing-1_7_1")]

mod create;
#[cfg(feature = "insurance-1_7_1")]
mod insurance;
mod paging;
mod reset;
mod status;
mod updates;
mod versions;

use httpmock::prelude::*;
use scalexpert::e_financing::v1_7_1::{self, types};
use scalexpert::workflows::{Patience, ReconcilePolicy, Subscriptions};
use scalexpert::{Client, Credentials, Environment, RetryPolicy};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub const TOKEN_PATH: &str = "/auth-server/api/v1/oauth2/token";
pub const SUBSCRIPTIONS_PATH: &str = "/e-financing/api/v1/subscriptions";
pub const ORDER: &str = "ORD-2024-000871";
pub const ID: &str = "73a91eda-b559-46d1-b2a3-2eb77b281077";

/// The token endpoint.
pub fn token_mock(server: &MockServer) -> httpmock::Mock<'_> {
    server.mock(|when, then| {
        when.method(POST).path(TOKEN_PATH);
        then.status(200)
            .header("content-type", "application/json")
            .json_body(json!({"access_token": "tok", "token_type": "Bearer", "expires_in": 900}));
    })
}

/// A client for the gateway at `root`: quick retries, a short attempt timeout.
pub fn client_at(root: &str) -> Client {
    Client::builder()
        .environment(Environment::custom(root).expect("a URL"))
        .credentials(Credentials::new("merchant-app", "secret-never-printed"))
        .retry_policy(RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(5),
            max_retry_after: Duration::from_secs(1),
        })
        .request_timeout(Duration::from_millis(500))
        .build()
        .expect("valid configuration")
}

/// Lookups without real waiting.
pub fn quick_policy() -> ReconcilePolicy {
    ReconcilePolicy {
        lookup: Patience {
            tries: 4,
            initial_backoff: Duration::from_millis(2),
            max_backoff: Duration::from_millis(10),
            deadline: Duration::from_secs(5),
        },
        sends: 2,
    }
}

/// The reconciling calls of a client pointed at `server`.
pub fn subscriptions(server: &MockServer) -> Subscriptions<v1_7_1::Client> {
    Subscriptions::new(client_at(&server.base_url()).e_financing_v1_7_1())
        .with_policy(quick_policy())
}

/// The spec's example of `POST /subscriptions`, as a typed application.
pub fn application() -> types::InitiateCreditSubscriptionRequest {
    let spec: Value = serde_yaml_ng::from_str(v1_7_1::SPEC).expect("the spec parses");
    let example = &spec["paths"]["/subscriptions"]["post"]["requestBody"]["content"]
        ["application/json"]["example"];
    serde_json::from_value(example.clone()).expect("the example is an application")
}

/// A listed subscription of the application above (same order, basket, solution, amount).
pub fn listed(status: &str) -> Value {
    json!({
        "creditSubscriptionId": ID,
        "registrationTimestamp": "2024-05-14T09:32:07.512Z",
        "lastUpdateTimestamp": "2024-05-14T09:41:55.130Z",
        "solutionCode": "SCFRSP-4XTS",
        "marketTypeCode": "FR",
        "merchantBasketId": "BSK-55120",
        "merchantGlobalOrderId": ORDER,
        "buyerFinancedAmount": 1249.9,
        "consolidatedStatus": status,
        "cancellationAlreadyMade": false
    })
}

/// A list answer holding `items`.
pub fn page(items: Vec<Value>, total: usize) -> Value {
    json!({"totalItemCount": total, "subscriptions": items})
}

/// `GET /subscriptions?merchantGlobalOrderId=ORDER` answering `body`.
pub fn lookup_mock(server: &MockServer, body: Value) -> httpmock::Mock<'_> {
    server.mock(|when, then| {
        when.method(GET)
            .path(SUBSCRIPTIONS_PATH)
            .query_param("merchantGlobalOrderId", ORDER);
        then.status(200)
            .header("content-type", "application/json")
            .json_body(body);
    })
}

/// The spec's example of the full record of the subscription, in `status`, with `extra`
/// fields set over it.
pub fn detail(status: &str, extra: Value) -> Value {
    let spec: Value = serde_yaml_ng::from_str(v1_7_1::SPEC).expect("the spec parses");
    let mut record = spec["paths"]["/subscriptions/{creditSubscriptionId}"]["get"]["responses"]
        ["200"]["content"]["application/json"]["example"]
        .clone();
    record["consolidatedStatus"] = json!(status);
    if let (Some(record), Some(extra)) = (record.as_object_mut(), extra.as_object()) {
        for (key, value) in extra {
            record.insert(key.clone(), value.clone());
        }
    }
    record
}

/// Answers `first` to the first `times` requests matching `matches`, then lets later mocks
/// answer (httpmock serves the first matching mock in creation order).
pub fn first_answers<'a>(
    server: &'a MockServer,
    times: usize,
    matches: impl Fn(&httpmock::HttpMockRequest) -> bool + Send + Sync + 'static,
    answer: impl FnOnce(httpmock::Then) -> httpmock::Then,
) -> httpmock::Mock<'a> {
    let seen = Arc::new(AtomicUsize::new(0));
    server.mock(|when, then| {
        when.is_true(move |req| matches(req) && seen.fetch_add(1, Ordering::SeqCst) < times);
        answer(then);
    })
}
