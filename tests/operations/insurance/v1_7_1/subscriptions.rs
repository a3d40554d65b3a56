//! Subscriptions: `createInsuranceSubscription` (`POST /subscriptions`),
//! `retrieveInsuranceSubscriptionForSpecificMerchant` (`GET /subscriptions`) and
//! `retrieveSpecificInsuranceSubscription` (`GET /subscriptions/{insuranceSubscriptionId}`).

use super::{api, spec, SUBSCRIPTION_ID};
use crate::support::{
    amount, amount_of, assert_invalid_request, assert_request, assert_round_trips, timestamp, with,
    without, Expected, Gateway, JsonBody,
};
use serde_json::json;

// --- createInsuranceSubscription ---------------------------------------------------------------

#[tokio::test]
async fn subscribe_posts_the_spec_example_and_decodes_the_new_subscription() {
    let spec = spec();
    let op = "createInsuranceSubscription";
    let request = spec.request_example(op);
    let example = spec.response_example(op, "201");
    let gateway = Gateway::start();
    let recorder = gateway.answer(201, Some(example.clone()));

    let created = api(&gateway)
        .create_insurance_subscription()
        .body(JsonBody(request.clone()))
        .send()
        .await
        .expect("the spec example decodes")
        .into_inner();

    assert_request(
        spec,
        op,
        &recorder,
        Expected {
            body: Some(&request),
            ..Expected::NOTHING
        },
    );
    assert_eq!(
        created.insurance_subscription_id,
        example["insuranceSubscriptionId"]
    );
    assert_eq!(
        created.consolidated_status.to_string(),
        example["consolidatedStatus"]
    );
    assert!(
        created.consolidated_status.known().is_some(),
        "SUBSCRIBED is a listed status"
    );
    assert_round_trips(&created, &example, "subscription example");
}

#[tokio::test]
async fn subscribe_sends_a_buyer_and_item_without_their_optional_fields() {
    // No landline, no house-number suffix or address complement, no SKU, and no
    // `isRefurbished`, which the generated type sends as its spec default, false.
    let spec = spec();
    let mut request = spec.request_example("createInsuranceSubscription");
    for pointer in [
        "/buyer/contact/phoneNumber",
        "/buyer/address/streetNumberSuffix",
        "/buyer/address/streetNameComplement",
        "/insuredItem/sku",
        "/insuredItem/isRefurbished",
    ] {
        request = without(request, pointer);
    }
    let gateway = Gateway::start();
    let recorder = gateway.answer(
        201,
        Some(json!({
            "insuranceSubscriptionId": "5b7e4f0a-91c3-4a8e-b2d6-0c4f8e1a7d35",
            "consolidatedStatus": "INITIALIZED"
        })),
    );

    let created = api(&gateway)
        .create_insurance_subscription()
        .body(JsonBody(request.clone()))
        .send()
        .await
        .expect("optional fields may be left out")
        .into_inner();

    assert_request(
        spec,
        "createInsuranceSubscription",
        &recorder,
        Expected {
            body: Some(&with(request, "/insuredItem/isRefurbished", false)),
            ..Expected::NOTHING
        },
    );
    assert_eq!(created.consolidated_status.to_string(), "INITIALIZED");
}

#[tokio::test]
async fn subscribe_keeps_a_status_the_spec_does_not_list_as_unknown() {
    let gateway = Gateway::start();
    let _recorder = gateway.answer(
        201,
        Some(json!({
            "insuranceSubscriptionId": "5b7e4f0a-91c3-4a8e-b2d6-0c4f8e1a7d35",
            "consolidatedStatus": "PENDING_INSURER_REVIEW"
        })),
    );

    let created = api(&gateway)
        .create_insurance_subscription()
        .body(JsonBody(
            spec().request_example("createInsuranceSubscription"),
        ))
        .send()
        .await
        .expect("an unlisted status must not fail decoding")
        .into_inner();

    assert_eq!(
        created.consolidated_status.as_unknown(),
        Some("PENDING_INSURER_REVIEW")
    );
}

