//! e-financing 1.6.0: every operation sends what the spec defines and decodes what the spec
//! documents; values breaking the spec are refused before anything is sent.

use crate::support::{operation_ids_of, Gateway, Spec, E_FINANCING};
use generated::{builder, types, Client};
use scalexpert::e_financing::v1_6_0 as generated;
use std::sync::OnceLock;

const VERSION: &str = "1.6.0";
// Renamed from 1.4.0's simulateSolution in 1.5.2.
const SIMULATION: &str = "creditSimulation";
const LANGUAGE: &str = "fr-FR";
const INITIATE_QUERY: &[(&str, &str)] = &[("language", LANGUAGE)];
const REQUEST_CANCELLATION_IS_LISTED: bool = true;

fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec::new(&E_FINANCING, VERSION, generated::SPEC))
}

fn api(gateway: &Gateway) -> Client {
    gateway.client().e_financing_v1_6_0()
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
#[path = "shared/contact_patterns_1_5_2.rs"]
mod contact_patterns_1_5_2;
#[path = "shared/delivery.rs"]
mod delivery;
#[path = "shared/eligibility.rs"]
mod eligibility;
#[path = "shared/initiation.rs"]
mod initiation;
#[path = "shared/language.rs"]
mod language;
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
