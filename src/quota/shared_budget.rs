//! The budget shared by a fleet through Redis (feature `redis`): GCRA in one Lua script, with
//! an in-process fallback while Redis is unreachable.

use super::local::LocalBudget;
use super::Pace;
use crate::error::Error;
use crate::operation::Lane;
use crate::redis_store::{RedisStore, StoreError};
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;
use tokio::time::Instant;

/// How often a replica on the fallback budget asks Redis again.
const PROBE_INTERVAL: Duration = Duration::from_secs(1);

/// GCRA on one key holding the theoretical arrival time (TAT, microseconds of Redis's clock):
/// a call is allowed when `TAT <= now + tolerance` and moves the TAT on by one interval;
/// otherwise the answer is how long to wait. One script, so one round trip and atomic; only
/// standard commands (`TIME`, `GET`, `SET PX`), so managed Redis takes it. `pause` (a 429)
/// moves the TAT to `now + tolerance + pause`: nobody gets a slot before then.
const GCRA_SCRIPT: &str = r"
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or 0
local interval = tonumber(ARGV[2])
local tolerance = tonumber(ARGV[3])
local function keep(value)
  redis.call('SET', KEYS[1], string.format('%.0f', value), 'PX',
    math.ceil((value - now) / 1000) + 1000)
end
if ARGV[1] == 'pause' then
  local paused = now + tolerance + tonumber(ARGV[4])
  if paused > tat then keep(paused) end
  return 0
end
if tat > now + tolerance then
  return math.max(1, math.ceil(tat - now - tolerance))
end
keep(math.max(tat, now) + interval)
return 0
";

/// A quota budget shared by every process using the same Redis (feature `redis`).
///
/// One key per (environment, client id, scope), `<prefix>quota:<token URL>:<client id>:<scope>`
/// (default prefix `scalexpert:`), holding a timestamp: no secret. Background calls are
/// admitted only while at least half of the burst is left, so across replicas interactive
/// calls keep the end of the budget. While Redis is unreachable each replica keeps to
/// [`fallback_share`](Self::fallback_share) of the quota in process.
#[derive(Clone)]
pub struct SharedBudget {
    store: RedisStore,
    fallback_share: f64,
    prefix: String,
}

impl fmt::Debug for SharedBudget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedBudget")
            .field("store", &self.store)
            .field("fallback_share", &self.fallback_share)
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl SharedBudget {
    /// A budget on `store`, falling back to the whole quota in process (set
    /// [`fallback_share`](Self::fallback_share) to 1 / replicas in a fleet).
    pub fn new(store: RedisStore) -> SharedBudget {
        SharedBudget {
            store,
            fallback_share: 1.0,
            prefix: "scalexpert:".into(),
        }
    }

    /// The part of the quota (above 0, at most 1) each process keeps to while Redis is
    /// unreachable: with N replicas, 1/N keeps the fleet under the quota.
    pub fn fallback_share(mut self, share: f64) -> SharedBudget {
        self.fallback_share = share;
        self
    }

    /// The key prefix, to keep several fleets apart in one database.
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> SharedBudget {
        self.prefix = prefix.into();
        self
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        if !(self.fallback_share > 0.0 && self.fallback_share <= 1.0) {
            return Err(Error::Configuration(format!(
                "the fallback share of a shared quota must be above 0 and at most 1 (got {})",
                self.fallback_share
            )));
        }
        Ok(())
    }

    /// The budget of one (environment, client id, scope).
    pub(crate) fn scope_budget(
        &self,
        environment: &str,
        client_id: &str,
        scope: &str,
        pace: Pace,
    ) -> SharedScopeBudget {
        let interval = micros(pace.interval);
        let tolerance = interval * (i64::from(pace.burst) - 1);
        let reserve = interval * i64::from(pace.burst.div_ceil(2));
        SharedScopeBudget {
            store: self.store.clone(),
            key: format!("{}quota:{environment}:{client_id}:{scope}", self.prefix),
            interval,
            tolerance,
            background_tolerance: tolerance - reserve,
            fallback: LocalBudget::new(pace.share(self.fallback_share)),
            share: self.fallback_share,
            mode: Mutex::new(Mode {
                degraded: false,
                next_probe: Instant::now(),
            }),
            script: redis::Script::new(GCRA_SCRIPT),
        }
    }
}

