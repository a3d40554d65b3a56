//! An offline, stateful stand-in for the Scalexpert gateway, for checkout tests without
//! credentials or network (as stripe-mock is for Stripe).
//!
//! The sandbox serves, on loopback, the same paths as the gateway (the token endpoint and the
//! e-financing API, version [`API`]), so a [`Client`] built for [`Environment::Custom`] with its
//! base URL works unchanged. It uses the `scalexpert` crate through its public API only: the
//! served version's generated types, its spec text and its operation table ([`OPERATIONS`]),
//! from which the routes and the fault targets are derived. It keeps everything in memory:
//!
//! - **auth**: OAuth2 client credentials (Basic) with a scope check and opaque tokens that expire;
//! - **tenancy**: subscriptions belong to the credentials that created them and, for PSP
//!   credentials, to the merchant named in `X-BAAS-CLIENT-REF-FOR-PROXI-ID`;
//! - **eligibility and simulation** from a [`RuleTable`] you can replace, with the repayment maths
//!   of [`simulation`];
//! - **lifecycle**: a journey page (and plain endpoints) ends each application as accepted,
//!   pre-accepted, rejected or aborted; delivery, return and cancellation follow the lender's rules;
//! - **errors** in the gateway's `BaasExceptionHttpResponse` shape, with one `errors[]` entry per
//!   violated constraint of the spec;
//! - **fault injection** ([`Faults`]) for resilience tests, per operation named by its
//!   `operationId`;
//! - **webhooks**: signed events POSTed to a URL set per tenant ([`Sandbox::set_webhook`]) on
//!   every status change and cancellation, readable with [`scalexpert::webhooks::Receiver`].
//!
//! ```no_run
//! # async fn run() -> scalexpert::Result<()> {
//! use scalexpert_sandbox::Sandbox;
//!
//! let sandbox = Sandbox::start().await?;
//! let client = sandbox.client()?;
//! let solutions = client
//!     .e_financing_v1_7_1()
//!     .get_eligible_product_services()
//!     .buyer_billing_country("FR")
//!     .financed_amount(1500.0)
//!     .send()
//!     .await?;
//! assert_eq!(solutions.solutions.len(), 4);
//! # Ok(()) }
//! ```
//!
//! A resilience test, with a PSP's merchant view and fault injection by `operationId`:
//!
//! ```no_run
//! # async fn test(id: uuid::Uuid) -> scalexpert::Result<()> {
//! use scalexpert_sandbox::{Fault, JourneyOutcome, Sandbox};
//! use std::time::Duration;
//!
//! let sandbox = Sandbox::start().await?; // 127.0.0.1, a free port
//! let client = sandbox.client()?; // or Client::builder().environment(sandbox.environment())...
//! let psp_shop = sandbox.psp_client()?.for_merchant("SHOP-A")?;
//! // ... create a subscription, then end the buyer's journey as the journey page would:
//! sandbox.complete_journey(id, JourneyOutcome::Accepted)?;
//! // The next two list calls answer 503 with Retry-After: 0.
//! sandbox.faults().inject(
//!     "retrieveCreditSubscriptionForSpecificMerchant",
//!     Fault::status(503).retry_after(Duration::ZERO).times(2),
//! )?;
//! # let _ = (client, psp_shop);
//! # Ok(()) }
//! ```
//!
//! The binary `scalexpert-sandbox` serves the same as a process, for other languages and tools.
//! `docs/sandbox.md` describes every endpoint, the state machine and the maths.

// Nothing a user or the network controls is unwrapped (tests may: clippy.toml).
#![warn(missing_docs, clippy::unwrap_used)]

mod admin;
mod api;
mod auth;
mod connections;
mod errors;
mod faults;
mod gate;
mod insurance;
mod journey;
mod lifecycle;
mod limits;
mod merchant_webhooks;
mod outer;
mod quota;
mod random;
mod rules;
mod sample;
mod served;
mod server;
pub mod simulation;
mod state;
mod store;
mod validation;
mod webhooks;
mod wire;

