//! The HTTP/1.1 server: hyper's connection builder with what `axum::serve` lacks.
//!
//! - a header read timeout, which also closes idle keep-alive connections;
//! - a connection limit: past it, connections wait in the listen backlog;
//! - a bounded read buffer, so a slow or endless request head holds little memory;
//! - a handle per connection ([`Connection`]) that fault injection uses to drop a connection
//!   without answering (a TCP reset);
//! - the gateway's JSON error shape on the answers hyper writes by itself, for requests it
//!   cannot parse ([`bare`]);
//! - graceful shutdown: on stop, no new connection; idle ones close at once, busy ones get a
//!   short grace period.
//!
//! `scalexpert::webhooks::axum::serve` has the first two, but no shutdown and no way to reach a
//! connection from a handler, which the sandbox needs.

mod bare;

use super::limits::Limits;
use axum::Router;
use hyper::server::conn::http1;
use hyper::service::Service as _;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;

/// hyper's read buffer per connection: a request head larger than this gets 431. It holds a
/// request target a little over hyper's own 64 KiB limit, so that those get 414, not 431.
const READ_BUFFER_BYTES: usize = 128 * 1024;

/// How long busy connections may finish once the sandbox stops.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(1);

/// A served connection, as a request extension: lets a handler drop it.
#[derive(Clone, Debug, Default)]
pub(crate) struct Connection {
    state: Arc<Abort>,
}

#[derive(Debug, Default)]
struct Abort {
    requested: AtomicBool,
    notify: Notify,
}

impl Connection {
    /// Drops the connection with a TCP reset, without answering whatever is in flight.
    pub(crate) fn reset(&self) {
        self.state.requested.store(true, Ordering::SeqCst);
        self.state.notify.notify_one();
    }

    fn is_reset(&self) -> bool {
        self.state.requested.load(Ordering::SeqCst)
    }

    async fn reset_requested(&self) {
        self.state.notify.notified().await;
    }
}

/// Serves `app` on `listener` until `stop` completes, within `limits`.
pub(crate) async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    stop: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (closing, closed) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(stop);
    loop {
        // Finished connections are reaped here, so the set holds open ones only.
        while connections.try_join_next().is_some() {}
        // A free slot before accepting: past the limit, the kernel's backlog queues.
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => slot,
            () = &mut stop => break,
        };
        let Ok(slot) = slot else { break };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut stop => break,
        };
        let stream = match accepted {
            Ok((stream, _peer)) => stream,
            Err(error) if is_connection_error(&error) => continue,
            Err(error) => {
                // Out of descriptors or memory: back off instead of spinning.
                tracing::error!(%error, "sandbox: accepting a connection failed; retrying in 1 s");
                tokio::select! {
                    () = tokio::time::sleep(Duration::from_secs(1)) => continue,
                    () = &mut stop => break,
                }
            }
        };
        connections.spawn(serve_connection(
            stream,
            app.clone(),
            limits,
            closed.clone(),
            slot,
        ));
    }
    drop(listener);
    let _ = closing.send(true);
    let drained = async { while connections.join_next().await.is_some() {} };
    // Past the grace period, dropping the set cuts the connections still busy.
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, drained).await;
}

async fn serve_connection(
    stream: TcpStream,
    app: Router,
    limits: Limits,
    mut closing: watch::Receiver<bool>,
    _slot: OwnedSemaphorePermit,
) {
    // Answers are small and written whole: no reason to wait for more bytes to send.
    let _ = stream.set_nodelay(true);
    let connection = Connection::default();
    let io = TokioIo::new(bare::Io::new(stream, connection.clone()));
    let app = TowerToHyperService::new(app);
    let handle = connection.clone();
    let service = hyper::service::service_fn(move |mut request: hyper::Request<_>| {
        request.extensions_mut().insert(handle.clone());
        app.call(request)
    });
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout)
        .max_buf_size(READ_BUFFER_BYTES);
    let served = builder.serve_connection(io, service);
    tokio::pin!(served);
    let mut shutting_down = false;
    loop {
        tokio::select! {
            result = served.as_mut() => {
                if let Err(error) = result {
                    tracing::debug!(%error, "sandbox: connection ended with an error");
                }
                return;
            }
            // Dropping the connection (the io sees the request) sends the reset.
            () = connection.reset_requested() => return,
            _ = closing.changed(), if !shutting_down => {
                shutting_down = true;
                served.as_mut().graceful_shutdown();
            }
        }
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
