//! What the workflows need of one e-financing version's generated client, implemented for
//! each enabled version whose subscription calls have the shape of 1.6.6 (1.6.0, 1.6.6, 1.7.0,
//! 1.7.1; 1.4.0 and 1.5.2 have no return confirmation).
//!
//! The generated code is not touched: each implementation calls the version's generated
//! builders and reads the fields of its generated types.

use crate::{Amount, Error, GeneratedClient, Result};
use std::future::Future;
use uuid::Uuid;

/// One page of a list call: its subscriptions, and how many match across all pages.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    /// The subscriptions of this page, in the gateway's order.
    pub items: Vec<T>,
    /// `totalItemCount`: how many subscriptions match, across every page.
    pub total_item_count: u64,
}

/// What a subscription says about its cancellations: compared before and after a `_cancel`
/// whose answer was lost, to tell whether the gateway recorded it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CancellationFacts {
    /// `consolidatedStatus` as sent (`ACCEPTED`, `CANCELLED`, ...).
    pub status: String,
    /// `financedAmount`: what is still financed.
    pub financed_amount: Amount,
    /// `cancellationAlreadyMade`.
    pub cancellation_already_made: bool,
    /// `cancellationStatus` as sent, when there is one.
    pub cancellation_status: Option<String>,
}

/// The e-financing calls the workflows of [`crate::workflows`] are made of, for one API
/// version's generated client (implemented by this crate for `v1_6_0`, `v1_6_6`, `v1_7_0` and
/// `v1_7_1`).
///
/// The associated types are the version's generated types, so workflows hand back exactly
/// what the version's own calls would.
pub trait CreditApi: GeneratedClient + Clone + Send + Sync + 'static {
    /// `InitiateCreditSubscriptionRequest`.
    type Application: Clone + Send + Sync + 'static;
    /// `InitiateCreditSubscriptionResponse`: the new id and the buyer's redirect.
    type Created: Send + 'static;
    /// `CreditSubscriptionDto`: one entry of the list call.
    type Summary: Send + 'static;
    /// `CreditSubscriptionDtoResponse`: the full record of one subscription.
    type Subscription: Send + 'static;
    /// `CreditCancellationDTO`.
    type Cancellation: Clone + Send + Sync + 'static;
    /// `CreditCancellationResponse`.
    type Cancelled: Send + 'static;
    /// `ConfirmDeliveryRequest`.
    type Delivery: Clone + Send + Sync + 'static;
    /// `ConfirmReturnRequest`.
    type Return: Clone + Send + Sync + 'static;

    /// The application's `merchantGlobalOrderId`.
    fn order_id(application: &Self::Application) -> &str;
    /// Whether `found`, listed under the application's order id, is this application (same
    /// basket, solution and amount) rather than another one that took the order id.
    fn is_application(application: &Self::Application, found: &Self::Summary) -> bool;
    /// The id of a listed subscription.
    fn summary_id(found: &Self::Summary) -> Uuid;
    /// The `merchantGlobalOrderId` of a listed subscription.
    fn summary_order_id(found: &Self::Summary) -> &str;
    /// `consolidatedStatus` and `consolidatedSubstatus` of a subscription, as sent.
    fn status_of(subscription: &Self::Subscription) -> (String, Option<String>);
    /// What a subscription says about its cancellations.
    fn cancellation_facts(subscription: &Self::Subscription) -> CancellationFacts;
    /// Whether the subscription records what `delivery` reports (`isDelivered`).
    fn records_delivery(subscription: &Self::Subscription, delivery: &Self::Delivery) -> bool;
    /// Whether the subscription records what `report` says (`isReturned`).
    fn records_return(subscription: &Self::Subscription, report: &Self::Return) -> bool;

    /// `POST /subscriptions` (`initiateCreditSubscription`), sent once.
    fn create(
        &self,
        language: &str,
        application: Self::Application,
    ) -> impl Future<Output = Result<Self::Created>> + Send;
    /// `GET /subscriptions` (`retrieveCreditSubscriptionForSpecificMerchant`): one page,
    /// counting from 1, optionally of one order.
    fn list(
        &self,
        order_id: Option<&str>,
        page: u32,
        page_size: u32,
    ) -> impl Future<Output = Result<Page<Self::Summary>>> + Send;
    /// `GET /subscriptions/{id}` (`retrieveCreditSubscription`).
    fn retrieve(&self, id: Uuid) -> impl Future<Output = Result<Self::Subscription>> + Send;
    /// `POST /subscriptions/{id}/_cancel` (`cancelCreditSubscription`), sent once.
    fn cancel(
        &self,
        id: Uuid,
        cancellation: Self::Cancellation,
    ) -> impl Future<Output = Result<Self::Cancelled>> + Send;
    /// `POST /subscriptions/{id}/_confirmDelivery` (`doConfirmDelivery`).
    fn confirm_delivery(
        &self,
        id: Uuid,
        delivery: Self::Delivery,
    ) -> impl Future<Output = Result<()>> + Send;
    /// `POST /subscriptions/{id}/_confirmReturn` (`doConfirmReturn`).
    fn confirm_return(
        &self,
        id: Uuid,
        report: Self::Return,
    ) -> impl Future<Output = Result<()>> + Send;
}

