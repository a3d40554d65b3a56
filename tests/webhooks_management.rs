//! The merchant-webhooks management API through the facade, against httpmock: every operation
//! of `merchant_webhooks::v1_0_6` with its exact method, path, query and body, the decoding of
//! our spec's examples, the PSP header, and the token's scope.
#![cfg(feature = "merchant-webhooks-1_0_6")]

use httpmock::{HttpMockRequest, Mock, MockServer};
use scalexpert::merchant_webhooks::v1_0_6::types::{
    FindWebhookEventsForMerchantStatus, MerchantWebhookConfigRequest,
    MerchantWebhookConfigResponseAuthMethod, WebhookEventForMerchantStatus, WebhookEventPayload,
};
use scalexpert::OpenEnum;
use serde_json::Value;
use std::sync::{Arc, Mutex};

const SPEC: &str = include_str!("../specs/merchant-webhooks/1.0.6/uatc.yaml");
const API: &str = "/merchant-webhooks/api/v1";
const TOKEN_PATH: &str = "/auth-server/api/v1/oauth2/token";
const MERCHANT: &str = "MERCHANT-0042";

/// The example of `paths.<path>.<method>`'s 200 response (or request body) in our spec.
fn example(path: &str, method: &str, request: bool) -> Value {
    let spec: Value = serde_yaml_ng::from_str(SPEC).unwrap();
    let operation = &spec["paths"][path][method];
    let media = if request {
        &operation["requestBody"]["content"]["application/json"]
    } else {
        &operation["responses"]["200"]["content"]["application/json"]
    };
    let example = media["example"].clone();
    assert!(!example.is_null(), "{method} {path} has an example");
    example
}

/// What an API request looked like on arrival.
#[derive(Debug, Clone)]
struct Seen {
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

struct Gateway {
    server: MockServer,
    token: usize,
}

impl Gateway {
    /// A gateway whose token endpoint answers only a request for the merchant-webhooks scope.
    async fn start() -> Gateway {
        let server = MockServer::start_async().await;
        let token = server
            .mock_async(|when, then| {
                when.method("POST")
                    .path(TOKEN_PATH)
                    .body("grant_type=client_credentials&scope=common-services%3Arw");
                then.status(200).json_body(serde_json::json!({
                    "access_token": "t", "token_type": "Bearer", "expires_in": 900
                }));
            })
            .await
            .id;
        Gateway { server, token }
    }

    fn psp_client(&self) -> scalexpert::Client {
        scalexpert::Client::builder()
            .environment(scalexpert::Environment::custom(self.server.base_url()).unwrap())
            .credentials(scalexpert::Credentials::new("psp-id", "psp-secret"))
            .retry_policy(scalexpert::RetryPolicy::none())
            .build()
            .unwrap()
    }

    /// Answers `method path` with `status` and `body`, recording each request.
    async fn answer(
        &self,
        method: &'static str,
        path: &str,
        status: u16,
        body: Option<Value>,
    ) -> (Mock<'_>, Arc<Mutex<Vec<Seen>>>) {
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let sink = seen.clone();
        let path = format!("{API}{path}");
        let mock = self
            .server
            .mock_async(move |when, then| {
                when.method(method)
                    .path(path)
                    .is_true(move |request: &HttpMockRequest| {
                        sink.lock().unwrap().push(Seen {
                            query: request.query_params(),
                            headers: request.headers_vec().clone(),
                            body: request.body_vec(),
                        });
                        true
                    });
                let then = then.status(status);
                if let Some(body) = body {
                    then.header("content-type", "application/json")
                        .json_body(body);
                }
            })
            .await;
        (mock, seen)
    }

    fn token_calls(&self) -> usize {
        Mock::new(self.token, &self.server).calls()
    }
}

/// The one request a mock saw, checked for the bearer token and the PSP header.
fn only_request(seen: &Mutex<Vec<Seen>>) -> Seen {
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "{seen:?}");
    let request = seen[0].clone();
    assert_eq!(request.header("authorization"), Some("Bearer t"));
    assert_eq!(
        request.header("x-baas-client-ref-for-proxi-id"),
        Some(MERCHANT)
    );
    request
}

fn pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut v: Vec<_> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    v.sort();
    v
}

fn sorted(mut query: Vec<(String, String)>) -> Vec<(String, String)> {
    query.sort();
    query
}

