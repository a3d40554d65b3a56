//! A generated command and the facade call it stands for send the same request: method, path,
//! query, headers (token, merchant, API version, content type) and body.

use crate::support::*;
use httpmock::prelude::*;
use scalexpert::{Amount, Client, Credentials, Environment};
use std::sync::{Arc, Mutex};

/// One request as the gateway received it, headers sorted (their order is no part of HTTP).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    method: String,
    uri: String,
    headers: Vec<(String, String)>,
    body: Option<serde_json::Value>,
}

/// A mock gateway that records every API request (not token requests) and answers `answer`.
async fn recording_gateway(
    server: &MockServer,
    status: u16,
    answer: Option<serde_json::Value>,
) -> Arc<Mutex<Vec<Seen>>> {
    token_mock(server).await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = Arc::clone(&seen);
    server
        .mock_async(move |when, then| {
            when.is_true(move |request| {
                if request.uri().path() == TOKEN_PATH {
                    return false;
                }
                let mut headers: Vec<(String, String)> = request
                    .headers_vec()
                    .iter()
                    .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                    .collect();
                headers.sort();
                let body = request.body_vec();
                record.lock().expect("not poisoned").push(Seen {
                    method: request.method_str().to_string(),
                    uri: request.uri().to_string(),
                    headers,
                    body: (!body.is_empty())
                        .then(|| serde_json::from_slice(&body).expect("a JSON body")),
                });
                true
            });
            let then = then.status(status);
            if let Some(answer) = answer {
                then.header("content-type", "application/json")
                    .json_body(answer);
            }
        })
        .await;
    seen
}

fn client(server: &MockServer) -> Client {
    Client::builder()
        .environment(Environment::custom(server.base_url()).expect("a URL"))
        .credentials(Credentials::new(CLIENT_ID, SECRET))
        .build()
        .expect("configured")
}

/// The requests recorded since the last call, cleared.
fn take(seen: &Arc<Mutex<Vec<Seen>>>) -> Vec<Seen> {
    std::mem::take(&mut *seen.lock().expect("not poisoned"))
}

/// Runs the command, then returns what it sent (it must have succeeded).
async fn command_sends(
    seen: &Arc<Mutex<Vec<Seen>>>,
    server: &MockServer,
    args: &[&str],
) -> Vec<Seen> {
    let root = server.base_url();
    let mut full = vec!["--env", root.as_str()];
    full.extend_from_slice(args);
    let output = run(with_credentials(CLIENT_ID, SECRET), &full).await;
    assert_eq!(status(&output), Some(0), "{}", stderr(&output));
    let sent = take(seen);
    assert!(!sent.is_empty(), "the command sent nothing");
    sent
}

