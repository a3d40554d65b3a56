//! How much one sandbox accepts, holds and waits for, so that neither a flood of requests nor a
//! slow or idle client can exhaust its memory or its connections.

use std::time::Duration;

/// The largest `pageSize` a list call takes. The gateway documents none; the sandbox refuses
/// more with a `REQUEST_VALIDATION_ERROR`, so that one call copies at most this many records.
pub const MAX_PAGE_SIZE: u64 = 100;

/// What a sandbox accepts and keeps (see `docs/sandbox.md`, "Limits"). Every limit has a
/// setter; at the defaults a sandbox filled to `max_subscriptions` holds about 0.5 GiB (about
/// 2.3 KiB per subscription, measured; `docs/sandbox.md`, "Limits").
///
/// ```
/// use scalexpert_sandbox::Limits;
/// use std::time::Duration;
///
/// let limits = Limits::default()
///     .header_read_timeout(Duration::from_secs(2))
///     .max_subscriptions_per_tenant(100_000);
/// # let _ = limits;
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// How long a connection may take to send a request head (default 10 s), counted from the
    /// first byte awaited: an idle keep-alive connection is closed after this long too.
    pub header_read_timeout: Duration,
    /// How long the body of a request may take to arrive once its head is in (default 10 s);
    /// past it the answer is 408 and the connection is closed.
    pub body_read_timeout: Duration,
    /// Connections served at once (default 512); more wait in the listen backlog.
    pub max_connections: usize,
    /// Largest request body (default 256 KiB); a longer one, declared or sent, gets 413.
    pub max_body_bytes: usize,
    /// Longest request target, path and query (default 8 KiB); longer gets 414.
    pub max_uri_bytes: usize,
    /// Largest header section, names and values (default 16 KiB); larger gets 431.
    pub max_header_bytes: usize,
    /// Live access tokens kept per client id (default 10,000); past it the oldest is revoked.
    pub max_tokens_per_client: usize,
    /// Subscriptions kept per tenant (default 50,000); past it creations are refused with 507.
    pub max_subscriptions_per_tenant: usize,
    /// Subscriptions kept in all (default 200,000); past it creations are refused with 507.
    pub max_subscriptions: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(10),
            max_connections: 512,
            max_body_bytes: 256 * 1024,
            max_uri_bytes: 8 * 1024,
            max_header_bytes: 16 * 1024,
            max_tokens_per_client: 10_000,
            max_subscriptions_per_tenant: 50_000,
            max_subscriptions: 200_000,
        }
    }
}

impl Limits {
    /// Sets [`header_read_timeout`](Self::header_read_timeout).
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// Sets [`body_read_timeout`](Self::body_read_timeout).
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        self.body_read_timeout = timeout;
        self
    }

    /// Sets [`max_connections`](Self::max_connections) (at least 1).
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max.max(1);
        self
    }

    /// Sets [`max_body_bytes`](Self::max_body_bytes).
    pub fn max_body_bytes(mut self, max: usize) -> Self {
        self.max_body_bytes = max;
        self
    }

    /// Sets [`max_uri_bytes`](Self::max_uri_bytes).
    pub fn max_uri_bytes(mut self, max: usize) -> Self {
        self.max_uri_bytes = max;
        self
    }

    /// Sets [`max_header_bytes`](Self::max_header_bytes).
    pub fn max_header_bytes(mut self, max: usize) -> Self {
        self.max_header_bytes = max;
        self
    }

    /// Sets [`max_tokens_per_client`](Self::max_tokens_per_client) (at least 1).
    pub fn max_tokens_per_client(mut self, max: usize) -> Self {
        self.max_tokens_per_client = max.max(1);
        self
    }

    /// Sets [`max_subscriptions_per_tenant`](Self::max_subscriptions_per_tenant).
    pub fn max_subscriptions_per_tenant(mut self, max: usize) -> Self {
        self.max_subscriptions_per_tenant = max;
        self
    }

    /// Sets [`max_subscriptions`](Self::max_subscriptions).
    pub fn max_subscriptions(mut self, max: usize) -> Self {
        self.max_subscriptions = max;
        self
    }
}
