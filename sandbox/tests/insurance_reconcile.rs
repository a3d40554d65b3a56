//! `scalexpert::workflows::insurance` against the sandbox's real faults (issue 14): a create
//! applied then answered 503 is the one policy the sandbox lists for the order; a `_cancel`
//! stalled, reset or answered 503 after it was applied, answered 503 before, or of a policy
//! already cancelled gives the right outcome, and the sandbox's own record shows the policy
//! cancelled exactly once.

use super::insurance::{quote, register, subscribe, subscription};
use super::reconcile::policy;
use scalexpert::insurance::v1_7_1::types::{
    InsuranceCancellationDto, InsuranceSubscriptionResponse,
};
use scalexpert::insurance::v1_7_1::Client as Insurance;
use scalexpert::workflows::insurance::InsuranceSubscriptions;
use scalexpert::workflows::{ChangeOutcome, CreateOutcome, ReconcileError};
use scalexpert::{Client, RetryPolicy};
use scalexpert_sandbox::{Fault, InsuranceStatus, Sandbox};
use std::time::Duration;
use uuid::Uuid;

const CANCEL: &str = "insurance:cancelInsuranceSubscriptions";
/// The reconciler's attempt timeout; "stall" faults wait longer than this.
const TIMEOUT: Duration = Duration::from_millis(300);

/// The reconciling insurance calls of a client of `sandbox` that does not retry by itself (so
/// each injected fault meets the reconciler) and gives up on an attempt after [`TIMEOUT`].
fn reconciler(sandbox: &Sandbox) -> InsuranceSubscriptions {
    let client = Client::builder()
        .environment(sandbox.environment())
        .credentials(sandbox.credentials().expect("merchant credentials"))
        .retry_policy(RetryPolicy::none())
        .request_timeout(TIMEOUT)
        .build()
        .expect("client");
    InsuranceSubscriptions::new(client.insurance_v1_7_1()).with_policy(policy())
}

/// The insurance calls of a plain client of `sandbox`, for setting up and checking.
fn plain(sandbox: &Sandbox) -> Insurance {
    sandbox.client().expect("client").insurance_v1_7_1()
}

fn by_buyer() -> InsuranceCancellationDto {
    InsuranceCancellationDto {
        origin: Some("BUYER".into()),
    }
}

/// A new SUBSCRIBED policy for `order`.
async fn subscribed(sandbox: &Sandbox, order: &str) -> Uuid {
    subscribe(&plain(sandbox), order).await.expect("subscribed")
}

/// Cancels policy `id` through `fault` on the cancel.
async fn cancel_through(
    sandbox: &Sandbox,
    id: Uuid,
    fault: Fault,
) -> Result<ChangeOutcome<(), InsuranceSubscriptionResponse>, ReconcileError> {
    sandbox
        .faults()
        .inject(CANCEL, fault)
        .expect("a valid fault");
    reconciler(sandbox).cancel(id, by_buyer()).await
}

/// The sandbox's own record of policy `id`, with no fault pending: a plain read says
/// CANCELLED, and the statuses it took hold CANCELLED once, last.
async fn assert_cancelled_once(sandbox: &Sandbox, id: Uuid) {
    sandbox.faults().clear();
    let read = plain(sandbox)
        .retrieve_specific_insurance_subscription()
        .insurance_subscription_id(id)
        .send()
        .await
        .expect("the sandbox reads the policy")
        .into_inner();
    assert_eq!(read.consolidated_status.to_string(), "CANCELLED");
    assert_eq!(
        sandbox.insurance_history(id).expect("a policy"),
        [
            InsuranceStatus::Initialized,
            InsuranceStatus::Subscribed,
            InsuranceStatus::Cancelled
        ]
    );
}

#[tokio::test]
async fn a_cancel_applied_then_stalled_past_the_timeout_is_already_applied_once() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let id = subscribed(&sandbox, "CMD-CANCEL-STALL").await;
    let outcome = cancel_through(&sandbox, id, Fault::delay(TIMEOUT * 4).after()).await;
    match outcome {
        Ok(ChangeOutcome::AlreadyApplied(policy)) => {
            assert_eq!(policy.insurance_subscription_id, id);
            assert_eq!(policy.consolidated_status.to_string(), "CANCELLED");
        }
        other => panic!("expected AlreadyApplied, got {other:?}"),
    }
    assert_cancelled_once(&sandbox, id).await;
}

