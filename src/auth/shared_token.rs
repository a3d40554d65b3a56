//! One token per (environment, client id, scope) for a whole fleet, kept in Redis (feature
//! `redis`): fetched by one replica at a time under a lock with expiry, dropped by whichever
//! replica the gateway answers 401.

use super::{Token, TokenCache, TokenSlot};
use crate::error::Error;
use crate::redis_store::{RedisStore, StoreError};
use reqwest::header::HeaderValue;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// How often a replica waiting for another's token request looks for its token.
const POLL: Duration = Duration::from_millis(25);

/// Deletes the key only if it still holds `ARGV[1]`: a lock released late, or a rejected token
/// dropped late, must not remove its successor.
const DELETE_IF_SCRIPT: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// Shares one token per (environment, client id, scope) with every replica using the same
/// Redis (feature `redis`; opt in with
/// [`ClientBuilder::shared_token`](crate::ClientBuilder::shared_token)).
///
/// A replica that needs a token reads it from Redis; when there is none, one replica takes a
/// lock (`SET NX PX`, expiring after the call's timeout, so a replica dying mid-request frees
/// it), requests the token and stores it; the others wait for it. A 401 from the API makes the
/// replica that got it delete that token (only if Redis still holds that one) and get a new
/// one. Redis unreachable: each replica requests its own token, as without sharing, and says
/// so once in the log.
///
/// # What this puts in Redis, and how to protect it
///
/// - `<prefix>token:<token URL>:<client id>:<scope>` (default prefix `scalexpert:`): the
///   **access token itself, in clear**, with an expiry (`PX`) of its lifetime less the
///   client's refresh margin, so Redis never holds an expired token.
/// - The same key with `:lock` appended: a random value, while one replica requests a token.
///
/// Whoever reads the token key can call the API as the PSP, for every merchant, until the
/// token expires. Give the fleet its own Redis user (ACL) allowed only on the prefix, require
/// a password and TLS (`rediss://`), keep Redis off public networks, and turn off persistence
/// (or encrypt its disk) so tokens do not outlive their expiry in a dump. The client secret
/// never goes to Redis, and neither the token nor the Redis URL is ever logged or shown in
/// `Debug`.
///
/// ```no_run
/// # fn main() -> scalexpert::Result<()> {
/// use scalexpert::auth::SharedToken;
/// use scalexpert::{Client, Credentials, RedisStore};
///
/// let redis = RedisStore::open("rediss://fleet:password@redis.internal:6380")?;
/// let client = Client::builder()
///     .credentials(Credentials::new("psp-id", "psp-secret"))
///     .shared_token(SharedToken::new(redis))
///     .build()?;
/// # let _ = client; Ok(()) }
/// ```
#[derive(Clone)]
pub struct SharedToken {
    store: RedisStore,
    prefix: String,
}

impl fmt::Debug for SharedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedToken")
            .field("store", &self.store)
            .field("prefix", &self.prefix)
            .finish()
    }
}

impl SharedToken {
    /// Tokens shared through `store`.
    pub fn new(store: RedisStore) -> SharedToken {
        SharedToken {
            store,
            prefix: "scalexpert:".into(),
        }
    }

    /// The key prefix, to keep several fleets apart in one database.
    pub fn key_prefix(mut self, prefix: impl Into<String>) -> SharedToken {
        self.prefix = prefix.into();
        self
    }
}

/// The shared tokens of one client.
pub(crate) struct SharedTokens {
    store: RedisStore,
    /// `<prefix>token:<token URL>:<client id>:`; the scope follows.
    key_base: String,
    degraded: AtomicBool,
    delete_if: redis::Script,
}

impl SharedTokens {
    pub(crate) fn new(shared: SharedToken, token_url: &str, client_id: &str) -> SharedTokens {
        SharedTokens {
            key_base: format!("{}token:{token_url}:{client_id}:", shared.prefix),
            store: shared.store,
            degraded: AtomicBool::new(false),
            delete_if: redis::Script::new(DELETE_IF_SCRIPT),
        }
    }

