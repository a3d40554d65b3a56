//! `getEligibleProductServices`: `GET /eligible-solutions`.

use super::{api, spec};
use crate::support::{
    assert_invalid_request, assert_request, assert_round_trips, Expected, Gateway,
};
use serde_json::json;

#[tokio::test]
async fn eligible_solutions_send_the_country_as_query_and_decode_the_spec_example() {
    let spec = spec();
    let op = "getEligibleProductServices";
    let example = spec.response_example(op, "200");
    let gateway = Gateway::start();
    let recorder = gateway.answer(200, Some(example.clone()));

    let eligible = api(&gateway)
        .get_eligible_product_services()
        .buyer_billing_country("FR")
        .send()
        .await
        .expect("the spec example decodes")
        .into_inner();

    assert_request(
        spec,
        op,
        &recorder,
        Expected {
            query: &[("buyerBillingCountry", "FR")],
            ..Expected::NOTHING
        },
    );
    let codes: Vec<&str> = eligible
        .solutions
        .iter()
        .map(|s| s.solution_code.as_str())
        .collect();
    assert_eq!(codes, ["CIFRWE-DXCO", "CIFRBS-DXCO"]);
    for (solution, expected) in eligible
        .solutions
        .iter()
        .zip(example["solutions"].as_array().expect("solutions"))
    {
        assert_eq!(solution.family_code, expected["familyCode"]);
        assert_eq!(solution.market_code, expected["marketCode"]);
        assert_eq!(solution.conditions, expected["conditions"]);
        let (kit, expected_kit) = (&solution.communication_kit, &expected["communicationKit"]);
        assert_eq!(kit.solution_code, expected_kit["solutionCode"]);
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
    }
    // The broken-screen kit has no legal text: an optional field left out stays out.
    assert_eq!(
        eligible.solutions[1].communication_kit.visual_legal_text,
        None
    );
    assert_round_trips(&eligible, &example, "eligibility example");
}

#[tokio::test]
async fn eligible_solutions_decode_the_empty_object_sent_when_nothing_is_available() {
    let gateway = Gateway::start();
    let _recorder = gateway.answer(200, Some(json!({})));

    let eligible = api(&gateway)
        .get_eligible_product_services()
        .buyer_billing_country("DE")
        .send()
        .await
        .expect("{} means no solution")
        .into_inner();

    assert!(eligible.solutions.is_empty());
}

#[tokio::test]
async fn eligible_solutions_accept_a_null_description_and_kit_fields_the_spec_does_not_list() {
    // Live kits send `null` for an absent description and may carry fields added later.
    let body = json!({"solutions": [{
        "solutionCode": "CIFRWE-DXCO", "familyCode": "CI", "marketCode": "FR",
        "conditions": "DXCO",
        "communicationKit": {
            "solutionCode": "CIFRWE-DXCO",
            "visualTitle": "Garantie prolongée",
            "visualDescription": null,
            "visualInformationIcon": "https://cdn.example.com/kit/info.svg",
            "visualAdditionalInformation": "Pièces et main-d'œuvre",
            "visualButtonLabel": "Ajouter"
        }
    }]});
    let gateway = Gateway::start();
    let _recorder = gateway.answer(200, Some(body));

    let eligible = api(&gateway)
        .get_eligible_product_services()
        .buyer_billing_country("FR")
        .send()
        .await
        .expect("a null description and an unknown field must decode")
        .into_inner();

    let kit = &eligible.solutions[0].communication_kit;
    assert_eq!(kit.visual_description, None);
    assert_eq!(kit.visual_title.as_deref(), Some("Garantie prolongée"));
}

#[tokio::test]
async fn eligible_solutions_refuse_a_missing_required_country_before_sending() {
    let gateway = Gateway::expecting_nothing();

    let result = api(&gateway).get_eligible_product_services().send().await;

    assert_invalid_request(result, &["buyer_billing_country"]);
    gateway.assert_nothing_received();
}
