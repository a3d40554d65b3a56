//! The simulation (`creditSimulation`, 1.4.0's `simulateSolution`): `POST /_simulate-solutions`.

use super::{api, simulate, spec, types, SIMULATION};
use crate::support::{
    amount, amount_of, assert_invalid_request, assert_request, assert_round_trips, rate_of, with,
    without, Amount, Expected, Gateway, JsonBody,
};
use serde_json::json;

#[tokio::test]
async fn simulation_posts_the_spec_example_and_decodes_the_spec_response() {
    let spec = spec();
    let request = spec.request_example(SIMULATION);
    let example = spec.response_example(SIMULATION, "200");
    let gateway = Gateway::start();
    let recorder = gateway.answer(200, Some(example.clone()));

    let simulation = simulate(&api(&gateway))
        .body(JsonBody(request.clone()))
        .send()
        .await
        .expect("the spec example decodes")
        .into_inner();

    assert_request(
        spec,
        SIMULATION,
        &recorder,
        Expected {
            body: Some(&request),
            ..Expected::NOTHING
        },
    );
    assert_eq!(
        simulation.financed_amount,
        amount_of(&example["financedAmount"])
    );
    assert_eq!(
        simulation.buyer_billing_country.to_string(),
        example["buyerBillingCountry"]
    );
    let expected_items = example["solutionSimulations"]
        .as_array()
        .expect("solutions");
    assert_eq!(simulation.solution_simulations.len(), expected_items.len());
    for (item, expected) in simulation.solution_simulations.iter().zip(expected_items) {
        assert_eq!(item.solution_code, expected["solutionCode"]);
        let durations: Vec<i32> = item.simulations.iter().map(|s| s.duration).collect();
        let expected_durations: Vec<i64> = expected["simulations"]
            .as_array()
            .expect("simulations")
            .iter()
            .filter_map(|s| s["duration"].as_i64())
            .collect();
        assert_eq!(
            durations.iter().map(|d| i64::from(*d)).collect::<Vec<_>>(),
            expected_durations
        );
        let first = &item.simulations[0];
        let expected_first = &expected["simulations"][0];
        assert_eq!(
            first.effective_annual_percentage_rate,
            rate_of(&expected_first["effectiveAnnualPercentageRate"])
        );
        assert_eq!(
            first.due_total_amount,
            amount_of(&expected_first["dueTotalAmount"])
        );
        assert_eq!(
            first.installments[0].amount,
            amount_of(&expected_first["installments"][0]["amount"])
        );
    }
    assert_round_trips(&simulation, &example, "simulation example");
}

#[tokio::test]
async fn simulation_built_with_the_typed_builder_sends_only_what_was_set() {
    let spec = spec();
    let gateway = Gateway::start();
    let recorder = gateway.answer(
        200,
        Some(json!({
            "financedAmount": 1500.25,
            "buyerBillingCountry": "DE",
            "solutionSimulations": []
        })),
    );

    let simulation = simulate(&api(&gateway))
        .body_map(|body| {
            body.financed_amount(amount("1500.25"))
                .buyer_billing_country(types::SolutionSimulationRequestBuyerBillingCountry::De)
        })
        .send()
        .await
        .expect("no eligible solution is an empty list")
        .into_inner();

    // solutionCodes left out: "simulate every eligible solution".
    assert_request(
        spec,
        SIMULATION,
        &recorder,
        Expected {
            body: Some(&json!({"financedAmount": 1500.25, "buyerBillingCountry": "DE"})),
            ..Expected::NOTHING
        },
    );
    assert!(simulation.solution_simulations.is_empty());
}