#[tokio::test]
async fn read_config_sends_the_event_type_and_decodes_the_spec_example() {
    let gateway = Gateway::start().await;
    let (_mock, seen) = gateway
        .answer(
            "GET",
            "/webhooks",
            200,
            Some(example("/webhooks", "get", false)),
        )
        .await;
    let client = gateway.psp_client().for_merchant(MERCHANT).unwrap();

    let config = client
        .merchant_webhooks_v1_0_6()
        .find_merchant_webhook_config()
        .event_type_code("SC_SUBSCRIPTION")
        .send()
        .await
        .unwrap()
        .into_inner();

    let request = only_request(&seen);
    assert_eq!(
        request.query,
        pairs(&[("eventTypeCode", "SC_SUBSCRIPTION")])
    );
    assert_eq!(config.event_type_code, "SC_SUBSCRIPTION");
    assert_eq!(config.active, Some(true));
    assert_eq!(
        config.url.as_deref(),
        Some("https://shop.example.fr/hooks/scalexpert/financing")
    );
    assert_eq!(
        config.auth_method,
        Some(OpenEnum::Known(
            MerchantWebhookConfigResponseAuthMethod::ApiKey
        ))
    );
    assert_eq!(config.auth_login, None);
    assert_eq!(config.secret.as_deref(), Some("sx-live-api-key-7f31c2"));
    assert_eq!(
        config.key_for_signature.as_deref(),
        Some("9f2c41d07be85a36c1e04f7d2a9b6e13580cd4fa72e19b0d3c6a8f5e41b72d09")
    );
    assert_eq!(
        config.active_event_codes,
        vec![
            "SC_SUBSCRIPTION_ACCEPTED",
            "SC_SUBSCRIPTION_REJECTED",
            "SC_SUBSCRIPTION_CANCELLED"
        ]
    );
    assert_eq!(gateway.token_calls(), 1);
}

#[tokio::test]
async fn upsert_config_puts_the_spec_example_as_sent() {
    let gateway = Gateway::start().await;
    let (_mock, seen) = gateway
        .answer("PUT", "/webhooks", 200, Some(serde_json::json!({})))
        .await;
    let client = gateway.psp_client().for_merchant(MERCHANT).unwrap();
    let body_example = example("/webhooks", "put", true);
    let body: MerchantWebhookConfigRequest = serde_json::from_value(body_example.clone()).unwrap();

    client
        .merchant_webhooks_v1_0_6()
        .set_merchant_web_config()
        .body(body)
        .send()
        .await
        .unwrap();

    let request = only_request(&seen);
    assert!(request.query.is_empty(), "{:?}", request.query);
    assert_eq!(request.header("content-type"), Some("application/json"));
    let sent: Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(sent, body_example);
}

#[tokio::test]
async fn trigger_test_event_posts_without_a_body_and_returns_the_event_id() {
    let gateway = Gateway::start().await;
    let (_mock, seen) = gateway
        .answer(
            "POST",
            "/events/tests/_trigger",
            200,
            Some(example("/events/tests/_trigger", "post", false)),
        )
        .await;
    let client = gateway.psp_client().for_merchant(MERCHANT).unwrap();

    let triggered = client
        .merchant_webhooks_v1_0_6()
        .trigger_event_hello_world_for_merchant()
        .send()
        .await
        .unwrap()
        .into_inner();

    let request = only_request(&seen);
    assert!(request.query.is_empty());
    assert!(request.body.is_empty());
    assert_eq!(
        triggered.event_id.to_string(),
        "0b6e2f4a-3c1d-4e8b-9a57-d2f1c8e06b3a"
    );
}

