//! Creating, cancelling and confirming without doubling anything when an answer is lost.
//!
//! A create whose answer is lost (timeout, connection reset after the request was written,
//! 502/503/504, a 2xx that cannot be read) is followed by lookups of its
//! `merchantGlobalOrderId`, with bounded backoff ([`ReconcilePolicy::lookup`]). What they find
//! decides: the application is there ([`CreateOutcome::AlreadyExisted`]); it is not, and a
//! second lookup a moment later agrees, so the create is sent again (at most
//! [`ReconcilePolicy::sends`] in all; a create that arrives late meets the gateway's refusal of
//! a second use of the order id, which is reconciled the same way); or the gateway did not
//! answer the lookups in time ([`CreateOutcome::Unknown`]). A create is never sent again
//! while the order may have a subscription.
//!
//! A `_cancel` reads the subscription first and, when its answer is lost, reads it again: a
//! change of its status, financed amount or cancellation fields means the cancellation was
//! recorded; a refusal of a second send is read back the same way (the first may have
//! arrived late). Delivery and return confirmations may be replayed; the subscription is read to
//! tell whether a lost one was recorded before sending it again.

use super::patience::Patience;
use super::uncertain::{refused_for_state, standing, Standing};
use crate::Error;
use std::fmt;
use std::future::Future;
use uuid::Uuid;

/// How a reconciling call looks for the result of a call whose answer was lost.
///
/// ```
/// use scalexpert::workflows::{Patience, ReconcilePolicy};
/// use std::time::Duration;
///
/// // A checkout page waits at most 8 s for the lookups.
/// let policy = ReconcilePolicy {
///     lookup: Patience { deadline: Duration::from_secs(8), ..Patience::default() },
///     ..ReconcilePolicy::default()
/// };
/// assert_eq!(policy.sends, 2);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReconcilePolicy {
    /// Lookups after each lost answer (list by order id, or read the subscription).
    pub lookup: Patience,
    /// How many times the call itself may be sent in all; a create or cancel goes again only
    /// once the lookups showed the first was not applied. At least 1.
    pub sends: u32,
}

impl Default for ReconcilePolicy {
    /// [`Patience::default`] for the lookups, two sends.
    fn default() -> Self {
        ReconcilePolicy {
            lookup: Patience::default(),
            sends: 2,
        }
    }
}

/// What a reconciling create found.
///
/// `Debug` names the variant, the order id and the calls tried, never the payloads (a redirect
/// holds the buyer's journey token).
#[must_use]
pub enum CreateOutcome<C, S> {
    /// The gateway answered the create: the new subscription's id and the buyer's redirect.
    Created(C),
    /// The order's subscription exists and is this application (same basket, solution and
    /// amount): it was found by looking the order up after a lost answer, or after the
    /// gateway refused the order id as already used. Its redirect is not known.
    AlreadyExisted(S),
    /// The gateway did not answer the lookups in time: a subscription may or may not exist.
    /// Do not create again under this order id before a lookup answers
    /// ([`crate::workflows::Subscriptions::find_order`]).
    Unknown {
        /// The `merchantGlobalOrderId` to look up later.
        order_id: String,
        /// Every call that failed, in order.
        tried: Vec<Tried>,
    },
}

/// What a reconciling cancellation or confirmation found.
///
/// `Debug` names the variant, the subscription id and the calls tried, never the subscription
/// read (it holds the buyer's identity).
#[must_use]
pub enum ChangeOutcome<A, S> {
    /// The gateway answered the call.
    Applied(A),
    /// The call's answer was lost, and reading the subscription showed the change recorded.
    AlreadyApplied(S),
    /// The gateway did not answer in time: the change may or may not be recorded. Read the
    /// subscription later before sending it again.
    Unknown {
        /// The subscription concerned.
        subscription_id: Uuid,
        /// Every call that failed, in order.
        tried: Vec<Tried>,
    },
}

