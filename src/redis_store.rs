//! The Redis a fleet of replicas shares (feature `redis`): one lazily opened, self-healing
//! connection with bounded commands, for the shared quota and the shared token.

use crate::error::Error;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::fmt;
use std::future::Future;
use std::sync::{Arc, RwLock};
use std::time::Duration;
use tokio::time::Instant;

/// How long a Redis command or connection attempt may take by default: the quota asks Redis
/// before every call, so a slow Redis must fall back quickly rather than slow every call.
const DEFAULT_TIMEOUT: Duration = Duration::from_millis(250);

/// A Redis shared by the replicas of a fleet: for [`SharedBudget`](crate::quota::SharedBudget)
/// and [`SharedToken`](crate::auth::SharedToken).
///
/// Opening parses the URL only; the connection is made on first use and made again after a
/// failure (the `redis` crate's connection manager). Every command is bounded by
/// [`timeout`](Self::timeout) (default 250 ms) and by the deadline of the call it serves, so no
/// call hangs on Redis. Cloning shares the connection. `Debug` leaves the URL out (it may hold
/// a password).
///
/// ```
/// # fn main() -> scalexpert::Result<()> {
/// let redis = scalexpert::RedisStore::open("redis://127.0.0.1:6379")?
///     .timeout(std::time::Duration::from_millis(100));
/// assert!(scalexpert::RedisStore::open("not a url").is_err());
/// # let _ = redis; Ok(()) }
/// ```
#[derive(Clone)]
pub struct RedisStore {
    inner: Arc<StoreInner>,
}

struct StoreInner {
    client: redis::Client,
    timeout: Duration,
    connection: RwLock<Option<ConnectionManager>>,
    /// Held by the one caller opening the connection.
    connecting: tokio::sync::Mutex<()>,
}

/// A Redis command that failed, timed out, or could not be sent; its text names no value.
#[derive(Debug)]
pub(crate) struct StoreError(pub(crate) String);

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl RedisStore {
    /// A store for `url` (`redis://[:password@]host:port[/db]`; `rediss://` needs one of the
    /// `redis` crate's TLS features). Fails only on a URL that cannot be one, without
    /// repeating it.
    pub fn open(url: &str) -> Result<RedisStore, Error> {
        let client = redis::Client::open(url)
            .map_err(|e| Error::Configuration(format!("invalid Redis URL ({:?})", e.kind())))?;
        Ok(RedisStore::with_client(client, DEFAULT_TIMEOUT))
    }

    fn with_client(client: redis::Client, timeout: Duration) -> RedisStore {
        RedisStore {
            inner: Arc::new(StoreInner {
                client,
                timeout,
                connection: RwLock::new(None),
                connecting: tokio::sync::Mutex::new(()),
            }),
        }
    }

    /// The longest a command or a connection attempt may take (default 250 ms). Set it before
    /// the store is used or cloned.
    pub fn timeout(self, timeout: Duration) -> RedisStore {
        RedisStore::with_client(self.inner.client.clone(), timeout)
    }

    /// Runs `command` on the connection, within the store's timeout and `deadline`.
    pub(crate) async fn run<T, F, Fut>(
        &self,
        deadline: Instant,
        command: F,
    ) -> Result<T, StoreError>
    where
        F: FnOnce(ConnectionManager) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let limit = deadline
            .saturating_duration_since(Instant::now())
            .min(self.inner.timeout);
        let work = async {
            let connection = self.connection().await?;
            command(connection)
                .await
                .map_err(|e| StoreError(format!("Redis: {:?}", e.kind())))
        };
        tokio::time::timeout(limit, work)
            .await
            .unwrap_or_else(|_| Err(StoreError(format!("Redis did not answer within {limit:?}"))))
    }

    async fn connection(&self) -> Result<ConnectionManager, StoreError> {
        if let Some(connection) = self.current() {
            return Ok(connection);
        }
        let _opening = self.inner.connecting.lock().await;
        if let Some(connection) = self.current() {
            return Ok(connection);
        }
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(self.inner.timeout))
            .set_connection_timeout(Some(self.inner.timeout))
            .set_number_of_retries(1);
        let connection = ConnectionManager::new_with_config(self.inner.client.clone(), config)
            .await
            .map_err(|e| StoreError(format!("cannot connect to Redis: {:?}", e.kind())))?;
        *self
            .inner
            .connection
            .write()
            .unwrap_or_else(|p| p.into_inner()) = Some(connection.clone());
        Ok(connection)
    }

    fn current(&self) -> Option<ConnectionManager> {
        self.inner
            .connection
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("timeout", &self.inner.timeout)
            .finish_non_exhaustive()
    }
}