#[tokio::test]
async fn subscribe_refuses_contact_details_outside_their_patterns_before_sending() {
    let gateway = Gateway::expecting_nothing();
    let example = spec().request_example("createInsuranceSubscription");
    for (pointer, value) in [
        ("/buyer/contact/email", "camille@localhost"),
        ("/buyer/contact/mobilePhoneNumber", "0687654321"),
        ("/buyer/contact/phoneNumber", "03 88 12 34 56"),
        ("/solutionCode", "SCFRSP-4XTS"),
    ] {
        let result = api(&gateway)
            .create_insurance_subscription()
            .body(JsonBody(with(example.clone(), pointer, value)))
            .send()
            .await;
        assert_invalid_request(
            result,
            &[
                "CreateInsuranceSubscriptionRequest",
                "doesn't match pattern",
            ],
        );
    }
    gateway.assert_nothing_received();
}

#[tokio::test]
async fn subscribe_refuses_an_order_reference_longer_than_100_characters_before_sending() {
    let gateway = Gateway::expecting_nothing();

    let result = api(&gateway)
        .create_insurance_subscription()
        .body(JsonBody(with(
            spec().request_example("createInsuranceSubscription"),
            "/merchantGlobalOrderId",
            "C".repeat(101),
        )))
        .send()
        .await;

    assert_invalid_request(
        result,
        &["CreateInsuranceSubscriptionRequest", "longer than 100"],
    );
    gateway.assert_nothing_received();
}

#[tokio::test]
async fn subscribe_refuses_a_quote_expiry_that_is_not_a_plain_date_before_sending() {
    // The quotation answers a timestamp; the subscription wants the day only (`format: date`).
    let gateway = Gateway::expecting_nothing();

    let result = api(&gateway)
        .create_insurance_subscription()
        .body(JsonBody(with(
            spec().request_example("createInsuranceSubscription"),
            "/producerQuoteExpirationDate",
            "2024-10-18T14:05:31.000Z",
        )))
        .send()
        .await;

    assert_invalid_request(result, &["CreateInsuranceSubscriptionRequest"]);
    gateway.assert_nothing_received();
}

#[tokio::test]
async fn subscribe_refuses_a_body_missing_required_members_before_sending() {
    let gateway = Gateway::expecting_nothing();
    let example = spec().request_example("createInsuranceSubscription");
    for (pointer, member) in [
        ("/quoteId", "quoteId"),
        ("/insuranceId", "insuranceId"),
        (
            "/producerQuoteInsurancePrice",
            "producerQuoteInsurancePrice",
        ),
        ("/buyer", "buyer"),
        ("/buyer/contact/email", "email"),
        ("/buyer/address/streetNumber", "streetNumber"),
        ("/insuredItem/price", "price"),
        ("/insuredItem/insurancePrice", "insurancePrice"),
    ] {
        let result = api(&gateway)
            .create_insurance_subscription()
            .body(JsonBody(without(example.clone(), pointer)))
            .send()
            .await;
        assert_invalid_request(result, &["CreateInsuranceSubscriptionRequest", member]);
    }
    gateway.assert_nothing_received();
}

// --- retrieveInsuranceSubscriptionForSpecificMerchant --------------------------------------

#[tokio::test]
async fn list_subscriptions_sends_every_filter_and_paging_and_decodes_the_spec_example() {
    let spec = spec();
    let op = "retrieveInsuranceSubscriptionForSpecificMerchant";
    let example = spec.response_example(op, "200");
    let gateway = Gateway::start();
    let recorder = gateway.answer(200, Some(example.clone()));

    let page = api(&gateway)
        .retrieve_insurance_subscription_for_specific_merchant()
        .merchant_global_order_id("CMD-2024-118452")
        .merchant_basket_id("PAN-2024-30917")
        .solution_code("CIFRWE-DXCO")
        .page("1")
        .page_size("20")
        .send()
        .await
        .expect("the spec example decodes")
        .into_inner();

    assert_request(
        spec,
        op,
        &recorder,
        Expected {
            query: &[
                ("merchantGlobalOrderId", "CMD-2024-118452"),
                ("merchantBasketId", "PAN-2024-30917"),
                ("solutionCode", "CIFRWE-DXCO"),
                ("page", "1"),
                ("pageSize", "20"),
            ],
            ..Expected::NOTHING
        },
    );
    assert_eq!(page.total_item_count, example["totalItemCount"]);
    assert_eq!(page.subscriptions.len(), 1);
    let (item, expected) = (&page.subscriptions[0], &example["subscriptions"][0]);
    assert_eq!(
        item.insurance_subscription_id.to_string(),
        expected["insuranceSubscriptionId"]
    );
    assert_eq!(
        item.registration_timestamp,
        timestamp(&expected["registrationTimestamp"])
    );
    assert_eq!(item.solution_code, expected["solutionCode"]);
    assert_eq!(item.duration, expected["duration"]);
    assert_eq!(
        item.consolidated_status.to_string(),
        expected["consolidatedStatus"]
    );
    assert_eq!(
        item.insured_item_price,
        amount_of(&expected["insuredItemPrice"])
    );
    assert_eq!(
        item.producer_quote_insurance_price,
        amount_of(&expected["producerQuoteInsurancePrice"])
    );
    assert_eq!(
        item.merchant_commission,
        Some(amount_of(&expected["merchantCommission"]))
    );
    assert_round_trips(&page, &example, "list example");
}

