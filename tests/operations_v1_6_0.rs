//! e-financing 1.6.0 through the facade: every operation sends what the spec defines and decodes
//! what the spec documents; values breaking the spec are refused before anything is sent.
#![cfg(feature = "e-financing-1_6_0")]

mod support;

shared_operation_tests! {
    version: "1.6.0",
    api: e_financing_v1_6_0,
    module: v1_6_0,
    simulate: credit_simulation = "creditSimulation",
    language: ["fr-FR"],
    pending_cancellation_statuses_known: true,
}

contact_patterns_of_1_5_2_and_1_6_0_tests! {
    version: "1.6.0",
    api: e_financing_v1_6_0,
    module: v1_6_0,
}

// Added in 1.6.0.
confirm_return_tests! {
    version: "1.6.0",
    api: e_financing_v1_6_0,
    module: v1_6_0,
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

one_buyer_only_tests!();
