//! Reconciling insurance creations and cancellations (insurance 1.7.1).
//!
//! The insurance list call takes the same `merchantGlobalOrderId` filter as e-financing's, so a
//! lost answer to `createInsuranceSubscription` is settled the same way, with two differences
//! the spec imposes:
//!
//! - **An order may hold several policies** (one per insured item), and nothing documents a
//!   refusal of a second use of the order id. So the order's policies are listed *before* the
//!   create, and after a lost answer only a policy that was not there before and matches this
//!   request (solution, basket, insured item price and category, policy price) counts as
//!   this one.
//! - **A create is never sent again by this call**: without a gateway-side refusal of a
//!   second use, a first create that arrives late could make a second policy. When the
//!   lookups show nothing new, the call reports [`ReconcileError::NotApplied`]; send it again
//!   only after a later [`InsuranceSubscriptions::find_new`] still shows nothing.
//!
//! Two identical items insured under one order and basket at the same price cannot be told
//! apart by the list (it carries no item id or quote id): create those one after the other.
//!
//! A cancellation ([`InsuranceSubscriptions::cancel`]) is settled by reading the policy
//! (`retrieveSpecificInsuranceSubscription`): only a SUBSCRIBED policy can be cancelled, it
//! then reads CANCELLED, and CANCELLED is final. So:
//!
//! - the policy is read **before** sending: one already CANCELLED is reported
//!   [`ChangeOutcome::AlreadyApplied`] without a `_cancel`;
//! - after a lost answer (timeout, reset after the request was written, 502/503/504, an
//!   unreadable answer) it is read again with [`ReconcilePolicy::lookup`]'s backoff: CANCELLED
//!   is [`ChangeOutcome::AlreadyApplied`]; no read in time is [`ChangeOutcome::Unknown`];
//! - a 400 (the gateway's refusal of a policy that is not SUBSCRIBED) is read back too: the
//!   policy found CANCELLED is [`ChangeOutcome::AlreadyApplied`] (cancelled meanwhile by
//!   someone else, or by a first send whose answer was lost), otherwise the refusal stands.
//!
//! **Sending again.** A `_cancel` carries no amount and moves the policy to a final status, and
//! the gateway refuses it with 400 for a policy that is not SUBSCRIBED: a second one can never
//! cancel twice, whether the first arrived or not. It is still sent again only after a read
//! shows the policy not cancelled (within [`ReconcilePolicy::sends`]), never blindly: its
//! answer would tell no more than the read, and a read that does not answer leaves the
//! outcome [`ChangeOutcome::Unknown`] either way. When the first arrives late, the second meets
//! the 400 and the read back finds the policy cancelled, once.

use super::reconcile::{
    self, ChangeCalls, ChangeOutcome, CreateCalls, CreateOutcome, ReconcileError, ReconcilePolicy,
};
use crate::insurance::v1_7_1::types::InsuranceSubscriptionResponseConsolidatedStatus as Status;
use crate::insurance::v1_7_1::{types, Client};
use crate::{OpenEnum, Result};
use std::collections::HashSet;
use uuid::Uuid;

/// Policies asked for per lookup of an order.
const LOOKUP_PAGE_SIZE: &str = "100";
const CREATE: &str = "createInsuranceSubscription";
const LIST: &str = "retrieveInsuranceSubscriptionForSpecificMerchant";
const RETRIEVE: &str = "retrieveSpecificInsuranceSubscription";
const CANCEL: &str = "cancelInsuranceSubscriptions";