pub use admin::ADMIN_TOKEN_HEADER;
pub use faults::{Fault, Faults, Phase, TOKEN};
pub use insurance::{
    CoverPrice, InsuranceOffer, InsuranceRules, InsuranceSolution, InsuranceStatus, PriceBand,
    DEFAULT_QUOTE_LIFETIME, MAX_INSURANCE_RECORDS,
};
pub use lifecycle::{CancellationStatus, JourneyOutcome, Status};
pub use limits::{Limits, MAX_PAGE_SIZE};
pub use quota::{ClientStats, Stats};
pub use rules::{DurationTier, Offer, Product, RuleTable};
pub use sample::sample_application;
pub use served::{API, INSURANCE_API, INSURANCE_OPERATIONS, OPERATIONS};
pub use webhooks::WebhookRetry;

use scalexpert::webhooks::ReceiverSecrets;
use scalexpert::{Client, Credentials, Environment};
use std::fmt;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Client id of the merchant credentials a sandbox accepts unless told otherwise.
pub const DEFAULT_CLIENT_ID: &str = "sandbox-merchant";
/// Secret of the default merchant credentials.
pub const DEFAULT_CLIENT_SECRET: &str = "sandbox-merchant-secret";
/// Client id of the PSP credentials a sandbox accepts unless told otherwise.
pub const DEFAULT_PSP_CLIENT_ID: &str = "sandbox-psp";
/// Secret of the default PSP credentials.
pub const DEFAULT_PSP_CLIENT_SECRET: &str = "sandbox-psp-secret";

/// Why a sandbox could not start or could not do what was asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SandboxError {
    /// The address could not be bound or served.
    #[error("sandbox cannot listen: {0}")]
    Listen(String),
    /// The configuration is inconsistent (rule table, credentials).
    #[error("sandbox configuration: {0}")]
    Configuration(String),
    /// No subscription has this id.
    #[error("no subscription {0}")]
    UnknownSubscription(uuid::Uuid),
    /// The subscription's state does not allow the change.
    #[error("not allowed now: {0}")]
    NotAllowed(String),
    /// A fault that cannot be injected (no effect, or a status that is no error).
    #[error("invalid fault: {0}")]
    InvalidFault(String),
    /// The operating system gave no random bytes for the admin token.
    #[error("sandbox: {0}")]
    Randomness(String),
    /// A fault target that is neither an operationId of the served spec nor [`TOKEN`].
    #[error("unknown operation {0:?}; known: {known}", known = faults::known_targets())]
    UnknownOperation(String),
}

impl From<SandboxError> for scalexpert::Error {
    fn from(error: SandboxError) -> Self {
        scalexpert::Error::Configuration(error.to_string())
    }
}

/// One pair of credentials the token endpoint accepts.
#[derive(Clone)]
pub(crate) struct Registered {
    pub(crate) client_id: String,
    pub(crate) secret: String,
    pub(crate) psp: bool,
}

impl fmt::Debug for Registered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registered")
            .field("client_id", &self.client_id)
            .field("secret", &"[redacted]")
            .field("psp", &self.psp)
            .finish()
    }
}

/// A webhook endpoint given to the builder, checked when the sandbox starts.
#[derive(Debug, Clone)]
struct PendingWebhook {
    merchant: Option<String>,
    url: String,
    secrets: ReceiverSecrets,
}

/// Checks a webhook endpoint: an `http(s)` URL, and secrets and merchant reference that can
/// travel as header values.
pub(crate) fn webhook_endpoint(
    merchant: Option<&str>,
    url: &str,
    secrets: ReceiverSecrets,
) -> Result<webhooks::Endpoint, SandboxError> {
    let url = webhooks::parse_url(url).map_err(SandboxError::Configuration)?;
    if secrets
        .delivery_headers(merchant, b"{}", chrono::Utc::now())
        .is_err()
    {
        // Which value is wrong stays unsaid: it may be a secret.
        return Err(SandboxError::Configuration(
            "webhook secrets or merchant reference cannot be sent as HTTP header values".into(),
        ));
    }
    Ok(webhooks::Endpoint { url, secrets })
}

/// Configures a [`Sandbox`] before it starts.
#[derive(Debug, Clone)]
pub struct SandboxBuilder {
    address: SocketAddr,
    clients: Vec<Registered>,
    token_lifetime: Duration,
    rules: RuleTable,
    insurance_rules: InsuranceRules,
    quote_lifetime: Duration,
    webhooks: Vec<PendingWebhook>,
    webhook_retry: WebhookRetry,
    webhook_copies: u32,
    limits: Limits,
    quota: (u32, Duration),
    admin_token: Option<Secret>,
}

