//! OAuth2 client credentials and the shared token cache.
//!
//! The token is opaque: only `expires_in` tells its lifetime. One cache serves every version's
//! client and every merchant view of a `Client`: it fetches lazily, reuses the token
//! until `expires_in` minus a safety margin, and lets exactly one caller refresh while the
//! others wait for its result.

use crate::body::read_bounded;
use crate::error::Error;
use crate::error::{AuthError, NetworkError, Step};
use crate::redact::{excerpt, Redactor};
use base64::Engine as _;
use reqwest::header::{HeaderValue, AUTHORIZATION};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::time::Instant;
use tracing::Instrument;

#[cfg(feature = "redis")]
mod shared_token;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use shared_token::SharedToken;

/// A client id and secret issued by Scalexpert (the "API key").
///
/// `Debug` never shows the secret:
/// ```
/// let credentials = scalexpert::Credentials::new("my-id", "s3cr3t");
/// assert!(!format!("{credentials:?}").contains("s3cr3t"));
/// ```
#[derive(Clone)]
pub struct Credentials {
    client_id: String,
    client_secret: SecretString,
}

impl Credentials {
    /// Credentials from an id and a secret.
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        Credentials {
            client_id: client_id.into(),
            client_secret: SecretString::from(client_secret.into()),
        }
    }

    /// The client id (not secret).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .finish()
    }
}

/// A token ready to send: the whole `Authorization` header value, marked sensitive.
#[derive(Clone)]
pub(crate) struct Token {
    pub(crate) authorization: HeaderValue,
    refresh_after: Instant,
}

impl Token {
    /// The token itself, without its scheme: what a server echoing it would show.
    pub(crate) fn secret(&self) -> Option<&str> {
        let value = self.authorization.to_str().ok()?;
        Some(value.strip_prefix("Bearer ").unwrap_or(value))
    }
}

/// The shared token cache of a client: one token per OAuth2 scope in use.
///
/// Each API asks for the scope its spec declares (`e-financing:rw`, `common-services:rw`), so
/// one client serves every API family; `ClientBuilder::scope` overrides that for all.
pub(crate) struct TokenCache {
    client_id: String,
    /// `Basic base64(client_id:secret)`, sent to the token endpoint and removed from any text
    /// a server echoes.
    basic: SecretString,
    redactor: Redactor,
    token_url: String,
    margin: Duration,
    scope_override: Option<String>,
    /// A handful of entries at most (one per API family), so a list beats a map.
    slots: RwLock<Vec<Arc<TokenSlot>>>,
    /// Tokens shared with the fleet through Redis, when configured.
    #[cfg(feature = "redis")]
    shared: Option<shared_token::SharedTokens>,
}

/// The token of one scope.
pub(crate) struct TokenSlot {
    scope: String,
    current: RwLock<Option<Token>>,
    /// The last token the API refused (401): a shared copy of it is not used again.
    #[cfg(feature = "redis")]
    rejected: RwLock<Option<HeaderValue>>,
    /// Held by the one caller fetching a token; the others wait on it, then reuse its token.
    refreshing: tokio::sync::Mutex<()>,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default)]
    token_type: Option<String>,
    expires_in: u64,
}

impl TokenCache {
    pub(crate) fn new(
        credentials: Credentials,
        token_url: String,
        scopes: &[String],
        margin: Duration,
    ) -> Self {
        let secret = credentials.client_secret.expose_secret();
        let encoded = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{secret}", credentials.client_id));
        TokenCache {
            redactor: Redactor::new(secret, &encoded),
            basic: SecretString::from(format!("Basic {encoded}")),
            client_id: credentials.client_id,
            token_url,
            margin,
            scope_override: (!scopes.is_empty()).then(|| scopes.join(" ")),
            slots: RwLock::new(Vec::new()),
            #[cfg(feature = "redis")]
            shared: None,
        }
    }

    /// Shares this client's tokens with the fleet through Redis.
    #[cfg(feature = "redis")]
    pub(crate) fn shared(mut self, shared: SharedToken, environment: &crate::Environment) -> Self {
        self.shared = Some(shared_token::SharedTokens::new(
            shared,
            &environment.token_url(),
            &self.client_id,
        ));
        self
    }

    /// Removes every credential this client sends (and `token`) from text a server sent.
    pub(crate) fn scrub(&self, text: &str, token: Option<&Token>) -> String {
        self.redactor.scrub(text, token.and_then(Token::secret))
    }

    /// The token slot for an API whose spec declares `api_scope`.
    pub(crate) fn slot(&self, api_scope: &str) -> Arc<TokenSlot> {
        let scope = self.scope_override.as_deref().unwrap_or(api_scope);
        let find = |slots: &[Arc<TokenSlot>]| slots.iter().find(|s| s.scope == scope).cloned();
        if let Some(slot) = find(&self.slots.read().unwrap_or_else(|p| p.into_inner())) {
            return slot;
        }
        let mut slots = self.slots.write().unwrap_or_else(|p| p.into_inner());
        if let Some(slot) = find(&slots) {
            return slot;
        }
        let slot = Arc::new(TokenSlot {
            scope: scope.to_string(),
            current: RwLock::new(None),
            #[cfg(feature = "redis")]
            rejected: RwLock::new(None),
            refreshing: tokio::sync::Mutex::new(()),
        });
        slots.push(Arc::clone(&slot));
        slot
    }