#[tokio::test]
async fn list_events_sends_every_filter_and_the_page_and_decodes_the_spec_example() {
    let gateway = Gateway::start().await;
    let (_mock, seen) = gateway
        .answer(
            "GET",
            "/events",
            200,
            Some(example("/events", "get", false)),
        )
        .await;
    let client = gateway.psp_client().for_merchant(MERCHANT).unwrap();

    let page = client
        .merchant_webhooks_v1_0_6()
        .find_webhook_events_for_merchant()
        .status(FindWebhookEventsForMerchantStatus::Error)
        .event_type_code("SC_CANCEL_REQUEST")
        .event_code("SC_CANCEL_REQUEST_PARTIAL_CANCELLATION_ACCEPTED")
        .from_timestamp(
            "2024-03-01T00:00:00Z"
                .parse::<chrono::DateTime<chrono::Utc>>()
                .unwrap(),
        )
        .to_timestamp(
            "2024-03-31T23:59:59Z"
                .parse::<chrono::DateTime<chrono::Utc>>()
                .unwrap(),
        )
        .page(2)
        .page_size(50)
        .sort("-timestamp")
        .send()
        .await
        .unwrap()
        .into_inner();

    let request = only_request(&seen);
    assert_eq!(
        sorted(request.query),
        pairs(&[
            ("status", "ERROR"),
            ("eventTypeCode", "SC_CANCEL_REQUEST"),
            (
                "eventCode",
                "SC_CANCEL_REQUEST_PARTIAL_CANCELLATION_ACCEPTED"
            ),
            ("fromTimestamp", "2024-03-01T00:00:00Z"),
            ("toTimestamp", "2024-03-31T23:59:59Z"),
            ("page", "2"),
            ("pageSize", "50"),
            ("sort", "-timestamp"),
        ])
    );

    assert_eq!(page.total_event_count, 3);
    assert_eq!(page.events.len(), 3);
    let cancel = &page.events[0];
    assert_eq!(
        cancel.id.to_string(),
        "5c9d1e7a-2b44-4f0e-8d36-71a0e9f3b2c5"
    );
    assert_eq!(cancel.event_type_code, "SC_CANCEL_REQUEST");
    assert_eq!(
        cancel.event_code.as_deref(),
        Some("SC_CANCEL_REQUEST_PARTIAL_CANCELLATION_ACCEPTED")
    );
    assert_eq!(cancel.replay_count, Some(2));
    assert_eq!(
        cancel.status,
        OpenEnum::Known(WebhookEventForMerchantStatus::Error)
    );
    assert_eq!(cancel.http_status_code_of_last_delivery_attempt, Some(503));
    assert_eq!(
        cancel
            .timestamp_of_last_delivery_attempt
            .map(|t| t.to_rfc3339()),
        Some("2024-03-14T10:11:07.530+00:00".to_string())
    );
    let hello = &page.events[1];
    assert_eq!(hello.correlation_id, None);
    assert_eq!(hello.replay_count, None);
    assert_eq!(
        hello.status,
        OpenEnum::Known(WebhookEventForMerchantStatus::Ok)
    );
    // The insurance event keeps its own fields through the discriminated payload.
    let insurance = &page.events[2];
    assert_eq!(insurance.event_type_code, "CI_SUBSCRIPTION");
    let WebhookEventPayload::CiSubscriptionPayload(data) = &insurance.data else {
        panic!("{:?}", insurance.data)
    };
    assert_eq!(
        data.insurance_subscription_id.as_deref(),
        Some("4d8e2b71-0c9a-4f36-9e15-b7a2c6d03e98")
    );
}

#[tokio::test]
async fn list_events_without_filters_sends_no_query() {
    let gateway = Gateway::start().await;
    let (_mock, seen) = gateway
        .answer(
            "GET",
            "/events",
            200,
            Some(serde_json::json!({ "totalEventCount": 0 })),
        )
        .await;
    let client = gateway.psp_client().for_merchant(MERCHANT).unwrap();
    let page = client
        .merchant_webhooks_v1_0_6()
        .find_webhook_events_for_merchant()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert!(only_request(&seen).query.is_empty());
    assert_eq!(page.total_event_count, 0);
    assert!(page.events.is_empty());
}