#[tokio::test]
async fn simulation_decodes_several_solutions_with_several_durations_each() {
    // What the live API answers for 1500 EUR without solutionCodes: split payment with
    // every instalment listed, long-term credit with one plan per duration and only its
    // first instalment.
    let plan = |duration: i32, total_cost: f64, first: f64| {
        json!({
            "duration": duration,
            "effectiveAnnualPercentageRate": 9.9,
            "nominalPercentageRate": 9.477,
            "totalCost": total_cost,
            "dueTotalAmount": 1500.0 + total_cost,
            "feesAmount": 0.0,
            "installments": [{"number": 1, "amount": first}]
        })
    };
    let body = json!({
        "financedAmount": 1500.0,
        "buyerBillingCountry": "FR",
        "solutionSimulations": [
            {"solutionCode": "SCFRSP-4XTS", "simulations": [{
                "duration": 4, "effectiveAnnualPercentageRate": 0.0,
                "nominalPercentageRate": 0.0, "totalCost": 0.0,
                "dueTotalAmount": 1500.0, "feesAmount": 0.0,
                "installments": [
                    {"number": 1, "amount": 375.0}, {"number": 2, "amount": 375.0},
                    {"number": 3, "amount": 375.0}, {"number": 4, "amount": 375.0}
                ]
            }]},
            {"solutionCode": "SCFRLT-TXPS", "simulations": [
                plan(6, 41.7, 256.95), plan(12, 78.0, 131.5),
                plan(18, 114.96, 89.72), plan(24, 152.4, 68.85)
            ]},
            {"solutionCode": "SCFRSP-4XPS", "simulations": [{
                "duration": 4, "effectiveAnnualPercentageRate": 12.584,
                "nominalPercentageRate": 0.0, "totalCost": 20.0,
                "dueTotalAmount": 1520.0, "feesAmount": 20.0,
                "installments": [
                    {"number": 1, "amount": 395.0}, {"number": 2, "amount": 375.0},
                    {"number": 3, "amount": 375.0}, {"number": 4, "amount": 375.0}
                ]
            }]}
        ]
    });
    let gateway = Gateway::start();
    let _recorder = gateway.answer(200, Some(body.clone()));

    let simulation = simulate(&api(&gateway))
        .body_map(|b| {
            b.financed_amount(amount("1500.00"))
                .buyer_billing_country(types::SolutionSimulationRequestBuyerBillingCountry::Fr)
        })
        .send()
        .await
        .expect("several solutions and durations decode")
        .into_inner();

    let codes: Vec<&str> = simulation
        .solution_simulations
        .iter()
        .map(|s| s.solution_code.as_str())
        .collect();
    assert_eq!(codes, ["SCFRSP-4XTS", "SCFRLT-TXPS", "SCFRSP-4XPS"]);
    let long_term = &simulation.solution_simulations[1];
    let durations: Vec<i32> = long_term.simulations.iter().map(|s| s.duration).collect();
    assert_eq!(durations, [6, 12, 18, 24]);
    let firsts: Vec<Amount> = long_term
        .simulations
        .iter()
        .map(|s| s.installments[0].amount)
        .collect();
    assert_eq!(firsts, ["256.95", "131.50", "89.72", "68.85"].map(amount));
    assert_eq!(long_term.simulations[3].due_total_amount, amount("1652.40"));
    let split = &simulation.solution_simulations[0].simulations[0];
    assert_eq!(
        split
            .installments
            .iter()
            .map(|i| i.number)
            .collect::<Vec<_>>(),
        [1, 2, 3, 4]
    );
    let with_fees = &simulation.solution_simulations[2].simulations[0];
    assert_eq!(
        (with_fees.fees_amount, with_fees.installments[0].amount),
        (amount("20.00"), amount("395.00"))
    );
    assert_round_trips(&simulation, &body, "several durations");
}

#[tokio::test]
async fn simulation_keeps_a_billing_country_the_spec_does_not_list_as_unknown() {
    let example = spec().response_example(SIMULATION, "200");
    let gateway = Gateway::start();
    let _recorder = gateway.answer(200, Some(with(example, "/buyerBillingCountry", "BE")));

    let simulation = simulate(&api(&gateway))
        .body(JsonBody(spec().request_example(SIMULATION)))
        .send()
        .await
        .expect("a new market must not fail decoding")
        .into_inner();

    assert_eq!(simulation.buyer_billing_country.as_unknown(), Some("BE"));
}

#[tokio::test]
async fn simulation_refuses_a_billing_country_outside_the_enum_before_sending() {
    let gateway = Gateway::expecting_nothing();
    let request = with(
        spec().request_example(SIMULATION),
        "/buyerBillingCountry",
        "IT",
    );

    let result = simulate(&api(&gateway))
        .body(JsonBody(request))
        .send()
        .await;

    assert_invalid_request(result, &["SolutionSimulationRequest", "IT"]);
    gateway.assert_nothing_received();
}

#[tokio::test]
async fn simulation_refuses_a_missing_required_amount_before_sending() {
    let gateway = Gateway::expecting_nothing();

    let built = simulate(&api(&gateway))
        .body_map(|b| {
            b.buyer_billing_country(types::SolutionSimulationRequestBuyerBillingCountry::Fr)
        })
        .send()
        .await;
    assert_invalid_request(built, &["financed_amount"]);

    let request = without(spec().request_example(SIMULATION), "/financedAmount");
    let from_json = simulate(&api(&gateway))
        .body(JsonBody(request))
        .send()
        .await;
    assert_invalid_request(from_json, &["financedAmount"]);

    gateway.assert_nothing_received();
}
