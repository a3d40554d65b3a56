//! Fault injection, through the library API and the admin endpoint, as a user's resilience test
//! would use it.

use scalexpert::e_financing::v1_7_1::types::PaginationCreditSubscriptionsDtoResponse;
use scalexpert::{Client, Error, RetryPolicy};
use scalexpert_sandbox::{sample_application, Fault, Sandbox, SandboxError, OPERATIONS, TOKEN};
use serde_json::{json, Value};
use std::time::Duration;

async fn list(client: &Client) -> Result<PaginationCreditSubscriptionsDtoResponse, Error> {
    Ok(client
        .e_financing_v1_7_1()
        .retrieve_credit_subscription_for_specific_merchant()
        .send()
        .await?
        .into_inner())
}

#[tokio::test]
async fn a_retrying_client_rides_out_503s() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let op = "retrieveCreditSubscriptionForSpecificMerchant";
    sandbox
        .faults()
        .inject(op, Fault::status(503).retry_after(Duration::ZERO).times(2))
        .expect("valid");
    assert_eq!(sandbox.faults().pending(op), Ok(2));
    // The default policy makes three attempts: two 503s, then the answer.
    list(&client).await.expect("third attempt");
    assert_eq!(sandbox.faults().pending(op), Ok(0));
}

#[tokio::test]
async fn a_fault_outlasting_the_retries_reaches_the_caller() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let op = "retrieveCreditSubscriptionForSpecificMerchant";
    sandbox
        .faults()
        .inject(op, Fault::status(429).retry_after(Duration::ZERO).times(5))
        .expect("valid");
    let error = list(&client).await.expect_err("still limited");
    match &error {
        Error::RateLimited(error) => {
            assert_eq!(error.retry_after, Some(Duration::ZERO));
            assert!(error.has_code("SANDBOX_INJECTED_FAULT"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        sandbox.faults().pending(op),
        Ok(2),
        "three attempts took three shots"
    );
}

#[tokio::test]
async fn creations_are_not_replayed_after_a_503() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    sandbox
        .faults()
        .inject(
            "initiateCreditSubscription",
            Fault::status(503).retry_after(Duration::from_secs(7)),
        )
        .expect("valid");
    let create = || async {
        client
            .e_financing_v1_7_1()
            .initiate_credit_subscription()
            .language("fr-FR")
            .body(sample_application("SCFRSP-4XTS", "ORDER-1", 300.0)?)
            .send()
            .await
            .map_err(Error::from)
    };
    let error = create().await.expect_err("unavailable");
    let api = error.api_error().expect("API error");
    assert_eq!(api.status.as_u16(), 503);
    assert_eq!(api.retry_after, Some(Duration::from_secs(7)));
    assert!(list(&client)
        .await
        .expect("listed")
        .subscriptions
        .is_empty());
    // The fault is spent: the same creation now goes through.
    create().await.expect("created");
    assert_eq!(list(&client).await.expect("listed").total_item_count, 1);
}

#[tokio::test]
async fn delays_only_slow_the_answer_down() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let op = "getEligibleProductServices";
    sandbox
        .faults()
        .inject(op, Fault::delay(Duration::from_millis(20)))
        .expect("valid");
    let solutions = client
        .e_financing_v1_7_1()
        .get_eligible_product_services()
        .buyer_billing_country("FR")
        .financed_amount(1500.0)
        .send()
        .await
        .expect("answered")
        .into_inner();
    assert_eq!(solutions.solutions.len(), 4);
    assert_eq!(sandbox.faults().pending(op), Ok(0));
}

#[tokio::test]
async fn the_token_endpoint_can_fail_too() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    sandbox
        .faults()
        .inject(TOKEN, Fault::status(503))
        .expect("valid");
    let error = list(&client).await.expect_err("no token");
    assert!(
        matches!(&error, Error::Auth(a) if a.status.map(|s| s.as_u16()) == Some(503)),
        "{error:?}"
    );
    list(&client).await.expect("next token");
}

