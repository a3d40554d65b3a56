//! Eligibility and simulation through the facade: every figure of the e-financing documentation
//! (split payments with and without fees, long-term credit at 1500 and 5000 EUR), to the cent.

use scalexpert::e_financing::v1_7_1::types::{
    Simulation, SolutionSimulationRequest, SolutionSimulationRequestBuyerBillingCountry as Country,
    SolutionSimulationResponse,
};
use scalexpert::Client;
use scalexpert_sandbox::{Product, RuleTable, Sandbox};

async fn simulate(
    client: &Client,
    country: Country,
    amount: f64,
    codes: &[&str],
) -> SolutionSimulationResponse {
    client
        .e_financing_v1_7_1()
        .credit_simulation()
        .body(SolutionSimulationRequest {
            buyer_billing_country: country,
            financed_amount: scalexpert::Amount::try_from(amount).expect("a test amount"),
            solution_codes: (!codes.is_empty()).then(|| {
                let codes: Vec<String> = codes.iter().map(|c| c.to_string()).collect();
                codes.try_into().expect("at most 100 codes")
            }),
        })
        .send()
        .await
        .expect("simulation")
        .into_inner()
}

/// One documented plan: duration, APR, nominal rate, total cost, total due, fees, instalments.
type Expected<'a> = (i32, f64, f64, f64, f64, f64, &'a [f64]);

fn assert_plans(code: &str, plans: &[Simulation], expected: &[Expected<'_>]) {
    assert_eq!(plans.len(), expected.len(), "{code}: number of plans");
    for (plan, want) in plans.iter().zip(expected) {
        let numbers: Vec<i32> = plan.installments.iter().map(|i| i.number).collect();
        let amounts: Vec<f64> = plan
            .installments
            .iter()
            .map(|i| crate::float(i.amount))
            .collect();
        assert_eq!(
            (
                plan.duration,
                crate::float(plan.effective_annual_percentage_rate),
                crate::float(plan.nominal_percentage_rate),
                crate::float(plan.total_cost),
                crate::float(plan.due_total_amount),
                crate::float(plan.fees_amount),
                amounts.as_slice()
            ),
            *want,
            "{code}"
        );
        assert_eq!(
            numbers,
            (1..=want.6.len() as i32).collect::<Vec<_>>(),
            "{code}"
        );
    }
}

const FOUR_FREE_1500: &[Expected<'static>] =
    &[(4, 0.0, 0.0, 0.0, 1500.0, 0.0, &[375.0, 375.0, 375.0, 375.0])];
const FOUR_PAID_1500: &[Expected<'static>] = &[(
    4,
    12.584,
    0.0,
    20.0,
    1520.0,
    20.0,
    &[395.0, 375.0, 375.0, 375.0],
)];
const CREDIT_1500: &[Expected<'static>] = &[
    (6, 9.9, 9.477, 41.7, 1541.7, 0.0, &[256.95]),
    (12, 9.9, 9.477, 78.0, 1578.0, 0.0, &[131.5]),
    (18, 9.9, 9.477, 114.96, 1614.96, 0.0, &[89.72]),
    (24, 9.9, 9.477, 152.4, 1652.4, 0.0, &[68.85]),
];
const CREDIT_5000: &[Expected<'static>] = &[
    (12, 9.9, 9.477, 260.32, 5260.32, 0.0, &[438.36]),
    (24, 9.9, 9.477, 508.24, 5508.24, 0.0, &[229.51]),
    (36, 9.9, 9.477, 763.96, 5763.96, 0.0, &[160.11]),
    (48, 9.9, 9.477, 1026.88, 6026.88, 0.0, &[125.56]),
];

#[tokio::test]
async fn split_payment_without_fees_at_1500() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let answer = simulate(&client, Country::Fr, 1500.0, &["SCFRSP-4XTS"]).await;
    assert_eq!(answer.financed_amount, crate::eur(1500.0));
    assert_eq!(answer.buyer_billing_country.to_string(), "FR");
    assert_eq!(answer.solution_simulations.len(), 1);
    let item = &answer.solution_simulations[0];
    assert_eq!(item.solution_code, "SCFRSP-4XTS");
    assert_plans(&item.solution_code, &item.simulations, FOUR_FREE_1500);
}

