//! An axum 0.8 route for the webhook receiver (feature `webhooks-axum`).
//!
//! ```no_run
//! use axum::Router;
//! use scalexpert::webhooks::{axum::route, Event, Receiver, ReceiverSecrets};
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
//! let listener = tokio::net::TcpListener::bind("0.0.0.0:8080").await?;
//! axum::serve(listener, app).await
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
//! | handler `Err` (or panic) | 500 | the event is forgotten, so the retry is handled |
//! | malformed body | 400 | it is kept at Scalexpert (status `ERROR`, alert mail) instead of lost |
//! | authentication, signature or timestamp refused | 401 | a forgery is refused; a genuine delivery refused by a misconfiguration is retried once it is fixed |
//! | body over axum's limit (2 MB by default) | 413 | from axum |

use super::receiver::{Delivery, Receiver};
use super::{Event, Rejection};
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use std::fmt::Display;
use std::future::Future;

/// A `POST` route running `on_event` once per new, verified event (see the module docs for
/// the statuses it answers).
pub fn route<S, F, Fut, E>(receiver: Receiver, on_event: F) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
    F: Fn(Event) -> Fut + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<(), E>> + Send + 'static,
    E: Display + Send + 'static,
{
    axum::routing::post(move |headers: HeaderMap, body: Bytes| {
        let receiver = receiver.clone();
        let on_event = on_event.clone();
        async move { respond(&receiver, &headers, &body, on_event).await }
    })
}

/// The answer to one delivery, for handlers written by hand (extra extractors, state): the
/// same logic as [`route`].
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
    match receiver.receive(headers, body) {
        Err(rejection) => rejection.into_response(),
        Ok(Delivery::Duplicate(_)) => StatusCode::OK.into_response(),
        Ok(Delivery::InProgress(_)) => StatusCode::CONFLICT.into_response(),
        Ok(Delivery::New { event, ticket }) => {
            let id = event.id;
            match on_event(event).await {
                Ok(()) => {
                    ticket.complete();
                    StatusCode::OK.into_response()
                }
                Err(error) => {
                    tracing::error!(event_id = %id, %error, "scalexpert webhook handler failed; the event will be redelivered");
                    ticket.fail();
                    StatusCode::INTERNAL_SERVER_ERROR.into_response()
                }
            }
        }
    }
}

impl IntoResponse for Rejection {
    /// [`Rejection::status`] with an empty body: the reason is logged, not told to the sender.
    fn into_response(self) -> Response {
        self.status().into_response()
    }
}