    /// The fleet's token for `slot`: Redis's, or one this replica requests for everyone.
    /// Bounded by the caller's timeout around it; each command by the store's timeout.
    pub(crate) async fn obtain(
        &self,
        cache: &TokenCache,
        slot: &TokenSlot,
        http: &reqwest::Client,
        limit: Duration,
    ) -> Result<Token, Error> {
        let deadline = Instant::now() + limit;
        let key = format!("{}{}", self.key_base, slot.scope);
        let lock = format!("{key}:lock");
        let rejected = slot.rejected();
        loop {
            match self.read(&key, deadline).await {
                Ok(Some((value, token))) => {
                    if rejected.as_ref() != Some(&token.authorization) {
                        self.answered();
                        return Ok(token);
                    }
                    // The token the API refused: gone for every replica, unless replaced.
                    let _ = self.delete_if(&key, &value, deadline).await;
                }
                Ok(None) => {}
                Err(error) => {
                    self.unreachable(&error);
                    return cache.fetch(&slot.scope, http).await;
                }
            }
            let nonce = format!("{:032x}", fastrand::u128(..));
            match self.try_lock(&lock, &nonce, limit, deadline).await {
                Ok(true) => {
                    let fetched = cache.fetch(&slot.scope, http).await;
                    if let Ok(token) = &fetched {
                        // Best effort: a replica that misses it requests its own.
                        if let Err(error) = self.store_token(&key, token, deadline).await {
                            self.unreachable(&error);
                        }
                    }
                    let _ = self.delete_if(&lock, &nonce, deadline).await;
                    return fetched;
                }
                // Another replica is requesting it: look again shortly.
                Ok(false) => tokio::time::sleep(POLL).await,
                Err(error) => {
                    self.unreachable(&error);
                    return cache.fetch(&slot.scope, http).await;
                }
            }
        }
    }

    /// The stored token and its value, unless there is none (or it is about to expire).
    async fn read(
        &self,
        key: &str,
        deadline: Instant,
    ) -> Result<Option<(String, Token)>, StoreError> {
        let (value, ttl): (Option<String>, i64) = self
            .store
            .run(deadline, |mut connection| async move {
                redis::pipe()
                    .cmd("GET")
                    .arg(key)
                    .cmd("PTTL")
                    .arg(key)
                    .query_async(&mut connection)
                    .await
            })
            .await?;
        let (Some(value), Ok(ttl)) = (value, u64::try_from(ttl)) else {
            return Ok(None);
        };
        let Ok(mut authorization) = HeaderValue::try_from(format!("Bearer {value}")) else {
            return Ok(None);
        };
        authorization.set_sensitive(true);
        let token = Token {
            authorization,
            refresh_after: Instant::now() + Duration::from_millis(ttl),
        };
        Ok((ttl > 0).then_some((value, token)))
    }

    async fn try_lock(
        &self,
        lock: &str,
        nonce: &str,
        hold: Duration,
        deadline: Instant,
    ) -> Result<bool, StoreError> {
        let set: Option<String> = self
            .store
            .run(deadline, |mut connection| async move {
                redis::cmd("SET")
                    .arg(lock)
                    .arg(nonce)
                    .arg("NX")
                    .arg("PX")
                    .arg(millis(hold))
                    .query_async(&mut connection)
                    .await
            })
            .await?;
        Ok(set.is_some())
    }

    /// Stores `token` for the rest of its usable life (its lifetime less the refresh margin).
    async fn store_token(
        &self,
        key: &str,
        token: &Token,
        deadline: Instant,
    ) -> Result<(), StoreError> {
        let (Some(secret), Some(usable)) = (
            token.secret(),
            token.refresh_after.checked_duration_since(Instant::now()),
        ) else {
            return Ok(());
        };
        self.store
            .run(deadline, |mut connection| async move {
                redis::cmd("SET")
                    .arg(key)
                    .arg(secret)
                    .arg("PX")
                    .arg(millis(usable))
                    .query_async::<()>(&mut connection)
                    .await
            })
            .await
    }

    async fn delete_if(&self, key: &str, value: &str, deadline: Instant) -> Result<(), StoreError> {
        self.store
            .run(deadline, |mut connection| async move {
                self.delete_if
                    .key(key)
                    .arg(value)
                    .invoke_async::<i64>(&mut connection)
                    .await
            })
            .await
            .map(drop)
    }

    fn answered(&self) {
        if self.degraded.swap(false, Ordering::AcqRel) {
            tracing::info!("Redis answers again: tokens are shared again");
        }
    }

    fn unreachable(&self, error: &StoreError) {
        if !self.degraded.swap(true, Ordering::AcqRel) {
            tracing::warn!(%error, "Redis unreachable: this replica requests its own tokens");
        }
    }
}

/// Redis wants whole milliseconds, at least one.
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}