#[tokio::test(flavor = "multi_thread")]
async fn eligibility_query_matches_the_facade_call() {
    let server = MockServer::start_async().await;
    let seen = recording_gateway(&server, 200, Some(serde_json::json!({"solutions": []}))).await;
    let by_command = command_sends(
        &seen,
        &server,
        &[
            "e-financing",
            "eligible-solutions",
            "list",
            "--buyer-billing-country",
            "FR",
            "--financed-amount",
            "1249.90",
        ],
    )
    .await;
    client(&server)
        .e_financing_v1_7_1()
        .get_eligible_product_services()
        .buyer_billing_country("FR")
        .financed_amount("1249.90".parse::<Amount>().expect("an amount"))
        .send()
        .await
        .expect("the facade call succeeds");
    let by_facade = take(&seen);
    assert_eq!(by_command, by_facade);
    assert!(
        by_command[0].uri.contains("financedAmount=1249.9"),
        "{by_command:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cancellation_body_from_a_file_matches_the_facade_call() {
    let server = MockServer::start_async().await;
    let seen = recording_gateway(
        &server,
        200,
        Some(serde_json::json!({"financedAmount": 1149.4, "status": "CANCEL_PART_ACCEPTED"})),
    )
    .await;
    let dir = tempfile::tempdir().expect("a temp dir");
    let body = dir.path().join("cancel.json");
    std::fs::write(
        &body,
        r#"{"cancelledAmount": 100.5, "cancellationReason": "one item returned"}"#,
    )
    .expect("written");
    let id = "5f0c2d5e-8a51-4c0e-9d3e-6f1b2a7c9e40";
    let by_command = command_sends(
        &seen,
        &server,
        &[
            "e-financing",
            "subscriptions",
            "cancel",
            "--credit-subscription-id",
            id,
            "--json-body",
            body.to_str().expect("a UTF-8 path"),
        ],
    )
    .await;
    use scalexpert::e_financing::v1_7_1::types::CreditCancellationDto;
    client(&server)
        .e_financing_v1_7_1()
        .cancel_credit_subscription()
        .credit_subscription_id(id.parse::<uuid::Uuid>().expect("a UUID"))
        .body(
            CreditCancellationDto::builder()
                .cancelled_amount(Some("100.5".parse::<Amount>().expect("an amount")))
                .cancellation_reason(Some("one item returned".to_string())),
        )
        .send()
        .await
        .expect("the facade call succeeds");
    assert_eq!(by_command, take(&seen));
    assert_eq!(
        by_command[0].body,
        Some(
            serde_json::json!({"cancelledAmount": 100.5, "cancellationReason": "one item returned"})
        )
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_psp_delivery_from_flags_matches_the_facade_call() {
    let server = MockServer::start_async().await;
    let seen = recording_gateway(&server, 204, None).await;
    let id = "0e6f4c1a-2b3d-4e5f-8a9b-0c1d2e3f4a5b";
    let by_command = command_sends(
        &seen,
        &server,
        &[
            "--merchant",
            "SHOP-0042",
            "e-financing",
            "subscriptions",
            "confirm-delivery",
            "--credit-subscription-id",
            id,
            "--is-delivered",
            "true",
            "--operator",
            "UPS",
            "--tracking-number",
            "1Z999AA10123456784",
        ],
    )
    .await;
    use scalexpert::e_financing::v1_7_1::types::{
        ConfirmDeliveryRequest, ConfirmDeliveryRequestOperator,
    };
    client(&server)
        .for_merchant("SHOP-0042")
        .expect("a valid reference")
        .e_financing_v1_7_1()
        .do_confirm_delivery()
        .credit_subscription_id(id.parse::<uuid::Uuid>().expect("a UUID"))
        .body(
            ConfirmDeliveryRequest::builder()
                .is_delivered(true)
                .operator(Some(ConfirmDeliveryRequestOperator::Ups))
                .tracking_number(Some(
                    "1Z999AA10123456784".try_into().expect("a tracking number"),
                )),
        )
        .send()
        .await
        .expect("the facade call succeeds");
    assert_eq!(by_command, take(&seen));
    let merchant = by_command[0]
        .headers
        .iter()
        .find(|(name, _)| name == scalexpert::MERCHANT_HEADER.as_str())
        .map(|(_, value)| value.as_str());
    assert_eq!(merchant, Some("SHOP-0042"));
}

#[tokio::test(flavor = "multi_thread")]
async fn webhook_event_commands_match_the_facade_calls() {
    let server = MockServer::start_async().await;
    let seen = recording_gateway(
        &server,
        200,
        Some(serde_json::json!({
            "eventId": "0b6e2f4a-3c1d-4e8b-9a57-d2f1c8e06b3a",
            "totalEventCount": 0,
            "events": [],
        })),
    )
    .await;
    let trigger = command_sends(
        &seen,
        &server,
        &["merchant-webhooks", "events", "trigger-test"],
    )
    .await;
    let api = client(&server).merchant_webhooks_v1_0_6();
    api.trigger_event_hello_world_for_merchant()
        .send()
        .await
        .expect("the facade call succeeds");
    assert_eq!(trigger, take(&seen));

    let list = command_sends(
        &seen,
        &server,
        &[
            "merchant-webhooks",
            "events",
            "list",
            "--status",
            "ERROR",
            "--page-size",
            "5",
        ],
    )
    .await;
    use scalexpert::merchant_webhooks::v1_0_6::types::FindWebhookEventsForMerchantStatus;
    api.find_webhook_events_for_merchant()
        .status(FindWebhookEventsForMerchantStatus::Error)
        .page_size(5_i64)
        .send()
        .await
        .expect("the facade call succeeds");
    assert_eq!(list, take(&seen));
    assert!(list[0].uri.contains("status=ERROR"), "{list:?}");
}
