//! OAuth2 client credentials and the shared token cache.
//!
//! The token is opaque: only `expires_in` tells its lifetime. One cache serves every version's
//! client and every merchant view of a [`crate::Client`]: it fetches lazily, reuses the token
//! until `expires_in` minus a safety margin, and lets exactly one caller refresh while the
//! others wait for its result.

use crate::error::{excerpt, AuthError};
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use std::fmt;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::time::Instant;

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

/// The shared token cache of a client: one token per OAuth2 scope in use.
///
/// Each API asks for the scope its spec declares (`e-financing:rw`, `common-services:rw`), so
/// one client serves every API family; [`crate::ClientBuilder::scope`] overrides that for all.
pub(crate) struct TokenCache {
    credentials: Credentials,
    token_url: String,
    margin: Duration,
    scope_override: Option<String>,
    /// A handful of entries at most (one per API family), so a list beats a map.
    slots: RwLock<Vec<Arc<TokenSlot>>>,
}

/// The token of one scope.
pub(crate) struct TokenSlot {
    scope: String,
    current: RwLock<Option<Token>>,
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
        TokenCache {
            credentials,
            token_url,
            margin,
            scope_override: (!scopes.is_empty()).then(|| scopes.join(" ")),
            slots: RwLock::new(Vec::new()),
        }
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
            refreshing: tokio::sync::Mutex::new(()),
        });
        slots.push(Arc::clone(&slot));
        slot
    }

    /// A valid token of `slot`'s scope, fetching one if none is cached or the cached one is
    /// about to expire.
    pub(crate) async fn token(
        &self,
        slot: &TokenSlot,
        http: &reqwest::Client,
    ) -> Result<Token, AuthError> {
        if let Some(token) = slot.fresh() {
            return Ok(token);
        }
        let _guard = slot.refreshing.lock().await;
        // Someone else may have refreshed while we waited.
        if let Some(token) = slot.fresh() {
            return Ok(token);
        }
        let token = self.fetch(&slot.scope, http).await?;
        *slot
            .current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Some(token.clone());
        Ok(token)
    }
}

impl TokenSlot {
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
    }

    fn fresh(&self) -> Option<Token> {
        let current = self
            .current
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        current
            .as_ref()
            .filter(|t| Instant::now() < t.refresh_after)
            .cloned()
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

impl TokenCache {
    async fn fetch(&self, scope: &str, http: &reqwest::Client) -> Result<Token, AuthError> {
        let span = tracing::debug_span!(
            "scalexpert.token",
            client_id = %self.credentials.client_id,
            scope,
            status = tracing::field::Empty
        );
        let _entered = span.enter();
        let response = http
            .post(&self.token_url)
            .basic_auth(
                &self.credentials.client_id,
                Some(self.credentials.client_secret.expose_secret()),
            )
            .form(&[("grant_type", "client_credentials"), ("scope", scope)])
            .send()
            .await
            .map_err(|e| AuthError {
                status: None,
                detail: self.scrub(&e.to_string()),
            })?;
        let status = response.status();
        span.record("status", status.as_u16());
        let body = response.bytes().await.map_err(|e| AuthError {
            status: Some(status),
            detail: self.scrub(&e.to_string()),
        })?;
        if !status.is_success() {
            return Err(AuthError {
                status: Some(status),
                detail: self.scrub(&excerpt(&body)),
            });
        }
        let parsed: TokenResponse = serde_json::from_slice(&body).map_err(|e| AuthError {
            status: Some(status),
            // The body holds the token on success: name the problem, never echo it.
            detail: format!("unexpected token response: {e}"),
        })?;
        if parsed
            .token_type
            .as_deref()
            .is_some_and(|t| !t.eq_ignore_ascii_case("bearer"))
        {
            return Err(AuthError {
                status: Some(status),
                detail: "token_type is not Bearer".to_string(),
            });
        }
        let mut authorization = HeaderValue::try_from(format!("Bearer {}", parsed.access_token))
            .map_err(|_| AuthError {
                status: Some(status),
                detail: "token is not a valid header value".to_string(),
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

    /// Removes the secret from text that may echo the request.
    fn scrub(&self, text: &str) -> String {
        let secret = self.credentials.client_secret.expose_secret();
        if secret.is_empty() {
            text.to_string()
        } else {
            text.replace(secret, "[redacted]")
        }
    }
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let slots = self.slots.read().map(|s| s.clone()).unwrap_or_default();
        f.debug_struct("TokenCache")
            .field("credentials", &self.credentials)
            .field("token_url", &self.token_url)
            .field("scope_override", &self.scope_override)
            .field("margin", &self.margin)
            .field("tokens", &slots)
            .finish()
    }
}