/// Reconciling insurance creations and cancellations through one insurance 1.7.1 client (a
/// merchant's, or a PSP's view of one merchant).
///
/// ```no_run
/// # async fn run(client: scalexpert::Client, request: scalexpert::insurance::v1_7_1::types::CreateInsuranceSubscriptionRequest) -> Result<(), Box<dyn std::error::Error>> {
/// use scalexpert::workflows::insurance::InsuranceSubscriptions;
/// use scalexpert::workflows::CreateOutcome;
///
/// let policies = InsuranceSubscriptions::new(client.insurance_v1_7_1());
/// match policies.create(request).await? {
///     CreateOutcome::Created(created) => println!("policy {}", created.insurance_subscription_id),
///     CreateOutcome::AlreadyExisted(found) => println!("policy {}", found.insurance_subscription_id),
///     CreateOutcome::Unknown { order_id, .. } => println!("{order_id}: look again later"),
/// }
/// # Ok(()) }
/// ```
///
/// Cancelling a policy, never twice:
///
/// ```no_run
/// # async fn run(client: scalexpert::Client, id: uuid::Uuid) -> Result<(), Box<dyn std::error::Error>> {
/// use scalexpert::insurance::v1_7_1::types::InsuranceCancellationDto;
/// use scalexpert::workflows::insurance::InsuranceSubscriptions;
/// use scalexpert::workflows::ChangeOutcome;
///
/// let policies = InsuranceSubscriptions::new(client.insurance_v1_7_1());
/// let cancellation = InsuranceCancellationDto { origin: Some("BUYER".into()) };
/// match policies.cancel(id, cancellation).await? {
///     ChangeOutcome::Applied(()) => println!("cancelled"),
///     ChangeOutcome::AlreadyApplied(policy) => println!("{} already", policy.consolidated_status),
///     ChangeOutcome::Unknown { .. } => println!("read the policy again later"),
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct InsuranceSubscriptions {
    api: Client,
    policy: ReconcilePolicy,
}

/// Whether `found` is the policy `request` asks for.
fn is_request(
    request: &types::CreateInsuranceSubscriptionRequest,
    found: &types::InsuranceSubscription,
) -> bool {
    found.merchant_global_order_id.as_str() == request.merchant_global_order_id.as_str()
        && found.merchant_basket_id == request.merchant_basket_id
        && found.solution_code.as_str() == request.solution_code.as_str()
        && found.insured_item_price == request.insured_item.price
        && found.insured_item_category == request.insured_item.category
        && found.producer_quote_insurance_price == request.producer_quote_insurance_price
}

impl InsuranceSubscriptions {
    /// The calls of `api` (`client.insurance_v1_7_1()`), with [`ReconcilePolicy::default`].
    pub fn new(api: Client) -> Self {
        InsuranceSubscriptions {
            api,
            policy: ReconcilePolicy::default(),
        }
    }

