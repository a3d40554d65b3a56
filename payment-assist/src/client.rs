//! The client, its builder, and per-dealer views.

use crate::context::{Inner, Shared};
use crate::credentials::Credentials;
use crate::environment::Environment;
use crate::retry::RetryPolicy;
use crate::returns::{verify_return, ReturnedCustomer};
use crate::webhook::{verify_webhook, VerifiedEvent};
use crate::{Error, Result, VerifyError};
use std::sync::Arc;
use std::time::Duration;

/// A connection pool and settings for one environment; take a [`Dealer`] view per set of
/// credentials with [`Client::dealer`].
///
/// ```
/// use payment_assist::{Client, Credentials, Environment};
/// let client = Client::builder().environment(Environment::Production).build()?;
/// // A demo secret never reaches production:
/// assert!(client.dealer(Credentials::new("key", "demo_secret")).is_err());
/// let dealer = client.dealer(Credentials::new("key", "prod_secret"))?;
/// # let _ = dealer;
/// # Ok::<(), payment_assist::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    shared: Arc<Shared>,
}

/// Builds a [`Client`].
#[derive(Clone, Debug)]
pub struct ClientBuilder {
    environment: Environment,
    retry: RetryPolicy,
    connect_timeout: Duration,
    request_timeout: Duration,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        ClientBuilder {
            environment: Environment::Demo,
            retry: RetryPolicy::default(),
            connect_timeout: Duration::from_secs(5),
            // A capture takes the deposit and may take a few seconds.
            request_timeout: Duration::from_secs(30),
        }
    }
}

impl ClientBuilder {
    /// Where requests go (default: [`Environment::Demo`]).
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = environment;
        self
    }

    /// Retry settings (default: [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// How long opening a connection may take (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one attempt may take in all (default 30 s).
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// The client.
    pub fn build(self) -> Result<Client> {
        if self.environment.base_url().is_empty() {
            return Err(Error::Configuration("the base URL is empty".into()));
        }
        let http = reqwest::Client::builder()
            .connect_timeout(self.connect_timeout)
            .timeout(self.request_timeout)
            .build()
            .map_err(|e| Error::Configuration(format!("HTTP client: {e}")))?;
        Ok(Client {
            shared: Arc::new(Shared {
                http,
                environment: self.environment,
                retry: self.retry,
            }),
        })
    }
}

impl Client {
    /// A builder with the defaults.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A view that signs with `credentials`; refuses a secret issued for another environment
    /// (see [`Environment::admit`]). Views are cheap and share the pool.
    pub fn dealer(&self, credentials: Credentials) -> Result<Dealer> {
        self.shared.environment.admit(&credentials)?;
        Ok(Dealer {
            inner: Inner {
                shared: Arc::clone(&self.shared),
                credentials: Arc::new(credentials),
            },
        })
    }

    /// The environment requests go to.
    pub fn environment(&self) -> &Environment {
        &self.shared.environment
    }
}

/// One dealer's view of a [`Client`]: its calls are signed with the dealer's credentials.
#[derive(Clone, Debug)]
pub struct Dealer {
    inner: Inner,
}

impl Dealer {
    /// The generated v1 client, signing as this dealer.
    pub fn api(&self) -> crate::v1::Client {
        crate::v1::Client::new_with_client(
            self.inner.shared.environment.base_url(),
            self.inner.shared.http.clone(),
            self.inner.clone(),
        )
    }

    /// The dealer's credentials.
    pub fn credentials(&self) -> &Credentials {
        &self.inner.credentials
    }

    /// Verifies the URL a customer came back to (see [`verify_return`]).
    pub fn verify_return(
        &self,
        returned_url: &str,
        configured_url: &str,
    ) -> Result<ReturnedCustomer, VerifyError> {
        verify_return(&self.inner.credentials, returned_url, configured_url)
    }

    /// Verifies and reads a webhook body (see [`verify_webhook`]).
    pub fn verify_webhook(&self, body: &[u8]) -> Result<VerifiedEvent, VerifyError> {
        verify_webhook(&self.inner.credentials, body)
    }
}
