//! e-financing 1.6.6: every operation sends what the spec defines and decodes what the spec
//! documents; values breaking the spec are refused before anything is sent.

use crate::support::{
    assert_invalid_request, assert_request, operation_ids_of, with, Expected, Gateway, Spec,
    E_FINANCING,
};
use generated::{builder, types, Client};
use scalexpert::e_financing::v1_6_6 as generated;
use std::sync::OnceLock;

const VERSION: &str = "1.6.6";
const SIMULATION: &str = "creditSimulation";
const LANGUAGE: &str = "fr-FR";
const INITIATE_QUERY: &[(&str, &str)] = &[("language", LANGUAGE)];
const REQUEST_CANCELLATION_IS_LISTED: bool = true;

fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| Spec::new(&E_FINANCING, VERSION, generated::SPEC))
}

fn api(gateway: &Gateway) -> Client {
    gateway.client().e_financing_v1_6_6()
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
#[path = "shared/listing.rs"]
mod listing;
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
async fn initiate_refuses_empty_names_and_address_fields_before_sending() {
    // 1.6.6 only: 1.7.0 dropped these lower bounds.
    assert!(types::ContactLastName::try_from("").is_err());
    assert!(types::AddressCountryCode::try_from("F").is_err());

    let gateway = Gateway::expecting_nothing();
    for (pointer, value, complaint) in [
        ("/buyers/0/billingContact/lastName", "", "shorter than 1"),
        ("/buyers/0/deliveryContact/firstName", "", "shorter than 1"),
        (
            "/buyers/0/deliveryAddress/countryCode",
            "F",
            "shorter than 2",
        ),
        ("/buyers/0/deliveryAddress/regionName", "", "shorter than 1"),
        ("/buyers/0/contactAddress/streetName", "", "shorter than 1"),
        ("/buyers/0/billingAddress/zipCode", "", "shorter than 1"),
        ("/buyers/0/billingAddress/cityName", "", "shorter than 1"),
    ] {
        let result = initiate(&gateway, with(initiate_example(), pointer, value)).await;
        assert_invalid_request(result, &["InitiateCreditSubscriptionRequest", complaint]);
    }
    gateway.assert_nothing_received();
}

#[tokio::test]
async fn initiate_sends_values_only_1_7_0_limits() {
    // 1.6.6 sets no upper length on these fields; 1.7.0 does (320, 16, 350, 140, 3, 35).
    let spec = spec();
    let mut body = initiate_example();
    for (pointer, value) in [
        (
            "/buyers/0/contact/email",
            format!("{}@example.fr", "c".repeat(320)),
        ),
        (
            "/buyers/0/contact/mobilePhoneNumber",
            "+3361234567890123".to_string(),
        ),
        ("/buyers/0/birthName", "M".repeat(351)),
        (
            "/buyers/0/contactAddress/streetNameComplement",
            "B".repeat(141),
        ),
        (
            "/buyers/0/billingAddress/streetNumberSuffix",
            "quater".to_string(),
        ),
        ("/buyers/0/contact/professionalTitle", "P".repeat(36)),
    ] {
        body = with(body, pointer, value);
    }
    let gateway = Gateway::start();
    let recorder = gateway.answer(
        201,
        Some(spec.response_example("initiateCreditSubscription", "201")),
    );

    initiate(&gateway, body.clone())
        .await
        .expect("1.6.6 does not limit these lengths");

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
