//! The request constraints 1.5.2 introduced and 1.6.0 kept (1.6.6 replaced them): phone number
//! and email patterns, 32-character cities, 3-character street number suffixes, and an
//! optional `commonTitle`.

use super::calls::{initiate, initiate_example};
use super::{api, spec, types, INITIATE_QUERY};
use crate::support::{
    assert_invalid_request, assert_request, with, without, Expected, Gateway, SUBSCRIPTION_ID,
};

#[tokio::test]
async fn initiate_refuses_phone_numbers_without_international_prefix_before_sending() {
    use types::{ContactMobilePhoneNumber, ContactPhoneNumber};
    // `^\+(?:[0-9] ?){6,14}[0-9]$`: a plus, then 7 to 15 digits, single spaces allowed.
    assert!(ContactMobilePhoneNumber::try_from("+33 6 12 34 56 78").is_ok());
    assert!(ContactMobilePhoneNumber::try_from("0612345678").is_err());
    assert!(ContactMobilePhoneNumber::try_from("+33  612345678").is_err());
    // The landline may also be an empty string (`^$|...`).
    assert!(ContactPhoneNumber::try_from("").is_ok());

    let gateway = Gateway::expecting_nothing();
    let example = initiate_example();
    for (pointer, value) in [
        ("/buyers/0/contact/mobilePhoneNumber", "0612345678"),
        (
            "/buyers/0/billingContact/mobilePhoneNumber",
            "+33-6-12-34-56-78",
        ),
        ("/buyers/0/contact/phoneNumber", "04 78 12 34 56"),
    ] {
        let result = initiate(&gateway, with(example.clone(), pointer, value)).await;
        assert_invalid_request(
            result,
            &["InitiateCreditSubscriptionRequest", "doesn't match pattern"],
        );
    }
    gateway.assert_nothing_received();
}

#[tokio::test]
async fn initiate_refuses_an_email_without_a_dotted_domain_before_sending() {
    let gateway = Gateway::expecting_nothing();
    let example = initiate_example();

    let result = initiate(
        &gateway,
        with(
            example,
            "/buyers/0/deliveryContact/email",
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
async fn initiate_refuses_cities_over_32_and_suffixes_over_3_characters_before_sending() {
    use types::{AddressCityName, AddressStreetNumberSuffix};
    assert!(AddressCityName::try_from("L".repeat(32)).is_ok());
    assert!(AddressStreetNumberSuffix::try_from("ter").is_ok());

    let gateway = Gateway::expecting_nothing();
    let example = initiate_example();
    for (pointer, value, complaint) in [
        (
            "/buyers/0/contactAddress/cityName",
            "L".repeat(33),
            "longer than 32",
        ),
        (
            "/buyers/0/billingAddress/streetNumberSuffix",
            "bis A".to_string(),
            "longer than 3",
        ),
    ] {
        let result = initiate(&gateway, with(example.clone(), pointer, value)).await;
        assert_invalid_request(result, &["InitiateCreditSubscriptionRequest", complaint]);
    }
    gateway.assert_nothing_received();
}

#[tokio::test]
async fn initiate_sends_contacts_without_the_title_this_version_makes_optional() {
    let spec = spec();
    let mut body = spec.request_example("initiateCreditSubscription");
    for contact in ["contact", "billingContact", "deliveryContact"] {
        body = without(body, &format!("/buyers/0/{contact}/commonTitle"));
    }
    let gateway = Gateway::start();
    let recorder = gateway.answer(
        201,
        Some(spec.response_example("initiateCreditSubscription", "201")),
    );

    initiate(&gateway, body.clone())
        .await
        .expect("no title is fine in this version");

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
// The spec's `Buyer` serves both directions; `lenient_response_schemas` keeps its
// request patterns off the answer.
async fn retrieve_subscription_decodes_a_stored_mobile_number_without_plus_prefix() {
    // A subscription whose buyer was stored before (or outside) today's pattern must
    // stay readable: the server, not the client, owns what it sends back.
    let example = spec().response_example("retrieveCreditSubscription", "200");
    let example = with(example, "/buyer/contact/mobilePhoneNumber", "0612345678");
    let gateway = Gateway::start();
    let _recorder = gateway.answer(200, Some(example));

    let subscription = api(&gateway)
        .retrieve_credit_subscription()
        .credit_subscription_id(SUBSCRIPTION_ID)
        .send()
        .await
        .expect("a stored buyer must not make the subscription unreadable")
        .into_inner();

    assert_eq!(
        subscription.buyer.contact.mobile_phone_number.as_str(),
        "0612345678"
    );
}
