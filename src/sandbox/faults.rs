//! Fault injection: make the next calls of an operation fail with a status or answer late.

use super::SandboxError;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::str::FromStr;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// An operation of the sandbox, named by the spec's `operationId` (and `token` for the token
/// endpoint).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Operation {
    /// `POST /auth-server/api/v1/oauth2/token`.
    Token,
    /// `GET /eligible-solutions`.
    GetEligibleProductServices,
    /// `POST /_simulate-solutions`.
    CreditSimulation,
    /// `POST /subscriptions`.
    InitiateCreditSubscription,
    /// `GET /subscriptions`.
    RetrieveCreditSubscriptionForSpecificMerchant,
    /// `GET /subscriptions/{id}`.
    RetrieveCreditSubscription,
    /// `POST /subscriptions/{id}/_confirmDelivery`.
    DoConfirmDelivery,
    /// `POST /subscriptions/{id}/_confirmReturn`.
    DoConfirmReturn,
    /// `POST /subscriptions/{id}/_cancel`.
    CancelCreditSubscription,
}

const ALL: [Operation; 9] = [
    Operation::Token,
    Operation::GetEligibleProductServices,
    Operation::CreditSimulation,
    Operation::InitiateCreditSubscription,
    Operation::RetrieveCreditSubscriptionForSpecificMerchant,
    Operation::RetrieveCreditSubscription,
    Operation::DoConfirmDelivery,
    Operation::DoConfirmReturn,
    Operation::CancelCreditSubscription,
];

impl Operation {
    /// The spec's `operationId` (`initiateCreditSubscription`), or `token`.
    pub fn operation_id(self) -> &'static str {
        match self {
            Operation::Token => "token",
            Operation::GetEligibleProductServices => "getEligibleProductServices",
            Operation::CreditSimulation => "creditSimulation",
            Operation::InitiateCreditSubscription => "initiateCreditSubscription",
            Operation::RetrieveCreditSubscriptionForSpecificMerchant => {
                "retrieveCreditSubscriptionForSpecificMerchant"
            }
            Operation::RetrieveCreditSubscription => "retrieveCreditSubscription",
            Operation::DoConfirmDelivery => "doConfirmDelivery",
            Operation::DoConfirmReturn => "doConfirmReturn",
            Operation::CancelCreditSubscription => "cancelCreditSubscription",
        }
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.operation_id())
    }
}

impl FromStr for Operation {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        ALL.into_iter()
            .find(|op| op.operation_id() == name)
            .ok_or_else(|| {
                let known: Vec<_> = ALL.iter().map(|op| op.operation_id()).collect();
                format!("unknown operation {name:?}; known: {}", known.join(", "))
            })
    }
}

/// What the next calls of an operation do instead of (or before) their normal answer.
///
/// ```
/// use scalexpert::sandbox::Fault;
/// use std::time::Duration;
///
/// // The next two calls answer 503 with `Retry-After: 0`.
/// let unavailable = Fault::status(503).retry_after(Duration::ZERO).times(2);
/// // The next call waits half a second, then answers normally.
/// let slow = Fault::delay(Duration::from_millis(500));
/// # let _ = (unavailable, slow);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    /// Answer this status (with a `BaasExceptionHttpResponse` body) instead of the normal answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// `Retry-After` to send with the status, in whole seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
    /// Wait this long before answering, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// How many calls it applies to (default 1).
    #[serde(default = "one")]
    pub times: u32,
}

fn one() -> u32 {
    1
}

impl Fault {
    /// The next call answers `status`.
    pub fn status(status: u16) -> Fault {
        Fault {
            status: Some(status),
            retry_after_seconds: None,
            delay_ms: None,
            times: 1,
        }
    }

    /// The next call waits `delay`, then answers normally.
    pub fn delay(delay: Duration) -> Fault {
        Fault {
            status: None,
            retry_after_seconds: None,
            delay_ms: Some(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX)),
            times: 1,
        }
    }

    /// Sends `Retry-After` (whole seconds) with the status.
    pub fn retry_after(mut self, wait: Duration) -> Fault {
        self.retry_after_seconds = Some(wait.as_secs());
        self
    }

    /// Also waits `delay` before answering.
    pub fn with_delay(mut self, delay: Duration) -> Fault {
        self.delay_ms = Some(u64::try_from(delay.as_millis()).unwrap_or(u64::MAX));
        self
    }

    /// Applies to the next `times` calls instead of one.
    pub fn times(mut self, times: u32) -> Fault {
        self.times = times;
        self
    }

    fn check(&self) -> Result<(), String> {
        if let Some(status) = self.status {
            if !(400..=599).contains(&status) {
                return Err(format!("status {status} is not an error status (400-599)"));
            }
        }
        if self.status.is_none() && self.delay_ms.is_none() {
            return Err("a fault needs a status, a delay or both".into());
        }
        if self.delay_ms.is_some_and(|ms| ms > 600_000) {
            return Err("delays are at most 600000 ms".into());
        }
        Ok(())
    }
}

