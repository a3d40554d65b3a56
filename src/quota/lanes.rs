//! One scope's budget with its lanes: interactive calls before background ones, waits bounded
//! by each call's deadline, and the pause a 429 asks for.

use super::local::LocalBudget;
#[cfg(feature = "redis")]
use super::shared_budget::SharedScopeBudget;
use super::Pace;
use crate::error::Throttled;
use crate::operation::Lane;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// The shortest sleep between two tries: a budget answering "now" again must not spin.
const MIN_SLEEP: Duration = Duration::from_millis(1);

/// The budget of one (environment, client id, scope), as this process sees it.
pub(crate) struct ScopeGovernor {
    scope: String,
    pace: Pace,
    budget: Budget,
    /// Interactive calls waiting for a slot: while there are any, background calls wait.
    interactive_waiting: AtomicUsize,
    /// The clock `paused_until` counts from.
    created: std::time::Instant,
    /// Nanoseconds after `created` before which no slot is given (a 429's pause); 0 for none.
    paused_until: AtomicU64,
}

enum Budget {
    Local(LocalBudget),
    #[cfg(feature = "redis")]
    Shared(SharedScopeBudget),
}

/// Counts an interactive call as waiting while it lives.
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn new(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::AcqRel);
        Waiting(count)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

impl ScopeGovernor {
    /// A budget kept in this process.
    pub(crate) fn local(scope: &str, pace: Pace) -> ScopeGovernor {
        ScopeGovernor::with_budget(scope, pace, Budget::Local(LocalBudget::new(pace)))
    }

    /// A budget shared through Redis.
    #[cfg(feature = "redis")]
    pub(crate) fn shared(scope: &str, pace: Pace, budget: SharedScopeBudget) -> ScopeGovernor {
        ScopeGovernor::with_budget(scope, pace, Budget::Shared(budget))
    }

    fn with_budget(scope: &str, pace: Pace, budget: Budget) -> ScopeGovernor {
        ScopeGovernor {
            scope: scope.to_string(),
            pace,
            budget,
            interactive_waiting: AtomicUsize::new(0),
            created: std::time::Instant::now(),
            paused_until: AtomicU64::new(0),
        }
    }

    /// The scope this budget is for.
    pub(crate) fn scope(&self) -> &str {
        &self.scope
    }

    /// Takes a slot without waiting when the in-process budget has one and no call of a
    /// higher lane waits: the common case, which makes no future. `false` means "call
    /// [`take`](Self::take)", not "refused".
    pub(crate) fn try_take_now(&self, lane: Lane) -> bool {
        match &self.budget {
            Budget::Local(budget) => {
                self.pause_left().is_none() && !self.yields(lane) && budget.try_take().is_ok()
            }
            #[cfg(feature = "redis")]
            Budget::Shared(_) => false,
        }
    }

    /// Waits for a slot until `deadline`; fails as soon as no slot can come before it.
    pub(crate) async fn take(&self, lane: Lane, deadline: Instant) -> Result<(), Throttled> {
        let started = Instant::now();
        let _waiting = (lane == Lane::Interactive).then(|| Waiting::new(&self.interactive_waiting));
        loop {
            let wait = match self.pause_left() {
                Some(pause) => pause,
                // An interactive call is waiting: let it have the next slot.
                None if self.yields(lane) => self.pace.interval,
                None => match self.try_budget(lane, deadline).await {
                    Ok(()) => return Ok(()),
                    Err(wait) => wait,
                },
            };
            let now = Instant::now();
            if now + wait > deadline {
                return Err(Throttled {
                    scope: self.scope.clone(),
                    lane,
                    waited: now.saturating_duration_since(started),
                    next_slot_in: Some(wait),
                });
            }
            tokio::time::sleep(wait.max(MIN_SLEEP)).await;
        }
    }

    /// A 429 from the gateway: no slot for `retry_after` (or a burst's refill time), here and,
    /// for a shared budget, in every replica.
    pub(crate) async fn rate_limited(&self, retry_after: Option<Duration>, deadline: Instant) {
        let pause = retry_after
            .unwrap_or_else(|| self.pace.refill())
            .min(Duration::from_secs(60));
        let until = self.created.elapsed() + pause;
        let until = u64::try_from(until.as_nanos()).unwrap_or(u64::MAX);
        self.paused_until.fetch_max(until, Ordering::AcqRel);
        tracing::debug!(scope = %self.scope, ?pause, "the gateway answered 429: quota paused");
        match &self.budget {
            Budget::Local(_) => {}
            #[cfg(feature = "redis")]
            Budget::Shared(shared) => shared.pause(pause, deadline).await,
        }
        #[cfg(not(feature = "redis"))]
        let _ = deadline;
    }

    /// Whether a `lane` call lets a waiting call of a higher lane go first.
    fn yields(&self, lane: Lane) -> bool {
        lane == Lane::Background && self.interactive_waiting.load(Ordering::Acquire) > 0
    }

    /// What is left of a 429's pause, if any.
    fn pause_left(&self) -> Option<Duration> {
        let until = self.paused_until.load(Ordering::Acquire);
        if until == 0 {
            return None;
        }
        let left = Duration::from_nanos(until).checked_sub(self.created.elapsed())?;
        (!left.is_zero()).then_some(left)
    }

    async fn try_budget(&self, lane: Lane, deadline: Instant) -> Result<(), Duration> {
        match &self.budget {
            Budget::Local(budget) => {
                let _ = (lane, deadline);
                budget.try_take()
            }
            #[cfg(feature = "redis")]
            Budget::Shared(shared) => shared.try_take(lane, deadline).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn governor(burst: u32, interval: Duration) -> ScopeGovernor {
        ScopeGovernor::local("e-financing:rw", Pace { burst, interval })
    }

    #[tokio::test]
    async fn a_burst_goes_at_once_and_the_next_call_waits() {
        let governor = governor(3, Duration::from_secs(3600));
        for _ in 0..3 {
            assert!(governor.try_take_now(Lane::Interactive));
        }
        assert!(!governor.try_take_now(Lane::Interactive));
        let refused = governor
            .take(
                Lane::Interactive,
                Instant::now() + Duration::from_millis(50),
            )
            .await
            .expect_err("no slot within the deadline");
        assert_eq!(refused.lane, Lane::Interactive);
        assert!(refused
            .next_slot_in
            .is_some_and(|next| next > Duration::from_secs(60)));
    }

    #[tokio::test]
    async fn background_calls_wait_while_an_interactive_call_waits() {
        let governor = governor(1, Duration::from_secs(3600));
        let _waiting = Waiting::new(&governor.interactive_waiting);
        assert!(!governor.try_take_now(Lane::Background));
        assert!(governor.try_take_now(Lane::Interactive));
    }

    #[tokio::test]
    async fn a_429_pauses_every_lane_for_its_retry_after() {
        let governor = governor(10, Duration::from_millis(1));
        governor
            .rate_limited(Some(Duration::from_secs(30)), Instant::now())
            .await;
        assert!(!governor.try_take_now(Lane::Interactive));
        let refused = governor
            .take(
                Lane::Interactive,
                Instant::now() + Duration::from_millis(10),
            )
            .await
            .expect_err("paused");
        assert!(refused
            .next_slot_in
            .is_some_and(|next| next > Duration::from_secs(20)));
    }
}
