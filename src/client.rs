//! The client users build once and share: environment, credentials, pool, token cache.

use crate::auth::{Credentials, TokenCache};
use crate::environment::{Environment, SpecUrls};
use crate::operation::Lane;
use crate::quota::{Governor, Quota};
use crate::shared::{Inner, KnownApi, Shared};
use crate::{ApiVersion, Error, Result, RetryPolicy};
use reqwest::header::HeaderValue;
use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;

const ENVIRONMENT_VAR: &str = "SCALEXPERT_ENVIRONMENT";
const BASE_URL_VAR: &str = "SCALEXPERT_BASE_URL";
const CLIENT_ID_VAR: &str = "SCALEXPERT_CLIENT_ID";
const CLIENT_SECRET_VAR: &str = "SCALEXPERT_CLIENT_SECRET";

/// A configuration error about the environment variable `name`, saying so.
fn about(name: &str, error: Error) -> Error {
    match error {
        Error::Configuration(message) => Error::Configuration(format!("{name}: {message}")),
        other => other,
    }
}

/// A Scalexpert client: one connection pool and one token cache for every enabled API version
/// and every merchant view. Cloning is cheap and shares both.
///
/// ```no_run
/// # async fn run() -> scalexpert::Result<()> {
/// use scalexpert::{Client, Credentials, Environment};
///
/// let client = Client::builder()
///     .environment(Environment::Uatc)
///     .credentials(Credentials::new("client-id", "client-secret"))
///     .build()?;
/// let solutions = client
///     .e_financing_v1_7_1()
///     .get_eligible_product_services()
///     .buyer_billing_country("FR")
///     .financed_amount(1500.0)
///     .send()
///     .await?;
/// println!("{} solutions", solutions.solutions.len());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    shared: Arc<Shared>,
    merchant: Option<HeaderValue>,
    timeout: Option<Duration>,
    lane: Option<Lane>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("merchant", &self.merchant)
            .field("timeout", &self.timeout)
            .field("lane", &self.lane)
            .field("shared", &self.shared)
            .finish()
    }
}

/// A generated client of one API version (implemented for each by `build.rs`).
pub trait GeneratedClient: Sized {
    /// Which API and version it was generated from.
    const API: ApiVersion;
    /// URLs the version's UATC spec file declares.
    const UATC_URLS: SpecUrls;
    /// URLs the version's production spec file declares.
    const PRODUCTION_URLS: SpecUrls;
    /// The OAuth2 scope(s) the version's spec declares, space-separated.
    const SCOPE: &'static str;
    /// Every operation of the version's spec.
    const OPERATIONS: &'static [crate::Operation];
    #[doc(hidden)]
    fn assemble(baseurl: &str, http: reqwest::Client, inner: Inner) -> Self;
}

impl Client {
    /// Starts configuring a client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: `SCALEXPERT_CLIENT_ID`,
    /// `SCALEXPERT_CLIENT_SECRET`, and `SCALEXPERT_ENVIRONMENT` (`production`, `uatc` or `uat`,
    /// spelled out) or `SCALEXPERT_BASE_URL` (not both). Without either, UATC. Errors name the
    /// variable at fault.
    pub fn from_env() -> Result<Client> {
        ClientBuilder::from_env()?.build()
    }

    /// The generated client of one API version, sharing this client's pool, token and merchant.
    pub fn api<C: GeneratedClient>(&self) -> C {
        let inner = |(token, quota)| Inner {
            token,
            quota,
            lane: self.lane,
            shared: Arc::clone(&self.shared),
            merchant: self.merchant.clone(),
            timeout: self.timeout,
            api: C::API,
            operations: C::OPERATIONS,
        };
        // Called before every call: the base URL and token slot are looked up, not rebuilt.
        let apis = self.shared.apis.read().unwrap_or_else(|p| p.into_inner());
        if let Some(known) = apis.iter().find(|known| known.api == C::API) {
            return C::assemble(
                &known.base_url,
                self.shared.http.clone(),
                inner(known.handles()),
            );
        }
        drop(apis);
        let token = self.shared.auth.slot(C::SCOPE);
        let known = KnownApi {
            api: C::API,
            base_url: self
                .shared
                .environment
                .api_base_url(&C::UATC_URLS, &C::PRODUCTION_URLS),
            quota: self.shared.quota.as_ref().map(|q| q.scope(token.scope())),
            token,
        };
        let client = C::assemble(
            &known.base_url,
            self.shared.http.clone(),
            inner(known.handles()),
        );
        let mut apis = self.shared.apis.write().unwrap_or_else(|p| p.into_inner());
        if !apis.iter().any(|k| k.api == C::API) {
            apis.push(known);
        }
        client
    }

