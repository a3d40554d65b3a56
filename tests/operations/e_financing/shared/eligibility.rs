//! `getEligibleProductServices`: `GET /eligible-solutions`.

use super::{api, spec};
use crate::support::{
    amount, assert_invalid_request, assert_request, assert_round_trips, Expected, Gateway,
};
use serde_json::json;

#[tokio::test]
async fn eligible_solutions_send_country_and_amount_as_query_and_decode_the_spec_example() {
    let spec = spec();
    let op = "getEligibleProductServices";
    let example = spec.response_example(op, "200");
    let gateway = Gateway::start();
    let recorder = gateway.answer(200, Some(example.clone()));

    let eligible = api(&gateway)
        .get_eligible_product_services()
        .buyer_billing_country("FR")
        .financed_amount(amount("1249.9"))
        .send()
        .await
        .expect("the spec example decodes")
        .into_inner();

    assert_request(
        spec,
        op,
        &recorder,
        Expected {
            query: &[("buyerBillingCountry", "FR"), ("financedAmount", "1249.9")],
            ..Expected::NOTHING
        },
    );
    assert_eq!(eligible.solutions.len(), 1);
    let (solution, expected) = (&eligible.solutions[0], &example["solutions"][0]);
    assert_eq!(solution.solution_code, expected["solutionCode"]);
    assert_eq!(solution.family_code, expected["familyCode"]);
    assert_eq!(solution.conditions, expected["conditions"]);
    let (kit, expected_kit) = (&solution.communication_kit, &expected["communicationKit"]);
    assert_eq!(
        kit.visual_title.as_deref(),
        expected_kit["visualTitle"].as_str()
    );
    assert_eq!(
        kit.visual_information_icon,
        expected_kit["visualInformationIcon"]
    );
    assert_eq!(
        kit.visual_product_terms_url.as_deref(),
        expected_kit["visualProductTermsURL"].as_str()
    );
    assert_round_trips(&eligible, &example, "eligibility example");
}

#[tokio::test]
async fn eligible_solutions_accept_a_null_or_missing_visual_description() {
    // The live API sends `"visualDescription": null` for kits without a description,
    // although the spec neither marks it nullable nor (in 1.4.0) defines it at all.
    let kit = |code: &str| {
        json!({
            "solutionCode": code,
            "visualTitle": "Payez en 3 ou 4 fois",
            "visualInformationIcon": "https://merchant.kit/uri/info.ico",
            "visualAdditionalInformation": "xxx",
            "visualLegalText": "xxx",
            "visualTableImage": "https://merchant.kit/uri/table.png",
            "visualLogo": "https://merchant.kit/uri/logo.ico",
            "visualInformationNoticeURL": "https://merchant.kit/uri/notice.pdf",
            "visualProductTermsURL": "https://merchant.kit/uri/productTerms.pdf"
        })
    };
    let with_null = {
        let mut kit = kit("SCFRSP-3XTS");
        kit["visualDescription"] = serde_json::Value::Null;
        kit
    };
    let body = json!({"solutions": [
        {"solutionCode": "SCFRSP-3XTS", "familyCode": "SC", "marketCode": "FR",
         "conditions": "PS", "communicationKit": with_null},
        {"solutionCode": "SCFRSP-4XTS", "familyCode": "SC", "marketCode": "FR",
         "conditions": "TS", "communicationKit": kit("SCFRSP-4XTS")}
    ]});
    let gateway = Gateway::start();
    let _recorder = gateway.answer(200, Some(body));

    let eligible = api(&gateway)
        .get_eligible_product_services()
        .buyer_billing_country("FR")
        .financed_amount(amount("500.00"))
        .send()
        .await
        .expect("a null visualDescription must decode")
        .into_inner();

    let codes: Vec<&str> = eligible
        .solutions
        .iter()
        .map(|s| s.solution_code.as_str())
        .collect();
    assert_eq!(codes, ["SCFRSP-3XTS", "SCFRSP-4XTS"]);
    assert_eq!(
        eligible.solutions[0]
            .communication_kit
            .visual_title
            .as_deref(),
        Some("Payez en 3 ou 4 fois")
    );
    // Encoded again, neither kit has a description: null decoded as "none".
    let encoded = serde_json::to_value(&eligible).expect("encodes");
    for solution in encoded["solutions"].as_array().expect("solutions") {
        assert!(
            solution["communicationKit"]
                .get("visualDescription")
                .is_none(),
            "{solution}"
        );
    }
}

#[tokio::test]
async fn eligible_solutions_decode_the_empty_object_sent_when_nothing_is_eligible() {
    let gateway = Gateway::start();
    let _recorder = gateway.answer(200, Some(json!({})));

    let eligible = api(&gateway)
        .get_eligible_product_services()
        .buyer_billing_country("DE")
        .financed_amount(amount("25.50"))
        .send()
        .await
        .expect("{} means no solution")
        .into_inner();

    assert!(eligible.solutions.is_empty());
}

#[tokio::test]
async fn eligible_solutions_refuse_a_missing_required_amount_before_sending() {
    let gateway = Gateway::expecting_nothing();

    let result = api(&gateway)
        .get_eligible_product_services()
        .buyer_billing_country("FR")
        .send()
        .await;

    assert_invalid_request(result, &["financed_amount"]);
    gateway.assert_nothing_received();
}
