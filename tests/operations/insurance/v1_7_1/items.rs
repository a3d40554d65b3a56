//! `CreateItemRequest`: `POST /items`, registering a catalogue item with the insurer.

use super::{api, api_error, spec};
use crate::support::{
    assert_invalid_request, assert_request, assert_round_trips, without, Expected, Gateway,
    JsonBody,
};
use serde_json::json;

#[tokio::test]
async fn register_item_posts_the_spec_example_and_decodes_the_insurer_id() {
    let spec = spec();
    let op = "CreateItemRequest";
    let request = spec.request_example(op);
    let example = spec.response_example(op, "201");
    let gateway = Gateway::start();
    let recorder = gateway.answer(201, Some(example.clone()));

    let item = api(&gateway)
        .create_item_request()
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
    assert_eq!(item.id, example["id"]);
    assert_round_trips(&item, &example, "item example");
}

#[tokio::test]
async fn register_item_built_with_the_typed_builder_sends_a_new_item_unless_told_otherwise() {
    // `isRefurbished` defaults to false in the spec; the generated type sends it explicitly.
    let gateway = Gateway::start();
    let recorder = gateway.answer(201, Some(json!({"id": "8d0f5d0e-item-at-insurer"})));

    let item = api(&gateway)
        .create_item_request()
        .body_map(|b| {
            b.solution_code("CIFRBS-DXCO")
                .sku("PHN-X12-128-NR")
                .merchant_item_id("ART-0077310")
                .brand("Norvik")
                .model("X12")
                .title("Smartphone Norvik X12 128 Go noir")
                .description("Écran OLED 6,1 pouces, double capteur photo.")
                .characteristics("128 Go, 6,1 pouces, 5G")
                .category("Téléphonie")
        })
        .send()
        .await
        .expect("item registered")
        .into_inner();

    assert_request(
        spec(),
        "CreateItemRequest",
        &recorder,
        Expected {
            body: Some(&json!({
                "solutionCode": "CIFRBS-DXCO",
                "sku": "PHN-X12-128-NR",
                "merchantItemId": "ART-0077310",
                "brand": "Norvik",
                "model": "X12",
                "title": "Smartphone Norvik X12 128 Go noir",
                "description": "Écran OLED 6,1 pouces, double capteur photo.",
                "characteristics": "128 Go, 6,1 pouces, 5G",
                "category": "Téléphonie",
                "isRefurbished": false
            })),
            ..Expected::NOTHING
        },
    );
    assert_eq!(item.id, "8d0f5d0e-item-at-insurer");
}

#[tokio::test]
async fn register_item_refuses_a_body_missing_required_members_before_sending() {
    let gateway = Gateway::expecting_nothing();
    let example = spec().request_example("CreateItemRequest");
    for member in [
        "solutionCode",
        "sku",
        "merchantItemId",
        "brand",
        "model",
        "title",
        "description",
        "characteristics",
        "category",
    ] {
        let result = api(&gateway)
            .create_item_request()
            .body(JsonBody(without(example.clone(), &format!("/{member}"))))
            .send()
            .await;
        assert_invalid_request(result, &["CreateItemRequest", member]);
    }

    // With the typed builder, leaving out a required member is refused the same way.
    let result = api(&gateway)
        .create_item_request()
        .body_map(|b| b.solution_code("CIFRWE-DXCO").sku("KVX-LV714-BLC"))
        .send()
        .await;
    assert_invalid_request(result, &["no value supplied for brand"]);

    gateway.assert_nothing_received();
}

#[tokio::test]
async fn register_item_refused_by_the_insurer_gives_the_spec_error_body_typed() {
    let spec = spec();
    let example = spec.response_example("CreateItemRequest", "400");
    let gateway = Gateway::start();
    let _recorder = gateway.answer(400, Some(example.clone()));

    let result = api(&gateway)
        .create_item_request()
        .body(JsonBody(spec.request_example("CreateItemRequest")))
        .send()
        .await;

    let error = api_error(result);
    assert_eq!(error.status.as_u16(), 400);
    assert!(error.has_code("INVALID_FIELD"), "{error:?}");
}