#[tokio::test]
async fn list_subscriptions_without_filters_sends_an_empty_query() {
    let gateway = Gateway::start();
    let recorder = gateway.answer(200, Some(json!({"totalItemCount": 0, "subscriptions": []})));

    let page = api(&gateway)
        .retrieve_insurance_subscription_for_specific_merchant()
        .send()
        .await
        .expect("an empty page decodes")
        .into_inner();

    assert_request(
        spec(),
        "retrieveInsuranceSubscriptionForSpecificMerchant",
        &recorder,
        Expected::NOTHING,
    );
    assert_eq!(page.total_item_count, 0);
    assert!(page.subscriptions.is_empty());
}

#[tokio::test]
async fn list_subscriptions_decodes_policies_of_both_solutions_in_later_statuses() {
    // An order with a warranty that is running and a broken-screen cover that was cancelled
    // before the insurer computed a commission; prices without decimals.
    let policy = |id: &str, solution: &str, status: &str, price: serde_json::Value| {
        json!({
            "insuranceSubscriptionId": id,
            "registrationTimestamp": "2024-03-02T09:12:44Z",
            "lastUpdateTimestamp": "2025-03-02T00:00:01.500Z",
            "solutionCode": solution,
            "marketTypeCode": "FR",
            "duration": 2,
            "merchantBasketId": "PAN-2024-11872",
            "merchantGlobalOrderId": "CMD-2024-040511",
            "consolidatedStatus": status,
            "insuredItemPrice": 899,
            "insuredItemCategory": "Téléphonie",
            "producerQuoteInsurancePrice": price
        })
    };
    let mut running = policy(
        "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
        "CIFRWE-DXCO",
        "ACTIVATED",
        json!(79.9),
    );
    running["merchantCommission"] = json!(19.98);
    let cancelled = policy(
        "9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d",
        "CIFRBS-DXCO",
        "CANCELLED",
        json!(49),
    );
    let body = json!({"totalItemCount": 2, "subscriptions": [running, cancelled]});
    let gateway = Gateway::start();
    let _recorder = gateway.answer(200, Some(body.clone()));

    let page = api(&gateway)
        .retrieve_insurance_subscription_for_specific_merchant()
        .merchant_global_order_id("CMD-2024-040511")
        .send()
        .await
        .expect("both policies decode")
        .into_inner();

    let statuses: Vec<String> = page
        .subscriptions
        .iter()
        .map(|s| s.consolidated_status.to_string())
        .collect();
    assert_eq!(statuses, ["ACTIVATED", "CANCELLED"]);
    assert!(page
        .subscriptions
        .iter()
        .all(|s| s.consolidated_status.known().is_some()));
    assert_eq!(
        page.subscriptions[0].merchant_commission,
        Some(amount("19.98"))
    );
    assert_eq!(page.subscriptions[1].merchant_commission, None);
    assert_eq!(
        page.subscriptions[1].producer_quote_insurance_price,
        amount("49.00")
    );
    assert_eq!(
        page.subscriptions[0].last_update_timestamp.to_rfc3339(),
        "2025-03-02T00:00:01.500+00:00"
    );
    assert_round_trips(&page, &body, "two policies");
}

#[tokio::test]
async fn list_subscriptions_keeps_a_status_the_spec_does_not_list_as_unknown() {
    let example =
        spec().response_example("retrieveInsuranceSubscriptionForSpecificMerchant", "200");
    let example = with(example, "/subscriptions/0/consolidatedStatus", "SUSPENDED");
    let gateway = Gateway::start();
    let _recorder = gateway.answer(200, Some(example));

    let page = api(&gateway)
        .retrieve_insurance_subscription_for_specific_merchant()
        .send()
        .await
        .expect("an unlisted status must not fail the whole page")
        .into_inner();

    assert_eq!(
        page.subscriptions[0].consolidated_status.as_unknown(),
        Some("SUSPENDED")
    );
}

