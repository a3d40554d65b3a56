//! Money on the wire: amounts are exact decimals in the generated types, sent as JSON numbers
//! exactly as written and read back exactly; more than two decimals never leave the client.
#![cfg(feature = "e-financing-1_7_1")]

use httpmock::prelude::*;
use rust_decimal::Decimal;
use scalexpert::e_financing::v1_7_1::types::{
    SolutionSimulationRequest, SolutionSimulationRequestBuyerBillingCountry as Country,
};
use scalexpert::{Amount, Client, Credentials, Environment, Error};

const TOKEN_PATH: &str = "/auth-server/api/v1/oauth2/token";
const SIMULATE_PATH: &str = "/e-financing/api/v1/_simulate-solutions";
const ELIGIBLE_PATH: &str = "/e-financing/api/v1/eligible-solutions";

fn client(server: &MockServer) -> Client {
    server.mock(|when, then| {
        when.method(POST).path(TOKEN_PATH);
        then.status(200)
            .header("content-type", "application/json")
            .json_body(serde_json::json!({"access_token": "t", "token_type": "Bearer", "expires_in": 3600}));
    });
    Client::builder()
        .environment(Environment::custom(server.base_url()).expect("a URL"))
        .credentials(Credentials::new("merchant", "secret"))
        .build()
        .expect("configured")
}

#[tokio::test]
async fn an_amount_is_sent_as_written_and_read_back_exactly() {
    let server = MockServer::start_async().await;
    let client = client(&server);
    // The body must carry the number 1249.9 itself (the text a float artefact would spoil).
    let simulate = server.mock(|when, then| {
        when.method(POST)
            .path(SIMULATE_PATH)
            .body_includes("\"financedAmount\":1249.9");
        then.status(200)
            .header("content-type", "application/json")
            .body(
                r#"{"financedAmount": 1249.90, "buyerBillingCountry": "FR", "solutionSimulations": [
                {"solutionCode": "SCFRSP-3XTS", "simulations": [{"duration": 3,
                 "effectiveAnnualPercentageRate": 12.864, "nominalPercentageRate": 0,
                 "totalCost": 0, "dueTotalAmount": 1249.90, "feesAmount": 0,
                 "installments": [{"number": 1, "amount": 416.64}, {"number": 2, "amount": 416.63},
                                  {"number": 3, "amount": 416.63}]}]}]}"#,
            );
    });
    let price: Amount = "1249.90".parse().expect("an amount");
    let answer = client
        .e_financing_v1_7_1()
        .credit_simulation()
        .body(SolutionSimulationRequest {
            buyer_billing_country: Country::Fr,
            financed_amount: price,
            solution_codes: None,
        })
        .send()
        .await
        .expect("simulated")
        .into_inner();
    simulate.assert_async().await;
    assert_eq!(answer.financed_amount, price);
    assert_eq!(
        answer.financed_amount.as_decimal(),
        Decimal::new(124_990, 2)
    );
    let plan = &answer.solution_simulations[0].simulations[0];
    let total = Amount::total(plan.installments.iter().map(|i| i.amount));
    assert_eq!(total, Some(price), "instalments add up without rounding");
    assert_eq!(
        plan.effective_annual_percentage_rate.as_decimal(),
        Decimal::new(12_864, 3)
    );
}

#[tokio::test]
async fn more_than_two_decimals_are_refused_before_sending() {
    let server = MockServer::start_async().await;
    let client = client(&server);
    let eligible = server.mock(|when, then| {
        when.method(GET).path(ELIGIBLE_PATH);
        then.status(200)
            .json_body(serde_json::json!({"solutions": []}));
    });
    let refused = client
        .e_financing_v1_7_1()
        .get_eligible_product_services()
        .buyer_billing_country("FR")
        .financed_amount(10.005)
        .send()
        .await
        .map_err(Error::from);
    match refused {
        Err(Error::InvalidRequest(message)) => {
            assert!(
                message.contains("financed_amount") && message.contains("2 decimal places"),
                "{message}"
            )
        }
        other => panic!("expected a refusal before sending, got {other:?}"),
    }
    assert!("10.005".parse::<Amount>().is_err());
    assert_eq!(
        eligible.calls_async().await,
        0,
        "nothing reached the gateway"
    );

    // The same amount with two decimals goes out as written.
    server.mock(|when, then| {
        when.method(GET)
            .path(ELIGIBLE_PATH)
            .query_param("financedAmount", "10.05");
        then.status(200)
            .json_body(serde_json::json!({"solutions": [{"solutionCode": "X"}]}));
    });
    let sent = client
        .e_financing_v1_7_1()
        .get_eligible_product_services()
        .buyer_billing_country("FR")
        .financed_amount(10.05)
        .send()
        .await;
    assert!(sent.is_ok(), "{sent:?}");
}
