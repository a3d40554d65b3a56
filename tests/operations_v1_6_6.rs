//! e-financing 1.6.6 through the facade: every operation sends what the spec defines and decodes
//! what the spec documents; values breaking the spec are refused before anything is sent.
#![cfg(feature = "e-financing-1_6_6")]

mod support;

shared_operation_tests! {
    version: "1.6.6",
    api: e_financing_v1_6_6,
    module: v1_6_6,
    simulate: credit_simulation = "creditSimulation",
    language: ["fr-FR"],
    pending_cancellation_statuses_known: true,
}

confirm_return_tests! {
    version: "1.6.6",
    api: e_financing_v1_6_6,
    module: v1_6_6,
}

#[test]
fn every_operation_of_the_spec_has_tests_here() {
    let mut ids = spec().operation_ids();
    ids.sort();
    assert_eq!(
        ids,
        [
            "cancelCreditSubscription",
            "creditSimulation",
            "doConfirmDelivery",
            "doConfirmReturn",
            "getEligibleProductServices",
            "initiateCreditSubscription",
            "retrieveCreditSubscription",
            "retrieveCreditSubscriptionForSpecificMerchant",
        ]
    );
}

/// `initiateCreditSubscription` with the spec's example body and `language=fr-FR`.
async fn initiate(
    gateway: &Gateway,
    body: serde_json::Value,
) -> Result<types::InitiateCreditSubscriptionResponse, scalexpert::Error> {
    let api = gateway.client().e_financing_v1_6_6();
    Ok(initiate_call(&api)
        .body(JsonBody(body))
        .send()
        .await?
        .into_inner())
}

fn initiate_example() -> serde_json::Value {
    spec().request_example("initiateCreditSubscription")
}

#[tokio::test]
async fn initiate_refuses_names_longer_than_350_characters_or_empty_before_sending() {
    assert!(types::ContactFirstName::try_from("C".repeat(351)).is_err());
    assert!(types::ContactFirstName::try_from("C".repeat(350)).is_ok());
    assert!(types::ContactLastName::try_from("").is_err());

    let gateway = Gateway::expecting_nothing();
    for (pointer, value, complaint) in [
        (
            "/buyers/0/contact/firstName",
            "C".repeat(351),
            "longer than 350",
        ),
        (
            "/buyers/0/billingContact/lastName",
            String::new(),
            "shorter than 1",
        ),
        (
            "/buyers/0/deliveryContact/firstName",
            String::new(),
            "shorter than 1",
        ),
    ] {
        let result = initiate(&gateway, with(initiate_example(), pointer, value)).await;
        assert_invalid_request(result, &["InitiateCreditSubscriptionRequest", complaint]);
    }
    gateway.assert_nothing_received();
}

#[tokio::test]
async fn initiate_refuses_address_fields_beyond_their_limits_before_sending() {
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
            "/buyers/0/deliveryAddress/countryCode",
            "F".to_string(),
            "shorter than 2",
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
            String::new(),
            "shorter than 1",
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
        &spec,
        "initiateCreditSubscription",
        &recorder.only_request(),
        Expected {
            query: &[("language", "fr-FR")],
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