#[tokio::test]
async fn a_cancel_applied_then_reset_is_already_applied_once() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let id = subscribed(&sandbox, "CMD-CANCEL-RESET").await;
    let outcome = cancel_through(&sandbox, id, Fault::reset().after()).await;
    assert!(
        matches!(outcome, Ok(ChangeOutcome::AlreadyApplied(_))),
        "{outcome:?}"
    );
    assert_cancelled_once(&sandbox, id).await;
}

#[tokio::test]
async fn a_cancel_applied_then_answered_503_is_already_applied_once() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let id = subscribed(&sandbox, "CMD-CANCEL-503-AFTER").await;
    let outcome = cancel_through(&sandbox, id, Fault::status(503).after()).await;
    assert!(
        matches!(outcome, Ok(ChangeOutcome::AlreadyApplied(_))),
        "{outcome:?}"
    );
    assert_cancelled_once(&sandbox, id).await;
}

#[tokio::test]
async fn a_cancel_answered_503_before_it_was_applied_is_sent_again_and_applied_once() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let id = subscribed(&sandbox, "CMD-CANCEL-503-BEFORE").await;
    let outcome = cancel_through(&sandbox, id, Fault::status(503)).await;
    assert!(
        matches!(outcome, Ok(ChangeOutcome::Applied(()))),
        "{outcome:?}"
    );
    // The fault took the first send; the second was the one applied.
    assert_eq!(sandbox.faults().pending(CANCEL).expect("a target"), 0);
    assert_cancelled_once(&sandbox, id).await;
}

#[tokio::test]
async fn a_policy_already_cancelled_is_reported_so_without_sending_a_cancel() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let id = subscribed(&sandbox, "CMD-CANCEL-TWICE").await;
    plain(&sandbox)
        .cancel_insurance_subscriptions()
        .insurance_subscription_id(id)
        .body(by_buyer())
        .send()
        .await
        .expect("cancelled");
    // A tripwire: a cancel reaching the sandbox would take this fault.
    let outcome = cancel_through(&sandbox, id, Fault::status(500)).await;
    assert!(
        matches!(outcome, Ok(ChangeOutcome::AlreadyApplied(_))),
        "{outcome:?}"
    );
    assert_eq!(
        sandbox.faults().pending(CANCEL).expect("a target"),
        1,
        "no cancel was sent"
    );
    assert_cancelled_once(&sandbox, id).await;
}

#[tokio::test]
async fn a_cancel_of_an_activated_policy_is_refused_and_changes_nothing() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let id = subscribed(&sandbox, "CMD-CANCEL-ACTIVE").await;
    sandbox
        .set_insurance_status(id, InsuranceStatus::Activated)
        .expect("activated");
    let outcome = reconciler(&sandbox).cancel(id, by_buyer()).await;
    match outcome {
        Err(ReconcileError::NotApplied(error)) => {
            assert_eq!(error.status(), Some(reqwest::StatusCode::BAD_REQUEST))
        }
        other => panic!("expected NotApplied, got {other:?}"),
    }
    assert_eq!(
        sandbox.insurance_history(id).expect("a policy"),
        [
            InsuranceStatus::Initialized,
            InsuranceStatus::Subscribed,
            InsuranceStatus::Activated
        ]
    );
}

#[tokio::test]
async fn a_subscription_applied_then_answered_503_is_reconciled_to_the_one_policy_held() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let api = plain(&sandbox);
    let item = register(&api).await;
    let quotation = quote(&api, &item, "WEX-36M-2").await;
    sandbox
        .faults()
        .inject(
            "insurance:createInsuranceSubscription",
            Fault::status(503).after(),
        )
        .expect("a valid fault");
    let outcome = InsuranceSubscriptions::new(api.clone())
        .with_policy(policy())
        .create(subscription(&quotation, "CMD-LOST-ANSWER"))
        .await;
    let found = match outcome {
        Ok(CreateOutcome::AlreadyExisted(found)) => found,
        other => panic!("expected AlreadyExisted, got {other:?}"),
    };
    // The sandbox's own listing: one policy for the order, the one found.
    let listed = api
        .retrieve_insurance_subscription_for_specific_merchant()
        .merchant_global_order_id("CMD-LOST-ANSWER")
        .send()
        .await
        .expect("listed")
        .into_inner();
    assert_eq!(listed.subscriptions.len(), 1);
    assert_eq!(
        listed.subscriptions[0].insurance_subscription_id,
        found.insurance_subscription_id
    );
}
