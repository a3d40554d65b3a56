//! Waiting for the lender's decision after the buyer comes back from the journey.
//!
//! The buyer's return to the merchant's `confirmation` URL carries no signature and says
//! nothing reliable; the subscription's status does. [`watch`] reads it with growing waits
//! until it is decisive for the merchant, or a deadline passes, yielding each status it sees
//! (the intermediate ones too), so a checkout page can wait a few seconds and a back office
//! can follow up for longer.
//!
//! Decisive, from Scalexpert's status life cycle: `ACCEPTED`, `PRE_ACCEPTED` (the lender
//! agreed in principle; signature and checks follow), `REJECTED`, `ABORTED`, `CANCELLED`.
//! `INITIALIZED` (and `REQUESTED`) mean the buyer's journey is still open.

use super::credit::CreditApi;
use super::patience::{Patience, Tries};
use crate::Error;
use futures_core::Stream;
use futures_util::stream;
use std::fmt;
use std::time::Duration;
use uuid::Uuid;

/// A subscription's `consolidatedStatus`, the same for every API version.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Status {
    /// The buyer's journey is open.
    Initialized,
    /// Sent to the lender (listed by the specs, not by the life cycle).
    Requested,
    /// Agreed in principle; identity checks, signature or final acceptance follow.
    PreAccepted,
    /// Accepted by the lender.
    Accepted,
    /// Refused by the lender.
    Rejected,
    /// Abandoned by the buyer, expired, or stopped by a technical incident.
    Aborted,
    /// Cancelled by the buyer or the merchant.
    Cancelled,
    /// A value no vendored spec lists, as sent.
    Other(String),
}

impl Status {
    /// The status a subscription sends as `wire`.
    ///
    /// ```
    /// use scalexpert::workflows::Status;
    /// assert_eq!(Status::from_wire("PRE_ACCEPTED"), Status::PreAccepted);
    /// assert!(Status::from_wire("ACCEPTED").is_decisive());
    /// assert!(!Status::from_wire("INITIALIZED").is_decisive());
    /// assert_eq!(Status::from_wire("ON_HOLD").as_str(), "ON_HOLD");
    /// ```
    pub fn from_wire(wire: &str) -> Status {
        match wire {
            "INITIALIZED" => Status::Initialized,
            "REQUESTED" => Status::Requested,
            "PRE_ACCEPTED" => Status::PreAccepted,
            "ACCEPTED" => Status::Accepted,
            "REJECTED" => Status::Rejected,
            "ABORTED" => Status::Aborted,
            "CANCELLED" => Status::Cancelled,
            other => Status::Other(other.to_string()),
        }
    }

    /// As sent on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Status::Initialized => "INITIALIZED",
            Status::Requested => "REQUESTED",
            Status::PreAccepted => "PRE_ACCEPTED",
            Status::Accepted => "ACCEPTED",
            Status::Rejected => "REJECTED",
            Status::Aborted => "ABORTED",
            Status::Cancelled => "CANCELLED",
            Status::Other(other) => other,
        }
    }

    /// Whether the merchant can act on it: accepted, pre-accepted, rejected, aborted or
    /// cancelled. A value no spec lists is not decisive.
    pub fn is_decisive(&self) -> bool {
        matches!(
            self,
            Status::PreAccepted
                | Status::Accepted
                | Status::Rejected
                | Status::Aborted
                | Status::Cancelled
        )
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How often and how long [`watch`] reads the subscription.
///
/// ```
/// use scalexpert::workflows::StatusPolicy;
/// use std::time::Duration;
///
/// assert_eq!(StatusPolicy::checkout().deadline, Duration::from_secs(10));
/// let later = StatusPolicy::back_office(Duration::from_secs(15 * 60));
/// assert_eq!(later.max_interval, Duration::from_secs(60));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StatusPolicy {
    /// Ceiling of the first wait between two reads; doubles after each read.
    pub interval: Duration,
    /// Ceiling of any wait.
    pub max_interval: Duration,
    /// From the first read, the time after which the watch gives up. A read under way is
    /// cut off at the deadline.
    pub deadline: Duration,
}

