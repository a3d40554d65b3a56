//! The reconciling create: every way its answer can be lost, and the duplicate refusal.

use crate::*;
use scalexpert::workflows::{CreateOutcome, ReconcileError};
use scalexpert::Error;

/// `POST /subscriptions` answering `status` with `body`.
fn create_mock(server: &MockServer, status: u16, body: Value) -> httpmock::Mock<'_> {
    server.mock(|when, then| {
        when.method(POST).path(SUBSCRIPTIONS_PATH);
        then.status(status)
            .header("content-type", "application/json")
            .json_body(body);
    })
}

fn created_body() -> Value {
    json!({"id": ID, "redirect": {"type": "url", "value": "https://lender.example/journey"}})
}

#[tokio::test]
async fn an_answered_create_is_created_without_a_lookup() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    let create = create_mock(&server, 201, created_body());
    let lookup = lookup_mock(&server, page(vec![], 0));
    let outcome = subscriptions(&server).create("fr-FR", application()).await;
    match outcome {
        Ok(CreateOutcome::Created(created)) => assert_eq!(created.id.to_string(), ID),
        other => panic!("expected Created, got {other:?}"),
    }
    create.assert_calls(1);
    lookup.assert_calls(0);
}

#[tokio::test]
async fn a_create_answered_502_503_or_504_is_found_by_its_order_and_never_sent_again() {
    for status in [502, 503, 504] {
        let server = MockServer::start_async().await;
        token_mock(&server);
        let create = create_mock(&server, status, json!({"errorCode": "UNAVAILABLE"}));
        let lookup = lookup_mock(&server, page(vec![listed("INITIALIZED")], 1));
        let outcome = subscriptions(&server).create("fr-FR", application()).await;
        match outcome {
            Ok(CreateOutcome::AlreadyExisted(found)) => {
                assert_eq!(found.credit_subscription_id.to_string(), ID, "{status}");
                assert_eq!(found.merchant_global_order_id, ORDER);
            }
            other => panic!("{status}: expected AlreadyExisted, got {other:?}"),
        }
        create.assert_calls(1);
        lookup.assert_calls(1);
    }
}

#[tokio::test]
async fn a_create_that_times_out_is_found_by_its_order_and_never_sent_again() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    // Longer than the client's 500 ms attempt timeout.
    let create = server.mock(|when, then| {
        when.method(POST).path(SUBSCRIPTIONS_PATH);
        then.status(201)
            .delay(Duration::from_millis(1_500))
            .json_body(created_body());
    });
    let lookup = lookup_mock(&server, page(vec![listed("INITIALIZED")], 1));
    let outcome = subscriptions(&server).create("fr-FR", application()).await;
    assert!(
        matches!(outcome, Ok(CreateOutcome::AlreadyExisted(_))),
        "{outcome:?}"
    );
    create.assert_calls(1);
    lookup.assert_calls(1);
}

#[tokio::test]
async fn an_unreadable_2xx_is_found_by_its_order_and_never_sent_again() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    let create = create_mock(&server, 201, json!({"redirect": "not an object"}));
    let lookup = lookup_mock(&server, page(vec![listed("INITIALIZED")], 1));
    let outcome = subscriptions(&server).create("fr-FR", application()).await;
    assert!(
        matches!(outcome, Ok(CreateOutcome::AlreadyExisted(_))),
        "{outcome:?}"
    );
    create.assert_calls(1);
    lookup.assert_calls(1);
}

#[tokio::test]
async fn the_duplicate_refusal_of_this_application_is_already_existed() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    let create = create_mock(
        &server,
        400,
        json!({"errorCode": "BAD_REQUEST", "errorMessage": "merchantGlobalOrderId already used"}),
    );
    let lookup = lookup_mock(&server, page(vec![listed("ACCEPTED")], 1));
    let outcome = subscriptions(&server).create("fr-FR", application()).await;
    match outcome {
        Ok(CreateOutcome::AlreadyExisted(found)) => {
            assert_eq!(found.consolidated_status.to_string(), "ACCEPTED")
        }
        other => panic!("expected AlreadyExisted, got {other:?}"),
    }
    create.assert_calls(1);
    lookup.assert_calls(1);
}

#[tokio::test]
async fn an_order_id_held_by_another_application_is_refused_naming_it() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    let create = create_mock(&server, 400, json!({"errorCode": "BAD_REQUEST"}));
    let mut other = listed("ACCEPTED");
    other["buyerFinancedAmount"] = json!(99.0);
    lookup_mock(&server, page(vec![other], 1));
    let outcome = subscriptions(&server).create("fr-FR", application()).await;
    match outcome {
        Err(ReconcileError::OrderIdTaken { order_id, existing }) => {
            assert_eq!((order_id.as_str(), existing.as_str()), (ORDER, ID));
        }
        other => panic!("expected OrderIdTaken, got {other:?}"),
    }
    create.assert_calls(1);
}