    /// The same calls with another policy for lost answers.
    pub fn with_policy(mut self, policy: ReconcilePolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The policies listed under `order_id` (first 100).
    async fn listed(&self, order_id: &str) -> Result<Vec<types::InsuranceSubscription>> {
        let page = self
            .api
            .retrieve_insurance_subscription_for_specific_merchant()
            .merchant_global_order_id(order_id)
            .page("1")
            .page_size(LOOKUP_PAGE_SIZE)
            .send()
            .await?
            .into_inner();
        Ok(page
            .subscriptions
            .into_iter()
            .filter(|s| s.merchant_global_order_id == order_id)
            .collect())
    }

    /// The policies listed for `request`'s order that match it and are not in `known`: to
    /// settle a lost create later, with the `known` ids listed before it.
    pub async fn find_new(
        &self,
        request: &types::CreateInsuranceSubscriptionRequest,
        known: &HashSet<Uuid>,
    ) -> Result<Vec<types::InsuranceSubscription>> {
        Ok(self
            .listed(request.merchant_global_order_id.as_str())
            .await?
            .into_iter()
            .filter(|s| !known.contains(&s.insurance_subscription_id) && is_request(request, s))
            .collect())
    }

    /// Subscribes the policy `request` describes and, when the answer is lost, finds out
    /// whether it exists; see the [module documentation](self). `Err` means this call
    /// created nothing.
    pub async fn create(
        &self,
        request: types::CreateInsuranceSubscriptionRequest,
    ) -> Result<
        CreateOutcome<types::CreateInsuranceSubscriptionResponse, types::InsuranceSubscription>,
        ReconcileError,
    > {
        let order_id = request.merchant_global_order_id.to_string();
        let known: HashSet<Uuid> = self
            .listed(&order_id)
            .await
            .map_err(ReconcileError::NotApplied)?
            .iter()
            .map(|s| s.insurance_subscription_id)
            .collect();
        let (this, request, known) = (self, &request, &known);
        let calls = CreateCalls {
            order_id: &order_id,
            create_operation: CREATE,
            lookup_operation: LIST,
            create: move || async move {
                Ok(this
                    .api
                    .create_insurance_subscription()
                    .body(request.clone())
                    .send()
                    .await?
                    .into_inner())
            },
            lookup: move || this.find_new(request, known),
            // Only new policies matching the request are looked for.
            is_application: |_: &types::InsuranceSubscription| true,
            id_of: |s: &types::InsuranceSubscription| s.insurance_subscription_id.to_string(),
            resend_when_absent: false,
        };
        reconcile::create(&self.policy, calls).await
    }
    /// The full record of policy `id` (`retrieveSpecificInsuranceSubscription`): to settle a
    /// [`ChangeOutcome::Unknown`] later.
    pub async fn retrieve(&self, id: Uuid) -> Result<types::InsuranceSubscriptionResponse> {
        Ok(self
            .api
            .retrieve_specific_insurance_subscription()
            .insurance_subscription_id(id)
            .send()
            .await?
            .into_inner())
    }

    /// Cancels policy `id` (`_cancel`) and, when the answer is lost or the gateway refuses
    /// it, reads the policy to find out whether it is cancelled; see the
    /// [module documentation](self).
    ///
    /// `Ok` says where the policy stands: [`ChangeOutcome::Applied`] (the gateway answered
    /// 204), [`ChangeOutcome::AlreadyApplied`] (read CANCELLED: before sending, after a lost
    /// answer, or after a refusal), or [`ChangeOutcome::Unknown`] (no read answered in time:
    /// read it again before cancelling again). `Err` means this call changed nothing:
    /// [`ReconcileError::NotApplied`] with the gateway's refusal (the policy is not
    /// SUBSCRIBED), or with the error of a first read that failed (nothing was sent).
    pub async fn cancel(
        &self,
        id: Uuid,
        cancellation: types::InsuranceCancellationDto,
    ) -> Result<ChangeOutcome<(), types::InsuranceSubscriptionResponse>, ReconcileError> {
        let before = self
            .retrieve(id)
            .await
            .map_err(ReconcileError::NotApplied)?;
        if is_cancelled(&before) {
            return Ok(ChangeOutcome::AlreadyApplied(before));
        }
        let (this, cancellation) = (self, &cancellation);
        let calls = ChangeCalls {
            subscription_id: id,
            operation: CANCEL,
            read_operation: RETRIEVE,
            send: move || async move {
                this.api
                    .cancel_insurance_subscriptions()
                    .insurance_subscription_id(id)
                    .body(cancellation.clone())
                    .send()
                    .await?;
                Ok(())
            },
            read: move || this.retrieve(id),
            recorded: is_cancelled,
            // Sent again only once a read shows the policy not cancelled.
            replay_safe: false,
            // The gateway refuses a cancelled policy's cancellation: a read tells whether
            // that is what happened.
            read_refusals: true,
        };
        reconcile::change(&self.policy, calls).await
    }
}

/// Whether the policy reads CANCELLED (final: a cancelled policy never changes again).
fn is_cancelled(policy: &types::InsuranceSubscriptionResponse) -> bool {
    matches!(
        policy.consolidated_status,
        OpenEnum::Known(Status::Cancelled)
    )
}