#[tokio::test]
async fn the_admin_endpoint_queues_lists_and_clears_faults() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = Client::builder()
        .environment(sandbox.environment())
        .credentials(sandbox.credentials().expect("credentials"))
        .retry_policy(RetryPolicy::none())
        .build()
        .expect("client");
    let http = crate::admin_http(&sandbox);
    let admin = format!("{}/sandbox/admin/faults", sandbox.base_url());

    let added = http
        .post(&admin)
        .json(&json!({"operation": "retrieveCreditSubscriptionForSpecificMerchant", "status": 500, "times": 2}))
        .send()
        .await
        .expect("answer");
    assert_eq!(added.status(), 204);
    let queued: Value = http
        .get(&admin)
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    assert_eq!(
        queued,
        json!([{"operation": "retrieveCreditSubscriptionForSpecificMerchant", "status": 500, "times": 2}])
    );
    let error = list(&client).await.expect_err("injected");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(
        sandbox
            .faults()
            .pending("retrieveCreditSubscriptionForSpecificMerchant"),
        Ok(1)
    );

    let cleared = http.delete(&admin).send().await.expect("answer");
    assert_eq!(cleared.status(), 204);
    list(&client).await.expect("no fault left");

    for bad in [
        json!({"operation": "launchRocket", "status": 500}),
        json!({"operation": "token", "status": 200}),
        json!({"operation": "token"}),
    ] {
        let refused = http.post(&admin).json(&bad).send().await.expect("answer");
        assert_eq!(refused.status(), 400, "{bad}");
    }
    let not_json = http
        .post(&admin)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .expect("answer");
    assert_eq!(not_json.status(), 400);
}

#[tokio::test]
async fn faults_target_operations_by_the_served_specs_operation_ids() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    for operation in OPERATIONS {
        sandbox
            .faults()
            .inject(operation.id, Fault::status(500))
            .unwrap_or_else(|e| panic!("{}: {e}", operation.id));
        assert_eq!(sandbox.faults().pending(operation.id), Ok(1));
    }
    // The generated method's name is not the operation's name.
    let refused = sandbox
        .faults()
        .inject("initiate_credit_subscription", Fault::status(500))
        .expect_err("unknown");
    assert_eq!(
        refused,
        SandboxError::UnknownOperation("initiate_credit_subscription".into())
    );
    assert!(refused.to_string().contains("initiateCreditSubscription"));
    let listed: Vec<&str> = sandbox
        .faults()
        .queued()
        .into_iter()
        .map(|(operation, _)| operation)
        .collect();
    let ids: Vec<&str> = OPERATIONS.iter().map(|operation| operation.id).collect();
    assert_eq!(listed, ids, "one fault per operation, in spec order");

    // Over HTTP, an unknown name is a 400 naming the known ones.
    let refused = crate::admin_http(&sandbox)
        .post(format!("{}/sandbox/admin/faults", sandbox.base_url()))
        .json(&json!({"operation": "launchRocket", "status": 500}))
        .send()
        .await
        .expect("answer");
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.expect("json");
    let message = body["error"].as_str().expect("error message");
    assert!(message.contains("launchRocket"), "{message}");
    assert!(message.contains("token, "), "{message}");
}

/// Creates the order `order` and returns what the client got.
async fn create(client: &Client, order: &str) -> Result<uuid::Uuid, Error> {
    Ok(client
        .e_financing_v1_7_1()
        .initiate_credit_subscription()
        .language("fr-FR")
        .body(sample_application("SCFRSP-4XTS", order, 300.0)?)
        .send()
        .await?
        .into_inner()
        .id)
}

/// How many subscriptions the sandbox holds for `order`, as its own list shows.
async fn held(client: &Client, order: &str) -> i32 {
    client
        .e_financing_v1_7_1()
        .retrieve_credit_subscription_for_specific_merchant()
        .merchant_global_order_id(order)
        .send()
        .await
        .expect("listed")
        .into_inner()
        .total_item_count
}

#[tokio::test]
async fn after_phase_reset_applies_the_creation_then_drops_the_connection() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    sandbox
        .faults()
        .inject("initiateCreditSubscription", Fault::reset().after())
        .expect("valid");
    let error = create(&client, "ORDER-RESET").await.expect_err("no answer");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    // The client was not told, but the subscription exists: what reconciliation must find.
    assert_eq!(held(&client, "ORDER-RESET").await, 1);
    assert_eq!(
        sandbox.faults().pending("initiateCreditSubscription"),
        Ok(0)
    );
    // Before the operation, a reset creates nothing.
    sandbox
        .faults()
        .inject("initiateCreditSubscription", Fault::reset())
        .expect("valid");
    let error = create(&client, "ORDER-LOST").await.expect_err("no answer");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert_eq!(held(&client, "ORDER-LOST").await, 0);
}

