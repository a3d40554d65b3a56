//! e-financing 1.5.2 through the facade: every operation sends what the spec defines and decodes
//! what the spec documents; values breaking the spec are refused before anything is sent.
#![cfg(feature = "e-financing-1_5_2")]

mod support;

shared_operation_tests! {
    version: "1.5.2",
    api: e_financing_v1_5_2,
    module: v1_5_2,
    // Renamed from 1.4.0's simulateSolution.
    simulate: credit_simulation = "creditSimulation",
    language: ["fr-FR"],
    pending_cancellation_statuses_known: true,
}

contact_patterns_of_1_5_2_and_1_6_0_tests! {
    version: "1.5.2",
    api: e_financing_v1_5_2,
    module: v1_5_2,
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
            "getEligibleProductServices",
            "initiateCreditSubscription",
            "retrieveCreditSubscription",
            "retrieveCreditSubscriptionForSpecificMerchant",
        ]
    );
}

one_buyer_only_tests!();
