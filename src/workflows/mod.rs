//! Calls made of several calls: creating or cancelling without ever doubling an application,
//! paging through every subscription, and waiting for a buyer's decision.
//!
//! Scalexpert has no idempotency key. The facade never replays a `POST /subscriptions` or a
//! `_cancel` that may have reached the gateway, so when one times out or its connection breaks
//! the caller learns nothing about whether an application now exists. The calls here find out
//! by asking the gateway afterwards (by `merchantGlobalOrderId`, or by reading the
//! subscription), and say what they found in a typed outcome:
//!
//! - [`reconcile`]: [`Subscriptions::create`], [`Subscriptions::cancel`],
//!   [`Subscriptions::confirm_delivery`], [`Subscriptions::confirm_return`] (and
//!   [`insurance`] creations and cancellations, with feature `insurance-1_7_1`);
//! - [`paging`]: [`Subscriptions::all`] and [`paging::every_merchant`], streams over every
//!   subscription, one page in memory at a time;
//! - [`status`]: [`Subscriptions::watch_status`], polling a subscription until the lender's
//!   decision is known.
//!
//! Each works for every enabled e-financing version from 1.6.0 on (the versions whose
//! subscription calls have the same shape), through [`CreditApi`]. See
//! `docs/reconciliation.md` for when to use them and what to show the buyer for each outcome.
//!
//! ```no_run
//! # async fn run(client: scalexpert::Client, application: scalexpert::e_financing::v1_7_1::types::InitiateCreditSubscriptionRequest) -> Result<(), Box<dyn std::error::Error>> {
//! use scalexpert::workflows::{CreateOutcome, Subscriptions};
//!
//! let subscriptions = Subscriptions::new(client.e_financing_v1_7_1());
//! match subscriptions.create("fr-FR", application).await? {
//!     CreateOutcome::Created(created) => println!("send the buyer to {:?}", created.redirect),
//!     CreateOutcome::AlreadyExisted(found) => println!("already there: {}", found.consolidated_status),
//!     CreateOutcome::Unknown { order_id, .. } => println!("{order_id}: check again later"),
//! }
//! # Ok(()) }
//! ```

mod credit;
pub mod paging;
mod patience;
pub mod reconcile;
pub mod status;
mod subscriptions;
mod uncertain;

#[cfg(feature = "insurance-1_7_1")]
#[cfg_attr(docsrs, doc(cfg(feature = "insurance-1_7_1")))]
pub mod insurance;

pub use credit::{CancellationFacts, CreditApi, Page};
pub use patience::Patience;
pub use reconcile::{ChangeOutcome, CreateOutcome, ReconcileError, ReconcilePolicy, Tried};
pub use status::{Status, StatusChange, StatusError, StatusPolicy};
pub use subscriptions::Subscriptions;