#[tokio::test]
async fn long_term_credit_at_5000() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let answer = simulate(&client, Country::Fr, 5000.0, &["SCFRLT-TXNO"]).await;
    assert_eq!(answer.solution_simulations.len(), 1);
    let item = &answer.solution_simulations[0];
    assert_eq!(item.solution_code, "SCFRLT-TXNO");
    assert_plans(&item.solution_code, &item.simulations, CREDIT_5000);
}

#[tokio::test]
async fn every_solution_at_1500_as_documented() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let answer = simulate(&client, Country::Fr, 1500.0, &[]).await;
    let codes: Vec<&str> = answer
        .solution_simulations
        .iter()
        .map(|s| s.solution_code.as_str())
        .collect();
    assert_eq!(
        codes,
        ["SCFRSP-4XTS", "SCFRLT-TXPS", "SCFRLT-TXNO", "SCFRSP-4XPS"]
    );
    let expected = [FOUR_FREE_1500, CREDIT_1500, CREDIT_1500, FOUR_PAID_1500];
    for (item, want) in answer.solution_simulations.iter().zip(expected) {
        assert_plans(&item.solution_code, &item.simulations, want);
    }
}

#[tokio::test]
async fn three_instalments_at_1500_once_the_rules_allow_it() {
    let rules = RuleTable::standard()
        .with(Product::split_payment("SCFRSP-3XTS", "FR", 3).amounts(50.0, 3000.0));
    let sandbox = Sandbox::builder()
        .rules(rules)
        .start()
        .await
        .expect("sandbox");
    let client = sandbox.client().expect("client");
    let answer = simulate(&client, Country::Fr, 1500.0, &["SCFRSP-3XTS"]).await;
    let item = &answer.solution_simulations[0];
    assert_plans(
        "SCFRSP-3XTS",
        &item.simulations,
        &[(3, 0.0, 0.0, 0.0, 1500.0, 0.0, &[500.0, 500.0, 500.0])],
    );
    // The same request under the standard rules: 3X stops at 1000 EUR, so nothing is simulated.
    let standard = Sandbox::start().await.expect("sandbox");
    let answer = simulate(
        &standard.client().expect("client"),
        Country::Fr,
        1500.0,
        &["SCFRSP-3XTS"],
    )
    .await;
    assert!(answer.solution_simulations.is_empty());
}

#[tokio::test]
async fn cent_remainders_and_fees_go_to_the_first_instalment() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let answer = simulate(
        &client,
        Country::Fr,
        1000.0,
        &["SCFRSP-3XTS", "SCFRSP-3XPS"],
    )
    .await;
    let plans: Vec<(&str, Vec<f64>, f64)> = answer
        .solution_simulations
        .iter()
        .map(|s| {
            let plan = &s.simulations[0];
            (
                s.solution_code.as_str(),
                plan.installments
                    .iter()
                    .map(|i| crate::float(i.amount))
                    .collect(),
                crate::float(plan.due_total_amount),
            )
        })
        .collect();
    assert_eq!(
        plans,
        [
            ("SCFRSP-3XTS", vec![333.34, 333.33, 333.33], 1000.0),
            ("SCFRSP-3XPS", vec![343.34, 333.33, 333.33], 1010.0),
        ]
    );
}

#[tokio::test]
async fn unknown_and_ineligible_codes_are_left_out() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let answer = simulate(
        &client,
        Country::Fr,
        1500.0,
        &["SCFRSP-9XTS", "SCDELT-DXTS"],
    )
    .await;
    assert!(answer.solution_simulations.is_empty());
    let german = simulate(&client, Country::De, 1500.0, &[]).await;
    let codes: Vec<&str> = german
        .solution_simulations
        .iter()
        .map(|s| s.solution_code.as_str())
        .collect();
    assert_eq!(codes, ["SCDELT-DXTS"]);
    // A 0 % credit costs nothing and lists its first instalment, remainder included.
    assert_plans(
        "SCDELT-DXTS",
        &german.solution_simulations[0].simulations,
        &[
            (6, 0.0, 0.0, 0.0, 1500.0, 0.0, &[250.0]),
            (12, 0.0, 0.0, 0.0, 1500.0, 0.0, &[125.0]),
            (24, 0.0, 0.0, 0.0, 1500.0, 0.0, &[62.5]),
        ],
    );
}

