//! The status watch: each change once, until a decisive status, an error or the deadline.

use crate::*;
use futures_util::StreamExt;
use scalexpert::workflows::{Status, StatusError, StatusPolicy};

fn quick(deadline: Duration) -> StatusPolicy {
    StatusPolicy {
        interval: Duration::from_millis(5),
        max_interval: Duration::from_millis(20),
        deadline,
    }
}

fn record_path() -> String {
    format!("{SUBSCRIPTIONS_PATH}/{ID}")
}

fn id() -> uuid::Uuid {
    ID.parse().expect("a uuid")
}

fn read_mock<'a>(server: &'a MockServer, status: &str) -> httpmock::Mock<'a> {
    server.mock(|when, then| {
        when.method(GET).path(record_path());
        then.status(200)
            .header("content-type", "application/json")
            .json_body(detail(status, json!({})));
    })
}

#[tokio::test]
async fn each_status_is_yielded_once_until_a_decisive_one_ends_the_watch() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    let path = record_path();
    let open = first_answers(
        &server,
        3,
        move |req| req.method() == "GET" && req.uri().path() == path,
        |then| {
            then.status(200)
                .header("content-type", "application/json")
                .json_body(detail(
                    "INITIALIZED",
                    json!({"consolidatedSubstatus": "SUBSCRIPTION IN PROGRESS"}),
                ))
        },
    );
    let decided = read_mock(&server, "ACCEPTED");
    let changes: Vec<_> = subscriptions(&server)
        .watch_status(id(), quick(Duration::from_secs(10)))
        .collect()
        .await;
    let seen: Vec<(Status, Option<String>)> = changes
        .iter()
        .map(|c| {
            let c = c.as_ref().expect("no error");
            (c.status.clone(), c.substatus.clone())
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                Status::Initialized,
                Some("SUBSCRIPTION IN PROGRESS".to_string())
            ),
            (Status::Accepted, Some("Approved by the lender".to_string())),
        ]
    );
    open.assert_calls(3);
    // Nothing is read after the decisive status.
    decided.assert_calls(1);
}

#[tokio::test]
async fn the_watch_ends_at_its_deadline_with_the_last_status_seen() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    read_mock(&server, "INITIALIZED");
    let changes: Vec<_> = subscriptions(&server)
        .watch_status(id(), quick(Duration::from_millis(300)))
        .collect()
        .await;
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert!(matches!(&changes[0], Ok(c) if c.status == Status::Initialized));
    match &changes[1] {
        Err(StatusError::Deadline { last, .. }) => assert_eq!(last, &Some(Status::Initialized)),
        other => panic!("expected the deadline, got {other:?}"),
    }
}

#[tokio::test]
async fn a_subscription_that_cannot_be_found_ends_the_watch_at_once() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    let missing = server.mock(|when, then| {
        when.method(GET).path(record_path());
        then.status(404)
            .header("content-type", "application/json")
            .json_body(json!({"errorCode": "ENTITY_NOT_FOUND"}));
    });
    let outcome = subscriptions(&server)
        .decision(id(), quick(Duration::from_secs(10)))
        .await;
    match outcome {
        Err(StatusError::Failed(scalexpert::Error::NotFound(_))) => {}
        other => panic!("expected not found, got {other:?}"),
    }
    missing.assert_calls(1);
}

#[tokio::test]
async fn reads_that_fail_for_a_while_are_retried_until_the_decision() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    let path = record_path();
    // Two calls of three attempts each answer 503.
    let unavailable = first_answers(
        &server,
        6,
        move |req| req.method() == "GET" && req.uri().path() == path,
        |then| then.status(503),
    );
    read_mock(&server, "REJECTED");
    let decision = subscriptions(&server)
        .decision(id(), quick(Duration::from_secs(10)))
        .await
        .expect("decided");
    assert_eq!(decision.decided.status, Status::Rejected);
    assert!(decision.before.is_empty());
    unavailable.assert_calls(6);
}
