//! `retrieveCreditSubscriptionForSpecificMerchant`: `GET /subscriptions`.

use super::{api, spec};
use crate::support::{
    amount, amount_of, assert_request, assert_round_trips, timestamp, with, Expected, Gateway,
};
use serde_json::json;

#[tokio::test]
async fn list_subscriptions_sends_filters_and_paging_and_decodes_the_spec_example() {
    let spec = spec();
    let op = "retrieveCreditSubscriptionForSpecificMerchant";
    let example = spec.response_example(op, "200");
    let gateway = Gateway::start();
    let recorder = gateway.answer(200, Some(example.clone()));

    let page = api(&gateway)
        .retrieve_credit_subscription_for_specific_merchant()
        .merchant_global_order_id("ORD-2024-000871")
        .merchant_basket_id("BSK-55120")
        .page(1)
        .page_size(20)
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
                ("merchantGlobalOrderId", "ORD-2024-000871"),
                ("merchantBasketId", "BSK-55120"),
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
        item.credit_subscription_id.to_string(),
        expected["creditSubscriptionId"]
    );
    assert_eq!(
        item.registration_timestamp,
        timestamp(&expected["registrationTimestamp"])
    );
    assert_eq!(
        item.last_update_timestamp,
        timestamp(&expected["lastUpdateTimestamp"])
    );
    assert_eq!(item.solution_code, expected["solutionCode"]);
    assert_eq!(
        item.implementation_code.as_deref(),
        expected["implementationCode"].as_str()
    );
    assert_eq!(
        item.merchant_global_order_id,
        expected["merchantGlobalOrderId"]
    );
    assert_eq!(
        item.buyer_financed_amount,
        amount_of(&expected["buyerFinancedAmount"])
    );
    assert_eq!(
        item.consolidated_status.to_string(),
        expected["consolidatedStatus"]
    );
    assert!(
        item.consolidated_status.known().is_some(),
        "ACCEPTED is a listed status"
    );
    assert_eq!(item.is_delivered, expected["isDelivered"].as_bool());
    assert_round_trips(&page, &example, "list example");
}

#[tokio::test]
async fn list_subscriptions_without_filters_sends_an_empty_query() {
    let spec = spec();
    let gateway = Gateway::start();
    let recorder = gateway.answer(200, Some(json!({"totalItemCount": 0, "subscriptions": []})));

    let page = api(&gateway)
        .retrieve_credit_subscription_for_specific_merchant()
        .send()
        .await
        .expect("an empty page decodes")
        .into_inner();

    assert_request(
        spec,
        "retrieveCreditSubscriptionForSpecificMerchant",
        &recorder,
        Expected::NOTHING,
    );
    assert_eq!(page.total_item_count, 0);
    assert!(page.subscriptions.is_empty());
}

#[tokio::test]
async fn list_subscriptions_decodes_a_later_page_with_cancellation_state() {
    // A second page of three matches, two per page: the shape the live API sends once a
    // subscription was delivered, returned and partly cancelled.
    let body = json!({
        "totalItemCount": 3,
        "subscriptions": [{
            "creditSubscriptionId": "123e4567-e89b-12d3-a456-426614174000",
            "registrationTimestamp": "2024-04-22T10:00:19.077Z",
            "lastUpdateTimestamp": "2024-04-23T08:15:00Z",
            "solutionCode": "SCFRSP-4XPS",
            "marketTypeCode": "FR",
            "implementationCode": "4X",
            "merchantBasketId": "061be358-acb1-11ed-afa1-0242ac120002",
            "merchantGlobalOrderId": "0c34ab62-acb1-11ed-afa1-0242ac120002",
            "buyerFinancedAmount": 1199.99,
            "consolidatedStatus": "ACCEPTED",
            "cancellationStatus": "REQUEST_FOR_PARTIAL_CANCELLATION",
            "cancellationAlreadyMade": false,
            "consolidatedSubstatus": "SUBSCRIPTION APPROVED BY PRODUCER",
            "isDelivered": true,
            "isReturned": true
        }]
    });
    let gateway = Gateway::start();
    let recorder = gateway.answer(200, Some(body));

    let page = api(&gateway)
        .retrieve_credit_subscription_for_specific_merchant()
        .merchant_global_order_id("0c34ab62-acb1-11ed-afa1-0242ac120002")
        .page(2)
        .page_size(2)
        .send()
        .await
        .expect("a later page decodes")
        .into_inner();

    assert_eq!(
        recorder.only_request().query,
        [
            (
                "merchantGlobalOrderId".to_string(),
                "0c34ab62-acb1-11ed-afa1-0242ac120002".to_string()
            ),
            ("page".to_string(), "2".to_string()),
            ("pageSize".to_string(), "2".to_string()),
        ]
    );
    assert_eq!(page.total_item_count, 3, "the total counts every page");
    assert_eq!(
        page.subscriptions.len(),
        1,
        "this page holds the third match only"
    );
    let item = &page.subscriptions[0];
    assert_eq!(item.buyer_financed_amount, amount("1199.99"));
    assert_eq!(
        item.cancellation_status
            .as_ref()
            .map(ToString::to_string)
            .as_deref(),
        Some("REQUEST_FOR_PARTIAL_CANCELLATION")
    );
    assert!(item
        .cancellation_status
        .as_ref()
        .and_then(|s| s.known())
        .is_some());
    assert_eq!(
        (item.is_delivered, item.is_returned),
        (Some(true), Some(true))
    );
    assert_eq!(
        item.last_update_timestamp.to_rfc3339(),
        "2024-04-23T08:15:00+00:00"
    );
}

#[tokio::test]
async fn list_subscriptions_keeps_statuses_the_spec_does_not_list_as_unknown() {
    let spec = spec();
    let example = spec.response_example("retrieveCreditSubscriptionForSpecificMerchant", "200");
    let example = with(
        example,
        "/subscriptions/0/consolidatedStatus",
        "AWAITING_LENDER_REVIEW",
    );
    let example = with(
        example,
        "/subscriptions/0/cancellationStatus",
        "CANCELLATION_ON_HOLD",
    );
    let gateway = Gateway::start();
    let _recorder = gateway.answer(200, Some(example));

    let page = api(&gateway)
        .retrieve_credit_subscription_for_specific_merchant()
        .send()
        .await
        .expect("an unlisted status must not fail the whole page")
        .into_inner();

    let item = &page.subscriptions[0];
    assert_eq!(
        item.consolidated_status.as_unknown(),
        Some("AWAITING_LENDER_REVIEW")
    );
    assert_eq!(
        item.cancellation_status
            .as_ref()
            .and_then(|s| s.as_unknown()),
        Some("CANCELLATION_ON_HOLD")
    );
}
