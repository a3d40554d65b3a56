//! e-financing 1.4.0: every operation sends what the spec defines and decodes what the spec
//! documents; values breaking the spec are refused before anything is sent.

use crate::support::{
    assert_invalid_request, assert_request, operation_ids_of, with, without, Expected, Gateway,
    Spec, E_FINANCING, SUBSCRIPTION_ID,
};
use generated::{builder, types, Client};
use scalexpert::e_financing::v1_4_0 as generated;
use serde_json::json;
use std::sync::OnceLock;

const VERSION: &str = "1.4.0";
const SIMULATION: &str = "simulateSolution";
// 1.4.0 has no `language` parameter on subscription creation.
const INITIATE_QUERY: &[(&str, &str)] = &[];
const REQUEST_CANCELLATION_IS_LISTED: bool = false;

fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec::new(&E_FINANCING, VERSION, generated::SPEC))
}

fn api(gateway: &Gateway) -> Client {
    gateway.client().e_financing_v1_4_0()
}

fn simulate(api: &Client) -> builder::SimulateSolution<'_> {
    api.simulate_solution()
}

fn initiate_call(api: &Client) -> builder::InitiateCreditSubscription<'_> {
    api.initiate_credit_subscription()
}

#[path = "shared/calls.rs"]
mod calls;
#[path = "shared/cancellation.rs"]
mod cancellation;
#[path = "shared/delivery.rs"]
mod delivery;
#[path = "shared/eligibility.rs"]
mod eligibility;
#[path = "shared/initiation.rs"]
mod initiation;
#[path = "shared/listing.rs"]
mod listing;
#[path = "shared/one_buyer.rs"]
mod one_buyer;
#[path = "shared/retrieval.rs"]
mod retrieval;
#[path = "shared/simulation.rs"]
mod simulation;
#[path = "shared/tracking_number_1_to_100.rs"]
mod tracking_number_1_to_100;

use calls::{initiate, initiate_example};

#[test]
fn every_operation_of_the_spec_has_tests_here() {
    assert_eq!(
        operation_ids_of(spec(), generated::OPERATIONS),
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

#[tokio::test]
async fn retrieve_subscription_decodes_the_client_and_merchant_ids_only_1_4_0_returns() {
    let example = spec().response_example("retrieveCreditSubscription", "200");
    let gateway = Gateway::start();
    let _recorder = gateway.answer(200, Some(example.clone()));

    let subscription = api(&gateway)
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
    let gateway = Gateway::start();
    let recorder = gateway.answer(204, None);

    api(&gateway)
        .do_confirm_delivery()
        .credit_subscription_id("SUB 42/A")
        .body_map(|b| b.is_delivered(true))
        .send()
        .await
        .expect("delivery confirmed");

    assert_request(
        spec(),
        "doConfirmDelivery",
        &recorder,
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
    let example = initiate_example();
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
    let client = api(&gateway);
    let result = initiate_call(&client)
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

    let result = initiate(
        &gateway,
        with(
            initiate_example(),
            "/buyers/0/contact/email",
            "claire@localhost",
        ),
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

    let result = initiate(
        &gateway,
        without(initiate_example(), "/buyers/0/deliveryContact/commonTitle"),
    )
    .await;

    assert_invalid_request(
        result,
        &["InitiateCreditSubscriptionRequest", "commonTitle"],
    );
    gateway.assert_nothing_received();
}
