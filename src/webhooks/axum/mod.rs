//! An axum 0.8 route for the webhook receiver, and a server for it (feature `webhooks-axum`).
//!
//! A receiver faces the internet: anyone can open connections to it and send bytes. The route
//! and [`serve`] bound what that costs before anything is authenticated:
//!
//! - the route checks everything the headers allow ([`Receiver::check_headers`]: secret or
//!   Basic credentials, presence and shape of the signature headers, JSON content type,
//!   declared length) **before reading the body**, and answers at once;
//! - it reads at most the receiver's body limit ([`Receiver::max_body_bytes`], 32 KiB by
//!   default), within [`RouteLimits::body_read_timeout`] (10 s);
//! - at most [`RouteLimits::max_concurrent_deliveries`] (64) deliveries are read and handled
//!   at once; more get 503 without their body being read (Scalexpert delivers again later);
//! - [`serve`] closes connections that do not send their request head within
//!   [`ServeLimits::header_read_timeout`] (10 s, idle keep-alive connections included) and
//!   accepts at most [`ServeLimits::max_connections`] (1024) at once.
//!
//! So the memory an anonymous sender can make a receiver hold is bounded by about
//! `max_concurrent_deliveries × max_body_bytes` (2 MiB by default) plus a few KiB per open
//! connection. `axum::serve` has no header read timeout: use [`serve`], or hyper's
//! `header_read_timeout` with a timer in a server of your own.
//!
//! ```no_run
//! use axum::Router;
//! use scalexpert::webhooks::axum::{route, serve, ServeLimits};
//! use scalexpert::webhooks::{Event, Receiver, ReceiverSecrets};
//!
//! # async fn run() -> std::io::Result<()> {
//! let receiver = Receiver::new(ReceiverSecrets::api_key("k-123").with_signature_key("sig-key"));
//! let app: Router = Router::new().route(
//!     "/hooks/scalexpert",
//!     route(receiver, |event: Event| async move {
//!         println!("{} for order {:?}", event.event_code, event.merchant_global_order_id());
//!         Ok::<_, std::convert::Infallible>(())
//!     }),
//! );
//! // Behind a TLS-terminating proxy on the same host; bind a public address only on purpose.
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8090").await?;
//! serve(listener, app, ServeLimits::default()).await
//! # }
//! ```
//!
//! Answers (Scalexpert redelivers anything but 200/201 every 10 minutes, for 5 days):
//!
//! | case | status | why |
//! |---|---|---|
//! | new event, handler `Ok` | 200, empty | delivered |
//! | already handled (`id` seen) | 200, empty | stops the redeliveries |
//! | handled right now by another request | 409 | that handling may still fail: ask for a retry |
//! | handler `Err` (or panic) | 500 | the claim is released, so the retry is handled |
//! | malformed body | 400 | it is kept at Scalexpert (status `ERROR`, alert mail) instead of lost |
//! | authentication, signature or timestamp refused | 401 | a forgery is refused; a genuine delivery refused by a misconfiguration is retried once it is fixed |
//! | body not sent within the body read timeout | 408 | a slow sender does not hold a slot |
//! | body (declared or sent) over the limit | 413 | refused before it is read |
//! | `Content-Type` not JSON | 415 | refused before the body is read |
//! | too many deliveries at once, or the deduplicator unreachable | 503 | retried later; nothing is lost or handled twice |

mod serve;

pub use serve::{serve, ServeLimits};

use super::receiver::{Dispatched, Receiver};
use super::{Event, Rejection};
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use http_body_util::BodyExt as _;
use std::fmt::Display;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// Limits of the [`route`] itself; the body size limit is the receiver's
/// ([`Receiver::max_body_bytes`]), since it holds for every framework.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RouteLimits {
    /// How long the body may take to arrive once the headers passed (default 10 s; an event
    /// of a few hundred bytes takes milliseconds). Past it: 408.
    pub body_read_timeout: Duration,
    /// How many deliveries are read and handled at once (default 64). More get 503 at once,
    /// before their body is read.
    pub max_concurrent_deliveries: usize,
}

impl Default for RouteLimits {
    fn default() -> Self {
        RouteLimits {
            body_read_timeout: Duration::from_secs(10),
            max_concurrent_deliveries: 64,
        }
    }
}