fn micros(duration: Duration) -> i64 {
    i64::try_from(duration.as_micros())
        .unwrap_or(i64::MAX)
        .max(1)
}

/// Whether Redis answers, as far as this process knows.
struct Mode {
    degraded: bool,
    /// While degraded: when the next caller asks Redis again.
    next_probe: Instant,
}

/// One scope's shared budget.
pub(crate) struct SharedScopeBudget {
    store: RedisStore,
    key: String,
    /// Microseconds between two slots after the burst.
    interval: i64,
    /// How far ahead of now the TAT may be for an interactive call.
    tolerance: i64,
    /// The same for a background call: lower, so that the end of the burst is interactive.
    background_tolerance: i64,
    fallback: LocalBudget,
    share: f64,
    mode: Mutex<Mode>,
    script: redis::Script,
}

impl SharedScopeBudget {
    /// A slot, or the time to wait for one: from Redis, or from the fallback budget.
    pub(crate) async fn try_take(&self, lane: Lane, deadline: Instant) -> Result<(), Duration> {
        if !self.ask_redis() {
            return self.fallback.try_take();
        }
        let tolerance = match lane {
            Lane::Interactive => self.tolerance,
            Lane::Background => self.background_tolerance,
        };
        let answer = self
            .store
            .run(deadline, |mut connection| async move {
                self.script
                    .key(&self.key)
                    .arg("take")
                    .arg(self.interval)
                    .arg(tolerance)
                    .invoke_async::<i64>(&mut connection)
                    .await
            })
            .await;
        match answer {
            Ok(wait) => {
                self.answered();
                if wait <= 0 {
                    Ok(())
                } else {
                    Err(Duration::from_micros(wait.unsigned_abs()))
                }
            }
            Err(error) => {
                self.unreachable(&error);
                self.fallback.try_take()
            }
        }
    }

    /// Pauses the budget for every replica (a 429); best effort.
    pub(crate) async fn pause(&self, pause: Duration, deadline: Instant) {
        if !self.ask_redis() {
            return;
        }
        let answer = self
            .store
            .run(deadline, |mut connection| async move {
                self.script
                    .key(&self.key)
                    .arg("pause")
                    .arg(self.interval)
                    .arg(self.tolerance)
                    .arg(micros(pause))
                    .invoke_async::<i64>(&mut connection)
                    .await
            })
            .await;
        match answer {
            Ok(_) => self.answered(),
            Err(error) => self.unreachable(&error),
        }
    }

    /// Whether this caller asks Redis: always while it answers; once per probe interval
    /// (one caller) while it does not.
    fn ask_redis(&self) -> bool {
        let mut mode = self.mode.lock().unwrap_or_else(|p| p.into_inner());
        if !mode.degraded {
            return true;
        }
        let now = Instant::now();
        if now < mode.next_probe {
            return false;
        }
        mode.next_probe = now + PROBE_INTERVAL;
        true
    }

    fn answered(&self) {
        let mut mode = self.mode.lock().unwrap_or_else(|p| p.into_inner());
        if mode.degraded {
            mode.degraded = false;
            tracing::info!(key = %self.key, "Redis answers again: back to the shared quota");
        }
    }

    fn unreachable(&self, error: &StoreError) {
        let mut mode = self.mode.lock().unwrap_or_else(|p| p.into_inner());
        if !mode.degraded {
            mode.degraded = true;
            mode.next_probe = Instant::now() + PROBE_INTERVAL;
            tracing::warn!(
                key = %self.key,
                %error,
                share = self.share,
                "Redis unreachable: keeping to a share of the quota in this process until it answers"
            );
        }
    }
}
