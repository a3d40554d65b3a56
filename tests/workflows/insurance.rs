//! Reconciling insurance creations: the order's policies listed before, a new matching one
//! found after a lost answer, never a second create.

use crate::*;
use scalexpert::insurance::v1_7_1;
use scalexpert::workflows::insurance::InsuranceSubscriptions;
use scalexpert::workflows::{CreateOutcome, ReconcileError};

const PATH: &str = "/insurance/api/v1/subscriptions";
const EXISTING: &str = "11111111-37dc-4caa-8d57-ca7cf484f1ae";
const NEW: &str = "c5c964cd-37dc-4caa-8d57-ca7cf484f1ae";

fn spec() -> Value {
    serde_yaml_ng::from_str(v1_7_1::SPEC).expect("the spec parses")
}

/// The spec's example of `POST /subscriptions`.
fn request() -> v1_7_1::types::CreateInsuranceSubscriptionRequest {
    let example = &spec()["paths"]["/subscriptions"]["post"]["requestBody"]["content"]
        ["application/json"]["example"];
    serde_json::from_value(example.clone()).expect("the example is a request")
}

/// The spec's listed policy (which matches the request's example), with `id` and `category`.
fn policy(id: &str, category: &str) -> Value {
    let mut listed = spec()["paths"]["/subscriptions"]["get"]["responses"]["200"]["content"]
        ["application/json"]["example"]["subscriptions"][0]
        .clone();
    listed["insuranceSubscriptionId"] = json!(id);
    listed["insuredItemCategory"] = json!(category);
    listed
}

fn policies(server: &MockServer) -> InsuranceSubscriptions {
    InsuranceSubscriptions::new(client_at(&server.base_url()).insurance_v1_7_1())
        .with_policy(quick_policy())
}

fn list_answer(items: Vec<Value>) -> impl FnOnce(httpmock::Then) -> httpmock::Then {
    let total = items.len();
    move |then| {
        then.status(200)
            .header("content-type", "application/json")
            .json_body(json!({"totalItemCount": total, "subscriptions": items}))
    }
}

#[tokio::test]
async fn a_lost_insurance_create_is_found_as_the_new_matching_policy() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    let category = request().insured_item.category;
    // Before: the order already holds another item's policy.
    let before = first_answers(
        &server,
        1,
        |req| req.method() == "GET" && req.uri().path() == PATH,
        list_answer(vec![policy(EXISTING, "Petit électroménager")]),
    );
    let after = server.mock(|when, then| {
        when.method(GET).path(PATH);
        list_answer(vec![
            policy(EXISTING, "Petit électroménager"),
            policy(NEW, &category),
        ])(then);
    });
    let create = server.mock(|when, then| {
        when.method(POST).path(PATH);
        then.status(502);
    });
    let outcome = policies(&server).create(request()).await;
    match outcome {
        Ok(CreateOutcome::AlreadyExisted(found)) => {
            assert_eq!(found.insurance_subscription_id.to_string(), NEW)
        }
        other => panic!("expected AlreadyExisted, got {other:?}"),
    }
    create.assert_calls(1);
    before.assert_calls(1);
    after.assert_calls(1);
}

#[tokio::test]
async fn an_insurance_create_shown_absent_is_not_sent_again() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    let list = server.mock(|when, then| {
        when.method(GET).path(PATH);
        list_answer(vec![policy(EXISTING, "Petit électroménager")])(then);
    });
    let create = server.mock(|when, then| {
        when.method(POST).path(PATH);
        then.status(503);
    });
    let outcome = policies(&server).create(request()).await;
    assert!(
        matches!(outcome, Err(ReconcileError::NotApplied(_))),
        "{outcome:?}"
    );
    create.assert_calls(1);
    // Once before, twice after.
    list.assert_calls(3);
}
