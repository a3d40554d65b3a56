//! Fault injection: make the next calls of an operation fail with a status, answer late or
//! lose their connection, either instead of the operation or after it was applied (the cases
//! a client must reconcile: the subscription exists, but the answer never arrived).

use super::served;
use super::SandboxError;
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// The fault target of the token endpoint, which the spec names no operation.
pub const TOKEN: &str = "token";

/// A checked fault target: [`TOKEN`] or an operation's name, borrowed from the served tables.
pub(crate) type Target = &'static str;

/// The target called `name`: [`TOKEN`] or the name of a served operation (see
/// [`Faults`]).
fn target(name: &str) -> Result<Target, SandboxError> {
    targets()
        .find(|known| *known == name)
        .ok_or_else(|| SandboxError::UnknownOperation(name.to_string()))
}

/// Every target, in the order [`Faults::queued`] lists them: the token endpoint, then the
/// e-financing operations and the insurance ones, each in spec order.
fn targets() -> impl Iterator<Item = Target> {
    std::iter::once(TOKEN).chain(served::fault_targets())
}

/// The targets' names, comma-separated, for error messages.
pub(crate) fn known_targets() -> String {
    targets().collect::<Vec<_>>().join(", ")
}

/// When a fault strikes: instead of the operation, or once it has been applied.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// The fault replaces the operation: nothing is created or changed (the default).
    #[default]
    Before,
    /// The operation is applied first (a subscription created, a cancellation recorded,
    /// whatever it answered), then the fault decides what the client gets.
    After,
}

impl Phase {
    fn is_before(&self) -> bool {
        *self == Phase::Before
    }
}

/// What the next calls of an operation do instead of (or after) their normal answer.
///
/// ```
/// use scalexpert_sandbox::{Fault, Phase};
/// use std::time::Duration;
///
/// // The next two calls answer 503 with `Retry-After: 0`.
/// let unavailable = Fault::status(503).retry_after(Duration::ZERO).times(2);
/// // The next call waits half a second, then answers normally.
/// let slow = Fault::delay(Duration::from_millis(500));
/// // The next call is applied, then its connection is dropped without an answer.
/// let lost = Fault::reset().after();
/// // The next call is applied, then answers 503 instead of its real answer.
/// let unsure = Fault::status(503).phase(Phase::After);
/// # let _ = (unavailable, slow, lost, unsure);
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
    /// Wait this long before answering (or before dropping the connection), in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delay_ms: Option<u64>,
    /// Drop the connection instead of answering: the client sees a transport error, not a status.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub reset: bool,
    /// Instead of the operation (default), or after it was applied.
    #[serde(default, skip_serializing_if = "Phase::is_before")]
    pub phase: Phase,
    /// How many calls it applies to (default 1).
    #[serde(default = "one")]
    pub times: u32,
}

fn one() -> u32 {
    1
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

impl Fault {
    fn none() -> Fault {
        Fault {
            status: None,
            retry_after_seconds: None,
            delay_ms: None,
            reset: false,
            phase: Phase::Before,
            times: 1,
        }
    }

    /// The next call answers `status`.
    pub fn status(status: u16) -> Fault {
        Fault {
            status: Some(status),
            ..Fault::none()
        }
    }

    /// The next call waits `delay`, then answers normally.
    pub fn delay(delay: Duration) -> Fault {
        Fault {
            delay_ms: Some(millis(delay)),
            ..Fault::none()
        }
    }

    /// The next call gets no answer: its connection is dropped.
    pub fn reset() -> Fault {
        Fault {
            reset: true,
            ..Fault::none()
        }
    }

    /// Strikes once the operation was applied instead of replacing it ([`Phase::After`]).
    pub fn after(self) -> Fault {
        self.phase(Phase::After)
    }

    /// Strikes in `phase`.
    pub fn phase(mut self, phase: Phase) -> Fault {
        self.phase = phase;
        self
    }

    /// Sends `Retry-After` (whole seconds) with the status.
    pub fn retry_after(mut self, wait: Duration) -> Fault {
        self.retry_after_seconds = Some(wait.as_secs());
        self
    }

    /// Also waits `delay` before answering (or before dropping the connection).
    pub fn with_delay(mut self, delay: Duration) -> Fault {
        self.delay_ms = Some(millis(delay));
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
        if self.status.is_none() && self.delay_ms.is_none() && !self.reset {
            return Err("a fault needs a status, a delay or a reset".into());
        }
        if self.reset && self.status.is_some() {
            return Err("a reset answers nothing: it cannot also answer a status".into());
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
    pub(crate) reset: bool,
    pub(crate) phase: Phase,
}

/// The faults waiting for their calls, per operation, first in first out.
///
/// E-financing operations are named by the served spec's `operationId` (the
/// [`Operation::id`](scalexpert::Operation::id) of [`OPERATIONS`](crate::OPERATIONS), such as
/// `initiateCreditSubscription`), insurance operations by `insurance:` and theirs (of
/// [`INSURANCE_OPERATIONS`](crate::INSURANCE_OPERATIONS), such as
/// `insurance:createInsuranceQuotation`), and the token endpoint by [`TOKEN`]; any other name
/// is refused with [`SandboxError::UnknownOperation`].
#[derive(Default)]
pub struct Faults {
    queues: Mutex<HashMap<Target, VecDeque<Fault>>>,
}

impl fmt::Debug for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.lock().iter()).finish()
    }
}