impl StatusPolicy {
    /// For the page the buyer returns to: reads every 0.5 s to 2 s for at most 10 s.
    pub fn checkout() -> StatusPolicy {
        StatusPolicy {
            interval: Duration::from_millis(500),
            max_interval: Duration::from_secs(2),
            deadline: Duration::from_secs(10),
        }
    }

    /// For a back office following up: reads every 5 s to 60 s until `deadline`.
    pub fn back_office(deadline: Duration) -> StatusPolicy {
        StatusPolicy {
            interval: Duration::from_secs(5),
            max_interval: Duration::from_secs(60),
            deadline,
        }
    }

    fn patience(&self) -> Patience {
        Patience {
            tries: u32::MAX,
            initial_backoff: self.interval,
            max_backoff: self.max_interval,
            deadline: self.deadline,
        }
    }
}

impl Default for StatusPolicy {
    /// [`StatusPolicy::checkout`].
    fn default() -> Self {
        StatusPolicy::checkout()
    }
}

/// A status [`watch`] saw, with the subscription read. `Debug` leaves the subscription out
/// (it holds the buyer's identity).
#[derive(Clone)]
pub struct StatusChange<S> {
    /// `consolidatedStatus`.
    pub status: Status,
    /// `consolidatedSubstatus`, as sent.
    pub substatus: Option<String>,
    /// The subscription as read.
    pub subscription: S,
}

impl<S> fmt::Debug for StatusChange<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StatusChange")
            .field("status", &self.status)
            .field("substatus", &self.substatus)
            .finish_non_exhaustive()
    }
}

/// Why [`watch`] ended without a decisive status.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StatusError {
    /// No decisive status before the deadline: the buyer may still be in the journey.
    #[error("no decisive status within {waited:?} (last seen: {})", last.as_ref().map_or("none", Status::as_str))]
    Deadline {
        /// The policy's deadline.
        waited: Duration,
        /// The last status read, if any read succeeded.
        last: Option<Status>,
        /// The error of the last read, when the last read failed.
        last_error: Option<Error>,
    },
    /// A read failed in a way another read would not change (not found, forbidden, a body
    /// that does not decode).
    #[error("the subscription cannot be read: {0}")]
    Failed(#[source] Error),
}

/// Whether another read might succeed where this one failed.
fn transient(error: &Error) -> bool {
    match error {
        Error::Timeout(_)
        | Error::Transport(_)
        | Error::RateLimited(_)
        | Error::Throttled(_)
        | Error::Auth(_) => true,
        other => other.status().is_some_and(|s| s.is_server_error()),
    }
}

struct Watch<A> {
    api: A,
    id: Uuid,
    policy: StatusPolicy,
    tries: Option<Tries>,
    last: Option<(Status, Option<String>)>,
    last_error: Option<Error>,
    /// Reads made so far.
    reads: u32,
    done: bool,
}

impl<A> Watch<A> {
    fn deadline(&mut self) -> StatusError {
        self.done = true;
        StatusError::Deadline {
            waited: self.policy.deadline,
            last: self.last.as_ref().map(|(status, _)| status.clone()),
            last_error: self.last_error.take(),
        }
    }
}