impl<C, S> fmt::Debug for CreateOutcome<C, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CreateOutcome::Created(_) => f.write_str("Created(..)"),
            CreateOutcome::AlreadyExisted(_) => f.write_str("AlreadyExisted(..)"),
            CreateOutcome::Unknown { order_id, tried } => f
                .debug_struct("Unknown")
                .field("order_id", order_id)
                .field("tried", tried)
                .finish(),
        }
    }
}

impl<A, S> fmt::Debug for ChangeOutcome<A, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ChangeOutcome::Applied(_) => f.write_str("Applied(..)"),
            ChangeOutcome::AlreadyApplied(_) => f.write_str("AlreadyApplied(..)"),
            ChangeOutcome::Unknown {
                subscription_id,
                tried,
            } => f
                .debug_struct("Unknown")
                .field("subscription_id", subscription_id)
                .field("tried", tried)
                .finish(),
        }
    }
}

/// A reconciling call that certainly changed nothing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReconcileError {
    /// The gateway refused, or nothing reached it, or it was shown afterwards that nothing
    /// was recorded: no subscription was created (or nothing changed) by this call. The
    /// error says why; fix what it names before trying again.
    #[error("nothing was applied: {0}")]
    NotApplied(#[source] Error),
    /// The order id is already used by another application (another basket, solution or
    /// amount): nothing was created. The order needs its own `merchantGlobalOrderId`.
    #[error("merchantGlobalOrderId {order_id:?} is already used by subscription {existing}, which is another application")]
    OrderIdTaken {
        /// The order id of the refused application.
        order_id: String,
        /// The id of the subscription holding it.
        existing: String,
    },
}

/// A call of a reconciling workflow that failed, and how.
#[derive(Debug)]
pub struct Tried {
    /// The spec's `operationId` of the call (`initiateCreditSubscription`,
    /// `retrieveCreditSubscriptionForSpecificMerchant`, ...).
    pub operation: &'static str,
    /// What went wrong (messages hold no secret and no value of a body).
    pub error: Error,
}

impl fmt::Display for Tried {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.operation, self.error)
    }
}

/// What the lookups of an order found.
pub(crate) enum Found<S> {
    /// This application.
    Application(S),
    /// Another application holds the order id (its id).
    Another(String),
    /// The gateway answered, twice, that the order has no subscription.
    Absent,
    /// The gateway did not answer in time.
    Unanswered,
}

/// Lookups answered "absent" that a create needs before it is sent again: one right after the
/// lost answer, and one a backoff later, for a create the gateway was still applying.
const ABSENT_ANSWERS: u32 = 2;

/// The calls of one reconciling create, as closures over the version's client.
pub(crate) struct CreateCalls<'a, Create, Lookup, Is, Id> {
    pub(crate) order_id: &'a str,
    pub(crate) create_operation: &'static str,
    pub(crate) lookup_operation: &'static str,
    /// Sends the create once.
    pub(crate) create: Create,
    /// One lookup of the order: what is listed under its id.
    pub(crate) lookup: Lookup,
    /// Whether a listed subscription is this application.
    pub(crate) is_application: Is,
    /// A listed subscription's id.
    pub(crate) id_of: Id,
    /// Whether the create may be sent again once the order was shown absent: only where the
    /// gateway refuses a second use of the order id, so a late first create cannot double.
    pub(crate) resend_when_absent: bool,
}

