//! The gateway's quota: at most `limit` API calls per client id and scope in any sliding window
//! of `window`, and the counts `GET /sandbox/admin/stats` reports.
//!
//! Time is counted in whole milliseconds since the sandbox started, and a window ending at `t`
//! holds the calls made in `(t - window, t]`. A call is admitted when fewer than `limit` calls
//! were admitted in the window ending at it; refused calls do not use up the quota, so a client
//! that slows down gets through again as the window slides. Every call received (admitted or
//! not) counts in `calls` and in `maxCallsInWindow`, which is what a client's own limiter must
//! keep at or below the quota.
//!
//! Calls are kept as (millisecond, count) runs, so one client and scope holds at most one entry
//! per millisecond of the window, however hard it is flooded.

use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The gateway's documented quota: 600 calls per minute and scope.
pub(crate) const DEFAULT_CALLS: u32 = 600;
/// The window of [`DEFAULT_CALLS`].
pub(crate) const DEFAULT_WINDOW: Duration = Duration::from_secs(60);

/// Counts of one client id and scope, as `GET /sandbox/admin/stats` lists them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ClientStats {
    /// The OAuth2 client id.
    pub client_id: String,
    /// The scope: the one the called API requires, or one the token endpoint granted.
    pub scope: String,
    /// Tokens granted to this client for this scope.
    pub token_requests: u64,
    /// API calls received with a valid token of this client, rate-limited ones included.
    pub calls: u64,
    /// Calls refused with 429 because the quota was used up.
    pub rate_limited: u64,
    /// The most calls (rate-limited ones included) received in any window of the quota's length.
    pub max_calls_in_window: u64,
}

/// Every client id and scope the sandbox has seen, sorted by client id then scope.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Stats {
    /// One entry per client id and scope.
    pub clients: Vec<ClientStats>,
}

/// Calls within the last window, as runs of calls in the same millisecond, oldest first.
#[derive(Debug, Default)]
struct Window {
    runs: VecDeque<(u64, u64)>,
    total: u64,
}

impl Window {
    /// Forgets the calls that left the window ending at `now`.
    fn slide(&mut self, now: u64, window: u64) {
        while let Some(&(at, count)) = self.runs.front() {
            if at.saturating_add(window) > now {
                break;
            }
            self.total -= count;
            self.runs.pop_front();
        }
    }

    fn add(&mut self, now: u64) {
        match self.runs.back_mut() {
            Some((at, count)) if *at == now => *count += 1,
            _ => self.runs.push_back((now, 1)),
        }
        self.total += 1;
    }

    fn oldest(&self) -> Option<u64> {
        self.runs.front().map(|&(at, _)| at)
    }
}

#[derive(Debug, Default)]
struct Usage {
    token_requests: u64,
    calls: u64,
    rate_limited: u64,
    max_in_window: u64,
    received: Window,
    admitted: Window,
}

/// Whether a call may go on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Admission {
    Admitted,
    /// Over the quota: the earliest a call could be admitted, from now.
    Limited {
        retry_after: Duration,
    },
}

/// The quota and the counts, per client id and scope.
#[derive(Debug)]
pub(crate) struct Quota {
    /// 0: no limit (calls are still counted).
    limit: u32,
    window: Duration,
    started: Instant,
    usage: Mutex<BTreeMap<(String, String), Usage>>,
}

impl Quota {
    pub(crate) fn new(limit: u32, window: Duration) -> Quota {
        Quota {
            limit,
            // A window shorter than the clock's resolution would count nothing.
            window: window.max(Duration::from_millis(1)),
            started: Instant::now(),
            usage: Mutex::new(BTreeMap::new()),
        }
    }

    pub(crate) fn limit(&self) -> u32 {
        self.limit
    }

