//! What a generated client carries into the transport: the client's shared pool and settings,
//! and the dealer whose credentials sign the call. Its own module so that the client (which
//! makes it) and the transport (which reads it) both depend on it, not on each other.

use crate::credentials::Credentials;
use crate::environment::Environment;
use crate::retry::RetryPolicy;
use std::fmt;
use std::sync::Arc;

/// What every dealer view of a client shares: the connection pool and the settings.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) http: reqwest::Client,
    pub(crate) environment: Environment,
    pub(crate) retry: RetryPolicy,
}

/// What every generated client carries: the shared pool and settings, and the dealer whose
/// credentials sign its calls. Opaque; get clients from [`crate::Dealer::api`].
#[derive(Clone)]
pub struct Inner {
    pub(crate) shared: Arc<Shared>,
    pub(crate) credentials: Arc<Credentials>,
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inner")
            .field("environment", &self.shared.environment)
            .field("credentials", &self.credentials)
            .finish()
    }
}
