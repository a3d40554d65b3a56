//! `SearchItemInsuranceRequest`: `POST /items/_search-insurances`, the offers an item can get:
//! 200 with offers, or 204 when the item qualifies for nothing.

use super::{api, spec};
use crate::support::{
    amount, amount_of, assert_invalid_request, assert_request, assert_round_trips, without,
    Expected, Gateway, JsonBody,
};
use serde_json::json;

#[tokio::test]
async fn search_offers_posts_the_spec_example_and_decodes_the_offers() {
    let spec = spec();
    let op = "SearchItemInsuranceRequest";
    let request = spec.request_example(op);
    let example = spec.response_example(op, "200");
    let gateway = Gateway::start();
    let recorder = gateway.answer(200, Some(example.clone()));

    let response = api(&gateway)
        .search_item_insurance_request()
        .body(JsonBody(request.clone()))
        .send()
        .await
        .expect("the spec example decodes");

    assert_eq!(response.status(), 200);
    assert_request(
        spec,
        op,
        &recorder,
        Expected {
            body: Some(&request),
            ..Expected::NOTHING
        },
    );
    let found = response.into_inner().expect("a 200 carries the offers");
    assert_eq!(found.item_id, example["itemId"]);
    assert_eq!(found.solution_code, example["solutionCode"]);
    let expected_offers = example["insurances"].as_array().expect("offers");
    assert_eq!(found.insurances.len(), expected_offers.len());
    for (offer, expected) in found.insurances.iter().zip(expected_offers) {
        assert_eq!(offer.id, expected["id"]);
        assert_eq!(offer.price, amount_of(&expected["price"]));
        assert_eq!(offer.description, expected["description"]);
    }
    assert_round_trips(&found, &example, "offers example");
}

#[tokio::test]
async fn search_offers_answered_204_is_no_offer_not_an_error() {
    let spec = spec();
    let op = "SearchItemInsuranceRequest";
    let request = spec.request_example(op);
    let gateway = Gateway::start();
    let recorder = gateway.answer(204, None);

    let response = api(&gateway)
        .search_item_insurance_request()
        .body(JsonBody(request.clone()))
        .send()
        .await
        .expect("204 is a success: the item qualifies for nothing");

    assert_eq!(response.status(), 204);
    assert!(
        response.into_inner().is_none(),
        "a 204 is the typed \"no offer\""
    );
    assert_request(
        spec,
        op,
        &recorder,
        Expected {
            body: Some(&request),
            ..Expected::NOTHING
        },
    );
}

#[tokio::test]
async fn search_offers_built_with_the_typed_builder_decode_a_single_offer_with_a_whole_price() {
    // A broken-screen cover has one offer; prices may come without decimals.
    let gateway = Gateway::start();
    let recorder = gateway.answer(
        200,
        Some(json!({
            "itemId": "8d0f5d0e-item-at-insurer",
            "solutionCode": "CIFRBS-DXCO",
            "insurances": [
                {"id": "BSC-12M-07", "price": 49, "description": "Casse écran, 1 an"}
            ]
        })),
    );

    let found = api(&gateway)
        .search_item_insurance_request()
        .body_map(|b| {
            b.solution_code("CIFRBS-DXCO")
                .item_id("8d0f5d0e-item-at-insurer")
                .price(amount("899.00"))
        })
        .send()
        .await
        .expect("one offer decodes")
        .into_inner()
        .expect("a 200 carries the offers");

    assert_request(
        spec(),
        "SearchItemInsuranceRequest",
        &recorder,
        Expected {
            body: Some(&json!({
                "solutionCode": "CIFRBS-DXCO",
                "itemId": "8d0f5d0e-item-at-insurer",
                "price": 899.0
            })),
            ..Expected::NOTHING
        },
    );
    assert_eq!(found.insurances.len(), 1);
    assert_eq!(found.insurances[0].price, amount("49.00"));
}

#[tokio::test]
async fn search_offers_refuse_a_missing_price_before_sending() {
    let gateway = Gateway::expecting_nothing();

    let from_json = api(&gateway)
        .search_item_insurance_request()
        .body(JsonBody(without(
            spec().request_example("SearchItemInsuranceRequest"),
            "/price",
        )))
        .send()
        .await;
    assert_invalid_request(from_json, &["SearchItemInsuranceRequest", "price"]);

    let built = api(&gateway)
        .search_item_insurance_request()
        .body_map(|b| {
            b.solution_code("CIFRWE-DXCO")
                .item_id("8d0f5d0e-item-at-insurer")
        })
        .send()
        .await;
    assert_invalid_request(built, &["no value supplied for price"]);

    gateway.assert_nothing_received();
}
