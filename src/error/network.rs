//! Failures of the network itself: which kind, during which step, and the cause.

use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// A request that got no (whole) answer: the host did not resolve, the connection was refused
/// or broke, or the answer did not come in time.
///
/// [`Error::Timeout`](super::Error::Timeout) carries the timeouts and
/// [`Error::Transport`](super::Error::Transport) the others; `source()` leads to the
/// underlying `reqwest` and I/O errors.
#[derive(Clone, Debug)]
pub struct NetworkError {
    kind: NetworkErrorKind,
    step: Step,
    /// The time allowed, for timeouts whose limit the facade set.
    limit: Option<Duration>,
    /// Whether the request may have reached the server (false when no connection opened).
    may_have_arrived: bool,
    /// Shared, so that errors stay cheap to clone.
    cause: Option<Arc<dyn StdError + Send + Sync>>,
}

/// What went wrong on the network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NetworkErrorKind {
    /// The host name did not resolve.
    Dns,
    /// Nothing listens at the address: the connection was refused.
    ConnectionRefused,
    /// The connection could not be opened for another reason (TLS, unreachable network).
    Connect,
    /// No (whole) answer in the time allowed.
    Timeout,
    /// The connection broke after the request was sent, before the whole answer arrived.
    ConnectionBroken,
    /// Any other failure of the HTTP client.
    Other,
}

/// Which request of a call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Step {
    /// The OAuth2 token request that precedes a call when no valid token is cached.
    TokenRequest,
    /// The API call itself.
    Call,
}

impl NetworkError {
    /// Classifies a failure of `reqwest`.
    pub(crate) fn from_reqwest(error: reqwest::Error, step: Step, limit: Option<Duration>) -> Self {
        let connecting = error.is_connect();
        let kind = if error.is_timeout() {
            NetworkErrorKind::Timeout
        } else if error.is_dns() {
            NetworkErrorKind::Dns
        } else if connecting && refused(&error) {
            NetworkErrorKind::ConnectionRefused
        } else if connecting {
            NetworkErrorKind::Connect
        } else if error.is_request() || error.is_body() || error.is_decode() {
            NetworkErrorKind::ConnectionBroken
        } else {
            NetworkErrorKind::Other
        };
        NetworkError {
            kind,
            step,
            limit: limit.filter(|_| kind == NetworkErrorKind::Timeout),
            may_have_arrived: !connecting,
            // The URL can hold ids of the merchant's orders: messages name the step instead.
            cause: Some(Arc::new(error.without_url())),
        }
    }

    /// A deadline the facade keeps itself ran out (the token step).
    pub(crate) fn deadline_passed(step: Step, limit: Duration) -> Self {
        NetworkError {
            kind: NetworkErrorKind::Timeout,
            step,
            limit: Some(limit),
            may_have_arrived: true,
            cause: None,
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> NetworkErrorKind {
        self.kind
    }

    /// Which request failed.
    pub fn step(&self) -> Step {
        self.step
    }

    /// Whether the request may have reached the server. `false` only when no connection
    /// opened, so nothing was sent.
    pub fn may_have_arrived(&self) -> bool {
        self.may_have_arrived
    }

    pub(crate) fn is_timeout(&self) -> bool {
        self.kind == NetworkErrorKind::Timeout
    }

    /// The variant of [`super::Error`] this failure is.
    pub(crate) fn into_error(self) -> super::Error {
        if self.is_timeout() {
            super::Error::Timeout(self)
        } else {
            super::Error::Transport(self)
        }
    }
}

/// Whether the I/O error at the bottom of `error` is a refused connection.
fn refused(error: &(dyn StdError + 'static)) -> bool {
    let mut cause = Some(error);
    while let Some(current) = cause {
        if let Some(io) = current.downcast_ref::<std::io::Error>() {
            return io.kind() == std::io::ErrorKind::ConnectionRefused;
        }
        cause = current.source();
    }
    false
}

impl fmt::Display for NetworkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            NetworkErrorKind::Dns => f.write_str("the host name did not resolve (DNS)")?,
            NetworkErrorKind::ConnectionRefused => f.write_str("connection refused")?,
            NetworkErrorKind::Connect => f.write_str("could not connect")?,
            NetworkErrorKind::Timeout => match self.limit {
                Some(limit) => write!(f, "no answer within {limit:?}")?,
                None => f.write_str("no answer in time")?,
            },
            NetworkErrorKind::ConnectionBroken => {
                f.write_str("the connection broke before the whole answer arrived")?
            }
            NetworkErrorKind::Other => f.write_str("the HTTP client failed")?,
        }
        match self.step {
            Step::TokenRequest => f.write_str(" (token request)"),
            Step::Call => f.write_str(" (API call)"),
        }
    }
}

impl StdError for NetworkError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.cause
            .as_deref()
            .map(|cause| cause as &(dyn StdError + 'static))
    }
}