// --- retrieveSpecificInsuranceSubscription -------------------------------------------------

#[tokio::test]
async fn retrieve_subscription_puts_the_id_in_the_path_and_decodes_the_spec_example() {
    let spec = spec();
    let op = "retrieveSpecificInsuranceSubscription";
    let example = spec.response_example(op, "200");
    let gateway = Gateway::start();
    let recorder = gateway.answer(200, Some(example.clone()));

    let subscription = api(&gateway)
        .retrieve_specific_insurance_subscription()
        .insurance_subscription_id(SUBSCRIPTION_ID)
        .send()
        .await
        .expect("the spec example decodes")
        .into_inner();

    assert_request(
        spec,
        op,
        &recorder,
        Expected {
            path_params: &[("insuranceSubscriptionId", SUBSCRIPTION_ID)],
            ..Expected::NOTHING
        },
    );
    assert_eq!(
        subscription.insurance_subscription_id.to_string(),
        example["insuranceSubscriptionId"]
    );
    assert_eq!(subscription.client_id.to_string(), example["clientId"]);
    assert_eq!(
        subscription.third_party_reference_id.to_string(),
        example["thirdPartyReferenceId"]
    );
    assert_eq!(subscription.family_code, example["familyCode"]);
    assert_eq!(subscription.merchant_buyer_id, example["merchantBuyerId"]);
    assert_eq!(
        subscription.consolidated_status.to_string(),
        example["consolidatedStatus"]
    );
    let contact = subscription.buyer.contact.as_ref().expect("a contact");
    assert_eq!(contact.email, example["buyer"]["contact"]["email"]);
    let address = subscription.buyer.address.as_ref().expect("an address");
    assert_eq!(
        i64::from(address.street_number),
        example["buyer"]["address"]["streetNumber"]
    );
    let item = &subscription.insured_item;
    assert_eq!(item.id, example["insuredItem"]["id"]);
    assert_eq!(item.price, amount_of(&example["insuredItem"]["price"]));
    assert_eq!(
        item.insurance_price,
        amount_of(&example["insuredItem"]["insurancePrice"])
    );
    assert_eq!(
        subscription.merchant_commission,
        Some(amount_of(&example["merchantCommission"]))
    );
    assert_round_trips(&subscription, &example, "subscription example");
}

#[tokio::test]
// The spec's `Contact` serves both directions; `lenient_response_schemas` keeps its request
// patterns off the answer.
async fn retrieve_subscription_decodes_a_stored_buyer_outside_the_request_patterns() {
    // The insurer, not the client, owns what it stored: a national mobile number and an
    // address without its optional lines must stay readable.
    let example = spec().response_example("retrieveSpecificInsuranceSubscription", "200");
    let example = with(example, "/buyer/contact/mobilePhoneNumber", "0687654321");
    let example = without(example, "/buyer/contact/phoneNumber");
    let example = without(example, "/buyer/address/streetNameComplement");
    let example = without(example, "/merchantCommission");
    let gateway = Gateway::start();
    let _recorder = gateway.answer(200, Some(example));

    let subscription = api(&gateway)
        .retrieve_specific_insurance_subscription()
        .insurance_subscription_id(SUBSCRIPTION_ID)
        .send()
        .await
        .expect("a stored buyer must not make the subscription unreadable")
        .into_inner();

    let contact = subscription.buyer.contact.expect("a contact");
    assert_eq!(contact.mobile_phone_number, "0687654321");
    assert_eq!(contact.phone_number, None);
    assert_eq!(subscription.merchant_commission, None);
}

#[tokio::test]
async fn retrieve_subscription_refuses_an_id_that_is_not_a_uuid_before_sending() {
    let gateway = Gateway::expecting_nothing();

    let result = api(&gateway)
        .retrieve_specific_insurance_subscription()
        .insurance_subscription_id("CMD-2024-118452")
        .send()
        .await;

    assert_invalid_request(result, &["insurance_subscription_id", "Uuid"]);
    gateway.assert_nothing_received();
}
