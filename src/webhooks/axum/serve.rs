//! A server for the receiver with the limits `axum::serve` lacks: a header read timeout and a
//! connection limit, on hyper's HTTP/1 connection builder.

use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Connection-level limits of [`serve`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ServeLimits {
    /// How long a connection may take to send a request head (default 10 s). Counted from
    /// the first byte awaited, also on an idle keep-alive connection, which is then closed.
    pub header_read_timeout: Duration,
    /// How many connections are served at once (default 1024); further ones wait in the
    /// listen backlog until one closes.
    pub max_connections: usize,
}

impl Default for ServeLimits {
    fn default() -> Self {
        ServeLimits {
            header_read_timeout: Duration::from_secs(10),
            max_connections: 1024,
        }
    }
}

impl ServeLimits {
    /// Sets [`header_read_timeout`](Self::header_read_timeout).
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// Sets [`max_connections`](Self::max_connections) (at least 1).
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max.max(1);
        self
    }
}

/// Serves `app` over HTTP/1.1 on `listener` until the future is dropped, closing connections
/// that are slow to send their request head and holding at most `limits.max_connections` at
/// once. Fails only if accepting fails for good (transient errors such as a full descriptor
/// table are logged and retried).
pub async fn serve(listener: TcpListener, app: Router, limits: ServeLimits) -> std::io::Result<()> {
    let connections = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    loop {
        // Wait for a free slot before accepting: past the limit, the kernel's backlog queues.
        let Ok(slot) = Arc::clone(&connections).acquire_owned().await else {
            return Ok(()); // The semaphore is never closed; nothing to serve if it were.
        };
        let (stream, _peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(error) if is_connection_error(&error) => continue,
            Err(error) => {
                // Out of descriptors or memory: back off instead of spinning, as axum does.
                tracing::error!(%error, "scalexpert webhook server: accept failed; retrying in 1 s");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let service = TowerToHyperService::new(app.clone());
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_read_timeout);
        tokio::spawn(async move {
            let connection = builder.serve_connection(TokioIo::new(stream), service);
            if let Err(error) = connection.await {
                tracing::debug!(%error, "scalexpert webhook server: connection ended with an error");
            }
            drop(slot);
        });
    }
}

fn is_connection_error(error: &std::io::Error) -> bool {
    matches!(
        error.kind(),
        std::io::ErrorKind::ConnectionRefused
            | std::io::ErrorKind::ConnectionAborted
            | std::io::ErrorKind::ConnectionReset
    )
}