impl RouteLimits {
    /// Sets [`body_read_timeout`](Self::body_read_timeout).
    pub fn body_read_timeout(mut self, timeout: Duration) -> Self {
        self.body_read_timeout = timeout;
        self
    }

    /// Sets [`max_concurrent_deliveries`](Self::max_concurrent_deliveries) (at least 1).
    pub fn max_concurrent_deliveries(mut self, max: usize) -> Self {
        self.max_concurrent_deliveries = max.max(1);
        self
    }
}

/// A `POST` route running `on_event` once per new, verified event, with the default
/// [`RouteLimits`] (see the module docs for the statuses it answers).
pub fn route<S, F, Fut, E>(receiver: Receiver, on_event: F) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
    F: Fn(Event) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: Display + Send + 'static,
{
    route_with_limits(receiver, RouteLimits::default(), on_event)
}

/// [`route`] with other limits.
pub fn route_with_limits<S, F, Fut, E>(
    receiver: Receiver,
    limits: RouteLimits,
    on_event: F,
) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
    F: Fn(Event) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: Display + Send + 'static,
{
    let slots = Arc::new(Semaphore::new(limits.max_concurrent_deliveries.max(1)));
    axum::routing::post(move |headers: HeaderMap, body: Body| {
        let receiver = receiver.clone();
        let on_event = on_event.clone();
        let slots = Arc::clone(&slots);
        async move {
            if let Err(rejection) = receiver.check_headers(&headers) {
                return rejection.into_response();
            }
            // Only deliveries whose headers passed take a slot; the others cost no body read.
            let Ok(_slot) = slots.try_acquire_owned() else {
                tracing::warn!("scalexpert webhook: too many deliveries at once; answering 503");
                return StatusCode::SERVICE_UNAVAILABLE.into_response();
            };
            let limit = receiver.verifier().body_limit();
            let body = match tokio::time::timeout(limits.body_read_timeout, read_body(body, limit))
                .await
            {
                Ok(Ok(body)) => body,
                Ok(Err(status)) => return status.into_response(),
                Err(_) => {
                    tracing::warn!("scalexpert webhook: body not received in time; answering 408");
                    return StatusCode::REQUEST_TIMEOUT.into_response();
                }
            };
            respond(&receiver, &headers, &body, on_event).await
        }
    })
}

/// Reads at most `limit` bytes of body: 413 past it, 400 if the connection fails.
async fn read_body(mut body: Body, limit: usize) -> Result<Bytes, StatusCode> {
    let mut collected = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| StatusCode::BAD_REQUEST)?;
        if let Ok(data) = frame.into_data() {
            if collected.len() + data.len() > limit {
                tracing::warn!(
                    limit,
                    "scalexpert webhook: body over the limit; answering 413"
                );
                return Err(StatusCode::PAYLOAD_TOO_LARGE);
            }
            collected.extend_from_slice(&data);
        }
    }
    Ok(Bytes::from(collected))
}

/// The answer to one delivery whose body was read, for handlers written by hand (extra
/// extractors, state): the same logic as [`route`] after the body is in. Read the body with
/// a limit ([`Receiver::check_headers`] first, then at most
/// [`Verifier::body_limit`](super::Verifier::body_limit) bytes).
pub async fn respond<F, Fut, E>(
    receiver: &Receiver,
    headers: &HeaderMap,
    body: &[u8],
    on_event: F,
) -> Response
where
    F: FnOnce(Event) -> Fut,
    Fut: Future<Output = Result<(), E>>,
    E: Display,
{
    let event = match receiver.verifier().verify(headers, body) {
        Ok(event) => event,
        Err(rejection) => {
            tracing::warn!(reason = %rejection, "scalexpert webhook delivery rejected");
            return rejection.into_response();
        }
    };
    receiver
        .dispatch(event, on_event)
        .await
        .status()
        .into_response()
}

impl IntoResponse for Rejection {
    /// [`Rejection::status`] with an empty body: the reason is logged, not told to the sender.
    fn into_response(self) -> Response {
        self.status().into_response()
    }
}

impl IntoResponse for Dispatched {
    /// [`Dispatched::status`] with an empty body.
    fn into_response(self) -> Response {
        self.status().into_response()
    }
}
