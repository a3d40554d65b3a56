//! When a failed call is tried again, and how long to wait first.
//!
//! `decide` is the whole policy: a pure function from what one attempt gave to what happens
//! next. The transport only carries it out (sleep, refresh the token, send again, or finish).

use crate::operation::{Operation, Replay};
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
    /// Attempts in all, the first one included (1 disables retries). The one replay after a
    /// token refresh does not count.
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

    /// The upper bound of the wait before retry number `retry` (1 for the first retry).
    fn backoff_ceiling(&self, retry: u32) -> Duration {
        self.initial_backoff
            .saturating_mul(2u32.saturating_pow(retry.saturating_sub(1)))
            .min(self.max_backoff)
    }
}

/// What one attempt gave, as far as the decision needs to know.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The server answered with `status` (and, for a success of a replayable call, its whole
    /// body arrived).
    Answered {
        status: StatusCode,
        /// `Retry-After` of an error answer, when it has one.
        retry_after: Option<Duration>,
    },
    /// No connection opened: nothing reached the server.
    NotConnected,
    /// The request was sent, or may have been, and no whole answer came in time.
    TimedOut,
    /// The connection broke after the request may have been sent.
    Broken,
    /// A failure that another attempt would not change (the token endpoint refused, a body
    /// too large, a request the HTTP client cannot send).
    Final,
}

/// Where a call stands: the attempts made so far, and whether its token was refreshed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Progress {
    /// Attempts that count against [`RetryPolicy::max_attempts`], the current one included.
    pub(crate) attempt: u32,
    /// Whether the token was already refreshed after a 401 (that happens once per call).
    pub(crate) token_refreshed: bool,
}

impl Progress {
    pub(crate) const FIRST: Progress = Progress {
        attempt: 1,
        token_refreshed: false,
    };
}

/// What the transport does after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Hand the answer to the caller: a success, or an error answer another attempt would
    /// not change.
    Return,
    /// Send the call again after waiting.
    Retry(Wait),
    /// The API refused the token: drop it, fetch a new one, and replay the call at once.
    RefreshToken,
    /// Stop, with the attempt's error.
    GiveUp(Reason),
}

/// How long to wait before a retry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Wait {
    /// Exponential backoff: a random time up to `ceiling` ("full jitter"), so that clients
    /// failing together do not come back together.
    Backoff { ceiling: Duration },
    /// What the server asked for with `Retry-After`, capped.
    RetryAfter(Duration),
}

impl Wait {
    /// The time to sleep.
    pub(crate) fn duration(self) -> Duration {
        match self {
            Wait::Backoff { ceiling } => ceiling.mul_f64(fastrand::f64()),
            Wait::RetryAfter(wait) => wait,
        }
    }
}

/// Why a call that could have gone again does not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Reason {
    /// The server may have received the call, and a second one could create or cancel again.
    UnsafeToReplay,
    /// [`RetryPolicy::max_attempts`] reached.
    OutOfAttempts,
    /// A 401 again, with a token fetched for this call.
    StillUnauthorized,
    /// Another attempt would fail the same way.
    Final,
}

/// What to do after an attempt of a call whose replay safety is `replay`.
pub(crate) fn decide(
    policy: &RetryPolicy,
    replay: Replay,
    progress: Progress,
    outcome: Outcome,
) -> Decision {
    let status = match outcome {
        Outcome::Answered { status, .. } if status.is_success() => return Decision::Return,
        Outcome::Answered { status, .. } => Some(status),
        _ => None,
    };
    if status == Some(StatusCode::UNAUTHORIZED) {
        // The gateway checks the token before the API sees the call: replaying is harmless.
        return if progress.token_refreshed {
            Decision::GiveUp(Reason::StillUnauthorized)
        } else {
            Decision::RefreshToken
        };
    }
    let wait = match outcome {
        Outcome::Answered {
            status,
            retry_after,
        } if RETRYABLE_STATUSES.contains(&status) => retry_after
            .map(|asked| Wait::RetryAfter(asked.min(policy.max_retry_after)))
            .unwrap_or(Wait::Backoff {
                ceiling: policy.backoff_ceiling(progress.attempt),
            }),
        Outcome::Answered { .. } => return Decision::Return,
        Outcome::Final => return Decision::GiveUp(Reason::Final),
        Outcome::NotConnected | Outcome::TimedOut | Outcome::Broken => Wait::Backoff {
            ceiling: policy.backoff_ceiling(progress.attempt),
        },
    };
    // Nothing reached the server when no connection opened: any call may go again.
    let may_have_arrived = outcome != Outcome::NotConnected;
    if may_have_arrived && replay == Replay::Unsafe {
        return Decision::GiveUp(Reason::UnsafeToReplay);
    }
    if progress.attempt >= policy.max_attempts {
        return Decision::GiveUp(Reason::OutOfAttempts);
    }
    Decision::Retry(wait)
}

