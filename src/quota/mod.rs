//! The quota governor: every call takes a slot of its client's quota before it is sent.
//!
//! Scalexpert's gateway allows a number of calls per window for each (client id, scope), shared
//! by every merchant a PSP calls for and, in a fleet, by every replica. A call over it is
//! answered 429, which for a checkout means a failed payment. The governor keeps a client under
//! the quota itself:
//!
//! - **One budget per (environment, client id, scope).** In-process by default (the `governor`
//!   crate's GCRA); shared by every replica with [`Quota::shared`] (feature `redis`: GCRA in one
//!   Lua script, one round trip, no Redis module).
//! - **At most `calls` in any window.** A burst of `burst` calls goes at once, the rest are
//!   spread evenly, so no window of `window` ever holds more than `calls` calls: configure the
//!   gateway's quota, not less.
//! - **Lanes.** When the budget runs short, [`Lane::Interactive`] calls (eligibility,
//!   simulation, create, status) are served before [`Lane::Background`] ones (paging,
//!   reconciliation, sync). An operation's lane comes from its spec (see [`Lane`]);
//!   [`Client::with_lane`](crate::Client::with_lane) overrides it for a view.
//! - **Deadlines.** A call waits for a slot within its attempt timeout (the view's, else the
//!   client's; the token request and the call itself share it), and fails with
//!   [`Error::Throttled`] as soon as no slot can come in time: nothing
//!   is sent.
//! - **429 feedback.** A 429 from the gateway (another client on the same key, a quota lowered
//!   upstream) pauses the budget for its `Retry-After`, or for the time a burst takes to refill
//!   when it gives none; the shared budget pauses for every replica.
//! - **Redis down.** The shared budget falls back to an in-process one holding
//!   [`SharedBudget::fallback_share`] of the quota, says so once in the log (WARN), checks
//!   Redis again every second, and goes back to the shared budget when it answers (INFO).
//!   Every Redis command is bounded by [`RedisStore::timeout`](crate::RedisStore::timeout) and
//!   the call's deadline: a call never hangs on Redis.
//!
//! ```
//! # fn main() -> scalexpert::Result<()> {
//! use scalexpert::quota::{Lane, Quota};
//! use scalexpert::{Client, Credentials, Environment};
//! use std::time::Duration;
//!
//! // The gateway's default (600 calls per minute per scope), bursts of 60: the default.
//! let client = Client::builder()
//!     .environment(Environment::Uatc)
//!     .credentials(Credentials::new("psp-id", "psp-secret"))
//!     .quota(Quota::per_minute(600).burst(60))
//!     .build()?;
//! // A nightly sync of one merchant: background, whatever the operation.
//! let sync = client.for_merchant("MERCHANT-0042")?.with_lane(Lane::Background);
//! assert_eq!(sync.lane(), Some(Lane::Background));
//! // A quota of 100 calls per 10 s, as a test gateway may have.
//! let _small = Quota::new(100, Duration::from_secs(10));
//! # Ok(()) }
//! ```
//!
//! Shared by a fleet (feature `redis`):
//!
//! ```no_run
//! # #[cfg(feature = "redis")]
//! # fn main() -> scalexpert::Result<()> {
//! use scalexpert::quota::{Quota, SharedBudget};
//! use scalexpert::{Client, Credentials, RedisStore};
//!
//! let redis = RedisStore::open("redis://127.0.0.1:6379")?;
//! let client = Client::builder()
//!     .credentials(Credentials::new("psp-id", "psp-secret"))
//!     // Four replicas: each keeps a quarter of the quota while Redis is unreachable.
//!     .quota(Quota::per_minute(600).shared(SharedBudget::new(redis).fallback_share(0.25)))
//!     .build()?;
//! # let _ = client; Ok(()) }
//! # #[cfg(not(feature = "redis"))]
//! # fn main() {}
//! ```

mod lanes;
mod local;
#[cfg(feature = "redis")]
mod shared_budget;

pub use crate::error::Throttled;
pub use crate::operation::Lane;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use shared_budget::SharedBudget;

pub(crate) use lanes::ScopeGovernor;

use crate::environment::Environment;
use crate::error::Error;
use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// The quota a client keeps to: `calls` per `window` for each scope, bursts of `burst`.
///
/// The default is the gateway's: 600 calls per minute, bursts of a tenth of that.
#[derive(Clone)]
pub struct Quota {
    calls: u32,
    window: Duration,
    burst: Option<u32>,
    #[cfg(feature = "redis")]
    shared: Option<SharedBudget>,
}

impl Default for Quota {
    fn default() -> Self {
        Quota::per_minute(600)
    }
}

impl fmt::Debug for Quota {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_struct("Quota");
        out.field("calls", &self.calls)
            .field("window", &self.window)
            .field("burst", &self.burst_size());
        #[cfg(feature = "redis")]
        out.field("shared", &self.shared);
        out.finish()
    }
}

impl Quota {
    /// At most `calls` calls in any `window`, for each scope. Checked by
    /// [`ClientBuilder::build`](crate::ClientBuilder::build): at least 2 calls, a window of at
    /// least a millisecond.
    pub fn new(calls: u32, window: Duration) -> Quota {
        Quota {
            calls,
            window,
            burst: None,
            #[cfg(feature = "redis")]
            shared: None,
        }
    }

    /// At most `calls` calls per minute.
    pub fn per_minute(calls: u32) -> Quota {
        Quota::new(calls, Duration::from_secs(60))
    }

