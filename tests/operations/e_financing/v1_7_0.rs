//! e-financing 1.7.0: every operation sends what the spec defines and decodes what the spec
//! documents; values breaking the spec are refused before anything is sent.

use crate::support::{
    assert_invalid_request, assert_request, operation_ids_of, with, Expected, Gateway, JsonBody,
    Spec, E_FINANCING, SUBSCRIPTION_ID,
};
use generated::{builder, types, Client};
use scalexpert::e_financing::v1_7_0 as generated;
use std::sync::OnceLock;

const VERSION: &str = "1.7.0";
const SIMULATION: &str = "creditSimulation";
const LANGUAGE: &str = "fr-FR";
const INITIATE_QUERY: &[(&str, &str)] = &[("language", LANGUAGE)];
const REQUEST_CANCELLATION_IS_LISTED: bool = true;

fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec::new(&E_FINANCING, VERSION, generated::SPEC))
}

fn api(gateway: &Gateway) -> Client {
    gateway.client().e_financing_v1_7_0()
}

fn simulate(api: &Client) -> builder::CreditSimulation<'_> {
    api.credit_simulation()
}

fn initiate_call(api: &Client) -> builder::InitiateCreditSubscription<'_> {
    api.initiate_credit_subscription().language(LANGUAGE)
}

#[path = "shared/calls.rs"]
mod calls;
#[path = "shared/cancellation.rs"]
mod cancellation;
#[path = "shared/confirm_return.rs"]
mod confirm_return;
#[path = "shared/delivery.rs"]
mod delivery;
#[path = "shared/eligibility.rs"]
mod eligibility;
#[path = "shared/initiation.rs"]
mod initiation;
#[path = "shared/language.rs"]
mod language;
#[path = "shared/limits_since_1_6_6.rs"]
mod limits_since_1_6_6;
#[path = "shared/limits_since_1_7_0.rs"]
mod limits_since_1_7_0;
#[path = "shared/listing.rs"]
mod listing;
#[path = "shared/retrieval.rs"]
mod retrieval;
#[path = "shared/simulation.rs"]
mod simulation;

#[test]
fn every_operation_of_the_spec_has_tests_here() {
    assert_eq!(
        operation_ids_of(spec(), generated::OPERATIONS),
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

#[tokio::test]
async fn confirm_delivery_sends_an_empty_tracking_number_and_refuses_more_than_100_chars() {
    // 1.7.0 only: it dropped the tracking number's `minLength: 1`, which 1.7.1 restored.
    use types::ConfirmDeliveryRequestTrackingNumber as TrackingNumber;
    assert!(TrackingNumber::try_from("").is_ok());
    assert!(TrackingNumber::try_from("6".repeat(101)).is_err());

    let refusing = Gateway::expecting_nothing();
    let too_long = with(
        spec().request_example("doConfirmDelivery"),
        "/trackingNumber",
        "6".repeat(101),
    );
    let result = api(&refusing)
        .do_confirm_delivery()
        .credit_subscription_id(SUBSCRIPTION_ID)
        .body(JsonBody(too_long))
        .send()
        .await;
    assert_invalid_request(result, &["ConfirmDeliveryRequest", "longer than 100"]);
    refusing.assert_nothing_received();

    let gateway = Gateway::start();
    let recorder = gateway.answer(204, None);
    let empty = with(
        spec().request_example("doConfirmDelivery"),
        "/trackingNumber",
        "",
    );
    api(&gateway)
        .do_confirm_delivery()
        .credit_subscription_id(SUBSCRIPTION_ID)
        .body(JsonBody(empty.clone()))
        .send()
        .await
        .expect("1.7.0 allows an empty tracking number");
    assert_request(
        spec(),
        "doConfirmDelivery",
        &recorder,
        Expected {
            path_params: &[("creditSubscriptionId", SUBSCRIPTION_ID)],
            body: Some(&empty),
            ..Expected::NOTHING
        },
    );
}

#[tokio::test]
async fn simulation_sends_more_than_100_solution_codes_since_1_7_0_sets_no_limit() {
    let codes: Vec<String> = (0..101).map(|i| format!("SCFRSP-{i:04}")).collect();
    let request = with(spec().request_example(SIMULATION), "/solutionCodes", codes);
    let gateway = Gateway::start();
    let recorder = gateway.answer(200, Some(spec().response_example(SIMULATION, "200")));

    simulate(&api(&gateway))
        .body(JsonBody(request.clone()))
        .send()
        .await
        .expect("1.7.0 does not limit solutionCodes");

    assert_request(
        spec(),
        SIMULATION,
        &recorder,
        Expected {
            body: Some(&request),
            ..Expected::NOTHING
        },
    );
}