    /// A view of this client acting for one merchant: every call it makes carries
    /// `X-BAAS-CLIENT-REF-FOR-PROXI-ID: <merchant>`. For PSPs; cheap (shares pool and token).
    ///
    /// Fails when `merchant` cannot be an HTTP header value (control characters, non-ASCII,
    /// empty).
    ///
    /// ```
    /// # fn main() -> scalexpert::Result<()> {
    /// let psp = scalexpert::Client::builder()
    ///     .environment(scalexpert::Environment::Uatc)
    ///     .credentials(scalexpert::Credentials::new("psp-id", "psp-secret"))
    ///     .build()?;
    /// let shop = psp.for_merchant("MERCHANT-0042")?;
    /// assert_eq!(shop.merchant(), Some("MERCHANT-0042"));
    /// assert!(psp.for_merchant("bad\nvalue").is_err());
    /// # Ok(()) }
    /// ```
    pub fn for_merchant(&self, merchant: &str) -> Result<Client> {
        Ok(Client {
            merchant: Some(merchant_header(merchant)?),
            ..self.clone()
        })
    }

    /// The merchant this view acts for, if any.
    pub fn merchant(&self) -> Option<&str> {
        self.merchant.as_ref().and_then(|m| m.to_str().ok())
    }

    /// A view of this client whose calls use another per-request timeout.
    pub fn with_timeout(&self, timeout: Duration) -> Client {
        Client {
            timeout: Some(timeout),
            ..self.clone()
        }
    }

    /// A view of this client whose calls take the quota lane `lane`, whatever their operation
    /// (a reconciliation reading statuses: [`Lane::Background`]). See [`crate::quota`].
    pub fn with_lane(&self, lane: Lane) -> Client {
        Client {
            lane: Some(lane),
            ..self.clone()
        }
    }

    /// The lane this view's calls take, when it overrides their operations' own.
    pub fn lane(&self) -> Option<Lane> {
        self.lane
    }

    /// The environment this client talks to.
    pub fn environment(&self) -> &Environment {
        &self.shared.environment
    }
}

fn merchant_header(merchant: &str) -> Result<HeaderValue> {
    let invalid = || {
        Error::InvalidRequest(format!(
            "merchant reference {merchant:?} is not a valid header value (printable ASCII, not empty)"
        ))
    };
    if merchant.trim().is_empty() || !merchant.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Err(invalid());
    }
    HeaderValue::from_str(merchant).map_err(|_| invalid())
}

