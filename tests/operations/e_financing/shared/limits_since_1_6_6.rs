//! The buyer constraints 1.6.6 introduced and 1.7.x kept: upper lengths on names and address
//! fields, a mandatory `commonTitle`, up to 100 buyers, and no phone or email pattern.

use super::calls::{initiate, initiate_example};
use super::{spec, types, INITIATE_QUERY};
use crate::support::{assert_invalid_request, assert_request, with, without, Expected, Gateway};

#[tokio::test]
async fn initiate_refuses_names_longer_than_350_characters_before_sending() {
    assert!(types::ContactFirstName::try_from("C".repeat(351)).is_err());
    assert!(types::ContactFirstName::try_from("C".repeat(350)).is_ok());
    assert!(types::ContactLastName::try_from("M".repeat(351)).is_err());

    let gateway = Gateway::expecting_nothing();
    for pointer in [
        "/buyers/0/contact/firstName",
        "/buyers/0/billingContact/lastName",
    ] {
        let result = initiate(&gateway, with(initiate_example(), pointer, "C".repeat(351))).await;
        assert_invalid_request(
            result,
            &["InitiateCreditSubscriptionRequest", "longer than 350"],
        );
    }
    gateway.assert_nothing_received();
}

#[tokio::test]
async fn initiate_refuses_address_fields_longer_than_their_limits_before_sending() {
    let gateway = Gateway::expecting_nothing();
    for (pointer, value, complaint) in [
        (
            "/buyers/0/contactAddress/zipCode",
            "6".repeat(17),
            "longer than 16",
        ),
        (
            "/buyers/0/billingAddress/countryCode",
            "FRA".to_string(),
            "longer than 2",
        ),
        (
            "/buyers/0/contactAddress/streetName",
            "r".repeat(141),
            "longer than 140",
        ),
        (
            "/buyers/0/billingAddress/cityName",
            "L".repeat(141),
            "longer than 140",
        ),
        (
            "/buyers/0/deliveryAddress/regionName",
            "R".repeat(141),
            "longer than 140",
        ),
    ] {
        let result = initiate(&gateway, with(initiate_example(), pointer, value)).await;
        assert_invalid_request(result, &["InitiateCreditSubscriptionRequest", complaint]);
    }
    gateway.assert_nothing_received();
}

#[tokio::test]
async fn initiate_refuses_a_contact_without_the_title_1_6_6_made_mandatory() {
    let gateway = Gateway::expecting_nothing();

    let result = initiate(
        &gateway,
        without(initiate_example(), "/buyers/0/billingContact/commonTitle"),
    )
    .await;

    assert_invalid_request(
        result,
        &["InitiateCreditSubscriptionRequest", "commonTitle"],
    );
    gateway.assert_nothing_received();
}

#[tokio::test]
async fn initiate_sends_values_1_6_6_no_longer_constrains() {
    // 1.6.6 dropped the phone and email patterns and the 32-character city limit, and allows up
    // to 100 buyers: the client must not refuse what the server now accepts.
    let spec = spec();
    let mut body = initiate_example();
    body = with(body, "/buyers/0/contact/mobilePhoneNumber", "0612345678");
    body = with(body, "/buyers/0/contact/email", "claire@localhost");
    body = with(body, "/buyers/0/contactAddress/cityName", "L".repeat(60));
    let second_buyer = body["buyers"][0].clone();
    body["buyers"]
        .as_array_mut()
        .expect("buyers")
        .push(second_buyer);
    let gateway = Gateway::start();
    let recorder = gateway.answer(
        201,
        Some(spec.response_example("initiateCreditSubscription", "201")),
    );

    initiate(&gateway, body.clone())
        .await
        .expect("accepted by the client");

    assert_request(
        spec,
        "initiateCreditSubscription",
        &recorder,
        Expected {
            query: INITIATE_QUERY,
            body: Some(&body),
            ..Expected::NOTHING
        },
    );
}

#[tokio::test]
// `bounded_request_arrays` makes the generated type check the spec's maxItems.
async fn initiate_refuses_more_than_100_buyers_before_sending() {
    let gateway = Gateway::expecting_nothing();
    let mut body = initiate_example();
    let buyer = body["buyers"][0].clone();
    body["buyers"] = serde_json::Value::Array(vec![buyer; 101]);

    let result = initiate(&gateway, body).await;

    assert_invalid_request(result, &["InitiateCreditSubscriptionRequest", "100"]);
    gateway.assert_nothing_received();
}
