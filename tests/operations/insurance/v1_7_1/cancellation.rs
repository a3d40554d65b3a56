//! `cancelInsuranceSubscriptions`: `POST /subscriptions/{insuranceSubscriptionId}/_cancel`.

use super::{api, api_error, spec, SUBSCRIPTION_ID};
use crate::support::{assert_invalid_request, assert_request, Expected, Gateway, JsonBody};
use serde_json::json;

#[tokio::test]
async fn cancel_posts_the_spec_example_to_the_subscription_and_accepts_204() {
    let spec = spec();
    let op = "cancelInsuranceSubscriptions";
    let request = spec.request_example(op);
    let gateway = Gateway::start();
    let recorder = gateway.answer(204, None);

    let response = api(&gateway)
        .cancel_insurance_subscriptions()
        .insurance_subscription_id(SUBSCRIPTION_ID)
        .body(JsonBody(request.clone()))
        .send()
        .await
        .expect("204 without a body is success");

    assert_eq!(response.status(), 204);
    assert_request(
        spec,
        op,
        &recorder,
        Expected {
            path_params: &[("insuranceSubscriptionId", SUBSCRIPTION_ID)],
            body: Some(&request),
            ..Expected::NOTHING
        },
    );
}

#[tokio::test]
async fn cancel_built_with_the_typed_builder_without_an_origin_sends_an_empty_object() {
    let gateway = Gateway::start();
    let recorder = gateway.answer(204, None);

    api(&gateway)
        .cancel_insurance_subscriptions()
        .insurance_subscription_id(SUBSCRIPTION_ID)
        .body_map(|b| b)
        .send()
        .await
        .expect("cancellation accepted");

    assert_request(
        spec(),
        "cancelInsuranceSubscriptions",
        &recorder,
        Expected {
            path_params: &[("insuranceSubscriptionId", SUBSCRIPTION_ID)],
            body: Some(&json!({})),
            ..Expected::NOTHING
        },
    );
}

#[tokio::test]
async fn cancel_of_a_policy_no_longer_cancellable_gives_the_spec_error_body_typed() {
    // Only a SUBSCRIBED policy can be cancelled; an ACTIVATED one gets the spec's 400.
    let spec = spec();
    let example = spec.response_example("cancelInsuranceSubscriptions", "400");
    let gateway = Gateway::start();
    let _recorder = gateway.answer(400, Some(example));

    let result = api(&gateway)
        .cancel_insurance_subscriptions()
        .insurance_subscription_id(SUBSCRIPTION_ID)
        .body(JsonBody(
            spec.request_example("cancelInsuranceSubscriptions"),
        ))
        .send()
        .await;

    let error = api_error(result);
    assert_eq!(error.status.as_u16(), 400);
    assert!(error.to_string().contains("cannot be cancelled"), "{error}");
}

#[tokio::test]
async fn cancel_refuses_an_id_that_is_not_a_uuid_before_sending() {
    let gateway = Gateway::expecting_nothing();

    let result = api(&gateway)
        .cancel_insurance_subscriptions()
        .insurance_subscription_id("c5c964cd-37dc-4caa")
        .body(JsonBody(
            spec().request_example("cancelInsuranceSubscriptions"),
        ))
        .send()
        .await;

    assert_invalid_request(result, &["insurance_subscription_id"]);
    gateway.assert_nothing_received();
}