/// Configures a [`Client`].
#[derive(Default)]
pub struct ClientBuilder {
    environment: Option<Environment>,
    credentials: Option<Credentials>,
    scopes: Vec<String>,
    merchant: Option<String>,
    connect_timeout: Option<Duration>,
    request_timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    token_margin: Option<Duration>,
    log_payloads: bool,
    http: Option<reqwest::Client>,
    /// `None`: the default quota; `Some(None)`: no governor.
    quota: Option<Option<Quota>>,
    #[cfg(feature = "redis")]
    shared_token: Option<crate::auth::SharedToken>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("environment", &self.environment)
            .field("credentials", &self.credentials)
            .field("scopes", &self.scopes)
            .field("merchant", &self.merchant)
            .field("quota", &self.quota)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// Reads `SCALEXPERT_CLIENT_ID`, `SCALEXPERT_CLIENT_SECRET`, `SCALEXPERT_ENVIRONMENT` and
    /// `SCALEXPERT_BASE_URL` (an empty variable counts as unset); other settings can still be
    /// changed before `build`. Every error names the variable at fault.
    pub fn from_env() -> Result<ClientBuilder> {
        Self::from_vars(|name| match std::env::var(name) {
            Ok(value) if value.is_empty() => Ok(None),
            Ok(value) => Ok(Some(value)),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(_)) => {
                Err(Error::Configuration(format!("{name} is not valid UTF-8")))
            }
        })
    }

    pub(crate) fn from_vars(
        var: impl Fn(&'static str) -> Result<Option<String>>,
    ) -> Result<ClientBuilder> {
        let environment = match (var(ENVIRONMENT_VAR)?, var(BASE_URL_VAR)?) {
            (Some(_), Some(_)) => {
                return Err(Error::Configuration(format!(
                    "{ENVIRONMENT_VAR} and {BASE_URL_VAR} are both set; set one"
                )))
            }
            (Some(name), None) => {
                Some(Environment::from_name(&name).map_err(|error| about(ENVIRONMENT_VAR, error))?)
            }
            (None, Some(url)) => {
                Some(Environment::custom(url).map_err(|error| about(BASE_URL_VAR, error))?)
            }
            (None, None) => None,
        };
        let credentials = match (var(CLIENT_ID_VAR)?, var(CLIENT_SECRET_VAR)?) {
            (Some(id), Some(secret)) => Some(Credentials::new(id, secret)),
            (None, None) => None,
            (id, _) => {
                let missing = if id.is_none() {
                    CLIENT_ID_VAR
                } else {
                    CLIENT_SECRET_VAR
                };
                return Err(Error::Configuration(format!("{missing} is not set")));
            }
        };
        Ok(ClientBuilder {
            environment,
            credentials,
            ..ClientBuilder::default()
        })
    }

    /// Which gateway to call (default: UATC).
    pub fn environment(mut self, environment: Environment) -> Self {
        self.environment = Some(environment);
        self
    }

    /// The client id and secret (required).
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.credentials = Some(credentials);
        self
    }

    /// Adds an OAuth2 scope. By default each API asks for the scope its spec declares
    /// (`e-financing:rw` for e-financing, `common-services:rw` for merchant-webhooks); once a
    /// scope is added here, every API asks for the added scopes, space-separated.
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scopes.push(scope.into());
        self
    }

    /// Makes every call of the client carry this merchant reference (PSP mode); see
    /// [`Client::for_merchant`] for per-merchant views of one client.
    pub fn merchant(mut self, merchant: impl Into<String>) -> Self {
        self.merchant = Some(merchant.into());
        self
    }

    /// Time allowed to open a connection (default 5 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Time allowed for one attempt of a call, from sending to the end of the body
    /// (default 30 s). [`Client::with_timeout`] overrides it for one view.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = Some(timeout);
        self
    }

    /// When to retry (default: [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = Some(retry);
        self
    }

    /// How long before its expiry a token is replaced (default 60 s).
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.token_margin = Some(margin);
        self
    }

    /// Logs request and error bodies at TRACE level. Off by default: bodies hold the buyer's
    /// personal data.
    pub fn log_payloads(mut self, on: bool) -> Self {
        self.log_payloads = on;
        self
    }

    /// Uses this `reqwest::Client` (its own timeouts, proxy, TLS settings) instead of building one.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// The quota every call takes a slot of before it is sent (default: [`Quota::default`],
    /// 600 calls per minute per scope, kept in this process). See [`crate::quota`].
    pub fn quota(mut self, quota: Quota) -> Self {
        self.quota = Some(Some(quota));
        self
    }

    /// Sends every call without taking a quota slot (a gateway with no quota, a benchmark).
    pub fn no_quota(mut self) -> Self {
        self.quota = Some(None);
        self
    }

    /// Shares one token per (environment, client id, scope) with every process using the same
    /// Redis (feature `redis`). See [`SharedToken`](crate::auth::SharedToken) for what that
    /// puts in Redis.
    #[cfg(feature = "redis")]
    #[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
    pub fn shared_token(mut self, shared: crate::auth::SharedToken) -> Self {
        self.shared_token = Some(shared);
        self
    }

    /// Builds the client; fails on missing credentials, an invalid merchant reference or an
    /// impossible quota.
    pub fn build(self) -> Result<Client> {
        let credentials = self.credentials.ok_or_else(|| {
            Error::Configuration(format!(
                "credentials are required: call .credentials(..), or set {CLIENT_ID_VAR} and \
                 {CLIENT_SECRET_VAR} for from_env"
            ))
        })?;
        if credentials.client_id().is_empty() {
            return Err(Error::Configuration("the client id is empty".into()));
        }
        let environment = self.environment.unwrap_or(Environment::Uatc);
        let merchant = self.merchant.as_deref().map(merchant_header).transpose()?;
        let request_timeout = self.request_timeout.unwrap_or(Duration::from_secs(30));
        let (http, pool_timeout) = match self.http {
            Some(http) => (http, None),
            // The request timeout set on the pool spares each call a per-request setting, which
            // costs reqwest an extension map per request.
            None => (
                reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout.unwrap_or(Duration::from_secs(5)))
                    .timeout(request_timeout)
                    .build()
                    .map_err(|e| {
                        Error::Configuration(format!("cannot build the HTTP client: {e}"))
                    })?,
                Some(request_timeout),
            ),
        };
        let quota = match self.quota.unwrap_or_else(|| Some(Quota::default())) {
            Some(quota) => Some(Governor::new(
                &quota,
                &environment,
                credentials.client_id(),
            )?),
            None => None,
        };
        let auth = TokenCache::new(
            credentials,
            environment.token_url(),
            &self.scopes,
            self.token_margin.unwrap_or(Duration::from_secs(60)),
        );
        #[cfg(feature = "redis")]
        let auth = match self.shared_token {
            Some(shared) => auth.shared(shared, &environment),
            None => auth,
        };
        let shared = Shared {
            http,
            environment,
            auth,
            retry: self.retry.unwrap_or_default(),
            request_timeout,
            pool_timeout,
            log_payloads: self.log_payloads,
            quota,
            apis: RwLock::new(Vec::new()),
        };
        Ok(Client {
            shared: Arc::new(shared),
            merchant,
            timeout: None,
            lane: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(
        pairs: &'a [(&'a str, &'a str)],
    ) -> impl Fn(&'static str) -> Result<Option<String>> + 'a {
        move |name| {
            Ok(pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string()))
        }
    }

    fn configuration_error(pairs: &[(&str, &str)]) -> String {
        match ClientBuilder::from_vars(vars(pairs)).and_then(ClientBuilder::build) {
            Err(Error::Configuration(message)) => message,
            other => panic!("expected a configuration error, got {other:?}"),
        }
    }

    #[test]
    fn environment_and_base_url_together_are_refused_naming_both() {
        let text = configuration_error(&[
            ("SCALEXPERT_ENVIRONMENT", "uatc"),
            ("SCALEXPERT_BASE_URL", "http://127.0.0.1:1"),
        ]);
        assert!(
            text.contains("SCALEXPERT_ENVIRONMENT") && text.contains("SCALEXPERT_BASE_URL"),
            "{text}"
        );
    }

    #[test]
    fn from_vars_reads_everything() {
        let client = ClientBuilder::from_vars(vars(&[
            ("SCALEXPERT_CLIENT_ID", "id"),
            ("SCALEXPERT_CLIENT_SECRET", "secret"),
            ("SCALEXPERT_ENVIRONMENT", "production"),
        ]))
        .and_then(ClientBuilder::build)
        .expect("configured");
        assert_eq!(client.environment(), &Environment::Production);
        assert!(configuration_error(&[("SCALEXPERT_CLIENT_ID", "id")])
            .contains("SCALEXPERT_CLIENT_SECRET"));
        assert!(configuration_error(&[("SCALEXPERT_CLIENT_SECRET", "s")])
            .contains("SCALEXPERT_CLIENT_ID"));
    }

    #[test]
    fn production_is_never_chosen_by_an_abbreviation() {
        let text = configuration_error(&[
            ("SCALEXPERT_CLIENT_ID", "id"),
            ("SCALEXPERT_CLIENT_SECRET", "secret"),
            ("SCALEXPERT_ENVIRONMENT", "prod"),
        ]);
        assert!(text.starts_with("SCALEXPERT_ENVIRONMENT: "), "{text}");
        assert!(text.contains("production, uatc or uat"), "{text}");
    }

    #[test]
    fn a_base_url_with_a_query_or_fragment_is_refused_naming_the_variable() {
        for url in [
            "http://127.0.0.1:8080/?tenant=a",
            "http://127.0.0.1:8080/#top",
            "https://user:pass@gateway.example",
        ] {
            let text = configuration_error(&[
                ("SCALEXPERT_CLIENT_ID", "id"),
                ("SCALEXPERT_CLIENT_SECRET", "secret"),
                ("SCALEXPERT_BASE_URL", url),
            ]);
            assert!(text.starts_with("SCALEXPERT_BASE_URL: "), "{url}: {text}");
        }
        assert!(!configuration_error(&[(
            "SCALEXPERT_BASE_URL",
            "https://user:pw-9z@gateway.example"
        )])
        .contains("pw-9z"));
    }

    #[test]
    fn every_error_about_a_variable_names_it() {
        assert!(
            configuration_error(&[("SCALEXPERT_BASE_URL", "localhost:8080")])
                .starts_with("SCALEXPERT_BASE_URL: ")
        );
        assert!(
            configuration_error(&[("SCALEXPERT_ENVIRONMENT", "staging")])
                .starts_with("SCALEXPERT_ENVIRONMENT: ")
        );
        let missing = configuration_error(&[]);
        assert!(
            missing.contains("SCALEXPERT_CLIENT_ID")
                && missing.contains("SCALEXPERT_CLIENT_SECRET"),
            "{missing}"
        );
        let unreadable = ClientBuilder::from_vars(|name| {
            if name == "SCALEXPERT_CLIENT_SECRET" {
                Err(Error::Configuration(format!("{name} is not valid UTF-8")))
            } else {
                Ok(None)
            }
        })
        .expect_err("refused");
        assert!(unreadable.to_string().contains("SCALEXPERT_CLIENT_SECRET"));
    }

    #[test]
    fn missing_credentials_are_a_configuration_error() {
        assert!(matches!(
            Client::builder().build(),
            Err(Error::Configuration(_))
        ));
    }
}
