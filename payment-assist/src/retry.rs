//! When a failed call is tried again, and how long to wait first.

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::StatusCode;
use std::time::Duration;

/// Retry settings of a client.
///
/// A connection that never opened carried nothing, so it is retried for every call. Timeouts,
/// broken connections and "try again later" statuses (408, 429, 502, 503, 504) are retried
/// only for calls the spec declares safe to replay (`x-replay: safe`, or an idempotent
/// method): `begin`, `capture`, `invoice` and `preapproval` are never sent twice once the
/// server may have received them.
///
/// ```
/// use std::time::Duration;
/// let policy = payment_assist::RetryPolicy { max_attempts: 5, ..Default::default() };
/// assert_eq!(policy.max_backoff, Duration::from_secs(5));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first one included (1 disables retries).
    pub max_attempts: u32,
    /// Upper bound of the first backoff; doubles on each retry.
    pub initial_backoff: Duration,
    /// Upper bound of any backoff.
    pub max_backoff: Duration,
    /// Upper bound of a wait asked for by `Retry-After` (in seconds).
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(200),
            max_backoff: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

/// Statuses that say "try again later" rather than "this request is wrong".
const RETRYABLE_STATUSES: &[StatusCode] = &[
    StatusCode::REQUEST_TIMEOUT,
    StatusCode::TOO_MANY_REQUESTS,
    StatusCode::BAD_GATEWAY,
    StatusCode::SERVICE_UNAVAILABLE,
    StatusCode::GATEWAY_TIMEOUT,
];

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..Default::default()
        }
    }

    /// The wait before retry number `retry` (1 for the first): full jitter.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry.saturating_sub(1)))
            .min(self.max_backoff);
        ceiling.mul_f64(fastrand::f64())
    }

    /// The wait before the next attempt after `status`, or `None` if it is not worth retrying.
    pub(crate) fn wait_after_status(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        retry: u32,
    ) -> Option<Duration> {
        if !RETRYABLE_STATUSES.contains(&status) {
            return None;
        }
        let asked = headers
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        Some(asked.map_or_else(|| self.backoff(retry), |d| d.min(self.max_retry_after)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn backoff_stays_under_its_ceiling() {
        let policy = RetryPolicy::default();
        for retry in 1..10 {
            assert!(policy.backoff(retry) <= policy.max_backoff);
        }
        assert!(policy.backoff(1) <= policy.initial_backoff);
    }

    #[test]
    fn only_transient_statuses_are_retried() {
        let policy = RetryPolicy::default();
        let none = HeaderMap::new();
        assert!(policy
            .wait_after_status(StatusCode::BAD_REQUEST, &none, 1)
            .is_none());
        assert!(policy
            .wait_after_status(StatusCode::SERVICE_UNAVAILABLE, &none, 1)
            .is_some());
        let mut asked = HeaderMap::new();
        asked.insert(RETRY_AFTER, HeaderValue::from_static("600"));
        assert_eq!(
            policy.wait_after_status(StatusCode::SERVICE_UNAVAILABLE, &asked, 1),
            Some(policy.max_retry_after)
        );
    }
}
