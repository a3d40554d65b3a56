//! The in-process budget: the `governor` crate's GCRA limiter (one atomic, no lock).

use super::Pace;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultDirectRateLimiter, Quota as GovernorQuota, RateLimiter};
use std::num::NonZeroU32;
use std::time::Duration;

/// A budget kept in this process.
pub(crate) struct LocalBudget {
    limiter: DefaultDirectRateLimiter,
    clock: DefaultClock,
}

impl LocalBudget {
    pub(crate) fn new(pace: Pace) -> LocalBudget {
        let burst = NonZeroU32::new(pace.burst).unwrap_or(NonZeroU32::MIN);
        // `Pace` keeps the interval above zero; a zero one would mean no limit at all.
        let quota = GovernorQuota::with_period(pace.interval.max(Duration::from_nanos(1)))
            .map(|quota| quota.allow_burst(burst));
        let quota = quota.unwrap_or_else(|| GovernorQuota::per_second(NonZeroU32::MIN));
        LocalBudget {
            limiter: RateLimiter::direct(quota),
            clock: DefaultClock::default(),
        }
    }

    /// Takes a slot now, or says how long until the next one.
    pub(crate) fn try_take(&self) -> Result<(), Duration> {
        self.limiter
            .check()
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}
