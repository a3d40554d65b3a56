//! `initiateCreditSubscription`: `POST /subscriptions`, what every version shares.

use super::{api, initiate_call, spec, INITIATE_QUERY};
use crate::support::{
    amount, assert_invalid_request, assert_request, assert_round_trips, with, without, Expected,
    Gateway, JsonBody,
};

#[tokio::test]
async fn initiate_posts_the_spec_example_and_decodes_the_created_subscription() {
    let spec = spec();
    let op = "initiateCreditSubscription";
    let request = spec.request_example(op);
    let example = spec.response_example(op, "201");
    let gateway = Gateway::start();
    let recorder = gateway.answer(201, Some(example.clone()));

    let client = api(&gateway);
    let created = initiate_call(&client)
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
            query: INITIATE_QUERY,
            body: Some(&request),
            ..Expected::NOTHING
        },
    );
    assert_eq!(created.id.to_string(), example["id"]);
    let redirect = created
        .redirect
        .as_ref()
        .expect("the example has a redirect");
    assert_eq!(
        redirect.type_.as_ref().map(ToString::to_string).as_deref(),
        example["redirect"]["type"].as_str()
    );
    assert_eq!(
        redirect.value.as_deref(),
        example["redirect"]["value"].as_str()
    );
    assert_round_trips(&created, &example, "creation example");
}

#[tokio::test]
async fn initiate_keeps_a_redirect_type_the_spec_does_not_list_as_unknown() {
    let example = spec().response_example("initiateCreditSubscription", "201");
    let gateway = Gateway::start();
    let _recorder = gateway.answer(201, Some(with(example, "/redirect/type", "iframe")));

    let client = api(&gateway);
    let created = initiate_call(&client)
        .body(JsonBody(
            spec().request_example("initiateCreditSubscription"),
        ))
        .send()
        .await
        .expect("a new redirect kind must not fail decoding")
        .into_inner();

    let redirect = created.redirect.expect("redirect");
    assert_eq!(
        redirect.type_.as_ref().and_then(|t| t.as_unknown()),
        Some("iframe")
    );
}

#[tokio::test]
async fn initiate_refuses_a_body_missing_required_members_before_sending() {
    let gateway = Gateway::expecting_nothing();
    let example = spec().request_example("initiateCreditSubscription");
    for (pointer, member) in [
        ("/merchantUrls", "merchantUrls"),
        ("/solutionCode", "solutionCode"),
        ("/buyers/0/billingAddress", "billingAddress"),
        ("/basketDetails/basketItems/0/price", "price"),
    ] {
        let client = api(&gateway);
        let result = initiate_call(&client)
            .body(JsonBody(without(example.clone(), pointer)))
            .send()
            .await;
        assert_invalid_request(result, &["InitiateCreditSubscriptionRequest", member]);
    }

    // With the typed builder, leaving out a required member is refused the same way.
    let client = api(&gateway);
    let result = initiate_call(&client)
        .body_map(|b| {
            b.solution_code("SCFRSP-4XTS")
                .financed_amount(amount("1249.90"))
        })
        .send()
        .await;
    assert_invalid_request(result, &["no value supplied for basket_details"]);

    gateway.assert_nothing_received();
}

#[tokio::test]
async fn initiate_refuses_a_title_outside_the_enum_before_sending() {
    let gateway = Gateway::expecting_nothing();
    let example = spec().request_example("initiateCreditSubscription");
    let request = with(example, "/buyers/0/contact/commonTitle", "MS");

    let client = api(&gateway);
    let result = initiate_call(&client).body(JsonBody(request)).send().await;

    assert_invalid_request(result, &["InitiateCreditSubscriptionRequest", "MS"]);
    gateway.assert_nothing_received();
}