/// A secret the builder holds: never shown by `Debug`.
#[derive(Clone)]
struct Secret(String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Default for SandboxBuilder {
    fn default() -> Self {
        SandboxBuilder {
            address: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            clients: vec![
                Registered {
                    client_id: DEFAULT_CLIENT_ID.into(),
                    secret: DEFAULT_CLIENT_SECRET.into(),
                    psp: false,
                },
                Registered {
                    client_id: DEFAULT_PSP_CLIENT_ID.into(),
                    secret: DEFAULT_PSP_CLIENT_SECRET.into(),
                    psp: true,
                },
            ],
            token_lifetime: Duration::from_secs(3600),
            rules: RuleTable::standard(),
            insurance_rules: InsuranceRules::standard(),
            quote_lifetime: DEFAULT_QUOTE_LIFETIME,
            webhooks: Vec::new(),
            webhook_retry: WebhookRetry::default(),
            webhook_copies: webhooks::DEFAULT_COPIES,
            limits: Limits::default(),
            quota: (quota::DEFAULT_CALLS, quota::DEFAULT_WINDOW),
            admin_token: None,
        }
    }
}

impl SandboxBuilder {
    /// Listens on this address (default `127.0.0.1:0`, a free port).
    pub fn address(mut self, address: SocketAddr) -> Self {
        self.address = address;
        self
    }

    /// Listens on this port of `127.0.0.1` (0 picks a free one).
    pub fn port(mut self, port: u16) -> Self {
        self.address = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        self
    }

    /// Forgets the default credentials ([`DEFAULT_CLIENT_ID`], [`DEFAULT_PSP_CLIENT_ID`]), so
    /// only the ones added afterwards are accepted.
    pub fn without_default_clients(mut self) -> Self {
        self.clients.clear();
        self
    }

    /// Accepts these merchant credentials.
    pub fn merchant_client(
        mut self,
        client_id: impl Into<String>,
        secret: impl Into<String>,
    ) -> Self {
        self.clients.push(Registered {
            client_id: client_id.into(),
            secret: secret.into(),
            psp: false,
        });
        self
    }

    /// Accepts these PSP credentials: their calls must name a merchant in
    /// `X-BAAS-CLIENT-REF-FOR-PROXI-ID`, and each merchant sees only its own subscriptions.
    pub fn psp_client(mut self, client_id: impl Into<String>, secret: impl Into<String>) -> Self {
        self.clients.push(Registered {
            client_id: client_id.into(),
            secret: secret.into(),
            psp: true,
        });
        self
    }

    /// The `expires_in` of issued tokens (default one hour); a token is refused once it is over.
    pub fn token_lifetime(mut self, lifetime: Duration) -> Self {
        self.token_lifetime = lifetime;
        self
    }

    /// Replaces the eligibility and pricing rules (default [`RuleTable::standard`]).
    pub fn rules(mut self, rules: RuleTable) -> Self {
        self.rules = rules;
        self
    }

    /// Replaces the insurance eligibility and pricing rules (default
    /// [`InsuranceRules::standard`]).
    pub fn insurance_rules(mut self, rules: InsuranceRules) -> Self {
        self.insurance_rules = rules;
        self
    }

    /// How long an insurance quotation can be subscribed (default
    /// [`DEFAULT_QUOTE_LIFETIME`], 48 hours). `Duration::ZERO` makes every quotation expired
    /// as soon as it is issued, for tests of the refusal.
    pub fn quote_lifetime(mut self, lifetime: Duration) -> Self {
        self.quote_lifetime = lifetime;
        self
    }

    /// Delivers the events of the tenant `merchant` to `url`, as [`Sandbox::set_webhook`] does
    /// once running. A bad URL or header value is reported by [`start`](Self::start).
    pub fn webhook(
        mut self,
        merchant: Option<&str>,
        url: impl Into<String>,
        secrets: ReceiverSecrets,
    ) -> Self {
        self.webhooks.push(PendingWebhook {
            merchant: merchant.map(String::from),
            url: url.into(),
            secrets,
        });
        self
    }

    /// How refused webhook deliveries are retried (default [`WebhookRetry::default`]).
    pub fn webhook_retry(mut self, retry: WebhookRetry) -> Self {
        self.webhook_retry = retry;
        self
    }

    /// Delivers each webhook event `copies` times (default 1), one copy after the other, each
    /// retried as [`webhook_retry`](Self::webhook_retry) says until it is answered 2xx, even
    /// when an earlier copy was: the duplicates of an at-least-once sender (Scalexpert
    /// redelivers an event whose acknowledgement it did not get), for testing that a receiver
    /// handles each event once. 0 is refused by [`start`](Self::start).
    pub fn webhook_copies(mut self, copies: u32) -> Self {
        self.webhook_copies = copies;
        self
    }

    /// What the sandbox accepts and holds (default [`Limits::default`]).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// At most `calls` API calls per client id and scope in any window of
    /// [`quota_window`](Self::quota_window) (default 600, the gateway's quota); more get 429
    /// with `Retry-After`. 0 turns the limit off (calls are still counted, see
    /// [`Sandbox::stats`]). Token requests do not count.
    pub fn quota(mut self, calls: u32) -> Self {
        self.quota.0 = calls;
        self
    }

    /// The sliding window of [`quota`](Self::quota) (default 60 s).
    pub fn quota_window(mut self, window: Duration) -> Self {
        self.quota.1 = window;
        self
    }

    /// The token admin requests (`/sandbox/admin/...`) must send in
    /// [`ADMIN_TOKEN_HEADER`]; without it the sandbox makes a random one
    /// ([`Sandbox::admin_token`]). At least 16 visible ASCII characters.
    pub fn admin_token(mut self, token: impl Into<String>) -> Self {
        self.admin_token = Some(Secret(token.into()));
        self
    }

    /// Binds the address and starts serving on the current tokio runtime.
    pub async fn start(self) -> Result<Sandbox, SandboxError> {
        self.rules.check().map_err(SandboxError::Configuration)?;
        self.insurance_rules
            .check()
            .map_err(SandboxError::Configuration)?;
        if self.clients.is_empty() {
            return Err(SandboxError::Configuration(
                "no credentials: add a merchant or PSP client".into(),
            ));
        }
        if let Some(empty) = self
            .clients
            .iter()
            .find(|c| c.client_id.is_empty() || c.secret.is_empty())
        {
            return Err(SandboxError::Configuration(format!(
                "client {:?} has an empty id or secret",
                empty.client_id
            )));
        }
        let admin_token = match self.admin_token {
            Some(Secret(token)) => {
                if token.len() < 16 || !token.bytes().all(|b| b.is_ascii_graphic()) {
                    return Err(SandboxError::Configuration(
                        "the admin token must be at least 16 visible ASCII characters".into(),
                    ));
                }
                token
            }
            None => {
                random::token("sbxadm_").map_err(|e| SandboxError::Randomness(e.to_string()))?
            }
        };
        let store = store::Store::new(&self.limits);
        for pending in self.webhooks {
            let endpoint =
                webhook_endpoint(pending.merchant.as_deref(), &pending.url, pending.secrets)?;
            store.webhooks.set(pending.merchant, Some(endpoint));
        }
        store
            .webhooks
            .start(self.webhook_retry, self.webhook_copies)
            .map_err(SandboxError::Configuration)?;
        let spec = validation::Spec::load().map_err(SandboxError::Configuration)?;
        let listener = tokio::net::TcpListener::bind(self.address)
            .await
            .map_err(|e| SandboxError::Listen(format!("{}: {e}", self.address)))?;
        let local = listener
            .local_addr()
            .map_err(|e| SandboxError::Listen(e.to_string()))?;
        // A wildcard bind is reached through loopback; links handed to the buyer must resolve.
        let host = if local.ip().is_unspecified() {
            Ipv4Addr::LOCALHOST.to_string()
        } else if local.is_ipv6() {
            format!("[{}]", local.ip())
        } else {
            local.ip().to_string()
        };
        let base_url = format!("http://{host}:{}", local.port());
        let state = Arc::new(state::State {
            spec,
            insurance: insurance::Insurance::new(self.insurance_rules, self.quote_lifetime),
            auth: auth::Auth::new(
                self.clients.clone(),
                self.token_lifetime,
                self.limits.max_tokens_per_client,
            ),
            store,
            rules: RwLock::new(Arc::new(self.rules)),
            faults: Faults::default(),
            quota: quota::Quota::new(self.quota.0, self.quota.1),
            limits: self.limits,
            base_url: base_url.clone(),
            local,
            admin_token,
        });
        let (stop, stopped) = oneshot::channel::<()>();
        let app = server::router(Arc::clone(&state)).map_err(SandboxError::Configuration)?;
        let limits = self.limits;
        let task = tokio::spawn(async move {
            connections::serve(listener, app, limits, async {
                // Dropping the sender (the Sandbox) stops the server too.
                let _ = stopped.await;
            })
            .await;
            Ok(())
        });
        Ok(Sandbox {
            base_url,
            state,
            clients: self.clients,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

/// A running sandbox. Dropping it stops the server.
pub struct Sandbox {
    base_url: String,
    state: Arc<state::State>,
    clients: Vec<Registered>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), SandboxError>>>,
}

impl fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.base_url)
            .field("clients", &self.clients)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Configures a sandbox.
    pub fn builder() -> SandboxBuilder {
        SandboxBuilder::default()
    }

    /// Starts a sandbox with the defaults: a free port of `127.0.0.1`, the default merchant and
    /// PSP credentials, [`RuleTable::standard`].
    pub async fn start() -> Result<Sandbox, SandboxError> {
        SandboxBuilder::default().start().await
    }

    /// The root URL, such as `http://127.0.0.1:41234`: give it to [`Environment::custom`].
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The environment a [`Client`] needs to call this sandbox.
    pub fn environment(&self) -> Environment {
        Environment::Custom(self.base_url.clone())
    }

    /// The first merchant credentials the sandbox accepts.
    pub fn credentials(&self) -> Option<Credentials> {
        self.first_client(false)
    }

    /// The first PSP credentials the sandbox accepts.
    pub fn psp_credentials(&self) -> Option<Credentials> {
        self.first_client(true)
    }

    fn first_client(&self, psp: bool) -> Option<Credentials> {
        self.clients
            .iter()
            .find(|c| c.psp == psp)
            .map(|c| Credentials::new(c.client_id.clone(), c.secret.clone()))
    }

    /// A client with the first merchant credentials, pointed at this sandbox.
    pub fn client(&self) -> scalexpert::Result<Client> {
        self.client_with(self.credentials())
    }

    /// A client with the first PSP credentials; use [`Client::for_merchant`] to act for a merchant.
    pub fn psp_client(&self) -> scalexpert::Result<Client> {
        self.client_with(self.psp_credentials())
    }

    fn client_with(&self, credentials: Option<Credentials>) -> scalexpert::Result<Client> {
        let credentials = credentials.ok_or_else(|| {
            scalexpert::Error::Configuration("the sandbox has no credentials of that kind".into())
        })?;
        Client::builder()
            .environment(self.environment())
            .credentials(credentials)
            .build()
    }

    /// Where to make calls fail, slow down or lose their connection.
    pub fn faults(&self) -> &Faults {
        &self.state.faults
    }

    /// What the admin endpoints must receive in [`ADMIN_TOKEN_HEADER`] (the library API needs
    /// none).
    pub fn admin_token(&self) -> &str {
        &self.state.admin_token
    }

    /// The calls and token requests of every client id and scope so far, as
    /// `GET /sandbox/admin/stats` lists them.
    pub fn stats(&self) -> Stats {
        self.state.quota.stats()
    }

    /// Ends the buyer's journey of a subscription as the journey page would, whoever owns it.
    pub fn complete_journey(
        &self,
        subscription: uuid::Uuid,
        outcome: JourneyOutcome,
    ) -> Result<Status, SandboxError> {
        self.state
            .store
            .update_any(subscription, |record| record.complete_journey(outcome))
            .ok_or(SandboxError::UnknownSubscription(subscription))?
            .map_err(|e| SandboxError::NotAllowed(e.message))
    }

    /// Opens a subscription without a call, as `initiateCreditSubscription` does once a request
    /// has passed validation: the same rule table, limits and refusal of an order id already
    /// used, the same webhook event. To fill a back office with thousands of subscriptions in
    /// a test, quickly; the request itself is not checked against the spec (send it through the
    /// API for that). `client_id` is the credentials' client id and `merchant` the reference a
    /// PSP names (`None` for the credentials' own subscriptions), as the gate would see them.
    /// The new subscription's id.
    pub fn open_subscription(
        &self,
        client_id: &str,
        merchant: Option<&str>,
        request: served::types::InitiateCreditSubscriptionRequest,
    ) -> Result<uuid::Uuid, SandboxError> {
        let tenant = lifecycle::Tenant {
            client_id: client_id.to_owned(),
            merchant: merchant.map(String::from),
        };
        server::open_subscription(&self.state, tenant, request)
            .map(|(id, _journey)| id)
            .map_err(|failure| SandboxError::NotAllowed(failure.message()))
    }

    /// Sends the events of one tenant's subscriptions to `url` from now on, replacing any
    /// earlier endpoint of that tenant: `merchant` is the reference a PSP passes in
    /// `X-BAAS-CLIENT-REF-FOR-PROXI-ID` (deliveries then carry it too), `None` the merchant
    /// credentials' own subscriptions. `secrets` say how deliveries are authenticated and
    /// signed, as the receiver's [`ReceiverSecrets`] check them.
    ///
    /// Each status change (`SC_SUBSCRIPTION_<status>`, creation included) and each accepted
    /// cancellation (`SC_CANCEL_REQUEST_<cancellationStatus>`) is POSTed in the background, in
    /// order; a delivery not answered 2xx is retried as [`SandboxBuilder::webhook_retry`] says,
    /// and each event is delivered [`SandboxBuilder::webhook_copies`] times.
    pub fn set_webhook(
        &self,
        merchant: Option<&str>,
        url: &str,
        secrets: ReceiverSecrets,
    ) -> Result<(), SandboxError> {
        let endpoint = webhook_endpoint(merchant, url, secrets)?;
        self.state
            .store
            .webhooks
            .set(merchant.map(String::from), Some(endpoint));
        Ok(())
    }

    /// Stops delivering the events of the tenant `merchant` (see [`set_webhook`](Self::set_webhook)).
    pub fn remove_webhook(&self, merchant: Option<&str>) {
        self.state
            .store
            .webhooks
            .set(merchant.map(String::from), None);
    }

    /// The insurance rules in force.
    pub fn insurance_rules(&self) -> InsuranceRules {
        self.state.insurance.rules().as_ref().clone()
    }

    /// Replaces the insurance rules while running; later calls use the new ones.
    pub fn set_insurance_rules(&self, rules: InsuranceRules) -> Result<(), SandboxError> {
        rules.check().map_err(SandboxError::Configuration)?;
        self.state.insurance.set_rules(rules);
        Ok(())
    }

    /// Moves an insurance subscription, whoever owns it, to `status` as the insurer would
    /// (activation once the manufacturer's warranty ends, termination, an abort or a
    /// rejection), if the documented life cycle allows it; the change sends its
    /// `CI_SUBSCRIPTION_<status>` event.
    pub fn set_insurance_status(
        &self,
        subscription: uuid::Uuid,
        status: InsuranceStatus,
    ) -> Result<InsuranceStatus, SandboxError> {
        insurance::handlers::set_status(&self.state, subscription, status)
    }

    /// Every status an insurance subscription (whoever owns it) took, in order, the current
    /// one last: the sandbox's own record, for tests that must not take a client's word (a
    /// policy cancelled once holds `CANCELLED` once).
    pub fn insurance_history(
        &self,
        subscription: uuid::Uuid,
    ) -> Result<Vec<InsuranceStatus>, SandboxError> {
        self.state
            .insurance
            .store
            .history(subscription)
            .ok_or(SandboxError::UnknownSubscription(subscription))
    }

    /// Makes every insurance quotation issued so far expired, as if its lifetime were over.
    pub fn expire_quotations(&self) {
        self.state.insurance.store.expire_quotes(chrono::Utc::now());
    }

    /// Makes every token issued so far invalid, as if they had expired.
    pub fn expire_tokens(&self) {
        self.state.auth.expire_all();
    }

    /// The rules in force.
    pub fn rules(&self) -> RuleTable {
        self.state.rules().as_ref().clone()
    }

    /// Replaces the rules while running; later calls use the new table.
    pub fn set_rules(&self, rules: RuleTable) -> Result<(), SandboxError> {
        rules.check().map_err(SandboxError::Configuration)?;
        *self
            .state
            .rules
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::new(rules);
        Ok(())
    }

    /// Serves until the server fails (for the binary: until the process is stopped).
    pub async fn run_until_stopped(mut self) -> Result<(), SandboxError> {
        let Some(task) = self.task.take() else {
            return Ok(());
        };
        // Keep the stop sender alive while serving: dropping it would stop the server.
        let _stop = self.stop.take();
        task.await
            .map_err(|e| SandboxError::Listen(e.to_string()))
            .and_then(|served| served)
    }

    /// Stops the server and waits until it has closed its listener.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