impl Faults {
    fn lock(&self) -> MutexGuard<'_, HashMap<Target, VecDeque<Fault>>> {
        self.queues
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues `fault` for the next calls of `operation` (an operationId, or [`TOKEN`]), after
    /// any fault already queued for it. Fails when no operation has that name, or when the fault
    /// has no effect or an impossible status.
    pub fn inject(&self, operation: &str, fault: Fault) -> Result<(), SandboxError> {
        let target = target(operation)?;
        fault.check().map_err(SandboxError::InvalidFault)?;
        if fault.times > 0 {
            self.lock().entry(target).or_default().push_back(fault);
        }
        Ok(())
    }

    /// How many calls of `operation` (an operationId, or [`TOKEN`]) the queued faults still
    /// apply to. Fails when no operation has that name.
    pub fn pending(&self, operation: &str) -> Result<u32, SandboxError> {
        let target = target(operation)?;
        Ok(self
            .lock()
            .get(target)
            .map_or(0, |queue| queue.iter().map(|f| f.times).sum()))
    }

    /// Every queued fault with its operation's name: the token endpoint's first, then in the
    /// spec's order of operations, each operation's in the order they will apply.
    pub fn queued(&self) -> Vec<(&'static str, Fault)> {
        let queues = self.lock();
        targets()
            .filter_map(|target| queues.get(target).map(|queue| (target, queue)))
            .flat_map(|(target, queue)| queue.iter().map(move |f| (target, f.clone())))
            .collect()
    }

    /// Drops every queued fault.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Takes one shot for a call of `target`, if a fault is queued.
    pub(crate) fn take(&self, target: Target) -> Option<Shot> {
        let mut queues = self.lock();
        let queue = queues.get_mut(target)?;
        let front = queue.front_mut()?;
        let shot = Shot {
            status: front.status,
            retry_after_seconds: front.retry_after_seconds,
            delay: front.delay_ms.map(Duration::from_millis),
            reset: front.reset,
            phase: front.phase,
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
        let op = "creditSimulation";
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
        assert_eq!(faults.pending(op), Ok(3));
        let target = target(op).expect("served");
        assert_eq!(faults.take(target).and_then(|s| s.status), Some(503));
        assert_eq!(
            faults.take(target).and_then(|s| s.retry_after_seconds),
            Some(2)
        );
        let third = faults.take(target).expect("delay");
        assert_eq!(
            (third.status, third.delay, third.phase),
            (None, Some(Duration::from_millis(5)), Phase::Before)
        );
        assert_eq!(faults.take(target), None);
        assert_eq!(faults.take(TOKEN), None);
    }

    #[test]
    fn pointless_faults_are_refused() {
        let faults = Faults::default();
        assert!(faults.inject(TOKEN, Fault::status(200)).is_err());
        assert!(faults.inject(TOKEN, Fault::none()).is_err());
        assert!(faults.inject(TOKEN, Fault::none().after()).is_err());
        assert!(faults
            .inject(TOKEN, Fault::reset().phase(Phase::After))
            .is_ok());
        let both = Fault {
            status: Some(503),
            ..Fault::reset()
        };
        assert!(faults.inject(TOKEN, both).is_err());
        faults.inject(TOKEN, Fault::status(500)).expect("valid");
        faults.clear();
        assert_eq!(faults.pending(TOKEN), Ok(0));
    }

    #[test]
    fn the_json_shape_defaults_to_before_and_lists_only_what_was_set() {
        let read: Fault = serde_json::from_str(r#"{"status": 503, "times": 2}"#).expect("a fault");
        assert_eq!(read, Fault::status(503).times(2));
        let after: Fault =
            serde_json::from_str(r#"{"phase": "after", "reset": true}"#).expect("a fault");
        assert_eq!(after, Fault::reset().after());
        assert_eq!(
            serde_json::to_value(&after).expect("json"),
            serde_json::json!({"phase": "after", "reset": true, "times": 1})
        );
        assert_eq!(
            serde_json::to_value(Fault::status(500)).expect("json"),
            serde_json::json!({"status": 500, "times": 1})
        );
        assert!(serde_json::from_str::<Fault>(r#"{"phase": "during"}"#).is_err());
    }

    #[test]
    fn every_served_operation_is_a_target_and_nothing_else_is() {
        for operation in crate::OPERATIONS {
            assert_eq!(target(operation.id), Ok(operation.id));
        }
        for operation in crate::INSURANCE_OPERATIONS {
            let name = format!("insurance:{}", operation.id);
            assert_eq!(target(&name), Ok(served::fault_target(operation)));
        }
        assert!(target("insurance:initiateCreditSubscription").is_err());
        assert_eq!(target(TOKEN), Ok(TOKEN));
        // Named as the generated method, not as the spec: refused.
        let refused = target("initiate_credit_subscription").expect_err("not an operationId");
        assert_eq!(
            refused,
            SandboxError::UnknownOperation("initiate_credit_subscription".into())
        );
        let message = refused.to_string();
        assert!(message.contains("token, "), "{message}");
        assert!(message.contains("initiateCreditSubscription"), "{message}");
        let faults = Faults::default();
        assert!(faults.inject("createThing", Fault::status(503)).is_err());
        assert!(faults.pending("createThing").is_err());
    }
}