#[tokio::test]
async fn a_validation_refusal_is_not_applied_and_looks_nothing_up() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    let create = create_mock(
        &server,
        400,
        json!({"errorCode": "REQUEST_VALIDATION_ERROR", "errors": [{"code": "INVALID_PHONE"}]}),
    );
    let lookup = lookup_mock(&server, page(vec![], 0));
    let outcome = subscriptions(&server).create("fr-FR", application()).await;
    match outcome {
        Err(ReconcileError::NotApplied(Error::Api(error))) => {
            assert!(error.has_code("INVALID_PHONE"))
        }
        other => panic!("expected NotApplied, got {other:?}"),
    }
    create.assert_calls(1);
    lookup.assert_calls(0);
}

#[tokio::test]
async fn lookups_that_get_no_answer_give_unknown_with_every_call_tried() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    let create = create_mock(&server, 503, json!({}));
    let lookup = server.mock(|when, then| {
        when.method(GET).path(SUBSCRIPTIONS_PATH);
        then.status(503);
    });
    let outcome = subscriptions(&server).create("fr-FR", application()).await;
    match outcome {
        Ok(CreateOutcome::Unknown { order_id, tried }) => {
            assert_eq!(order_id, ORDER);
            let operations: Vec<&str> = tried.iter().map(|t| t.operation).collect();
            assert_eq!(
                operations,
                [
                    "initiateCreditSubscription",
                    "retrieveCreditSubscriptionForSpecificMerchant",
                    "retrieveCreditSubscriptionForSpecificMerchant",
                    "retrieveCreditSubscriptionForSpecificMerchant",
                    "retrieveCreditSubscriptionForSpecificMerchant",
                ]
            );
            let text = format!("{:?} {}", tried, tried[0]);
            assert!(!text.contains("secret-never-printed"), "{text}");
            assert!(!text.contains("Claire"), "buyer data in {text}");
        }
        other => panic!("expected Unknown, got {other:?}"),
    }
    create.assert_calls(1);
    // Four lookups, each retried by the client (3 attempts): the policy bounds them.
    lookup.assert_calls(4 * 3);
}

#[tokio::test]
async fn a_create_shown_absent_twice_is_sent_once_more_and_created() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    let refused = first_answers(
        &server,
        1,
        |req| req.method() == "POST" && req.uri().path() == SUBSCRIPTIONS_PATH,
        |then| then.status(503),
    );
    let create = create_mock(&server, 201, created_body());
    let lookup = lookup_mock(&server, page(vec![], 0));
    let outcome = subscriptions(&server).create("fr-FR", application()).await;
    assert!(
        matches!(outcome, Ok(CreateOutcome::Created(_))),
        "{outcome:?}"
    );
    refused.assert_calls(1);
    create.assert_calls(1);
    lookup.assert_calls(2);
}

#[tokio::test]
async fn a_create_shown_absent_after_its_last_send_is_not_applied() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    let create = create_mock(&server, 503, json!({}));
    let lookup = lookup_mock(&server, page(vec![], 0));
    let once = subscriptions(&server).with_policy(ReconcilePolicy {
        sends: 1,
        ..quick_policy()
    });
    let outcome = once.create("fr-FR", application()).await;
    match outcome {
        Err(ReconcileError::NotApplied(error)) => {
            assert_eq!(
                error.status(),
                Some(reqwest::StatusCode::SERVICE_UNAVAILABLE)
            )
        }
        other => panic!("expected NotApplied, got {other:?}"),
    }
    create.assert_calls(1);
    lookup.assert_calls(2);
}

#[tokio::test]
async fn a_listing_of_another_order_is_not_taken_for_this_one() {
    // A gateway that ignored the filter: what it lists under another order id is no answer
    // about this one, which is then absent.
    let server = MockServer::start_async().await;
    token_mock(&server);
    let create = create_mock(&server, 503, json!({}));
    let mut stranger = listed("ACCEPTED");
    stranger["merchantGlobalOrderId"] = json!("ORD-OTHER");
    lookup_mock(&server, page(vec![stranger], 1));
    let once = subscriptions(&server).with_policy(ReconcilePolicy {
        sends: 1,
        ..quick_policy()
    });
    let outcome = once.create("fr-FR", application()).await;
    assert!(
        matches!(outcome, Err(ReconcileError::NotApplied(_))),
        "{outcome:?}"
    );
    create.assert_calls(1);
}