/// A reconciling create: see the module documentation.
pub(crate) async fn create<C, S, Create, CreateFut, Lookup, LookupFut, Is, Id>(
    policy: &ReconcilePolicy,
    mut calls: CreateCalls<'_, Create, Lookup, Is, Id>,
) -> Result<CreateOutcome<C, S>, ReconcileError>
where
    Create: FnMut() -> CreateFut,
    CreateFut: Future<Output = Result<C, Error>>,
    Lookup: FnMut() -> LookupFut,
    LookupFut: Future<Output = Result<Vec<S>, Error>>,
    Is: Fn(&S) -> bool,
    Id: Fn(&S) -> String,
{
    let mut tried = Vec::new();
    let mut sent = 0;
    loop {
        sent += 1;
        let error = match (calls.create)().await {
            Ok(created) => return Ok(CreateOutcome::Created(created)),
            Err(error) => error,
        };
        let how = standing(&error, true);
        if matches!(how, Standing::NotSent | Standing::Refused) {
            return Err(ReconcileError::NotApplied(error));
        }
        tried.push(Tried {
            operation: calls.create_operation,
            error,
        });
        let found = find(policy, &mut calls, &mut tried).await;
        match found {
            Found::Application(found) => return Ok(CreateOutcome::AlreadyExisted(found)),
            Found::Another(existing) => {
                return Err(ReconcileError::OrderIdTaken {
                    order_id: calls.order_id.to_string(),
                    existing,
                })
            }
            Found::Unanswered => {
                return Ok(CreateOutcome::Unknown {
                    order_id: calls.order_id.to_string(),
                    tried,
                })
            }
            Found::Absent
                if how == Standing::Uncertain
                    && calls.resend_when_absent
                    && sent < policy.sends.max(1) => {}
            // Refused for the order id, yet nothing holds it (another refusal with the same
            // code), or out of sends: the last create's error says why nothing exists.
            Found::Absent => {
                return Err(ReconcileError::NotApplied(last_sent(
                    tried,
                    calls.create_operation,
                )))
            }
        }
    }
}

/// Looks the order up until the gateway says what it holds, or patience runs out.
async fn find<S, Create, Lookup, LookupFut, Is, Id>(
    policy: &ReconcilePolicy,
    calls: &mut CreateCalls<'_, Create, Lookup, Is, Id>,
    tried: &mut Vec<Tried>,
) -> Found<S>
where
    Lookup: FnMut() -> LookupFut,
    LookupFut: Future<Output = Result<Vec<S>, Error>>,
    Is: Fn(&S) -> bool,
    Id: Fn(&S) -> String,
{
    let mut tries = policy.lookup.start();
    let mut absent = 0;
    while tries.begin() {
        match (calls.lookup)().await {
            Ok(listed) => {
                if let Some(index) = listed.iter().position(|s| (calls.is_application)(s)) {
                    let mut listed = listed;
                    return Found::Application(listed.swap_remove(index));
                }
                if let Some(other) = listed.first() {
                    return Found::Another((calls.id_of)(other));
                }
                absent += 1;
                if absent >= ABSENT_ANSWERS {
                    return Found::Absent;
                }
            }
            Err(error) => tried.push(Tried {
                operation: calls.lookup_operation,
                error,
            }),
        }
        if !tries.wait().await {
            break;
        }
    }
    Found::Unanswered
}

/// The calls of one reconciling change (cancel, confirmation) of one subscription.
pub(crate) struct ChangeCalls<Change, Read, Recorded> {
    pub(crate) subscription_id: Uuid,
    pub(crate) operation: &'static str,
    pub(crate) read_operation: &'static str,
    /// Sends the change once.
    pub(crate) send: Change,
    /// Reads the subscription.
    pub(crate) read: Read,
    /// Whether the subscription read shows the change recorded.
    pub(crate) recorded: Recorded,
    /// Whether the change is harmless to send again while unconfirmed (confirmations).
    pub(crate) replay_safe: bool,
    /// Whether a refusal of the first send for the subscription's state is read back: where
    /// the gateway refuses a change that is already recorded (`_cancel` of a cancelled
    /// policy), such a refusal may mean someone else made it. A refusal of a later send is
    /// always read back: the first, whose answer was lost, may have arrived late.
    pub(crate) read_refusals: bool,
}

/// What reading a subscription back after a change showed.
enum ReadBack<S> {
    /// The change is recorded.
    Recorded(S),
    /// The subscription was read, without the change.
    Unrecorded,
    /// No read answered in time.
    Unanswered,
}

