//! Reconciling insurance creations: the order's policies listed before, a new matching one
//! found after a lost answer, never a second create. Reconciling cancellations: the policy
//! read before and after, a cancelled one never cancelled again, a refusal read back.

use crate::*;
use scalexpert::insurance::v1_7_1;
use scalexpert::workflows::insurance::InsuranceSubscriptions;
use scalexpert::workflows::{ChangeOutcome, CreateOutcome, ReconcileError};

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

/// `GET /subscriptions/{NEW}`'s path and `_cancel`'s.
fn policy_path() -> String {
    format!("{PATH}/{NEW}")
}

fn cancel_path() -> String {
    format!("{PATH}/{NEW}/_cancel")
}

fn new_id() -> uuid::Uuid {
    NEW.parse().expect("a uuid")
}

/// The spec's example of one policy's full record (it holds the buyer Camille Lefebvre), in
/// `status`.
fn record(status: &str) -> Value {
    let mut record = spec()["paths"]["/subscriptions/{insuranceSubscriptionId}"]["get"]
        ["responses"]["200"]["content"]["application/json"]["example"]
        .clone();
    record["insuranceSubscriptionId"] = json!(NEW);
    record["consolidatedStatus"] = json!(status);
    record
}

fn record_answer(status: &str) -> impl FnOnce(httpmock::Then) -> httpmock::Then {
    let body = record(status);
    move |then| {
        then.status(200)
            .header("content-type", "application/json")
            .json_body(body)
    }
}

/// The policy read `first` for the first `times` reads, then `later`.
fn policy_reads<'a>(
    server: &'a MockServer,
    times: usize,
    first: &str,
    later: &str,
) -> (httpmock::Mock<'a>, httpmock::Mock<'a>) {
    let path = policy_path();
    let before = first_answers(
        server,
        times,
        move |req| req.method() == "GET" && req.uri().path() == path,
        record_answer(first),
    );
    let after = server.mock(|when, then| {
        when.method(GET).path(policy_path());
        record_answer(later)(then);
    });
    (before, after)
}

fn refusal(then: httpmock::Then) -> httpmock::Then {
    then.status(400)
        .header("content-type", "application/json")
        .json_body(json!({
            "httpStatusCode": 400,
            "errorCode": "BAD_REQUEST",
            "errorMessage": "Subscription is CANCELLED and cannot be cancelled"
        }))
}

fn by_buyer() -> v1_7_1::types::InsuranceCancellationDto {
    v1_7_1::types::InsuranceCancellationDto {
        origin: Some("BUYER".into()),
    }
}

#[tokio::test]
async fn a_lost_insurance_cancel_read_back_cancelled_is_already_applied_and_not_sent_again() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    let (before, after) = policy_reads(&server, 1, "SUBSCRIBED", "CANCELLED");
    let cancel = server.mock(|when, then| {
        when.method(POST)
            .path(cancel_path())
            .json_body(json!({"origin": "BUYER"}));
        then.status(504);
    });
    let outcome = policies(&server).cancel(new_id(), by_buyer()).await;
    let shown = format!("{outcome:?}");
    assert!(
        !shown.contains("Camille") && !shown.contains("Lefebvre"),
        "{shown}"
    );
    match outcome {
        Ok(ChangeOutcome::AlreadyApplied(policy)) => {
            assert_eq!(policy.consolidated_status.to_string(), "CANCELLED")
        }
        other => panic!("expected AlreadyApplied, got {other:?}"),
    }
    cancel.assert_calls(1);
    before.assert_calls(1);
    after.assert_calls(1);
}

#[tokio::test]
async fn a_policy_already_cancelled_is_reported_without_sending_a_cancel() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    let read = server.mock(|when, then| {
        when.method(GET).path(policy_path());
        record_answer("CANCELLED")(then);
    });
    let cancel = server.mock(|when, then| {
        when.method(POST).path(cancel_path());
        then.status(204);
    });
    let outcome = policies(&server).cancel(new_id(), by_buyer()).await;
    assert!(
        matches!(outcome, Ok(ChangeOutcome::AlreadyApplied(_))),
        "{outcome:?}"
    );
    cancel.assert_calls(0);
    read.assert_calls(1);
}

#[tokio::test]
async fn an_insurance_cancel_answered_204_is_applied() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    let (before, after) = policy_reads(&server, 1, "SUBSCRIBED", "CANCELLED");
    let cancel = server.mock(|when, then| {
        when.method(POST).path(cancel_path());
        then.status(204);
    });
    let outcome = policies(&server).cancel(new_id(), by_buyer()).await;
    assert!(
        matches!(outcome, Ok(ChangeOutcome::Applied(()))),
        "{outcome:?}"
    );
    cancel.assert_calls(1);
    before.assert_calls(1);
    after.assert_calls(0);
}

