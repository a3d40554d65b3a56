//! `cancelCreditSubscription`: `POST /subscriptions/{creditSubscriptionId}/_cancel`.

use super::{api, spec, REQUEST_CANCELLATION_IS_LISTED, VERSION};
use crate::support::{
    amount, amount_of, assert_invalid_request, assert_request, assert_round_trips, Expected,
    Gateway, JsonBody, SUBSCRIPTION_ID,
};
use serde_json::json;

#[tokio::test]
async fn cancel_posts_the_spec_example_and_decodes_the_lender_answer() {
    let spec = spec();
    let op = "cancelCreditSubscription";
    let request = spec.request_example(op);
    let example = spec.response_example(op, "200");
    let gateway = Gateway::start();
    let recorder = gateway.answer(200, Some(example.clone()));

    let answer = api(&gateway)
        .cancel_credit_subscription()
        .credit_subscription_id(SUBSCRIPTION_ID)
        .body(JsonBody(request.clone()))
        .send()
        .await
        .expect("the spec example decodes")
        .into_inner();

    assert_request(
        spec,
        op,
        &recorder,
        Expected {
            path_params: &[("creditSubscriptionId", SUBSCRIPTION_ID)],
            body: Some(&request),
            ..Expected::NOTHING
        },
    );
    assert_eq!(
        answer.financed_amount,
        Some(amount_of(&example["financedAmount"]))
    );
    assert_eq!(
        answer.status.as_ref().map(ToString::to_string).as_deref(),
        example["status"].as_str()
    );
    assert!(answer.status.as_ref().and_then(|s| s.known()).is_some());
    assert_round_trips(&answer, &example, "cancellation example");
}

#[tokio::test]
async fn cancel_for_a_partial_amount_built_with_the_typed_builder_sends_only_what_was_set() {
    let spec = spec();
    let gateway = Gateway::start();
    let recorder = gateway.answer(
        200,
        Some(json!({"financedAmount": 999.9, "status": "ACCEPTED"})),
    );

    let answer = api(&gateway)
        .cancel_credit_subscription()
        .credit_subscription_id(SUBSCRIPTION_ID)
        .body_map(|b| {
            b.cancelled_amount(amount("250.00"))
                .cancellation_reason("Damaged on arrival".to_string())
        })
        .send()
        .await
        .expect("partial cancellation accepted")
        .into_inner();

    assert_request(
        spec,
        "cancelCreditSubscription",
        &recorder,
        Expected {
            path_params: &[("creditSubscriptionId", SUBSCRIPTION_ID)],
            body: Some(&json!({
                "cancelledAmount": 250.0,
                "cancellationReason": "Damaged on arrival"
            })),
            ..Expected::NOTHING
        },
    );
    assert_eq!(answer.financed_amount, Some(amount("999.90")));
}

#[tokio::test]
async fn cancel_keeps_a_status_the_spec_does_not_list_as_unknown() {
    let gateway = Gateway::start();
    let _recorder = gateway.answer(
        200,
        Some(json!({"financedAmount": 0, "status": "CANCEL_UNDER_REVIEW"})),
    );

    let answer = api(&gateway)
        .cancel_credit_subscription()
        .credit_subscription_id(SUBSCRIPTION_ID)
        .body(JsonBody(spec().request_example("cancelCreditSubscription")))
        .send()
        .await
        .expect("an unlisted status must not fail decoding")
        .into_inner();

    assert_eq!(
        answer.status.as_ref().and_then(|s| s.as_unknown()),
        Some("CANCEL_UNDER_REVIEW")
    );
}

#[tokio::test]
async fn cancel_decodes_request_cancellation_as_known_exactly_from_1_5_2_on() {
    // Lenders that decide later first answer REQUEST_CANCELLATION, which 1.5.2 added to
    // the enum: known from then on, and still decodable (as unknown) with 1.4.0.
    let gateway = Gateway::start();
    let _recorder = gateway.answer(
        200,
        Some(json!({"financedAmount": 1249.9, "status": "REQUEST_CANCELLATION"})),
    );

    let answer = api(&gateway)
        .cancel_credit_subscription()
        .credit_subscription_id(SUBSCRIPTION_ID)
        .body(JsonBody(spec().request_example("cancelCreditSubscription")))
        .send()
        .await
        .expect("a pending answer decodes")
        .into_inner();

    let status = answer.status.expect("status");
    assert_eq!(status.to_string(), "REQUEST_CANCELLATION");
    assert_eq!(
        status.known().is_some(),
        REQUEST_CANCELLATION_IS_LISTED,
        "{}",
        VERSION
    );
}

#[tokio::test]
async fn cancel_refuses_an_id_that_is_not_a_uuid_before_sending() {
    let gateway = Gateway::expecting_nothing();

    let result = api(&gateway)
        .cancel_credit_subscription()
        .credit_subscription_id("73a91eda-b559-46d1-b2a3")
        .body(JsonBody(spec().request_example("cancelCreditSubscription")))
        .send()
        .await;

    assert_invalid_request(result, &["credit_subscription_id"]);
    gateway.assert_nothing_received();
}
