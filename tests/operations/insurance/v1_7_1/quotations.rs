//! `createInsuranceQuotation`: `POST /quotations`, a firm price for the chosen offer.

use super::{api, spec, types};
use crate::support::{
    amount, amount_of, assert_invalid_request, assert_request, assert_round_trips, with, without,
    Expected, Gateway, JsonBody,
};
use serde_json::json;

#[tokio::test]
async fn quotation_posts_the_spec_example_and_decodes_price_and_expiry() {
    let spec = spec();
    let op = "createInsuranceQuotation";
    let request = spec.request_example(op);
    let example = spec.response_example(op, "201");
    let gateway = Gateway::start();
    let recorder = gateway.answer(201, Some(example.clone()));

    let quote = api(&gateway)
        .create_insurance_quotation()
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
        quote.quote_id.map(|id| id.to_string()).as_deref(),
        example["quoteId"].as_str()
    );
    assert_eq!(
        quote.insurance_price,
        Some(amount_of(&example["insurancePrice"]))
    );
    assert_eq!(
        quote.expiration_date.as_deref(),
        example["expirationDate"].as_str()
    );
    assert_round_trips(&quote, &example, "quotation example");
}

#[tokio::test]
async fn quotation_built_with_the_typed_builder_sends_exactly_what_was_set() {
    let gateway = Gateway::start();
    let recorder = gateway.answer(
        201,
        Some(json!({
            "quoteId": "0b8c2a51-6f0e-4d6b-a3c9-1f5e7d2b9a40",
            "insurancePrice": 49,
            "expirationDate": "2024-11-30T23:59:59Z"
        })),
    );

    let quote = api(&gateway)
        .create_insurance_quotation()
        .body_map(|b| {
            b.solution_code(
                types::InsuranceQuotationRequestSolutionCode::try_from("CIFRBS-DXCO")
                    .expect("a valid code"),
            )
            .item_id("8d0f5d0e-item-at-insurer")
            .item_price(amount("899.00"))
            .insurance_id("BSC-12M-07")
        })
        .send()
        .await
        .expect("quoted")
        .into_inner();

    assert_request(
        spec(),
        "createInsuranceQuotation",
        &recorder,
        Expected {
            body: Some(&json!({
                "solutionCode": "CIFRBS-DXCO",
                "itemId": "8d0f5d0e-item-at-insurer",
                "itemPrice": 899.0,
                "insuranceId": "BSC-12M-07"
            })),
            ..Expected::NOTHING
        },
    );
    assert_eq!(quote.insurance_price, Some(amount("49.00")));
}

#[tokio::test]
async fn quotation_refuses_a_solution_code_outside_its_pattern_before_sending() {
    // `^CI\w{4}-\w{4}$`: CI, four word characters, a dash and four more.
    use types::InsuranceQuotationRequestSolutionCode as SolutionCode;
    for valid in ["CIFRWE-DXCO", "CIFRBS-DXCO"] {
        assert!(SolutionCode::try_from(valid).is_ok(), "{valid}");
    }

    let gateway = Gateway::expecting_nothing();
    let example = spec().request_example("createInsuranceQuotation");
    // An e-financing code, a truncated one, one without the dash.
    for invalid in ["SCFRSP-4XTS", "CIFRWE", "CIFRWEDXCO"] {
        let result = api(&gateway)
            .create_insurance_quotation()
            .body(JsonBody(with(example.clone(), "/solutionCode", invalid)))
            .send()
            .await;
        assert_invalid_request(
            result,
            &["InsuranceQuotationRequest", "doesn't match pattern"],
        );
    }
    gateway.assert_nothing_received();
}

#[tokio::test]
async fn quotation_refuses_a_body_missing_required_members_before_sending() {
    let gateway = Gateway::expecting_nothing();
    let example = spec().request_example("createInsuranceQuotation");
    for member in ["solutionCode", "itemId", "itemPrice", "insuranceId"] {
        let result = api(&gateway)
            .create_insurance_quotation()
            .body(JsonBody(without(example.clone(), &format!("/{member}"))))
            .send()
            .await;
        assert_invalid_request(result, &["InsuranceQuotationRequest", member]);
    }
    gateway.assert_nothing_received();
}
