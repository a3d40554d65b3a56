//! The buyer constraints 1.7.0 introduced and 1.7.1 kept: upper lengths on e-mail (320), phone
//! numbers (16), birth name (350), address complement (140), house-number suffix (3) and
//! professional title (35); at least one buyer; and most lower length bounds gone.

use super::calls::{initiate, initiate_example};
use super::{api, spec, types, INITIATE_QUERY};
use crate::support::{
    assert_invalid_request, assert_request, with, Expected, Gateway, SUBSCRIPTION_ID,
};
use serde_json::json;

/// `local@example.fr` padded to exactly `length` characters.
fn email_of_length(length: usize) -> String {
    let domain = "@example.fr";
    format!("{}{domain}", "c".repeat(length - domain.len()))
}

/// `+33` and digits, `length` characters in all.
fn phone_number_of_length(length: usize) -> String {
    format!("+33{}", "6".repeat(length - 3))
}

#[tokio::test]
async fn initiate_refuses_buyer_fields_longer_than_the_1_7_0_limits_before_sending() {
    // The typed values hold at the limit and refuse one character more...
    assert!(types::ContactEmail::try_from(email_of_length(320)).is_ok());
    assert!(types::ContactEmail::try_from(email_of_length(321)).is_err());
    assert!(types::ContactMobilePhoneNumber::try_from(phone_number_of_length(16)).is_ok());
    assert!(types::ContactMobilePhoneNumber::try_from(phone_number_of_length(17)).is_err());
    assert!(types::ContactPhoneNumber::try_from(phone_number_of_length(17)).is_err());
    assert!(types::BuyerBirthName::try_from("M".repeat(350)).is_ok());
    assert!(types::BuyerBirthName::try_from("M".repeat(351)).is_err());
    assert!(types::AddressStreetNameComplement::try_from("B".repeat(141)).is_err());
    assert!(types::AddressStreetNumberSuffix::try_from("ter").is_ok());
    assert!(types::AddressStreetNumberSuffix::try_from("quater").is_err());
    assert!(types::ContactProfessionalTitle::try_from("P".repeat(35)).is_ok());
    assert!(types::ContactProfessionalTitle::try_from("P".repeat(36)).is_err());

    // ...and a body carrying one more is refused inside `send()`.
    let gateway = Gateway::expecting_nothing();
    for (pointer, value, complaint) in [
        (
            "/buyers/0/contact/email",
            email_of_length(321),
            "longer than 320",
        ),
        (
            "/buyers/0/billingContact/mobilePhoneNumber",
            phone_number_of_length(17),
            "longer than 16",
        ),
        (
            "/buyers/0/contact/phoneNumber",
            phone_number_of_length(17),
            "longer than 16",
        ),
        ("/buyers/0/birthName", "M".repeat(351), "longer than 350"),
        (
            "/buyers/0/deliveryAddress/streetNameComplement",
            "B".repeat(141),
            "longer than 140",
        ),
        (
            "/buyers/0/contactAddress/streetNumberSuffix",
            "quater".to_string(),
            "longer than 3",
        ),
        (
            "/buyers/0/deliveryContact/professionalTitle",
            "P".repeat(36),
            "longer than 35",
        ),
    ] {
        let result = initiate(&gateway, with(initiate_example(), pointer, value)).await;
        assert_invalid_request(result, &["InitiateCreditSubscriptionRequest", complaint]);
    }
    gateway.assert_nothing_received();
}

#[tokio::test]
async fn initiate_sends_buyer_fields_exactly_at_the_1_7_0_limits() {
    let spec = spec();
    let mut body = initiate_example();
    for (pointer, value) in [
        ("/buyers/0/contact/email", email_of_length(320)),
        (
            "/buyers/0/contact/mobilePhoneNumber",
            phone_number_of_length(16),
        ),
        (
            "/buyers/0/billingContact/phoneNumber",
            phone_number_of_length(16),
        ),
        ("/buyers/0/birthName", "M".repeat(350)),
        (
            "/buyers/0/deliveryAddress/streetNameComplement",
            "B".repeat(140),
        ),
        (
            "/buyers/0/contactAddress/streetNumberSuffix",
            "ter".to_string(),
        ),
        ("/buyers/0/contact/professionalTitle", "P".repeat(35)),
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
        .expect("values at the limits are valid");

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
// `bounded_request_arrays` makes the generated type check the spec's minItems.
async fn initiate_refuses_an_application_without_buyers_before_sending() {
    let gateway = Gateway::expecting_nothing();

    let result = initiate(&gateway, with(initiate_example(), "/buyers", json!([]))).await;

    assert_invalid_request(
        result,
        &[
            "InitiateCreditSubscriptionRequest",
            "0 items where the spec allows 1 to 100",
        ],
    );
    gateway.assert_nothing_received();
}

#[tokio::test]
async fn initiate_sends_the_empty_values_1_7_0_no_longer_refuses() {
    // 1.7.0 dropped the lower bounds 1.6.6 set on names and address fields: the client must
    // not refuse what the server now judges itself.
    assert!(types::ContactFirstName::try_from("").is_ok());
    assert!(types::AddressCountryCode::try_from("F").is_ok());
    let spec = spec();
    let mut body = initiate_example();
    for pointer in [
        "/buyers/0/deliveryContact/firstName",
        "/buyers/0/billingContact/lastName",
        "/buyers/0/contactAddress/streetName",
        "/buyers/0/contactAddress/zipCode",
        "/buyers/0/billingAddress/cityName",
        "/buyers/0/deliveryAddress/regionName",
        "/buyers/0/deliveryAddress/countryCode",
    ] {
        body = with(body, pointer, "");
    }
    let gateway = Gateway::start();
    let recorder = gateway.answer(
        201,
        Some(spec.response_example("initiateCreditSubscription", "201")),
    );

    initiate(&gateway, body.clone())
        .await
        .expect("1.7.0 sets no lower bound on these fields");

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
// `lenient_response_schemas` keeps the request limits off the answer.
async fn retrieve_subscription_decodes_plain_dates_and_a_buyer_stored_before_the_1_7_0_limits() {
    // A buyer registered under 1.6.6, which set no limit on the house-number suffix, read back
    // through 1.7.x; dates as 1.7.x documents them (YYYY-MM-DD).
    let example = spec().response_example("retrieveCreditSubscription", "200");
    let example = with(
        example,
        "/buyer/contactAddress/streetNumberSuffix",
        "quater",
    );
    let example = with(example, "/buyer/birthDate", "1975-02-01");
    let example = with(example, "/buyer/lastDatePurchase", "2020-02-01");
    let gateway = Gateway::start();
    let _recorder = gateway.answer(200, Some(example.clone()));

    let subscription = api(&gateway)
        .retrieve_credit_subscription()
        .credit_subscription_id(SUBSCRIPTION_ID)
        .send()
        .await
        .expect("a stored buyer must not make the subscription unreadable")
        .into_inner();

    let buyer = &subscription.buyer;
    assert_eq!(
        buyer.contact_address.street_number_suffix.as_deref(),
        Some("quater")
    );
    assert_eq!(buyer.birth_date.as_deref(), Some("1975-02-01"));
    assert_eq!(buyer.last_date_purchase.as_deref(), Some("2020-02-01"));
}