#[tokio::test]
async fn after_phase_503_applies_the_creation_then_answers_503() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    sandbox
        .faults()
        .inject(
            "initiateCreditSubscription",
            Fault::status(503).phase(scalexpert_sandbox::Phase::After),
        )
        .expect("valid");
    let error = create(&client, "ORDER-503").await.expect_err("503");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert!(error
        .api_error()
        .expect("API error")
        .has_code("SANDBOX_INJECTED_FAULT"));
    assert_eq!(held(&client, "ORDER-503").await, 1);
    // A second creation of the same order is the gateway's real duplicate refusal.
    let duplicate = create(&client, "ORDER-503").await.expect_err("duplicate");
    assert!(duplicate
        .api_error()
        .expect("API error")
        .has_code("BAD_REQUEST"));
    assert_eq!(held(&client, "ORDER-503").await, 1);
}

#[tokio::test]
async fn after_phase_delay_applies_the_creation_and_outlasts_the_clients_timeout() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    // The token first, so that only the creation runs against the short timeout.
    assert_eq!(held(&client, "ORDER-SLOW").await, 0);
    sandbox
        .faults()
        .inject(
            "initiateCreditSubscription",
            Fault::delay(Duration::from_secs(30)).after(),
        )
        .expect("valid");
    let impatient = client.with_timeout(Duration::from_millis(300));
    let error = create(&impatient, "ORDER-SLOW")
        .await
        .expect_err("timed out");
    assert!(matches!(error, Error::Timeout(_)), "{error:?}");
    assert_eq!(held(&client, "ORDER-SLOW").await, 1);
}

#[tokio::test]
async fn the_admin_endpoint_takes_phase_and_reset() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let http = crate::admin_http(&sandbox);
    let admin = format!("{}/sandbox/admin/faults", sandbox.base_url());
    for fault in [
        json!({"operation": "initiateCreditSubscription", "phase": "after", "reset": true}),
        json!({"operation": "initiateCreditSubscription", "phase": "after", "status": 503,
               "retryAfterSeconds": 1, "delayMs": 5, "times": 2}),
        json!({"operation": "initiateCreditSubscription", "phase": "before", "status": 500}),
    ] {
        let added = http.post(&admin).json(&fault).send().await.expect("answer");
        assert_eq!(added.status(), 204, "{fault}");
    }
    let queued: Value = http
        .get(&admin)
        .send()
        .await
        .expect("answer")
        .json()
        .await
        .expect("json");
    assert_eq!(
        queued,
        json!([
            {"operation": "initiateCreditSubscription", "phase": "after", "reset": true, "times": 1},
            {"operation": "initiateCreditSubscription", "phase": "after", "status": 503,
             "retryAfterSeconds": 1, "delayMs": 5, "times": 2},
            {"operation": "initiateCreditSubscription", "status": 500, "times": 1},
        ])
    );
    let error = create(&client, "ORDER-A").await.expect_err("reset");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    for order in ["ORDER-B", "ORDER-C"] {
        let error = create(&client, order).await.expect_err("503");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    }
    let error = create(&client, "ORDER-D").await.expect_err("500 before");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    for (order, count) in [
        ("ORDER-A", 1),
        ("ORDER-B", 1),
        ("ORDER-C", 1),
        ("ORDER-D", 0),
    ] {
        assert_eq!(held(&client, order).await, count, "{order}");
    }
    for bad in [
        json!({"operation": "initiateCreditSubscription", "phase": "during", "status": 503}),
        json!({"operation": "initiateCreditSubscription", "reset": true, "status": 503}),
        json!({"operation": "initiateCreditSubscription", "phase": "after"}),
    ] {
        let refused = http.post(&admin).json(&bad).send().await.expect("answer");
        assert_eq!(refused.status(), 400, "{bad}");
    }
}