/// Whether the call may be sent again once the server may have received it: as its version's
/// operation table says (from the spec engine's replay classification), else by HTTP method.
/// Methods that are replay-safe by definition are answered without looking at the table.
pub(crate) fn replay_of(
    method: &Method,
    method_name: &str,
    operations: &'static [Operation],
) -> Replay {
    match *method {
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE => Replay::Safe,
        _ => Operation::by_method_name(operations, method_name)
            .map_or(Replay::Unsafe, |op| op.replay),
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
    //! One test per rule of the README's "Retries" and "Tokens" paragraphs, without HTTP.
    use super::*;
    use reqwest::header::HeaderValue;

    const SAFE: Replay = Replay::Safe;
    const UNSAFE: Replay = Replay::Unsafe;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(250),
            max_retry_after: Duration::from_secs(30),
        }
    }

    fn at(attempt: u32) -> Progress {
        Progress {
            attempt,
            token_refreshed: false,
        }
    }

    fn answered(status: u16) -> Outcome {
        Outcome::Answered {
            status: StatusCode::from_u16(status).expect("valid status"),
            retry_after: None,
        }
    }

    fn backoff(ms: u64) -> Decision {
        Decision::Retry(Wait::Backoff {
            ceiling: Duration::from_millis(ms),
        })
    }

    #[test]
    fn a_success_is_returned_whatever_the_call() {
        for replay in [SAFE, UNSAFE] {
            for status in [200, 201, 204, 299] {
                assert_eq!(
                    decide(&policy(), replay, at(1), answered(status)),
                    Decision::Return
                );
            }
        }
    }

    #[test]
    fn connection_failures_are_retried_for_every_call_with_growing_backoff() {
        for replay in [SAFE, UNSAFE] {
            assert_eq!(
                decide(&policy(), replay, at(1), Outcome::NotConnected),
                backoff(100)
            );
            assert_eq!(
                decide(&policy(), replay, at(2), Outcome::NotConnected),
                backoff(200),
                "doubles"
            );
        }
        let patient = RetryPolicy {
            max_attempts: 10,
            ..policy()
        };
        assert_eq!(
            decide(&patient, SAFE, at(5), Outcome::NotConnected),
            backoff(250),
            "capped at max_backoff"
        );
    }

    #[test]
    fn retryable_statuses_are_retried_for_replay_safe_calls_only() {
        for status in [408, 429, 502, 503, 504] {
            assert_eq!(
                decide(&policy(), SAFE, at(1), answered(status)),
                backoff(100),
                "{status}"
            );
            assert_eq!(
                decide(&policy(), UNSAFE, at(1), answered(status)),
                Decision::GiveUp(Reason::UnsafeToReplay),
                "{status}"
            );
        }
    }

    #[test]
    fn other_error_statuses_are_returned_at_once() {
        for status in [400, 403, 404, 409, 422, 500, 501] {
            for replay in [SAFE, UNSAFE] {
                assert_eq!(
                    decide(&policy(), replay, at(1), answered(status)),
                    Decision::Return,
                    "{status}"
                );
            }
        }
    }

    #[test]
    fn timeouts_and_broken_connections_are_retried_for_replay_safe_calls_only() {
        for outcome in [Outcome::TimedOut, Outcome::Broken] {
            assert_eq!(decide(&policy(), SAFE, at(1), outcome), backoff(100));
            assert_eq!(
                decide(&policy(), UNSAFE, at(1), outcome),
                Decision::GiveUp(Reason::UnsafeToReplay)
            );
        }
    }

    #[test]
    fn creates_and_cancels_are_never_replayed_once_the_server_may_have_them() {
        const TABLE: &[Operation] = &[
            Operation {
                id: "initiateCreditSubscription",
                method_name: "initiate_credit_subscription",
                method: "POST",
                path: "/subscriptions",
                replay: Replay::Unsafe,
                lane: crate::operation::Lane::Interactive,
            },
            Operation {
                id: "cancelCreditSubscription",
                method_name: "cancel_credit_subscription",
                method: "POST",
                path: "/subscriptions/{creditSubscriptionId}/_cancel",
                replay: Replay::Unsafe,
                lane: crate::operation::Lane::Interactive,
            },
        ];
        for name in ["initiate_credit_subscription", "cancel_credit_subscription"] {
            let replay = replay_of(&Method::POST, name, TABLE);
            assert_eq!(replay, UNSAFE);
            for outcome in [
                Outcome::TimedOut,
                Outcome::Broken,
                answered(502),
                answered(503),
                answered(504),
                answered(408),
                answered(429),
            ] {
                assert_eq!(
                    decide(&policy(), replay, at(1), outcome),
                    Decision::GiveUp(Reason::UnsafeToReplay),
                    "{name} after {outcome:?}"
                );
            }
            assert_eq!(
                decide(&policy(), replay, at(1), Outcome::NotConnected),
                backoff(100),
                "{name}: nothing was sent"
            );
        }
    }

    #[test]
    fn replay_safety_comes_from_the_table_for_posts_and_from_the_method_otherwise() {
        const TABLE: &[Operation] = &[Operation {
            id: "creditSimulation",
            method_name: "credit_simulation",
            method: "POST",
            path: "/_simulate-solutions",
            replay: Replay::Safe,
            lane: crate::operation::Lane::Interactive,
        }];
        assert_eq!(replay_of(&Method::POST, "credit_simulation", TABLE), SAFE);
        assert_eq!(replay_of(&Method::POST, "not_in_the_table", TABLE), UNSAFE);
        assert_eq!(replay_of(&Method::GET, "not_in_the_table", TABLE), SAFE);
        assert_eq!(replay_of(&Method::PATCH, "not_in_the_table", TABLE), UNSAFE);
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_cap() {
        let limited = |seconds| Outcome::Answered {
            status: StatusCode::TOO_MANY_REQUESTS,
            retry_after: Some(Duration::from_secs(seconds)),
        };
        assert_eq!(
            decide(&policy(), SAFE, at(1), limited(7)),
            Decision::Retry(Wait::RetryAfter(Duration::from_secs(7)))
        );
        assert_eq!(
            decide(&policy(), SAFE, at(1), limited(3600)),
            Decision::Retry(Wait::RetryAfter(Duration::from_secs(30)))
        );
        assert_eq!(
            Wait::RetryAfter(Duration::from_secs(7)).duration(),
            Duration::from_secs(7),
            "no jitter on what the server asked for"
        );
        // Retry-After does not make an unsafe call replayable.
        assert_eq!(
            decide(&policy(), UNSAFE, at(1), limited(1)),
            Decision::GiveUp(Reason::UnsafeToReplay)
        );
    }

    #[test]
    fn a_401_refreshes_the_token_once_and_replays_once_then_gives_up() {
        for replay in [SAFE, UNSAFE] {
            assert_eq!(
                decide(&policy(), replay, at(1), answered(401)),
                Decision::RefreshToken
            );
            let refreshed = Progress {
                attempt: 1,
                token_refreshed: true,
            };
            assert_eq!(
                decide(&policy(), replay, refreshed, answered(401)),
                Decision::GiveUp(Reason::StillUnauthorized)
            );
        }
        // The replay does not use up an attempt: even the last one gets its refresh.
        assert_eq!(
            decide(&RetryPolicy::none(), SAFE, at(1), answered(401)),
            Decision::RefreshToken
        );
    }

    #[test]
    fn attempts_are_bounded() {
        for outcome in [
            Outcome::NotConnected,
            Outcome::TimedOut,
            Outcome::Broken,
            answered(503),
        ] {
            assert!(matches!(
                decide(&policy(), SAFE, at(2), outcome),
                Decision::Retry(_)
            ));
            assert_eq!(
                decide(&policy(), SAFE, at(3), outcome),
                Decision::GiveUp(Reason::OutOfAttempts),
                "{outcome:?}"
            );
            assert_eq!(
                decide(&RetryPolicy::none(), SAFE, at(1), outcome),
                Decision::GiveUp(Reason::OutOfAttempts),
                "{outcome:?}"
            );
        }
        let never = RetryPolicy {
            max_attempts: 0,
            ..policy()
        };
        assert_eq!(
            decide(&never, SAFE, at(1), Outcome::NotConnected),
            Decision::GiveUp(Reason::OutOfAttempts),
            "0 attempts means one"
        );
    }

    #[test]
    fn final_failures_are_not_retried() {
        assert_eq!(
            decide(&policy(), SAFE, at(1), Outcome::Final),
            Decision::GiveUp(Reason::Final)
        );
    }

    #[test]
    fn backoff_stays_under_its_ceiling() {
        let ceiling = Duration::from_millis(250);
        for _ in 0..100 {
            assert!(Wait::Backoff { ceiling }.duration() <= ceiling);
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let mut headers = HeaderMap::new();
        headers.insert(reqwest::header::RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(7)));
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
        headers.insert(
            reqwest::header::RETRY_AFTER,
            HeaderValue::from_static("soon"),
        );
        assert_eq!(retry_after(&headers), None);
    }
}
