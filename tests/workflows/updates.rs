//! Reconciling `_cancel` and the delivery and return confirmations.

use crate::*;
use scalexpert::workflows::{ChangeOutcome, ReconcileError};

fn record_path() -> String {
    format!("{SUBSCRIPTIONS_PATH}/{ID}")
}

fn id() -> uuid::Uuid {
    ID.parse().expect("a uuid")
}

fn full_cancellation() -> types::CreditCancellationDto {
    serde_json::from_value(json!({"cancelledAmount": 1249.9, "cancellationReason": "changed mind"}))
        .expect("a cancellation")
}

/// `GET /subscriptions/{id}` answering `first` once, then `later`.
fn reads<'a>(
    server: &'a MockServer,
    first: Value,
    later: Value,
) -> (httpmock::Mock<'a>, httpmock::Mock<'a>) {
    let path = record_path();
    let before = first_answers(
        server,
        1,
        move |req| req.method() == "GET" && req.uri().path() == path,
        move |then| {
            then.status(200)
                .header("content-type", "application/json")
                .json_body(first)
        },
    );
    let after = server.mock(|when, then| {
        when.method(GET).path(record_path());
        then.status(200)
            .header("content-type", "application/json")
            .json_body(later);
    });
    (before, after)
}

#[tokio::test]
async fn a_cancellation_whose_answer_is_lost_is_read_back_as_applied_and_never_sent_again() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    let (before, after) = reads(
        &server,
        detail("ACCEPTED", json!({})),
        detail(
            "CANCELLED",
            json!({"financedAmount": 0, "cancellationAlreadyMade": true, "cancellationStatus": "CANCELLATION_ACCEPTED"}),
        ),
    );
    let cancel = server.mock(|when, then| {
        when.method(POST).path(format!("{}/_cancel", record_path()));
        then.status(504);
    });
    let outcome = subscriptions(&server)
        .cancel(id(), full_cancellation())
        .await;
    // The record read holds the buyer (the spec example's Claire Martin): Debug leaves it out.
    let shown = format!("{outcome:?}");
    assert!(
        !shown.contains("Claire") && !shown.contains("Martin"),
        "{shown}"
    );
    match outcome {
        Ok(ChangeOutcome::AlreadyApplied(after)) => {
            assert!(after.cancellation_already_made);
            assert_eq!(after.consolidated_status.to_string(), "CANCELLED");
        }
        other => panic!("expected AlreadyApplied, got {other:?}"),
    }
    cancel.assert_calls(1);
    before.assert_calls(1);
    after.assert_calls(1);
}

#[tokio::test]
async fn a_cancellation_read_back_unchanged_is_sent_once_more() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    let unchanged = detail("ACCEPTED", json!({}));
    let (_, after) = reads(&server, unchanged.clone(), unchanged);
    let path = format!("{}/_cancel", record_path());
    let lost = first_answers(
        &server,
        1,
        move |req| req.method() == "POST" && req.uri().path() == path,
        |then| then.status(503),
    );
    let cancel = server.mock(|when, then| {
        when.method(POST).path(format!("{}/_cancel", record_path()));
        then.status(200)
            .header("content-type", "application/json")
            .json_body(json!({"financedAmount": 0, "status": "ACCEPTED"}));
    });
    let outcome = subscriptions(&server)
        .cancel(id(), full_cancellation())
        .await;
    assert!(
        matches!(outcome, Ok(ChangeOutcome::Applied(_))),
        "{outcome:?}"
    );
    lost.assert_calls(1);
    cancel.assert_calls(1);
    after.assert_calls(1);
}

