//! `Subscriptions`: the reconciling calls, paging and status watch of one e-financing client.

use super::credit::CreditApi;
use super::paging::{self, PageError, PageSize};
use super::reconcile::{
    self, ChangeCalls, ChangeOutcome, CreateCalls, CreateOutcome, ReconcileError, ReconcilePolicy,
};
use super::status::{self, StatusChange, StatusError, StatusPolicy};
use crate::Result;
use futures_core::Stream;
use uuid::Uuid;

/// How many subscriptions a lookup by order id asks for: an order id has one at most.
const LOOKUP_PAGE_SIZE: u32 = 10;

/// The spec's operation ids, named in [`super::Tried`].
const CREATE: &str = "initiateCreditSubscription";
const LIST: &str = "retrieveCreditSubscriptionForSpecificMerchant";
const RETRIEVE: &str = "retrieveCreditSubscription";
const CANCEL: &str = "cancelCreditSubscription";
const CONFIRM_DELIVERY: &str = "doConfirmDelivery";
const CONFIRM_RETURN: &str = "doConfirmReturn";

/// The subscription calls of one e-financing client (a merchant's, or a PSP's view of one
/// merchant) that never double an application: [`create`](Self::create),
/// [`cancel`](Self::cancel), the confirmations, plus paging and the status watch.
///
/// ```no_run
/// # async fn run(client: scalexpert::Client, id: uuid::Uuid) -> Result<(), Box<dyn std::error::Error>> {
/// use scalexpert::e_financing::v1_7_1::types;
/// use scalexpert::workflows::{ChangeOutcome, Subscriptions};
///
/// let subscriptions = Subscriptions::new(client.e_financing_v1_7_1());
/// let delivery = types::ConfirmDeliveryRequest::builder().is_delivered(true).try_into()?;
/// match subscriptions.confirm_delivery(id, delivery).await? {
///     ChangeOutcome::Applied(()) | ChangeOutcome::AlreadyApplied(_) => println!("recorded"),
///     ChangeOutcome::Unknown { .. } => println!("not confirmed yet: try again later"),
/// }
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Subscriptions<A> {
    api: A,
    policy: ReconcilePolicy,
}

impl<A: CreditApi> Subscriptions<A> {
    /// The calls of `api` (`client.e_financing_v1_7_1()`, or a newer version), with
    /// [`ReconcilePolicy::default`].
    pub fn new(api: A) -> Self {
        Subscriptions {
            api,
            policy: ReconcilePolicy::default(),
        }
    }

    /// The same calls with another policy for lost answers.
    pub fn with_policy(mut self, policy: ReconcilePolicy) -> Self {
        self.policy = policy;
        self
    }

    /// The generated client these calls go through.
    pub fn api(&self) -> &A {
        &self.api
    }

    /// Creates a subscription for `application` (`POST /subscriptions`, buyer pages in
    /// `language`) and, when the answer is lost or the order id is refused as used, finds out
    /// from the gateway whether the order's subscription exists. Never sends a second create
    /// while one may exist.
    ///
    /// `Ok` says what exists: [`CreateOutcome::Created`], [`CreateOutcome::AlreadyExisted`]
    /// (this application, found by its `merchantGlobalOrderId`), or
    /// [`CreateOutcome::Unknown`]. `Err` means this call created nothing:
    /// [`ReconcileError::NotApplied`] (refused, not sent, or shown absent after a lost
    /// answer) or [`ReconcileError::OrderIdTaken`] (another application holds the order id).
    pub async fn create(
        &self,
        language: &str,
        application: A::Application,
    ) -> Result<CreateOutcome<A::Created, A::Summary>, ReconcileError> {
        let order_id = A::order_id(&application).to_string();
        let (api, order, application) = (&self.api, order_id.as_str(), &application);
        let calls = CreateCalls {
            order_id: order,
            create_operation: CREATE,
            lookup_operation: LIST,
            create: move || api.create(language, application.clone()),
            lookup: move || async move {
                let page = api.list(Some(order), 1, LOOKUP_PAGE_SIZE).await?;
                // Only the order's own: a gateway that ignored the filter lists others too.
                Ok(page
                    .items
                    .into_iter()
                    .filter(|s| A::summary_order_id(s) == order)
                    .collect())
            },
            is_application: move |found: &A::Summary| A::is_application(application, found),
            id_of: |found: &A::Summary| A::summary_id(found).to_string(),
            // The gateway refuses a second use of an order id: a late first create cannot
            // make a second subscription.
            resend_when_absent: true,
        };
        reconcile::create(&self.policy, calls).await
    }