#[tokio::test]
async fn eligibility_by_country_and_amount() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let eligible = |country: &'static str, amount: f64| {
        let client = client.clone();
        async move {
            client
                .e_financing_v1_7_1()
                .get_eligible_product_services()
                .buyer_billing_country(country)
                .financed_amount(amount)
                .send()
                .await
                .expect("eligibility")
                .into_inner()
                .solutions
        }
    };
    let at_1500 = eligible("FR", 1500.0).await;
    let listed: Vec<(&str, &str, &str, &str)> = at_1500
        .iter()
        .map(|s| {
            (
                s.solution_code.as_str(),
                s.market_code.as_str(),
                s.family_code.as_str(),
                s.conditions.as_str(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("SCFRSP-4XTS", "FR", "SC", "TS"),
            ("SCFRLT-TXPS", "FR", "SC", "PS"),
            ("SCFRLT-TXNO", "FR", "SC", "NO"),
            ("SCFRSP-4XPS", "FR", "SC", "PS"),
        ]
    );
    for solution in &at_1500 {
        let kit = &solution.communication_kit;
        assert_eq!(kit.solution_code, solution.solution_code);
        assert!(kit.visual_title.as_deref().is_some_and(|t| !t.is_empty()));
        assert!(kit
            .visual_logo
            .as_deref()
            .is_some_and(|l| l.starts_with(sandbox.base_url())));
    }
    let codes =
        |solutions: Vec<scalexpert::e_financing::v1_7_1::types::ProductsAndServicesResponse>| {
            solutions
                .into_iter()
                .map(|s| s.solution_code)
                .collect::<Vec<_>>()
        };
    assert_eq!(
        codes(eligible("FR", 500.0).await),
        ["SCFRSP-3XTS", "SCFRSP-4XTS", "SCFRSP-3XPS", "SCFRSP-4XPS"]
    );
    assert_eq!(
        codes(eligible("FR", 5000.0).await),
        ["SCFRLT-TXPS", "SCFRLT-TXNO"]
    );
    assert_eq!(codes(eligible("DE", 1500.0).await), ["SCDELT-DXTS"]);
    assert!(eligible("IT", 1500.0).await.is_empty());
    assert!(eligible("FR", 20_000.0).await.is_empty());

    // Overriding the rules while running changes the next answers.
    sandbox
        .set_rules(RuleTable::empty().with(Product::split_payment("SCITSP-3XTS", "IT", 3)))
        .expect("valid rules");
    assert_eq!(codes(eligible("IT", 1500.0).await), ["SCITSP-3XTS"]);
    assert!(eligible("FR", 1500.0).await.is_empty());
}

#[tokio::test]
async fn nothing_eligible_is_an_empty_object() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    // The facade decodes it as an empty list; on the wire it is `{}`.
    let solutions = client
        .e_financing_v1_7_1()
        .get_eligible_product_services()
        .buyer_billing_country("IT")
        .financed_amount(100.0)
        .send()
        .await
        .expect("eligibility")
        .into_inner();
    assert!(solutions.solutions.is_empty());
    let token = reqwest::Client::new()
        .post(format!(
            "{}/auth-server/api/v1/oauth2/token",
            sandbox.base_url()
        ))
        .basic_auth(
            scalexpert_sandbox::DEFAULT_CLIENT_ID,
            Some(scalexpert_sandbox::DEFAULT_CLIENT_SECRET),
        )
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token")
        .json::<serde_json::Value>()
        .await
        .expect("json")["access_token"]
        .as_str()
        .expect("token")
        .to_string();
    let raw = reqwest::Client::new()
        .get(format!(
            "{}/e-financing/api/v1/eligible-solutions?buyerBillingCountry=IT&financedAmount=100",
            sandbox.base_url()
        ))
        .bearer_auth(token)
        .send()
        .await
        .expect("answer")
        .text()
        .await
        .expect("body");
    assert_eq!(raw, "{}");
}
