//! `retrieveCreditSubscription`: `GET /subscriptions/{creditSubscriptionId}`.

use super::{api, spec};
use crate::support::{
    amount, amount_of, assert_invalid_request, assert_request, assert_round_trips, with, Expected,
    Gateway, SUBSCRIPTION_ID,
};
use serde_json::json;

#[tokio::test]
async fn retrieve_subscription_puts_the_id_in_the_path_and_decodes_the_spec_example() {
    let spec = spec();
    let op = "retrieveCreditSubscription";
    let example = spec.response_example(op, "200");
    let gateway = Gateway::start();
    let recorder = gateway.answer(200, Some(example.clone()));

    let subscription = api(&gateway)
        .retrieve_credit_subscription()
        .credit_subscription_id(SUBSCRIPTION_ID)
        .send()
        .await
        .expect("the spec example decodes")
        .into_inner();

    assert_request(
        spec,
        op,
        &recorder,
        Expected {
            path_params: &[("creditSubscriptionId", SUBSCRIPTION_ID)],
            ..Expected::NOTHING
        },
    );
    assert_eq!(
        subscription.credit_subscription_id.to_string(),
        example["creditSubscriptionId"]
    );
    assert_eq!(
        subscription.financed_amount,
        amount_of(&example["financedAmount"])
    );
    assert_eq!(subscription.family_code, example["familyCode"]);
    assert_eq!(subscription.merchant_buyer_id, example["merchantBuyerId"]);
    assert_eq!(subscription.basket_details, example["basketDetails"]);
    assert_eq!(
        subscription.consolidated_status.to_string(),
        example["consolidatedStatus"]
    );
    let (buyer, expected) = (&subscription.buyer, &example["buyer"]);
    assert_eq!(buyer.birth_name.as_deref(), expected["birthName"].as_str());
    assert_eq!(
        buyer.contact.first_name.as_str(),
        expected["contact"]["firstName"]
    );
    assert_eq!(buyer.contact.email.as_str(), expected["contact"]["email"]);
    // `commonTitle` is optional in 1.5.2 and 1.6.0, required elsewhere: compare encoded.
    assert_eq!(
        serde_json::to_value(&buyer.contact.common_title).expect("encodes"),
        expected["contact"]["commonTitle"]
    );
    assert_eq!(
        buyer.contact_address.city_name.as_str(),
        expected["contactAddress"]["cityName"]
    );
    assert_eq!(
        buyer.contact_address.street_number.map(i64::from),
        expected["contactAddress"]["streetNumber"].as_i64()
    );
    assert_eq!(
        buyer.delivery_address.location_type.to_string(),
        expected["deliveryAddress"]["locationType"]
    );
    assert_round_trips(&subscription, &example, "subscription example");
}

#[tokio::test]
async fn retrieve_subscription_decodes_a_returned_subscription_with_its_full_buyer() {
    // The live shape: every optional buyer field present, a pending partial
    // cancellation, and basketDetails reduced to a plain string.
    let contact = json!({
        "firstName": "Paul", "lastName": "Dupont", "commonTitle": "MR",
        "email": "paul.dupont@example.com", "mobilePhoneNumber": "+33723456789",
        "phoneNumber": "+33123456789", "professionalTitle": "Professor"
    });
    let address = json!({
        "locationType": "BILLING_ADDRESS", "streetNumber": 147, "streetNumberSuffix": "B",
        "streetName": "main street", "streetNameComplement": "block 47",
        "zipCode": "92060", "cityName": "Paris", "regionName": "Île-de-France",
        "countryCode": "FR"
    });
    let body = json!({
        "creditSubscriptionId": "123e4567-e89b-12d3-a456-426614174000",
        "registrationTimestamp": "2024-04-22T10:00:19.077Z",
        "lastUpdateTimestamp": "2024-04-22T10:00:19.077Z",
        "clientId": "44f5060e-a89c-11ed-afa1-0242ac120002",
        "merchantId": "647aeb24-a89c-11ed-afa1-0242ac120002",
        "solutionCode": "SCFRSP-4XPS", "familyCode": "SC", "marketTypeCode": "FR",
        "implementationCode": "4X",
        "merchantBasketId": "647aeb24-a89c-11ed-afa1-0242ac120002",
        "merchantGlobalOrderId": "3e46d670-aca7-11ed-afa1-0242ac120002",
        "merchantBuyerId": "44226c6c-aca7-11ed-afa1-0242ac120002",
        "financedAmount": 119.9,
        "consolidatedStatus": "ACCEPTED",
        "cancellationStatus": "REQUEST_FOR_PARTIAL_CANCELLATION",
        "cancellationAlreadyMade": false,
        "buyer": {
            "birthName": "Dupont", "birthDate": "1975-02-01T00:00:00.000Z",
            "birthCityName": "Montpellier", "birthCountryName": "FR",
            "deliveryMethod": "Click & Collect",
            "lastDatePurchase": "2020-02-01T00:00:00.000Z", "vip": false,
            "contact": contact, "contactAddress": address,
            "billingContact": contact, "billingAddress": address,
            "deliveryContact": contact, "deliveryAddress": address
        },
        "basketDetails": "FR",
        "consolidatedSubstatus": "SUBSCRIPTION APPROVED BY PRODUCER",
        "isReturned": true,
        "isDelivered": true
    });
    let gateway = Gateway::start();
    let _recorder = gateway.answer(200, Some(body));

    let subscription = api(&gateway)
        .retrieve_credit_subscription()
        .credit_subscription_id("123e4567-e89b-12d3-a456-426614174000")
        .send()
        .await
        .expect("the live shape decodes")
        .into_inner();

    assert_eq!(subscription.financed_amount, amount("119.90"));
    assert_eq!(
        subscription
            .cancellation_status
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("REQUEST_FOR_PARTIAL_CANCELLATION")
    );
    assert_eq!(subscription.basket_details, "FR");
    let buyer = &subscription.buyer;
    assert_eq!(buyer.delivery_method.as_deref(), Some("Click & Collect"));
    assert_eq!(buyer.vip, Some(false));
    assert_eq!(
        buyer.billing_contact.professional_title.as_deref(),
        Some("Professor")
    );
    assert_eq!(buyer.delivery_address.region_name.as_str(), "Île-de-France");
    assert_eq!(buyer.delivery_address.street_number, Some(147));
    assert_eq!(
        buyer.delivery_address.street_name_complement.as_deref(),
        Some("block 47")
    );
}

#[tokio::test]
async fn retrieve_subscription_keeps_an_unlisted_consolidated_status_as_unknown() {
    let example = spec().response_example("retrieveCreditSubscription", "200");
    let gateway = Gateway::start();
    let _recorder = gateway.answer(200, Some(with(example, "/consolidatedStatus", "SUSPENDED")));

    let subscription = api(&gateway)
        .retrieve_credit_subscription()
        .credit_subscription_id(SUBSCRIPTION_ID)
        .send()
        .await
        .expect("an unlisted status must not fail decoding")
        .into_inner();

    assert_eq!(
        subscription.consolidated_status.as_unknown(),
        Some("SUSPENDED")
    );
}

#[tokio::test]
async fn retrieve_subscription_refuses_an_id_that_is_not_a_uuid_before_sending() {
    let gateway = Gateway::expecting_nothing();

    let result = api(&gateway)
        .retrieve_credit_subscription()
        .credit_subscription_id("ORD-2024-000871")
        .send()
        .await;

    assert_invalid_request(result, &["credit_subscription_id", "Uuid"]);
    gateway.assert_nothing_received();
}