/// Reads subscription `id` until its status is decisive or `policy.deadline` passes,
/// yielding each status (with its substatus) when it changes, the first one read included.
/// The stream ends after a decisive status, after a [`StatusError`], or at the deadline with
/// [`StatusError::Deadline`]. Reads that fail for a while (timeouts, 5xx) are retried until
/// the deadline.
///
/// ```no_run
/// # async fn run(client: scalexpert::Client, id: uuid::Uuid) {
/// use futures_util::StreamExt;
/// use scalexpert::workflows::{status, StatusPolicy};
///
/// let changes = status::watch(client.e_financing_v1_7_1(), id, StatusPolicy::checkout());
/// let mut changes = std::pin::pin!(changes);
/// while let Some(change) = changes.next().await {
///     match change {
///         Ok(change) if change.status.is_decisive() => println!("decided: {}", change.status),
///         Ok(change) => println!("still {}", change.status),
///         Err(error) => println!("{error}"),
///     }
/// }
/// # }
/// ```
pub fn watch<A: CreditApi>(
    api: A,
    id: Uuid,
    policy: StatusPolicy,
) -> impl Stream<Item = Result<StatusChange<A::Subscription>, StatusError>> + Send + 'static {
    let start = Watch {
        api,
        id,
        policy,
        tries: None,
        last: None,
        last_error: None,
        reads: 0,
        done: false,
    };
    stream::unfold(start, |mut watch| async move {
        if watch.done {
            return None;
        }
        if watch.tries.is_none() {
            watch.tries = Some(watch.policy.patience().start());
        }
        loop {
            // The first read happens at once (even with a zero deadline), each later one
            // after a wait.
            if watch.reads > 0 {
                let tries = watch.tries.as_mut()?;
                if !tries.wait().await {
                    return Some((Err(watch.deadline()), watch));
                }
            }
            watch.reads += 1;
            let tries = watch.tries.as_mut()?;
            if !tries.begin() {
                return Some((Err(watch.deadline()), watch));
            }
            let left = tries.left().max(Duration::from_millis(1));
            let read = tokio::time::timeout(left, watch.api.retrieve(watch.id)).await;
            match read {
                Err(_) => return Some((Err(watch.deadline()), watch)),
                Ok(Err(error)) if transient(&error) => watch.last_error = Some(error),
                Ok(Err(error)) => {
                    watch.done = true;
                    return Some((Err(StatusError::Failed(error)), watch));
                }
                Ok(Ok(subscription)) => {
                    watch.last_error = None;
                    let (wire, substatus) = A::status_of(&subscription);
                    let status = Status::from_wire(&wire);
                    let seen = (status.clone(), substatus.clone());
                    if watch.last.as_ref() == Some(&seen) {
                        continue;
                    }
                    watch.last = Some(seen);
                    watch.done = status.is_decisive();
                    let change = StatusChange {
                        status,
                        substatus,
                        subscription,
                    };
                    return Some((Ok(change), watch));
                }
            }
        }
    })
}

/// What [`decision`] found: the decisive status, and every status seen before it (`Debug`
/// leaves the subscription out).
#[derive(Clone)]
pub struct Decision<S> {
    /// The decisive status and the subscription as read then.
    pub decided: StatusChange<S>,
    /// The statuses seen before, in order (`INITIALIZED`, ...).
    pub before: Vec<Status>,
}

impl<S> fmt::Debug for Decision<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Decision")
            .field("decided", &self.decided)
            .field("before", &self.before)
            .finish()
    }
}

/// Runs [`watch`] to its end: the decisive status, or why there was none.
pub async fn decision<A: CreditApi>(
    api: A,
    id: Uuid,
    policy: StatusPolicy,
) -> Result<Decision<A::Subscription>, StatusError> {
    use futures_util::StreamExt;
    let mut changes = std::pin::pin!(watch(api, id, policy));
    let mut before = Vec::new();
    while let Some(change) = changes.next().await {
        let change = change?;
        if change.status.is_decisive() {
            return Ok(Decision {
                decided: change,
                before,
            });
        }
        before.push(change.status);
    }
    Err(StatusError::Deadline {
        waited: policy.deadline,
        last: before.pop(),
        last_error: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decisive_statuses_are_the_life_cycle_s_outcomes() {
        let decisive: Vec<&str> = [
            "INITIALIZED",
            "REQUESTED",
            "PRE_ACCEPTED",
            "ACCEPTED",
            "REJECTED",
            "ABORTED",
            "CANCELLED",
            "ON_HOLD",
        ]
        .into_iter()
        .filter(|wire| Status::from_wire(wire).is_decisive())
        .collect();
        assert_eq!(
            decisive,
            [
                "PRE_ACCEPTED",
                "ACCEPTED",
                "REJECTED",
                "ABORTED",
                "CANCELLED"
            ]
        );
        for wire in ["INITIALIZED", "PRE_ACCEPTED", "ON_HOLD"] {
            assert_eq!(Status::from_wire(wire).as_str(), wire);
        }
    }
}