    pub(crate) fn window(&self) -> Duration {
        self.window
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<(String, String), Usage>> {
        self.usage
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn now(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn usage<'a>(
        usage: &'a mut BTreeMap<(String, String), Usage>,
        client_id: &str,
        scope: &str,
    ) -> &'a mut Usage {
        usage
            .entry((client_id.to_string(), scope.to_string()))
            .or_default()
    }

    /// Counts an API call of `client_id` on an API of `scope`, and decides whether it goes on.
    pub(crate) fn call(&self, client_id: &str, scope: &str) -> Admission {
        self.call_at(client_id, scope, self.now())
    }

    fn call_at(&self, client_id: &str, scope: &str, now: u64) -> Admission {
        let window = u64::try_from(self.window.as_millis()).unwrap_or(u64::MAX);
        let mut usage = self.lock();
        let usage = Quota::usage(&mut usage, client_id, scope);
        usage.calls += 1;
        usage.received.slide(now, window);
        usage.received.add(now);
        usage.max_in_window = usage.max_in_window.max(usage.received.total);
        usage.admitted.slide(now, window);
        if self.limit == 0 || usage.admitted.total < u64::from(self.limit) {
            usage.admitted.add(now);
            return Admission::Admitted;
        }
        usage.rate_limited += 1;
        // The oldest admitted call leaves the window at oldest + window.
        let free_at = usage.admitted.oldest().map_or(now, |at| at + window);
        Admission::Limited {
            retry_after: Duration::from_millis(free_at.saturating_sub(now)),
        }
    }

    /// Counts a token granted to `client_id` for `scope` (one count per scope it names).
    pub(crate) fn token_granted(&self, client_id: &str, scope: &str) {
        let mut usage = self.lock();
        for scope in scope.split_whitespace() {
            Quota::usage(&mut usage, client_id, scope).token_requests += 1;
        }
    }

    pub(crate) fn stats(&self) -> Stats {
        Stats {
            clients: self
                .lock()
                .iter()
                .map(|((client_id, scope), usage)| ClientStats {
                    client_id: client_id.clone(),
                    scope: scope.clone(),
                    token_requests: usage.token_requests,
                    calls: usage.calls,
                    rate_limited: usage.rate_limited,
                    max_calls_in_window: usage.max_in_window,
                })
                .collect(),
        }
    }
}

/// Whole seconds a `Retry-After` says for `wait`: rounded up, so a client that waits that long
/// is admitted.
pub(crate) fn retry_after_seconds(wait: Duration) -> u64 {
    let seconds = wait.as_secs();
    if wait.subsec_nanos() > 0 {
        seconds + 1
    } else {
        seconds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quota(limit: u32, window_ms: u64) -> Quota {
        Quota::new(limit, Duration::from_millis(window_ms))
    }

    fn only(quota: &Quota) -> ClientStats {
        let stats = quota.stats();
        assert_eq!(stats.clients.len(), 1);
        stats.clients[0].clone()
    }

    #[test]
    fn admits_up_to_the_limit_in_any_window_then_frees_as_it_slides() {
        let q = quota(3, 1000);
        for t in [0, 10, 20] {
            assert_eq!(q.call_at("c", "s", t), Admission::Admitted);
        }
        // The window ending at 999 still holds the calls at 0, 10 and 20.
        assert_eq!(
            q.call_at("c", "s", 999),
            Admission::Limited {
                retry_after: Duration::from_millis(1)
            }
        );
        // At 1000 the call made at 0 is out: (0, 1000] holds 10 and 20.
        assert_eq!(q.call_at("c", "s", 1000), Admission::Admitted);
        assert_eq!(
            q.call_at("c", "s", 1005),
            Admission::Limited {
                retry_after: Duration::from_millis(5)
            }
        );
        assert_eq!(q.call_at("c", "s", 1010), Admission::Admitted);
        let stats = only(&q);
        assert_eq!((stats.calls, stats.rate_limited), (7, 2));
        // Received in (10, 1010]: 20, 999, 1000, 1005, 1010; in (0, 1000]: 10, 20, 999, 1000.
        assert_eq!(stats.max_calls_in_window, 5);
    }

    #[test]
    fn the_largest_window_is_found_wherever_it_lies() {
        let q = quota(0, 100);
        // Bursts of 2 at 0, 4 around 150, then 3 spread over 300..=399.
        for t in [0, 0, 150, 151, 160, 249, 300, 350, 399] {
            assert_eq!(q.call_at("c", "s", t), Admission::Admitted, "no limit");
        }
        // (149, 249] holds 150, 151, 160, 249; (299, 399] holds 300, 350, 399.
        assert_eq!(only(&q).max_calls_in_window, 4);
        assert_eq!(only(&q).rate_limited, 0);
    }

    #[test]
    fn refused_calls_count_as_received_but_use_no_quota() {
        let q = quota(1, 1000);
        assert_eq!(q.call_at("c", "s", 0), Admission::Admitted);
        for t in 1..=9 {
            assert!(matches!(q.call_at("c", "s", t), Admission::Limited { .. }));
        }
        // Only the admitted call at 0 held the quota: free again at 1000.
        assert_eq!(q.call_at("c", "s", 1000), Admission::Admitted);
        let stats = only(&q);
        assert_eq!(
            (stats.calls, stats.rate_limited, stats.max_calls_in_window),
            (11, 9, 10)
        );
    }

    #[test]
    fn clients_and_scopes_are_counted_apart_and_sorted() {
        let q = quota(1, 1000);
        assert_eq!(q.call_at("b", "s", 0), Admission::Admitted);
        assert_eq!(q.call_at("a", "s", 0), Admission::Admitted);
        assert_eq!(q.call_at("a", "t", 0), Admission::Admitted);
        q.token_granted("a", "s t");
        let keys: Vec<(String, String, u64)> = q
            .stats()
            .clients
            .into_iter()
            .map(|c| (c.client_id, c.scope, c.token_requests))
            .collect();
        assert_eq!(
            keys,
            [
                ("a".to_string(), "s".to_string(), 1),
                ("a".to_string(), "t".to_string(), 1),
                ("b".to_string(), "s".to_string(), 0),
            ]
        );
    }

    #[test]
    fn a_flood_keeps_one_entry_per_millisecond() {
        let q = quota(5, 50);
        for t in 0..10_000u64 {
            for _ in 0..3 {
                q.call_at("c", "s", t / 7);
            }
        }
        let usage = q.lock();
        let usage = usage.values().next().expect("one client");
        assert!(
            usage.received.runs.len() <= 51,
            "{}",
            usage.received.runs.len()
        );
        assert!(usage.admitted.runs.len() <= 51);
    }

    #[test]
    fn retry_after_rounds_up_to_whole_seconds() {
        assert_eq!(retry_after_seconds(Duration::ZERO), 0);
        assert_eq!(retry_after_seconds(Duration::from_millis(1)), 1);
        assert_eq!(retry_after_seconds(Duration::from_millis(1000)), 1);
        assert_eq!(retry_after_seconds(Duration::from_millis(1001)), 2);
    }
}
