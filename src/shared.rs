//! The state behind a `Client`: what all its views share, and what each generated
//! client carries for the transport.

use crate::auth::{TokenCache, TokenSlot};
use crate::environment::Environment;
use crate::operation::{Lane, Operation};
use crate::quota::{Governor, ScopeGovernor};
use crate::retry::RetryPolicy;
use crate::ApiVersion;
use reqwest::header::{HeaderName, HeaderValue};
use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// The header naming the merchant a PSP calls for.
pub const MERCHANT_HEADER: HeaderName = HeaderName::from_static("x-baas-client-ref-for-proxi-id");

/// What every view of a client shares.
pub(crate) struct Shared {
    pub(crate) http: reqwest::Client,
    pub(crate) environment: Environment,
    pub(crate) auth: TokenCache,
    pub(crate) retry: RetryPolicy,
    /// The time one attempt may take, unless a view says otherwise.
    pub(crate) request_timeout: Duration,
    /// The total timeout `http` itself applies to every request, when the builder made it.
    pub(crate) pool_timeout: Option<Duration>,
    pub(crate) log_payloads: bool,
    /// The quota governor, unless the builder turned it off.
    pub(crate) quota: Option<Governor>,
    /// The API versions used so far: one entry each, so a short list.
    pub(crate) apis: RwLock<Vec<KnownApi>>,
}

/// What `Client::api` needs for one API version, worked out on its first use.
pub(crate) struct KnownApi {
    pub(crate) api: ApiVersion,
    pub(crate) base_url: String,
    pub(crate) token: Arc<TokenSlot>,
    /// The quota budget of the token's scope.
    pub(crate) quota: Option<Arc<ScopeGovernor>>,
}

impl KnownApi {
    /// The token slot and quota budget a new generated client of this version carries.
    pub(crate) fn handles(&self) -> (Arc<TokenSlot>, Option<Arc<ScopeGovernor>>) {
        (Arc::clone(&self.token), self.quota.clone())
    }
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("environment", &self.environment)
            .field("auth", &self.auth)
            .field("retry", &self.retry)
            .field("request_timeout", &self.request_timeout)
            .field("log_payloads", &self.log_payloads)
            .field("quota", &self.quota)
            .finish()
    }
}

/// State every generated client carries: the shared pool and token cache, plus what is
/// particular to this view (merchant, timeout). Opaque; build clients with `Client`.
#[derive(Clone)]
pub struct Inner {
    pub(crate) shared: Arc<Shared>,
    pub(crate) token: Arc<TokenSlot>,
    /// The quota budget the view's calls take slots from, if the governor is on.
    pub(crate) quota: Option<Arc<ScopeGovernor>>,
    /// The lane the view's calls take, when it overrides their operations' own.
    pub(crate) lane: Option<Lane>,
    /// The value of [`MERCHANT_HEADER`] on this view's calls.
    pub(crate) merchant: Option<HeaderValue>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) api: ApiVersion,
    /// The version's operation table (replay safety per operation).
    pub(crate) operations: &'static [Operation],
}

impl Inner {
    /// The time one attempt of a call may take: the view's, else the client's.
    pub(crate) fn attempt_timeout(&self) -> Duration {
        self.timeout.unwrap_or(self.shared.request_timeout)
    }
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inner")
            .field("api", &self.api)
            .field("merchant", &self.merchant)
            .field("timeout", &self.timeout)
            .field("lane", &self.lane)
            .field("token", &self.token)
            .field("shared", &self.shared)
            .finish()
    }
}