/// One shot of a fault, as a call receives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Shot {
    pub(crate) status: Option<u16>,
    pub(crate) retry_after_seconds: Option<u64>,
    pub(crate) delay: Option<Duration>,
}

/// The faults waiting for their calls, per operation, first in first out.
#[derive(Default)]
pub struct Faults {
    queues: Mutex<HashMap<Operation, VecDeque<Fault>>>,
}

impl fmt::Debug for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.lock().iter()).finish()
    }
}

impl Faults {
    fn lock(&self) -> MutexGuard<'_, HashMap<Operation, VecDeque<Fault>>> {
        self.queues
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues `fault` for the next calls of `operation`, after any fault already queued for it.
    /// Fails when the fault has no effect or an impossible status.
    pub fn inject(&self, operation: Operation, fault: Fault) -> Result<(), SandboxError> {
        fault.check().map_err(SandboxError::InvalidFault)?;
        if fault.times > 0 {
            self.lock().entry(operation).or_default().push_back(fault);
        }
        Ok(())
    }

    /// How many calls of `operation` the queued faults still apply to.
    pub fn pending(&self, operation: Operation) -> u32 {
        self.lock()
            .get(&operation)
            .map_or(0, |queue| queue.iter().map(|f| f.times).sum())
    }

    /// Every queued fault, per operation.
    pub fn queued(&self) -> Vec<(Operation, Fault)> {
        let queues = self.lock();
        ALL.iter()
            .filter_map(|op| queues.get(op).map(|q| (*op, q)))
            .flat_map(|(op, q)| q.iter().map(move |f| (op, f.clone())))
            .collect()
    }

    /// Drops every queued fault.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Takes one shot for a call of `operation`, if a fault is queued.
    pub(crate) fn take(&self, operation: Operation) -> Option<Shot> {
        let mut queues = self.lock();
        let queue = queues.get_mut(&operation)?;
        let front = queue.front_mut()?;
        let shot = Shot {
            status: front.status,
            retry_after_seconds: front.retry_after_seconds,
            delay: front.delay_ms.map(Duration::from_millis),
        };
        front.times = front.times.saturating_sub(1);
        if front.times == 0 {
            queue.pop_front();
        }
        Some(shot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shots_are_taken_in_order_then_run_out() {
        let faults = Faults::default();
        let op = Operation::CreditSimulation;
        faults
            .inject(
                op,
                Fault::status(503)
                    .retry_after(Duration::from_secs(2))
                    .times(2),
            )
            .expect("valid");
        faults
            .inject(op, Fault::delay(Duration::from_millis(5)))
            .expect("valid");
        assert_eq!(faults.pending(op), 3);
        assert_eq!(faults.take(op).and_then(|s| s.status), Some(503));
        assert_eq!(faults.take(op).and_then(|s| s.retry_after_seconds), Some(2));
        let third = faults.take(op).expect("delay");
        assert_eq!(
            (third.status, third.delay),
            (None, Some(Duration::from_millis(5)))
        );
        assert_eq!(faults.take(op), None);
        assert_eq!(faults.take(Operation::Token), None);
    }

    #[test]
    fn pointless_faults_are_refused() {
        let faults = Faults::default();
        assert!(faults.inject(Operation::Token, Fault::status(200)).is_err());
        let nothing = Fault {
            status: None,
            retry_after_seconds: None,
            delay_ms: None,
            times: 1,
        };
        assert!(faults.inject(Operation::Token, nothing).is_err());
        faults
            .inject(Operation::Token, Fault::status(500))
            .expect("valid");
        faults.clear();
        assert_eq!(faults.pending(Operation::Token), 0);
    }

    #[test]
    fn operation_names_round_trip() {
        for op in ALL {
            assert_eq!(op.operation_id().parse::<Operation>(), Ok(op));
        }
        assert!("createThing"
            .parse::<Operation>()
            .unwrap_err()
            .contains("token"));
    }
}
