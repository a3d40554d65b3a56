//! A client using e-financing and insurance: how many token requests it makes.
//!
//! The measurement behind the README's choice of one token per scope: each API's token is
//! fetched once and then reused by every call and every merchant view of that API, so a client
//! using both APIs makes two token requests per token lifetime, whatever its number of calls;
//! asking for both scopes with `ClientBuilder::scope` makes it one.

use crate::*;
use httpmock::prelude::*;

const INSURANCE_ELIGIBLE_PATH: &str = "/insurance/api/v1/eligible-solutions";
const INSURANCE_TOKEN: &str = "tok-insurance-opaque-never-printed";
/// Calls per API in each measurement.
const CALLS: usize = 20;

/// The token endpoint answering `token` to a request for exactly `scope` (form-encoded).
fn scoped_token<'a>(server: &'a MockServer, scope: &str, token: &str) -> httpmock::Mock<'a> {
    server.mock(|when, then| {
        when.method(POST)
            .path(TOKEN_PATH)
            .body(format!("grant_type=client_credentials&scope={scope}"));
        then.status(200).json_body(serde_json::json!({
            "access_token": token, "token_type": "Bearer", "expires_in": 900
        }));
    })
}

/// `GET path` answering an empty solution list to a call bearing `token` only: a call sent with
/// another API's token finds no mock and fails.
fn eligible_with<'a>(server: &'a MockServer, path: &str, token: &str) -> httpmock::Mock<'a> {
    server.mock(|when, then| {
        when.method(GET)
            .path(path)
            .header("authorization", format!("Bearer {token}"));
        then.status(200)
            .json_body(serde_json::json!({ "solutions": [] }));
    })
}

/// `CALLS` eligibility calls on each API, interleaved and concurrent, half of them through
/// merchant views (which share the client's token cache).
async fn use_both_apis(client: &Client) {
    let mut calls = tokio::task::JoinSet::new();
    for n in 0..CALLS {
        let view = if n % 2 == 0 {
            client.clone()
        } else {
            client
                .for_merchant(&format!("SHOP-{n:04}"))
                .expect("a valid reference")
        };
        let financing = view.clone();
        calls.spawn(async move {
            financing
                .e_financing_v1_6_6()
                .get_eligible_product_services()
                .buyer_billing_country("FR")
                .financed_amount(1500.0)
                .send()
                .await
                .map(drop)
                .map_err(scalexpert::Error::from)
        });
        calls.spawn(async move {
            view.insurance_v1_7_1()
                .get_eligible_product_services()
                .buyer_billing_country("FR")
                .send()
                .await
                .map(drop)
                .map_err(scalexpert::Error::from)
        });
    }
    while let Some(call) = calls.join_next().await {
        call.expect("task").expect("call succeeds");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_client_using_both_apis_fetches_one_token_per_scope() {
    let server = MockServer::start_async().await;
    let financing_token = scoped_token(&server, "e-financing%3Arw", TOKEN);
    let insurance_token = scoped_token(&server, "insurance%3Arw", INSURANCE_TOKEN);
    let financing = eligible_with(&server, ELIGIBLE_PATH, TOKEN);
    let insurance = eligible_with(&server, INSURANCE_ELIGIBLE_PATH, INSURANCE_TOKEN);
    let client = client(&server);

    use_both_apis(&client).await;
    use_both_apis(&client).await;

    // Two token requests for 80 calls: one per scope, each token used by its own API only.
    financing_token.assert_calls(1);
    insurance_token.assert_calls(1);
    financing.assert_calls(2 * CALLS);
    insurance.assert_calls(2 * CALLS);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn both_scopes_asked_together_make_one_token_for_both_apis() {
    let server = MockServer::start_async().await;
    let token = scoped_token(&server, "e-financing%3Arw+insurance%3Arw", TOKEN);
    let financing = eligible_with(&server, ELIGIBLE_PATH, TOKEN);
    let insurance = eligible_with(&server, INSURANCE_ELIGIBLE_PATH, TOKEN);
    let client = builder(&server)
        .scope("e-financing:rw")
        .scope("insurance:rw")
        .build()
        .expect("valid");

    use_both_apis(&client).await;

    token.assert_calls(1);
    financing.assert_calls(CALLS);
    insurance.assert_calls(CALLS);
}
