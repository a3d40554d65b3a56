//! e-financing 1.4.0 through the facade: every operation sends what the spec defines and decodes
//! what the spec documents; values breaking the spec are refused before anything is sent.
#![cfg(feature = "e-financing-1_4_0")]

mod support;

shared_operation_tests! {
    version: "1.4.0",
    api: e_financing_v1_4_0,
    module: v1_4_0,
    simulate: simulate_solution = "simulateSolution",
    // 1.4.0 has no `language` parameter on subscription creation.
    language: [],
    pending_cancellation_statuses_known: false,
}

#[test]
fn every_operation_of_the_spec_has_tests_here() {
    let mut ids = spec().operation_ids();
    ids.sort();
    assert_eq!(
        ids,
        [
            "cancelCreditSubscription",
            "doConfirmDelivery",
            "getEligibleProductServices",
            "initiateCreditSubscription",
            "retrieveCreditSubscription",
            "retrieveCreditSubscriptionForSpecificMerchant",
            "simulateSolution",
        ]
    );
}

/// `initiateCreditSubscription` with `body` as the JSON body.
async fn initiate(
    gateway: &Gateway,
    body: serde_json::Value,
) -> Result<types::InitiateCreditSubscriptionResponse, scalexpert::Error> {
    let api = gateway.client().e_financing_v1_4_0();
    Ok(initiate_call(&api)
        .body(JsonBody(body))
        .send()
        .await?
        .into_inner())
}

#[tokio::test]
async fn retrieve_subscription_decodes_the_client_and_merchant_ids_only_1_4_0_returns() {
    let example = spec().response_example("retrieveCreditSubscription", "200");
    let gateway = Gateway::start();
    let _recorder = gateway.answer(200, Some(example.clone()));

    let subscription = gateway
        .client()
        .e_financing_v1_4_0()
        .retrieve_credit_subscription()
        .credit_subscription_id(SUBSCRIPTION_ID)
        .send()
        .await
        .expect("the spec example decodes")
        .into_inner();

    assert_eq!(subscription.client_id.to_string(), example["clientId"]);
    assert_eq!(subscription.merchant_id.to_string(), example["merchantId"]);
}

#[tokio::test]
async fn confirm_delivery_takes_any_id_since_1_4_0_declares_no_uuid_format_and_escapes_it() {
    // Only this operation of 1.4.0 leaves creditSubscriptionId untyped; the id still has to be
    // percent-encoded into a single path segment.
    let spec = spec();
    let gateway = Gateway::start();
    let recorder = gateway.answer(204, None);

    gateway
        .client()
        .e_financing_v1_4_0()
        .do_confirm_delivery()
        .credit_subscription_id("SUB 42/A")
        .body_map(|b| b.is_delivered(true))
        .send()
        .await
        .expect("delivery confirmed");

    assert_request(
        &spec,
        "doConfirmDelivery",
        &recorder.only_request(),
        Expected {
            path_params: &[("creditSubscriptionId", "SUB%2042%2FA")],
            body: Some(&json!({"isDelivered": true})),
            ..Expected::NOTHING
        },
    );
}

#[tokio::test]
async fn initiate_refuses_a_solution_code_outside_its_pattern_before_sending() {
    // `^\w{6}-\w{4}$|^\w{6}$`: six word characters, optionally a dash and four more.
    for valid in ["SCDELT", "SCFRSP-4XTS"] {
        assert!(types::InitiateCreditSubscriptionRequestSolutionCode::try_from(valid).is_ok());
    }

    let gateway = Gateway::expecting_nothing();
    let example = spec().request_example("initiateCreditSubscription");
    for invalid in ["SCFRSP-4XTS-2", "SCFR", "SCFRSP_4XTS"] {
        let result = initiate(&gateway, with(example.clone(), "/solutionCode", invalid)).await;
        assert_invalid_request(
            result,
            &["InitiateCreditSubscriptionRequest", "doesn't match pattern"],
        );
    }

    // Through the typed builder, starting from the valid example, the same check refuses it.
    let valid: types::InitiateCreditSubscriptionRequest =
        serde_json::from_value(example).expect("the spec example is valid");
    let api = gateway.client().e_financing_v1_4_0();
    let result = initiate_call(&api)
        .body(valid)
        .body_map(|b| b.solution_code("SCFR"))
        .send()
        .await;
    assert_invalid_request(result, &["solution_code", "doesn't match pattern"]);

    gateway.assert_nothing_received();
}

#[tokio::test]
async fn initiate_refuses_an_email_without_a_dotted_domain_before_sending() {
    assert!(types::ContactEmail::try_from("claire.martin@example.fr").is_ok());
    let gateway = Gateway::expecting_nothing();
    let example = spec().request_example("initiateCreditSubscription");

    let result = initiate(
        &gateway,
        with(example, "/buyers/0/contact/email", "claire@localhost"),
    )
    .await;

    assert_invalid_request(
        result,
        &["InitiateCreditSubscriptionRequest", "doesn't match pattern"],
    );
    gateway.assert_nothing_received();
}

#[tokio::test]
async fn initiate_refuses_a_contact_without_the_title_1_4_0_requires() {
    let gateway = Gateway::expecting_nothing();
    let example = spec().request_example("initiateCreditSubscription");

    let result = initiate(
        &gateway,
        without(example, "/buyers/0/deliveryContact/commonTitle"),
    )
    .await;

    assert_invalid_request(
        result,
        &["InitiateCreditSubscriptionRequest", "commonTitle"],
    );
    gateway.assert_nothing_received();
}

one_buyer_only_tests!();