#[tokio::test]
async fn a_refused_cancel_of_a_policy_read_back_cancelled_is_already_applied() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    // Cancelled by someone else between the read and the cancel.
    let (before, after) = policy_reads(&server, 1, "SUBSCRIBED", "CANCELLED");
    let cancel = server.mock(|when, then| {
        when.method(POST).path(cancel_path());
        refusal(then);
    });
    let outcome = policies(&server).cancel(new_id(), by_buyer()).await;
    assert!(
        matches!(outcome, Ok(ChangeOutcome::AlreadyApplied(_))),
        "{outcome:?}"
    );
    cancel.assert_calls(1);
    before.assert_calls(1);
    after.assert_calls(1);
}

#[tokio::test]
async fn a_refused_cancel_of_a_policy_not_cancelled_is_not_applied() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    let read = server.mock(|when, then| {
        when.method(GET).path(policy_path());
        record_answer("ACTIVATED")(then);
    });
    let cancel = server.mock(|when, then| {
        when.method(POST).path(cancel_path());
        refusal(then);
    });
    let outcome = policies(&server).cancel(new_id(), by_buyer()).await;
    match outcome {
        Err(ReconcileError::NotApplied(error)) => {
            assert_eq!(error.status(), Some(reqwest::StatusCode::BAD_REQUEST))
        }
        other => panic!("expected NotApplied, got {other:?}"),
    }
    cancel.assert_calls(1);
    // Before, and once after the refusal.
    read.assert_calls(2);
}

#[tokio::test]
async fn a_lost_cancel_read_back_subscribed_is_sent_once_more_and_a_late_first_is_found() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    // Before, and after the lost answer: not cancelled yet; then the late first one landed.
    let (before, after) = policy_reads(&server, 2, "SUBSCRIBED", "CANCELLED");
    let path = cancel_path();
    let lost = first_answers(
        &server,
        1,
        move |req| req.method() == "POST" && req.uri().path() == path,
        |then| then.status(503),
    );
    let cancel = server.mock(|when, then| {
        when.method(POST).path(cancel_path());
        refusal(then);
    });
    let outcome = policies(&server).cancel(new_id(), by_buyer()).await;
    assert!(
        matches!(outcome, Ok(ChangeOutcome::AlreadyApplied(_))),
        "{outcome:?}"
    );
    lost.assert_calls(1);
    cancel.assert_calls(1);
    before.assert_calls(2);
    after.assert_calls(1);
}

#[tokio::test]
async fn a_lost_cancel_whose_reads_fail_is_unknown_and_sent_once() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    let path = policy_path();
    let before = first_answers(
        &server,
        1,
        move |req| req.method() == "GET" && req.uri().path() == path,
        record_answer("SUBSCRIBED"),
    );
    let reads = server.mock(|when, then| {
        when.method(GET).path(policy_path());
        then.status(503);
    });
    let cancel = server.mock(|when, then| {
        when.method(POST).path(cancel_path());
        then.status(502);
    });
    let outcome = policies(&server).cancel(new_id(), by_buyer()).await;
    match outcome {
        Ok(ChangeOutcome::Unknown {
            subscription_id,
            tried,
        }) => {
            assert_eq!(subscription_id, new_id());
            let operations: Vec<&str> = tried.iter().map(|t| t.operation).collect();
            assert_eq!(operations[0], "cancelInsuranceSubscriptions");
            assert_eq!(operations.len(), 1 + quick_policy().lookup.tries as usize);
            assert!(operations[1..]
                .iter()
                .all(|o| *o == "retrieveSpecificInsuranceSubscription"));
        }
        other => panic!("expected Unknown, got {other:?}"),
    }
    cancel.assert_calls(1);
    before.assert_calls(1);
    // Each lookup is a read the client itself tried three times.
    reads.assert_calls(3 * quick_policy().lookup.tries as usize);
}

#[tokio::test]
async fn a_cancel_whose_first_read_fails_sends_nothing() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    server.mock(|when, then| {
        when.method(GET).path(policy_path());
        then.status(404)
            .header("content-type", "application/json")
            .json_body(json!({"errorCode": "ENTITY_NOT_FOUND"}));
    });
    let cancel = server.mock(|when, then| {
        when.method(POST).path(cancel_path());
        then.status(204);
    });
    let outcome = policies(&server).cancel(new_id(), by_buyer()).await;
    assert!(
        matches!(outcome, Err(ReconcileError::NotApplied(_))),
        "{outcome:?}"
    );
    cancel.assert_calls(0);
}