/// Reads the subscription with the policy's patience until a read answers.
async fn read_back<S, Change, Read, ReadFut, Recorded>(
    policy: &ReconcilePolicy,
    calls: &mut ChangeCalls<Change, Read, Recorded>,
    tried: &mut Vec<Tried>,
) -> ReadBack<S>
where
    Read: FnMut() -> ReadFut,
    ReadFut: Future<Output = Result<S, Error>>,
    Recorded: Fn(&S) -> bool,
{
    let mut tries = policy.lookup.start();
    while tries.begin() {
        match (calls.read)().await {
            Ok(subscription) if (calls.recorded)(&subscription) => {
                return ReadBack::Recorded(subscription)
            }
            Ok(_) => return ReadBack::Unrecorded,
            Err(error) => tried.push(Tried {
                operation: calls.read_operation,
                error,
            }),
        }
        if !tries.wait().await {
            break;
        }
    }
    ReadBack::Unanswered
}

/// The error of the last send of `operation` in `tried`.
fn last_sent(tried: Vec<Tried>, operation: &str) -> Error {
    tried
        .into_iter()
        .rev()
        .find(|t| t.operation == operation)
        .map(|t| t.error)
        .unwrap_or_else(|| Error::InvalidRequest("nothing was sent".into()))
}

/// A reconciling change: send; when the answer is lost, read the subscription until it shows
/// the change, or shows it missing (then send again, within [`ReconcilePolicy::sends`]). A
/// refusal for the subscription's state that may hide the change (see
/// [`ChangeCalls::read_refusals`]) is read back too: the change found there is
/// [`ChangeOutcome::AlreadyApplied`].
pub(crate) async fn change<A, S, Change, ChangeFut, Read, ReadFut, Recorded>(
    policy: &ReconcilePolicy,
    mut calls: ChangeCalls<Change, Read, Recorded>,
) -> Result<ChangeOutcome<A, S>, ReconcileError>
where
    Change: FnMut() -> ChangeFut,
    ChangeFut: Future<Output = Result<A, Error>>,
    Read: FnMut() -> ReadFut,
    ReadFut: Future<Output = Result<S, Error>>,
    Recorded: Fn(&S) -> bool,
{
    let mut tried = Vec::new();
    let mut sent = 0;
    loop {
        sent += 1;
        let error = match (calls.send)().await {
            Ok(answer) => return Ok(ChangeOutcome::Applied(answer)),
            Err(error) => error,
        };
        let how = standing(&error, false);
        let read_refusal = how == Standing::Refused
            && refused_for_state(&error)
            && (calls.read_refusals || sent > 1);
        if how != Standing::Uncertain && !read_refusal {
            return Err(ReconcileError::NotApplied(error));
        }
        tried.push(Tried {
            operation: calls.operation,
            error,
        });
        let read = read_back(policy, &mut calls, &mut tried).await;
        if read_refusal {
            return match read {
                ReadBack::Recorded(subscription) => Ok(ChangeOutcome::AlreadyApplied(subscription)),
                // An earlier send was lost: it may be what the gateway's refusal met.
                ReadBack::Unanswered if sent > 1 => Ok(ChangeOutcome::Unknown {
                    subscription_id: calls.subscription_id,
                    tried,
                }),
                _ => Err(ReconcileError::NotApplied(last_sent(
                    tried,
                    calls.operation,
                ))),
            };
        }
        let unrecorded = match read {
            ReadBack::Recorded(subscription) => {
                return Ok(ChangeOutcome::AlreadyApplied(subscription))
            }
            ReadBack::Unrecorded => true,
            ReadBack::Unanswered => false,
        };
        let may_send = sent < policy.sends.max(1);
        match (unrecorded, may_send) {
            // Shown unrecorded: sending again cannot double it.
            (true, true) => {}
            (true, false) if !calls.replay_safe => {
                return Err(ReconcileError::NotApplied(last_sent(
                    tried,
                    calls.operation,
                )));
            }
            // A confirmation is harmless to send again even unread.
            (false, true) if calls.replay_safe => {}
            _ => {
                return Ok(ChangeOutcome::Unknown {
                    subscription_id: calls.subscription_id,
                    tried,
                })
            }
        }
    }
}