    /// How many calls may go at once after a quiet spell (default: a tenth of `calls`, at
    /// least 1; fewer than `calls`). The rest of the window's calls are spread evenly.
    pub fn burst(mut self, burst: u32) -> Quota {
        self.burst = Some(burst);
        self
    }

    /// Shares the budget with every process using the same Redis (feature `redis`).
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    pub fn shared(mut self, shared: SharedBudget) -> Quota {
        self.shared = Some(shared);
        self
    }

    /// Calls per window.
    pub fn calls(&self) -> u32 {
        self.calls
    }

    /// The window.
    pub fn window(&self) -> Duration {
        self.window
    }

    fn burst_size(&self) -> u32 {
        self.burst.unwrap_or((self.calls / 10).max(1))
    }

    /// The settings checked, and the interval between two slots after the burst.
    fn validated(&self) -> Result<Pace, Error> {
        let burst = self.burst_size();
        if self.calls < 2 || self.window < Duration::from_millis(1) {
            return Err(Error::Configuration(format!(
                "the quota needs at least 2 calls per window of at least 1 ms (got {} per {:?})",
                self.calls, self.window
            )));
        }
        if burst == 0 || burst >= self.calls {
            return Err(Error::Configuration(format!(
                "the quota's burst must be at least 1 and below its {} calls (got {burst})",
                self.calls
            )));
        }
        Ok(Pace::new(self.calls, burst, self.window))
    }
}

/// A budget's numbers: the first `burst` calls go at once, then one every `interval`, so any
/// window holds at most `burst + window / interval` = the quota's calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Pace {
    pub(crate) burst: u32,
    pub(crate) interval: Duration,
}

impl Pace {
    fn new(calls: u32, burst: u32, window: Duration) -> Pace {
        Pace {
            burst,
            interval: window / (calls - burst),
        }
    }

    /// The pace of `share` (0 to 1) of this budget: fewer calls in the same window.
    #[cfg(feature = "redis")]
    pub(crate) fn share(self, share: f64) -> Pace {
        let share = share.clamp(0.0, 1.0);
        let burst = ((f64::from(self.burst) * share) as u32).max(1);
        let interval = if share > 0.0 {
            self.interval.div_f64(share)
        } else {
            Duration::from_secs(3600)
        };
        Pace { burst, interval }
    }

    /// The time a whole burst takes to come back: the pause after a 429 without `Retry-After`.
    pub(crate) fn refill(self) -> Duration {
        self.interval * self.burst
    }
}

/// The governor of one client: a budget per scope, made on the scope's first call.
pub(crate) struct Governor {
    pace: Pace,
    /// What keys the budgets: the environment's token URL (one per gateway) and the client id.
    environment: String,
    client_id: String,
    #[cfg(feature = "redis")]
    shared: Option<SharedBudget>,
    /// One entry per scope in use, so a short list.
    scopes: RwLock<Vec<Arc<ScopeGovernor>>>,
}

impl Governor {
    pub(crate) fn new(
        quota: &Quota,
        environment: &Environment,
        client_id: &str,
    ) -> Result<Governor, Error> {
        #[cfg(feature = "redis")]
        if let Some(shared) = &quota.shared {
            shared.validate()?;
        }
        Ok(Governor {
            pace: quota.validated()?,
            environment: environment.token_url(),
            client_id: client_id.to_string(),
            #[cfg(feature = "redis")]
            shared: quota.shared.clone(),
            scopes: RwLock::new(Vec::new()),
        })
    }

    /// The budget of `scope`.
    pub(crate) fn scope(&self, scope: &str) -> Arc<ScopeGovernor> {
        let find = |all: &[Arc<ScopeGovernor>]| all.iter().find(|s| s.scope() == scope).cloned();
        if let Some(found) = find(&self.scopes.read().unwrap_or_else(|p| p.into_inner())) {
            return found;
        }
        let mut scopes = self.scopes.write().unwrap_or_else(|p| p.into_inner());
        if let Some(found) = find(&scopes) {
            return found;
        }
        #[cfg(feature = "redis")]
        let made = match &self.shared {
            Some(shared) => ScopeGovernor::shared(
                scope,
                self.pace,
                shared.scope_budget(&self.environment, &self.client_id, scope, self.pace),
            ),
            None => ScopeGovernor::local(scope, self.pace),
        };
        #[cfg(not(feature = "redis"))]
        let made = ScopeGovernor::local(scope, self.pace);
        let made = Arc::new(made);
        scopes.push(Arc::clone(&made));
        made
    }
}

impl fmt::Debug for Governor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Governor")
            .field("pace", &self.pace)
            .field("environment", &self.environment)
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_window_holds_more_than_the_quota() {
        let pace = Quota::new(100, Duration::from_secs(10))
            .burst(10)
            .validated()
            .unwrap();
        // 10 at once, then one every 10 s / 90: 10 + 90 in the window.
        assert_eq!(pace.interval, Duration::from_secs(10) / 90);
        let in_window =
            pace.burst as u128 + Duration::from_secs(10).as_nanos() / pace.interval.as_nanos();
        assert_eq!(in_window, 100);
    }

    #[test]
    fn impossible_quotas_are_configuration_errors() {
        for quota in [
            Quota::new(0, Duration::from_secs(1)),
            Quota::new(10, Duration::ZERO),
            Quota::new(10, Duration::from_secs(1)).burst(10),
            Quota::new(10, Duration::from_secs(1)).burst(0),
        ] {
            assert!(
                matches!(quota.validated(), Err(Error::Configuration(_))),
                "{quota:?}"
            );
        }
        assert_eq!(Quota::default().burst_size(), 60);
    }
}
