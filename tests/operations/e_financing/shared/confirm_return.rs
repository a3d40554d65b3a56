//! `doConfirmReturn`: `POST /subscriptions/{creditSubscriptionId}/_confirmReturn`, added in
//! 1.6.0 and unchanged since.

use super::{api, spec, types};
use crate::support::{
    assert_invalid_request, assert_request, Expected, Gateway, JsonBody, SUBSCRIPTION_ID,
};
use serde_json::json;

crate::json_bodies!(types::ConfirmReturnRequest);

#[tokio::test]
async fn confirm_return_posts_the_spec_example_to_the_subscription_and_accepts_204() {
    let spec = spec();
    let op = "doConfirmReturn";
    let request = spec.request_example(op);
    let gateway = Gateway::start();
    let recorder = gateway.answer(204, None);

    let response = api(&gateway)
        .do_confirm_return()
        .credit_subscription_id(SUBSCRIPTION_ID)
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
            path_params: &[("creditSubscriptionId", SUBSCRIPTION_ID)],
            body: Some(&request),
            ..Expected::NOTHING
        },
    );
}

#[tokio::test]
async fn confirm_return_built_with_the_typed_builder_sends_the_flag_it_was_given() {
    let spec = spec();
    let gateway = Gateway::start();
    let recorder = gateway.answer(204, None);

    api(&gateway)
        .do_confirm_return()
        .credit_subscription_id(SUBSCRIPTION_ID)
        .body_map(|b| b.is_returned(false))
        .send()
        .await
        .expect("return reported");

    assert_request(
        spec,
        "doConfirmReturn",
        &recorder,
        Expected {
            path_params: &[("creditSubscriptionId", SUBSCRIPTION_ID)],
            body: Some(&json!({"isReturned": false})),
            ..Expected::NOTHING
        },
    );
}

#[tokio::test]
async fn confirm_return_refuses_a_missing_returned_flag_before_sending() {
    let gateway = Gateway::expecting_nothing();

    let built = api(&gateway)
        .do_confirm_return()
        .credit_subscription_id(SUBSCRIPTION_ID)
        .send()
        .await;
    assert_invalid_request(built, &["is_returned"]);

    let from_json = api(&gateway)
        .do_confirm_return()
        .credit_subscription_id(SUBSCRIPTION_ID)
        .body(JsonBody(json!({})))
        .send()
        .await;
    assert_invalid_request(from_json, &["isReturned"]);

    gateway.assert_nothing_received();
}

#[tokio::test]
async fn confirm_return_refuses_an_id_that_is_not_a_uuid_before_sending() {
    let gateway = Gateway::expecting_nothing();

    let result = api(&gateway)
        .do_confirm_return()
        .credit_subscription_id("not-a-subscription")
        .body_map(|b| b.is_returned(true))
        .send()
        .await;

    assert_invalid_request(result, &["credit_subscription_id"]);
    gateway.assert_nothing_received();
}
