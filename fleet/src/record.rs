//! What the receivers write to Redis about each handling, under the run's key prefix, so that
//! "each event handled once" is judged from something that outlives a killed process:
//!
//! - `<prefix>hooks:started`, a list: `"<worker> <event id>"` when a handler begins;
//! - `<prefix>hooks:finished`, a list: the same when it has done its work;
//! - `<prefix>hooks:handled`, a hash: event id → handlings finished (`HINCRBY`).
//!
//! A handling's work is the finishing write itself (both in one `MULTI`), so a process killed
//! before it leaves a start and no finish, and one killed after it has handled the event.

use redis::aio::ConnectionManager;
use uuid::Uuid;

/// The list of handlings begun.
pub fn started_key(prefix: &str) -> String {
    format!("{prefix}hooks:started")
}

/// The list of handlings finished.
pub fn finished_key(prefix: &str) -> String {
    format!("{prefix}hooks:finished")
}

/// The hash of finished handlings per event id.
pub fn handled_key(prefix: &str) -> String {
    format!("{prefix}hooks:handled")
}

/// One entry of the started and finished lists.
pub fn entry(worker: usize, id: Uuid) -> String {
    format!("{worker} {}", id.hyphenated())
}

/// A worker's writes.
#[derive(Clone)]
pub(crate) struct Recorder {
    connection: ConnectionManager,
    prefix: String,
    worker: usize,
}

impl Recorder {
    pub(crate) async fn connect(url: &str, prefix: &str, worker: usize) -> Result<Self, String> {
        // The URL may hold a password: errors name the kind of failure only.
        let client =
            redis::Client::open(url).map_err(|e| format!("invalid Redis URL ({:?})", e.kind()))?;
        let connection = ConnectionManager::new(client)
            .await
            .map_err(|e| format!("Redis ({:?})", e.kind()))?;
        Ok(Recorder {
            connection,
            prefix: prefix.to_owned(),
            worker,
        })
    }

    /// A handler begins with the event `id`.
    pub(crate) async fn started(&self, id: Uuid) -> Result<(), redis::RedisError> {
        redis::cmd("RPUSH")
            .arg(started_key(&self.prefix))
            .arg(entry(self.worker, id))
            .query_async::<()>(&mut self.connection.clone())
            .await
    }

    /// A handler has done its work for the event `id`.
    pub(crate) async fn finished(&self, id: Uuid) -> Result<(), redis::RedisError> {
        redis::pipe()
            .atomic()
            .cmd("HINCRBY")
            .arg(handled_key(&self.prefix))
            .arg(id.hyphenated().to_string())
            .arg(1)
            .ignore()
            .cmd("RPUSH")
            .arg(finished_key(&self.prefix))
            .arg(entry(self.worker, id))
            .ignore()
            .query_async::<()>(&mut self.connection.clone())
            .await
    }
}

/// Waits until every one of `ids` has been handled, or `until`; then what the handled hash
/// says of them: `(handled at least once, handlings in all)`. Redis unreachable reads as
/// nothing handled.
pub(crate) async fn wait_handled(
    url: &str,
    prefix: &str,
    ids: &[Uuid],
    until: tokio::time::Instant,
) -> (usize, u64) {
    if ids.is_empty() {
        return (0, 0);
    }
    let Ok(client) = redis::Client::open(url) else {
        return (0, 0);
    };
    let Ok(mut connection) = client.get_multiplexed_async_connection().await else {
        return (0, 0);
    };
    let fields: Vec<String> = ids.iter().map(|id| id.hyphenated().to_string()).collect();
    loop {
        let counts: Vec<Option<u64>> = redis::cmd("HMGET")
            .arg(handled_key(prefix))
            .arg(&fields)
            .query_async(&mut connection)
            .await
            .unwrap_or_default();
        let once = counts.iter().flatten().filter(|&&n| n > 0).count();
        if once == ids.len() || tokio::time::Instant::now() >= until {
            return (once, counts.iter().flatten().sum());
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