#[tokio::test]
async fn get_one_event_puts_the_id_in_the_path_and_decodes_the_spec_example() {
    let gateway = Gateway::start().await;
    let id = "3e8b5f21-7c0d-4a96-b1e4-9f62d0a8c573";
    let (_mock, seen) = gateway
        .answer(
            "GET",
            &format!("/events/{id}"),
            200,
            Some(example("/events/{eventId}", "get", false)),
        )
        .await;
    let client = gateway.psp_client().for_merchant(MERCHANT).unwrap();

    let event = client
        .merchant_webhooks_v1_0_6()
        .find_webhook_event_for_merchant()
        .event_id(id.parse::<uuid::Uuid>().unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();

    assert!(only_request(&seen).query.is_empty());
    assert_eq!(event.id.to_string(), id);
    assert_eq!(
        event.timestamp.to_rfc3339(),
        "2024-03-18T14:27:45.612+00:00"
    );
    assert_eq!(
        event.correlation_id.map(|c| c.to_string()).as_deref(),
        Some("6a2d9c47-1f85-4e3b-a0d7-c5b8e2f19046")
    );
    assert_eq!(event.event_type_code, "SC_SUBSCRIPTION");
    assert_eq!(
        event.status,
        OpenEnum::Known(WebhookEventForMerchantStatus::Ok)
    );
    assert_eq!(event.http_status_code_of_last_delivery_attempt, Some(204));
}

/// The event `data` of listed and fetched events survives decoding whole: the build's
/// `discriminated_one_of` rule makes each payload variant accept only its own `eventTypeCode`,
/// so an SC_SUBSCRIPTION event keeps its `financedAmount`.
#[tokio::test]
async fn fetched_event_data_round_trips_whole() {
    let gateway = Gateway::start().await;
    let example = example("/events/{eventId}", "get", false);
    let id = example["id"].as_str().unwrap().to_string();
    let (_mock, _seen) = gateway
        .answer("GET", &format!("/events/{id}"), 200, Some(example.clone()))
        .await;
    let client = gateway.psp_client().for_merchant(MERCHANT).unwrap();
    let event = client
        .merchant_webhooks_v1_0_6()
        .find_webhook_event_for_merchant()
        .event_id(id.parse::<uuid::Uuid>().unwrap())
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(serde_json::to_value(&event.data).unwrap(), example["data"]);
}

#[tokio::test]
async fn list_event_types_decodes_the_spec_example() {
    let gateway = Gateway::start().await;
    let (_mock, seen) = gateway
        .answer(
            "GET",
            "/event-types",
            200,
            Some(example("/event-types", "get", false)),
        )
        .await;
    let client = gateway.psp_client().for_merchant(MERCHANT).unwrap();

    let catalogue = client
        .merchant_webhooks_v1_0_6()
        .find_webhooks_event_types()
        .send()
        .await
        .unwrap()
        .into_inner();

    assert!(only_request(&seen).query.is_empty());
    let types: Vec<_> = catalogue
        .event_types
        .iter()
        .map(|t| t.event_type_code.as_deref().unwrap_or_default())
        .collect();
    assert_eq!(types, ["SC_SUBSCRIPTION", "HELLO_WORLD"]);
    let codes: Vec<_> = catalogue.event_types[0]
        .event_codes
        .iter()
        .map(|c| c.event_code.as_deref().unwrap_or_default())
        .collect();
    assert_eq!(
        codes,
        [
            "SC_SUBSCRIPTION_INITIALIZED",
            "SC_SUBSCRIPTION_PRE_ACCEPTED",
            "SC_SUBSCRIPTION_ACCEPTED",
            "SC_SUBSCRIPTION_REJECTED"
        ]
    );
    assert_eq!(
        catalogue.event_types[1].event_codes[0]
            .description
            .as_deref(),
        Some("Test message")
    );
}

#[tokio::test]
async fn one_token_with_the_webhooks_scope_serves_every_operation_and_merchant_views_only() {
    let gateway = Gateway::start().await;
    let (_types, seen_types) = gateway
        .answer("GET", "/event-types", 200, Some(serde_json::json!({})))
        .await;
    let (_trigger, _) = gateway
        .answer(
            "POST",
            "/events/tests/_trigger",
            200,
            Some(example("/events/tests/_trigger", "post", false)),
        )
        .await;
    let psp = gateway.psp_client();

    // The PSP's own view sends no merchant header; a merchant view does.
    psp.merchant_webhooks_v1_0_6()
        .find_webhooks_event_types()
        .send()
        .await
        .unwrap();
    let shop = psp.for_merchant(MERCHANT).unwrap();
    shop.merchant_webhooks_v1_0_6()
        .find_webhooks_event_types()
        .send()
        .await
        .unwrap();
    shop.merchant_webhooks_v1_0_6()
        .trigger_event_hello_world_for_merchant()
        .send()
        .await
        .unwrap();

    let seen = seen_types.lock().unwrap();
    assert_eq!(seen[0].header("x-baas-client-ref-for-proxi-id"), None);
    assert_eq!(
        seen[1].header("x-baas-client-ref-for-proxi-id"),
        Some(MERCHANT)
    );
    // The token mock only answers `scope=common-services%3Arw`: one call served all three.
    assert_eq!(gateway.token_calls(), 1);
}

/// The spec documents no body for the upsert's 200 (`application/json` without a schema), and
/// Scalexpert may answer with none: the build's `schemaless_json_bodies` rule leaves that body
/// unread, so an empty one is a success.
#[tokio::test]
async fn an_empty_200_to_the_upsert_is_success() {
    let gateway = Gateway::start().await;
    let (_mock, seen) = gateway.answer("PUT", "/webhooks", 200, None).await;
    let client = gateway.psp_client().for_merchant(MERCHANT).unwrap();
    let body: MerchantWebhookConfigRequest =
        serde_json::from_value(example("/webhooks", "put", true)).unwrap();
    let result = client
        .merchant_webhooks_v1_0_6()
        .set_merchant_web_config()
        .body(body)
        .send()
        .await;
    only_request(&seen);
    assert!(result.is_ok(), "{result:?}");
}