/// `totalItemCount` as a count: a negative one (which the gateway never sends) counts as 0.
#[allow(dead_code)] // unused in a build without any of the versions below
fn count(total: i32) -> u64 {
    u64::try_from(total).unwrap_or(0)
}

/// Implements [`CreditApi`] for the generated client of one e-financing version whose
/// subscription calls have the 1.6.6 shape.
macro_rules! credit_api {
    ($feature:literal, $version:ident) => {
        #[cfg(feature = $feature)]
        const _: () = {
            use crate::e_financing::$version::{types, Client};

            impl CreditApi for Client {
                type Application = types::InitiateCreditSubscriptionRequest;
                type Created = types::InitiateCreditSubscriptionResponse;
                type Summary = types::CreditSubscriptionDto;
                type Subscription = types::CreditSubscriptionDtoResponse;
                type Cancellation = types::CreditCancellationDto;
                type Cancelled = types::CreditCancellationResponse;
                type Delivery = types::ConfirmDeliveryRequest;
                type Return = types::ConfirmReturnRequest;

                fn order_id(application: &Self::Application) -> &str {
                    &application.merchant_global_order_id
                }

                fn is_application(application: &Self::Application, found: &Self::Summary) -> bool {
                    found.merchant_global_order_id == application.merchant_global_order_id
                        && found.merchant_basket_id == application.merchant_basket_id
                        && found.solution_code == application.solution_code
                        && found.buyer_financed_amount == application.financed_amount
                }

                fn summary_id(found: &Self::Summary) -> Uuid {
                    found.credit_subscription_id
                }

                fn summary_order_id(found: &Self::Summary) -> &str {
                    &found.merchant_global_order_id
                }

                fn status_of(subscription: &Self::Subscription) -> (String, Option<String>) {
                    (
                        subscription.consolidated_status.to_string(),
                        subscription.consolidated_substatus.clone(),
                    )
                }

                fn cancellation_facts(subscription: &Self::Subscription) -> CancellationFacts {
                    CancellationFacts {
                        status: subscription.consolidated_status.to_string(),
                        financed_amount: subscription.financed_amount,
                        cancellation_already_made: subscription.cancellation_already_made,
                        cancellation_status: subscription
                            .cancellation_status
                            .as_ref()
                            .map(ToString::to_string),
                    }
                }

                fn records_delivery(
                    subscription: &Self::Subscription,
                    delivery: &Self::Delivery,
                ) -> bool {
                    subscription.is_delivered == Some(delivery.is_delivered)
                }

                fn records_return(
                    subscription: &Self::Subscription,
                    report: &Self::Return,
                ) -> bool {
                    subscription.is_returned == Some(report.is_returned)
                }

                async fn create(
                    &self,
                    language: &str,
                    application: Self::Application,
                ) -> Result<Self::Created> {
                    Ok(self
                        .initiate_credit_subscription()
                        .language(language)
                        .body(application)
                        .send()
                        .await?
                        .into_inner())
                }

                async fn list(
                    &self,
                    order_id: Option<&str>,
                    page: u32,
                    page_size: u32,
                ) -> Result<Page<Self::Summary>> {
                    let mut call = self
                        .retrieve_credit_subscription_for_specific_merchant()
                        .page(page_number(page)?)
                        .page_size(page_number(page_size)?);
                    if let Some(order_id) = order_id {
                        call = call.merchant_global_order_id(order_id);
                    }
                    let answer = call.send().await?.into_inner();
                    Ok(Page {
                        items: answer.subscriptions,
                        total_item_count: count(answer.total_item_count),
                    })
                }

                async fn retrieve(&self, id: Uuid) -> Result<Self::Subscription> {
                    Ok(self
                        .retrieve_credit_subscription()
                        .credit_subscription_id(id)
                        .send()
                        .await?
                        .into_inner())
                }

                async fn cancel(
                    &self,
                    id: Uuid,
                    cancellation: Self::Cancellation,
                ) -> Result<Self::Cancelled> {
                    Ok(self
                        .cancel_credit_subscription()
                        .credit_subscription_id(id)
                        .body(cancellation)
                        .send()
                        .await?
                        .into_inner())
                }

                async fn confirm_delivery(&self, id: Uuid, delivery: Self::Delivery) -> Result<()> {
                    self.do_confirm_delivery()
                        .credit_subscription_id(id)
                        .body(delivery)
                        .send()
                        .await?;
                    Ok(())
                }

                async fn confirm_return(&self, id: Uuid, report: Self::Return) -> Result<()> {
                    self.do_confirm_return()
                        .credit_subscription_id(id)
                        .body(report)
                        .send()
                        .await?;
                    Ok(())
                }
            }
        };
    };
}

/// A page number or size as the spec's `int32`.
#[allow(dead_code)] // unused in a build without any of the versions below
fn page_number(value: u32) -> Result<i32> {
    i32::try_from(value)
        .map_err(|_| Error::InvalidRequest(format!("page value {value} exceeds the spec's int32")))
}

credit_api!("e-financing-1_6_0", v1_6_0);
credit_api!("e-financing-1_6_6", v1_6_6);
credit_api!("e-financing-1_7_0", v1_7_0);
credit_api!("e-financing-1_7_1", v1_7_1);
