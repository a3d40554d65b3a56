//! `doConfirmDelivery`: `POST /subscriptions/{creditSubscriptionId}/_confirmDelivery`.

use super::{api, spec, types};
use crate::support::{
    assert_invalid_request, assert_request, with, Expected, Gateway, JsonBody, SUBSCRIPTION_ID,
};
use serde_json::json;

#[tokio::test]
async fn confirm_delivery_posts_the_spec_example_to_the_subscription_and_accepts_204() {
    let spec = spec();
    let op = "doConfirmDelivery";
    let request = spec.request_example(op);
    let gateway = Gateway::start();
    let recorder = gateway.answer(204, None);

    let response = api(&gateway)
        .do_confirm_delivery()
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
async fn confirm_delivery_built_with_the_typed_builder_sends_only_the_flag() {
    let spec = spec();
    let gateway = Gateway::start();
    let recorder = gateway.answer(204, None);

    api(&gateway)
        .do_confirm_delivery()
        .credit_subscription_id(SUBSCRIPTION_ID)
        .body_map(|b| b.is_delivered(true))
        .send()
        .await
        .expect("delivery confirmed");

    assert_request(
        spec,
        "doConfirmDelivery",
        &recorder,
        Expected {
            path_params: &[("creditSubscriptionId", SUBSCRIPTION_ID)],
            body: Some(&json!({"isDelivered": true})),
            ..Expected::NOTHING
        },
    );
}

#[tokio::test]
async fn confirm_delivery_refuses_a_carrier_outside_the_enum_before_sending() {
    use types::ConfirmDeliveryRequestOperator as Operator;
    assert!(Operator::try_from("POSTNL").is_err());
    assert_eq!(Operator::try_from("LA_POSTE").ok(), Some(Operator::LaPoste));

    let gateway = Gateway::expecting_nothing();
    let request = with(
        spec().request_example("doConfirmDelivery"),
        "/operator",
        "POSTNL",
    );
    let result = api(&gateway)
        .do_confirm_delivery()
        .credit_subscription_id(SUBSCRIPTION_ID)
        .body(JsonBody(request))
        .send()
        .await;

    assert_invalid_request(result, &["ConfirmDeliveryRequest", "POSTNL"]);
    gateway.assert_nothing_received();
}

#[tokio::test]
async fn confirm_delivery_refuses_a_missing_delivered_flag_before_sending() {
    let gateway = Gateway::expecting_nothing();

    let result = api(&gateway)
        .do_confirm_delivery()
        .credit_subscription_id(SUBSCRIPTION_ID)
        .body_map(|b| b.operator(types::ConfirmDeliveryRequestOperator::Dhl))
        .send()
        .await;

    assert_invalid_request(result, &["is_delivered"]);
    gateway.assert_nothing_received();
}
