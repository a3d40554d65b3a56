//! e-financing 1.7.1: every operation sends what the spec defines and decodes what the spec
//! documents; values breaking the spec are refused before anything is sent.

use crate::support::{
    assert_invalid_request, assert_request, operation_ids_of, with, Expected, Gateway, JsonBody,
    Spec, E_FINANCING,
};
use generated::{builder, types, Client};
use scalexpert::e_financing::v1_7_1 as generated;
use std::sync::OnceLock;

const VERSION: &str = "1.7.1";
const SIMULATION: &str = "creditSimulation";
const LANGUAGE: &str = "fr-FR";
const INITIATE_QUERY: &[(&str, &str)] = &[("language", LANGUAGE)];
const REQUEST_CANCELLATION_IS_LISTED: bool = true;

fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec::new(&E_FINANCING, VERSION, generated::SPEC))
}

fn api(gateway: &Gateway) -> Client {
    gateway.client().e_financing_v1_7_1()
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
#[path = "shared/tracking_number_1_to_100.rs"]
mod tracking_number_1_to_100;

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
// `bounded_request_arrays` makes the generated type check the spec's maxItems, new in 1.7.1.
async fn simulation_refuses_more_than_100_solution_codes_before_sending() {
    let codes: Vec<String> = (0..101).map(|i| format!("SCFRSP-{i:04}")).collect();
    let gateway = Gateway::expecting_nothing();

    let result = simulate(&api(&gateway))
        .body(JsonBody(with(
            spec().request_example(SIMULATION),
            "/solutionCodes",
            codes,
        )))
        .send()
        .await;

    assert_invalid_request(
        result,
        &[
            "SolutionSimulationRequest",
            "101 items where the spec allows 0 to 100",
        ],
    );
    gateway.assert_nothing_received();
}

#[tokio::test]
async fn simulation_sends_100_solution_codes() {
    let codes: Vec<String> = (0..100).map(|i| format!("SCFRSP-{i:04}")).collect();
    let request = with(spec().request_example(SIMULATION), "/solutionCodes", codes);
    let gateway = Gateway::start();
    let recorder = gateway.answer(200, Some(spec().response_example(SIMULATION, "200")));

    simulate(&api(&gateway))
        .body(JsonBody(request.clone()))
        .send()
        .await
        .expect("100 codes are within the limit");

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