    /// The subscription listed under `order_id`, if any: one lookup, to settle a
    /// [`CreateOutcome::Unknown`] later.
    pub async fn find_order(&self, order_id: &str) -> Result<Option<A::Summary>> {
        let page = self.api.list(Some(order_id), 1, LOOKUP_PAGE_SIZE).await?;
        Ok(page
            .items
            .into_iter()
            .find(|s| A::summary_order_id(s) == order_id))
    }

    /// Cancels all or part of subscription `id` (`_cancel`), never twice: the subscription is
    /// read first, and when the answer is lost it is read again; a change of its status,
    /// financed amount or cancellation fields means the cancellation was recorded
    /// ([`ChangeOutcome::AlreadyApplied`]). Only a read showing nothing changed lets the
    /// cancellation be sent again. Another cancellation of the same subscription made at the
    /// same time by someone else would look the same: cancel from one place.
    pub async fn cancel(
        &self,
        id: Uuid,
        cancellation: A::Cancellation,
    ) -> Result<ChangeOutcome<A::Cancelled, A::Subscription>, ReconcileError> {
        let before = self
            .api
            .retrieve(id)
            .await
            .map_err(ReconcileError::NotApplied)?;
        let before = A::cancellation_facts(&before);
        let api = &self.api;
        let cancellation = &cancellation;
        let calls = ChangeCalls {
            subscription_id: id,
            operation: CANCEL,
            read_operation: RETRIEVE,
            send: move || api.cancel(id, cancellation.clone()),
            read: move || api.retrieve(id),
            recorded: |after: &A::Subscription| A::cancellation_facts(after) != before,
            replay_safe: false,
            // Another cancellation's refusal says nothing of this one.
            read_refusals: false,
        };
        reconcile::change(&self.policy, calls).await
    }

    /// Reports delivery of subscription `id` (`_confirmDelivery`). Replaying it is harmless,
    /// so the client already retried it; when the answer is still lost, the subscription is
    /// read (`isDelivered` as reported means it was recorded) and the report sent again,
    /// within [`ReconcilePolicy::sends`].
    pub async fn confirm_delivery(
        &self,
        id: Uuid,
        delivery: A::Delivery,
    ) -> Result<ChangeOutcome<(), A::Subscription>, ReconcileError> {
        let api = &self.api;
        let delivery = &delivery;
        let calls = ChangeCalls {
            subscription_id: id,
            operation: CONFIRM_DELIVERY,
            read_operation: RETRIEVE,
            send: move || api.confirm_delivery(id, delivery.clone()),
            read: move || api.retrieve(id),
            recorded: move |after: &A::Subscription| A::records_delivery(after, delivery),
            replay_safe: true,
            read_refusals: false,
        };
        reconcile::change(&self.policy, calls).await
    }

    /// Reports whether the goods of subscription `id` came back (`_confirmReturn`), as
    /// [`confirm_delivery`](Self::confirm_delivery) does for delivery (`isReturned`).
    pub async fn confirm_return(
        &self,
        id: Uuid,
        report: A::Return,
    ) -> Result<ChangeOutcome<(), A::Subscription>, ReconcileError> {
        let api = &self.api;
        let report = &report;
        let calls = ChangeCalls {
            subscription_id: id,
            operation: CONFIRM_RETURN,
            read_operation: RETRIEVE,
            send: move || api.confirm_return(id, report.clone()),
            read: move || api.retrieve(id),
            recorded: move |after: &A::Subscription| A::records_return(after, report),
            replay_safe: true,
            read_refusals: false,
        };
        reconcile::change(&self.policy, calls).await
    }

    /// Every subscription of this client's merchant, page by page: see [`paging`].
    pub fn all(
        &self,
        page_size: PageSize,
    ) -> impl Stream<Item = Result<A::Summary, PageError>> + Send + 'static {
        paging::subscriptions(self.api.clone(), page_size)
    }

    /// The statuses of subscription `id` until one is decisive: see [`status::watch`].
    pub fn watch_status(
        &self,
        id: Uuid,
        policy: StatusPolicy,
    ) -> impl Stream<Item = Result<StatusChange<A::Subscription>, StatusError>> + Send + 'static
    {
        status::watch(self.api.clone(), id, policy)
    }

    /// Waits for a decisive status of subscription `id`: see [`status::decision`].
    pub async fn decision(
        &self,
        id: Uuid,
        policy: StatusPolicy,
    ) -> Result<status::Decision<A::Subscription>, StatusError> {
        status::decision(self.api.clone(), id, policy).await
    }
}