#[tokio::test]
async fn a_cancellation_sent_again_and_refused_because_the_first_arrived_late_is_already_applied() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    // Read before and after the lost answer: unchanged. The first then lands late, so the
    // second is refused, and the read after the refusal shows it.
    let path = record_path();
    let unchanged = first_answers(
        &server,
        2,
        move |req| req.method() == "GET" && req.uri().path() == path,
        |then| {
            then.status(200)
                .header("content-type", "application/json")
                .json_body(detail("ACCEPTED", json!({})))
        },
    );
    let cancelled = server.mock(|when, then| {
        when.method(GET).path(record_path());
        then.status(200)
            .header("content-type", "application/json")
            .json_body(detail(
                "CANCELLED",
                json!({"financedAmount": 0, "cancellationAlreadyMade": true, "cancellationStatus": "CANCELLATION_ACCEPTED"}),
            ));
    });
    let path = format!("{}/_cancel", record_path());
    let lost = first_answers(
        &server,
        1,
        move |req| req.method() == "POST" && req.uri().path() == path,
        |then| then.status(503),
    );
    let refused = server.mock(|when, then| {
        when.method(POST).path(format!("{}/_cancel", record_path()));
        then.status(400)
            .header("content-type", "application/json")
            .json_body(json!({"errorCode": "BAD_REQUEST", "errorMessage": "already cancelled"}));
    });
    let outcome = subscriptions(&server)
        .cancel(id(), full_cancellation())
        .await;
    assert!(
        matches!(outcome, Ok(ChangeOutcome::AlreadyApplied(_))),
        "{outcome:?}"
    );
    lost.assert_calls(1);
    refused.assert_calls(1);
    unchanged.assert_calls(2);
    cancelled.assert_calls(1);
}

#[tokio::test]
async fn a_refused_cancellation_is_not_applied_and_sent_once() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    reads(
        &server,
        detail("ACCEPTED", json!({})),
        detail("ACCEPTED", json!({})),
    );
    let cancel = server.mock(|when, then| {
        when.method(POST).path(format!("{}/_cancel", record_path()));
        then.status(400)
            .header("content-type", "application/json")
            .json_body(json!({"errorCode": "BAD_REQUEST", "errorMessage": "return not reported"}));
    });
    let outcome = subscriptions(&server)
        .cancel(id(), full_cancellation())
        .await;
    assert!(
        matches!(outcome, Err(ReconcileError::NotApplied(_))),
        "{outcome:?}"
    );
    cancel.assert_calls(1);
}

#[tokio::test]
async fn a_delivery_confirmation_whose_answers_are_lost_is_read_back_as_recorded() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    let confirm = server.mock(|when, then| {
        when.method(POST)
            .path(format!("{}/_confirmDelivery", record_path()));
        then.status(503);
    });
    let read = server.mock(|when, then| {
        when.method(GET).path(record_path());
        then.status(200)
            .header("content-type", "application/json")
            .json_body(detail("ACCEPTED", json!({"isDelivered": true})));
    });
    let delivery: types::ConfirmDeliveryRequest =
        serde_json::from_value(json!({"isDelivered": true})).expect("a delivery");
    let outcome = subscriptions(&server)
        .confirm_delivery(id(), delivery)
        .await;
    assert!(
        matches!(outcome, Ok(ChangeOutcome::AlreadyApplied(_))),
        "{outcome:?}"
    );
    // Replay-safe: the client itself made its three attempts.
    confirm.assert_calls(3);
    read.assert_calls(1);
}

#[tokio::test]
async fn a_return_confirmation_not_yet_recorded_is_sent_again() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    let path = format!("{}/_confirmReturn", record_path());
    let lost = first_answers(
        &server,
        3,
        move |req| req.method() == "POST" && req.uri().path() == path,
        |then| then.status(502),
    );
    let confirm = server.mock(|when, then| {
        when.method(POST)
            .path(format!("{}/_confirmReturn", record_path()));
        then.status(204);
    });
    server.mock(|when, then| {
        when.method(GET).path(record_path());
        then.status(200)
            .header("content-type", "application/json")
            .json_body(detail("ACCEPTED", json!({"isReturned": false})));
    });
    let report: types::ConfirmReturnRequest =
        serde_json::from_value(json!({"isReturned": true})).expect("a return");
    let outcome = subscriptions(&server).confirm_return(id(), report).await;
    assert!(
        matches!(outcome, Ok(ChangeOutcome::Applied(()))),
        "{outcome:?}"
    );
    lost.assert_calls(3);
    confirm.assert_calls(1);
}