    /// A new token for `slot`, fetched by this caller or by the one already fetching, within
    /// `limit` (the call's timeout): waiting for another caller's fetch counts too.
    pub(crate) async fn refresh(
        &self,
        slot: &TokenSlot,
        http: &reqwest::Client,
        limit: Duration,
    ) -> Result<Token, Error> {
        let fetched = tokio::time::timeout(limit, async {
            let _guard = slot.refreshing.lock().await;
            // Someone else may have refreshed while we waited.
            if let Some(token) = slot.fresh() {
                return Ok(token);
            }
            let token = self.obtain(slot, http, limit).await?;
            *slot
                .current
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(token.clone());
            Ok(token)
        })
        .await;
        // Dropping the fetch on timeout releases the lock: the next caller fetches anew.
        fetched.unwrap_or_else(|_| {
            Err(NetworkError::deadline_passed(Step::TokenRequest, limit).into_error())
        })
    }

    /// A token for `slot`: the fleet's when tokens are shared, else one requested now.
    async fn obtain(
        &self,
        slot: &TokenSlot,
        http: &reqwest::Client,
        limit: Duration,
    ) -> Result<Token, Error> {
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.shared {
            return shared.obtain(self, slot, http, limit).await;
        }
        let _ = limit;
        self.fetch(&slot.scope, http).await
    }

    /// One token request, in its own span (entered only while the request is polled, so events
    /// of other tasks on the thread never appear inside it).
    async fn fetch(&self, scope: &str, http: &reqwest::Client) -> Result<Token, Error> {
        let span = tracing::debug_span!(
            "scalexpert.token",
            client_id = %self.client_id,
            scope,
            status = tracing::field::Empty
        );
        self.fetch_unspanned(scope, http, &span)
            .instrument(span.clone())
            .await
    }

    async fn fetch_unspanned(
        &self,
        scope: &str,
        http: &reqwest::Client,
        span: &tracing::Span,
    ) -> Result<Token, Error> {
        let mut basic = HeaderValue::from_str(self.basic.expose_secret()).map_err(|_| {
            Error::Configuration("the client id or secret cannot be sent in a header".into())
        })?;
        basic.set_sensitive(true);
        let unreachable = |error: reqwest::Error| {
            let network = NetworkError::from_reqwest(error, Step::TokenRequest, None);
            if network.is_timeout() {
                network.into_error()
            } else {
                Error::Auth(AuthError::unreachable(network))
            }
        };
        let mut response = http
            .post(&self.token_url)
            .header(AUTHORIZATION, basic)
            .form(&[("grant_type", "client_credentials"), ("scope", scope)])
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        span.record("status", status.as_u16());
        if !status.is_success() {
            let body = read_bounded(&mut response, MAX_TOKEN_ERROR_BODY).await;
            let detail = self.scrub(&String::from_utf8_lossy(&body), None);
            return Err(Error::Auth(AuthError::answered(
                status,
                excerpt(detail.as_bytes()),
            )));
        }
        let body = response.bytes().await.map_err(unreachable)?;
        let parsed: TokenResponse = serde_json::from_slice(&body).map_err(|e| {
            // The body holds the token: name the problem, never quote a value.
            let detail = format!(
                "unexpected token response: {}",
                crate::redact::decode_message(&e, &body)
            );
            Error::Auth(AuthError::answered(status, detail))
        })?;
        if parsed
            .token_type
            .as_deref()
            .is_some_and(|t| !t.eq_ignore_ascii_case("bearer"))
        {
            return Err(Error::Auth(AuthError::answered(
                status,
                "token_type is not Bearer".to_string(),
            )));
        }
        let mut authorization = HeaderValue::try_from(format!("Bearer {}", parsed.access_token))
            .map_err(|_| {
                Error::Auth(AuthError::answered(
                    status,
                    "token is not a valid header value".to_string(),
                ))
            })?;
        authorization.set_sensitive(true);
        let lifetime = Duration::from_secs(parsed.expires_in);
        // A lifetime shorter than the margin would never be reused; keep half of it then.
        let usable = lifetime
            .checked_sub(self.margin)
            .filter(|d| !d.is_zero())
            .unwrap_or(lifetime / 2);
        Ok(Token {
            authorization,
            refresh_after: Instant::now() + usable,
        })
    }
}

/// How much of a token endpoint's error page is read.
const MAX_TOKEN_ERROR_BODY: usize = 16 * 1024;

impl TokenSlot {
    /// The scope its tokens are for.
    pub(crate) fn scope(&self) -> &str {
        &self.scope
    }

    /// The cached token, unless it is missing or due for refresh.
    pub(crate) fn fresh(&self) -> Option<Token> {
        let current = self
            .current
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        current
            .as_ref()
            .filter(|t| Instant::now() < t.refresh_after)
            .cloned()
    }

    /// Drops `rejected` (the API answered 401 with it) unless another caller already replaced it.
    pub(crate) fn invalidate(&self, rejected: &Token) {
        let mut current = self
            .current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if current
            .as_ref()
            .is_some_and(|t| t.authorization == rejected.authorization)
        {
            *current = None;
        }
        #[cfg(feature = "redis")]
        {
            *self
                .rejected
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) =
                Some(rejected.authorization.clone());
        }
    }

    /// The last token the API refused, if any.
    #[cfg(feature = "redis")]
    fn rejected(&self) -> Option<HeaderValue> {
        self.rejected
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }
}

impl fmt::Debug for TokenSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cached = self.current.read().map(|t| t.is_some()).unwrap_or(false);
        f.debug_struct("TokenSlot")
            .field("scope", &self.scope)
            .field("token_cached", &cached)
            .finish()
    }
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let slots = self.slots.read().map(|s| s.clone()).unwrap_or_default();
        f.debug_struct("TokenCache")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("token_url", &self.token_url)
            .field("scope_override", &self.scope_override)
            .field("margin", &self.margin)
            .field("tokens", &slots)
            .finish()
    }
}
