//! The deduplicator shared by every replica of a receiver, on Redis (feature `redis`).

use super::{
    Claim, DedupeError, DedupeFuture, Deduplicator, Lease, DEFAULT_LEASE, DEFAULT_RETENTION,
};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use std::fmt;
use std::time::Duration;
use uuid::Uuid;

/// What a done event's key holds.
const DONE: &str = "done";
/// What an in-progress event's key holds, before the lease token.
const LEASE_PREFIX: &str = "lease:";

/// Deletes the key only if it still holds this claim's lease: a replica whose lease ran out
/// and was taken over must not release its successor's claim.
const RELEASE_SCRIPT: &str = r"
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";

/// A [`Deduplicator`] on Redis, shared by every replica of a receiver.
///
/// One key per event, `<prefix><event id>` (default prefix `scalexpert:webhook:`):
/// - a claim is `SET key lease:<token> NX PX <lease>` (and a `GET` in the same round trip, to
///   tell a live claim from a done event): only one replica gets [`Claim::First`];
/// - a successful handling is `SET key done PX <retention>` (default 6 days);
/// - a failed one deletes the key if it still holds this lease (a Lua script, atomic).
///
/// A replica that dies mid-handling leaves its key to expire after the lease (default 5
/// minutes, shorter than Scalexpert's 10 minutes between redeliveries): the next delivery is
/// claimed by whichever replica gets it. Only standard commands, so managed Redis works.
///
/// Commands time out (2 s by default with [`connect`](Self::connect)): a receiver whose Redis
/// is down answers 503, and Scalexpert delivers again later.
#[derive(Clone)]
pub struct RedisDeduplicator {
    connection: ConnectionManager,
    prefix: String,
    lease: Duration,
    retention: Duration,
    release: redis::Script,
}

impl fmt::Debug for RedisDeduplicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The connection (and its URL, which may hold a password) is left out.
        f.debug_struct("RedisDeduplicator")
            .field("prefix", &self.prefix)
            .field("lease", &self.lease)
            .field("retention", &self.retention)
            .finish_non_exhaustive()
    }
}

/// How long a command or a connection attempt may take by default before the receiver
/// answers 503.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

impl RedisDeduplicator {
    /// Connects to `url` (`redis://[:password@]host:port[/db]`, `rediss://` for TLS if the
    /// `redis` crate's TLS feature is on), with 2 s command and connection timeouts and
    /// automatic reconnection.
    pub async fn connect(url: &str) -> Result<RedisDeduplicator, DedupeError> {
        // The URL may hold a password: errors never repeat it.
        let client = redis::Client::open(url)
            .map_err(|e| DedupeError::new(format!("invalid Redis URL ({:?})", e.kind())))?;
        let config = ConnectionManagerConfig::new()
            .set_response_timeout(Some(DEFAULT_TIMEOUT))
            .set_connection_timeout(Some(DEFAULT_TIMEOUT))
            .set_number_of_retries(2);
        let connection = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(redis_error)?;
        Ok(RedisDeduplicator::new(connection))
    }

    /// Over a connection manager you configured (timeouts, TLS, credentials provider).
    pub fn new(connection: ConnectionManager) -> RedisDeduplicator {
        RedisDeduplicator {
            connection,
            prefix: "scalexpert:webhook:".into(),
            lease: DEFAULT_LEASE,
            retention: DEFAULT_RETENTION,
            release: redis::Script::new(RELEASE_SCRIPT),
        }
    }

    /// The key prefix, to keep several receivers (or environments) apart in one database.
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        self.prefix = prefix.into();
        self
    }

    /// How long a claim is held before another replica may take the event over (at least
    /// 1 ms).
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// How long a handled event is remembered (at least 1 ms; keep it beyond 5 days).
    pub fn retention(mut self, retention: Duration) -> Self {
        self.retention = retention;
        self
    }

    fn key(&self, id: Uuid) -> String {
        format!("{}{}", self.prefix, id.hyphenated())
    }
}

/// Redis wants whole milliseconds, at least one.
fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis())
        .unwrap_or(u64::MAX)
        .max(1)
}

fn redis_error(error: redis::RedisError) -> DedupeError {
    DedupeError::new(format!("Redis: {error}"))
}

impl Deduplicator for RedisDeduplicator {
    fn claim(&self, id: Uuid) -> DedupeFuture<'_, Result<Claim, DedupeError>> {
        Box::pin(async move {
            let lease = Lease::new(id);
            let key = self.key(id);
            let mut connection = self.connection.clone();
            let (set, current): (Option<String>, Option<String>) = redis::pipe()
                .cmd("SET")
                .arg(&key)
                .arg(format!("{LEASE_PREFIX}{}", lease.token_hex()))
                .arg("NX")
                .arg("PX")
                .arg(millis(self.lease))
                .cmd("GET")
                .arg(&key)
                .query_async(&mut connection)
                .await
                .map_err(redis_error)?;
            Ok(match (set, current.as_deref()) {
                (Some(_), _) => Claim::First(lease),
                (None, Some(DONE)) => Claim::Done,
                // A live lease, or one that expired between the two commands: either way not
                // ours now, and the next delivery settles it.
                (None, _) => Claim::InProgress,
            })
        })
    }

    fn finish(&self, lease: Lease, handled: bool) -> DedupeFuture<'_, Result<(), DedupeError>> {
        Box::pin(async move {
            let key = self.key(lease.id());
            let mut connection = self.connection.clone();
            if handled {
                redis::cmd("SET")
                    .arg(&key)
                    .arg(DONE)
                    .arg("PX")
                    .arg(millis(self.retention))
                    .query_async::<()>(&mut connection)
                    .await
                    .map_err(redis_error)?;
            } else {
                self.release
                    .key(&key)
                    .arg(format!("{LEASE_PREFIX}{}", lease.token_hex()))
                    .invoke_async::<i64>(&mut connection)
                    .await
                    .map_err(redis_error)?;
            }
            Ok(())
        })
    }
}
