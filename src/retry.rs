//! When a failed call is tried again, and how long to wait first.

use reqwest::{header::HeaderMap, Method, StatusCode};
use std::time::{Duration, SystemTime};

/// Retry settings of a client.
///
/// Retries use exponential backoff with full jitter, or the server's `Retry-After` (capped).
/// Only calls that are safe to replay are retried after the server may have received them:
/// `POST /subscriptions` and `_cancel` never are, since a replay could create a second
/// subscription or cancel twice. A connection that never opened is retried for every call.
///
/// ```
/// use std::time::Duration;
/// let policy = scalexpert::RetryPolicy { max_attempts: 5, ..Default::default() };
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
    /// Upper bound of a wait asked for by `Retry-After`.
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

    /// The wait before retry number `retry` (1 for the first retry): full jitter.
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let ceiling = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry.saturating_sub(1)))
            .min(self.max_backoff);
        ceiling.mul_f64(fastrand::f64())
    }

    /// The wait before the next attempt after `status`, or `None` if it should not be retried.
    pub(crate) fn wait_after_status(
        &self,
        status: StatusCode,
        headers: &HeaderMap,
        retry: u32,
    ) -> Option<Duration> {
        if !RETRYABLE_STATUSES.contains(&status) {
            return None;
        }
        Some(
            retry_after(headers)
                .map_or_else(|| self.backoff(retry), |d| d.min(self.max_retry_after)),
        )
    }
}

/// Whether the call may be sent again once the server may have received it: as its version's
/// operation table says (from the spec engine's replay classification), else by HTTP method.
pub(crate) fn is_replay_safe(
    method: &Method,
    method_name: &str,
    operations: &'static [crate::Operation],
) -> bool {
    match *method {
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE => true,
        _ => crate::Operation::by_method_name(operations, method_name)
            .is_some_and(|op| op.replay == crate::Replay::Safe),
    }
}

/// `Retry-After` as seconds or as an HTTP date.
pub(crate) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
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
    fn retry_after_in_seconds_and_dates_is_capped() {
        let policy = RetryPolicy::default();
        let mut headers = HeaderMap::new();
        headers.insert(reqwest::header::RETRY_AFTER, HeaderValue::from_static("1"));
        assert_eq!(
            policy.wait_after_status(StatusCode::SERVICE_UNAVAILABLE, &headers, 1),
            Some(Duration::from_secs(1))
        );
        headers.insert(
            reqwest::header::RETRY_AFTER,
            HeaderValue::from_static("3600"),
        );
        assert_eq!(
            policy.wait_after_status(StatusCode::TOO_MANY_REQUESTS, &headers, 1),
            Some(policy.max_retry_after)
        );
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
        headers.insert(
            reqwest::header::RETRY_AFTER,
            HeaderValue::from_str(&later).expect("ascii"),
        );
        let wait = retry_after(&headers).expect("date parses");
        assert!(
            wait > Duration::from_secs(100) && wait <= Duration::from_secs(120),
            "{wait:?}"
        );
        assert_eq!(
            policy.wait_after_status(StatusCode::BAD_REQUEST, &headers, 1),
            None
        );
    }

    #[test]
    fn posts_follow_the_operation_table_and_unknown_ones_are_not_replayed() {
        use crate::{Operation, Replay};
        const TABLE: &[Operation] = &[
            Operation {
                id: "initiateCreditSubscription",
                method_name: "initiate_credit_subscription",
                method: "POST",
                path: "/subscriptions",
                replay: Replay::Unsafe,
            },
            Operation {
                id: "creditSimulation",
                method_name: "credit_simulation",
                method: "POST",
                path: "/_simulate-solutions",
                replay: Replay::Safe,
            },
        ];
        assert!(!is_replay_safe(
            &Method::POST,
            "initiate_credit_subscription",
            TABLE
        ));
        assert!(is_replay_safe(&Method::POST, "credit_simulation", TABLE));
        assert!(!is_replay_safe(&Method::POST, "not_in_the_table", TABLE));
        assert!(is_replay_safe(&Method::GET, "not_in_the_table", TABLE));
    }
}
