//! Verification and deduplication together: what a webhook endpoint runs per request, and what
//! the backfill reconciler runs per event it pulls.

use super::dedupe::{Claim, DedupeError, Deduplicator, InMemoryDeduplicator, Lease};
use super::event::Event;
use super::verify::{Headers, Rejection, SecretsProvider, Verifier};
use chrono::{DateTime, Utc};
use std::fmt::{self, Display};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// A webhook endpoint's logic, independent of any web framework: verify a delivery, decode
/// it, and tell a new event from a redelivery. Cheap to clone (shares its state).
///
/// ```
/// use scalexpert::webhooks::{Delivery, Receiver, ReceiverSecrets};
/// use chrono::Utc;
///
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let secrets = ReceiverSecrets::secret_header("hook-secret").with_signature_key("sig-key");
/// let receiver = Receiver::new(secrets.clone());
/// let body = br#"{"id":"3e8b5f21-7c0d-4a96-b1e4-9f62d0a8c573","timestamp":"2024-03-18T14:27:45.612Z",
///   "eventTypeCode":"SC_SUBSCRIPTION","eventCode":"SC_SUBSCRIPTION_ACCEPTED",
///   "data":{"eventTypeCode":"SC_SUBSCRIPTION","merchantGlobalOrderId":"CMD-1","financedAmount":1249.9}}"#;
/// let headers = secrets.delivery_headers(None, body, Utc::now()).unwrap();
///
/// match receiver.receive(&headers, body).await.unwrap() {
///     Delivery::New { event, ticket } => {
///         assert_eq!(event.merchant_global_order_id(), Some("CMD-1"));
///         // ... update the order; only then:
///         ticket.complete().await.unwrap();
///     }
///     other => panic!("first delivery: {other:?}"),
/// }
/// assert!(matches!(receiver.receive(&headers, body).await.unwrap(), Delivery::Duplicate(_)));
/// # }
/// ```
#[derive(Clone)]
pub struct Receiver {
    verifier: Verifier,
    dedupe: Arc<dyn Deduplicator>,
}

impl fmt::Debug for Receiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receiver")
            .field("verifier", &self.verifier)
            .finish_non_exhaustive()
    }
}

/// The outcome of an accepted delivery.
#[derive(Debug)]
pub enum Delivery {
    /// An event not handled before: handle it, then call [`Ticket::complete`]. Dropping the
    /// ticket instead (an error, a panic) releases the claim, so its redelivery is handled.
    New {
        /// The verified event.
        event: Event,
        /// Reports the outcome of handling to the deduplicator.
        ticket: Ticket,
    },
    /// An event already handled: acknowledge it (200) and do nothing else.
    Duplicate(Event),
    /// An event being handled by another request (or replica) right now: answer non-2xx so
    /// Scalexpert retries later, in case that handling fails.
    InProgress(Event),
}

/// The handling of one new event: [`complete`](Ticket::complete) it once the event is
/// processed; [`fail`](Ticket::fail) or drop it otherwise.
///
/// Dropping it releases the claim in the background (on the current tokio runtime, if there
/// is one); if it cannot be released (no runtime, the process dies), the claim's lease runs
/// out and a later delivery is handled then.
#[must_use = "dropping the ticket forgets the event, so its redelivery is handled again"]
pub struct Ticket {
    lease: Lease,
    dedupe: Arc<dyn Deduplicator>,
    open: bool,
}

impl fmt::Debug for Ticket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ticket")
            .field("id", &self.lease.id())
            .finish()
    }
}

impl Ticket {
    /// The event was processed: later deliveries of it are duplicates. An error means the
    /// store did not record it: the event was handled all the same, so answer 200 (a non-2xx
    /// answer would have it delivered and handled again); its claim expires after the lease.
    pub async fn complete(mut self) -> Result<(), DedupeError> {
        self.open = false;
        self.dedupe.finish(self.lease, true).await
    }

    /// The event could not be processed: its next delivery is handled again.
    pub async fn fail(mut self) -> Result<(), DedupeError> {
        self.open = false;
        self.dedupe.finish(self.lease, false).await
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if !self.open {
            return;
        }
        // Drop cannot wait: release in the background, or leave it to the lease.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let dedupe = Arc::clone(&self.dedupe);
            let lease = self.lease;
            runtime.spawn(async move {
                if let Err(error) = dedupe.finish(lease, false).await {
                    tracing::warn!(event_id = %lease.id(), %error, "scalexpert webhook claim not released; it expires with its lease");
                }
            });
        }
    }
}

/// What became of one event given to [`Receiver::dispatch`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Dispatched {
    /// New, and the handler succeeded: 200.
    Handled,
    /// Already handled: 200, the handler did not run.
    Duplicate,
    /// Being handled elsewhere right now: 409, the handler did not run.
    InProgress,
    /// The handler failed: 500, and the claim is released so the redelivery is handled.
    Failed,
    /// The deduplication store is unreachable: 503, the handler did not run.
    Unavailable,
}

impl Dispatched {
    /// The HTTP status a delivery gets for this outcome.
    pub fn status(self) -> http::StatusCode {
        match self {
            Dispatched::Handled | Dispatched::Duplicate => http::StatusCode::OK,
            Dispatched::InProgress => http::StatusCode::CONFLICT,
            Dispatched::Failed => http::StatusCode::INTERNAL_SERVER_ERROR,
            Dispatched::Unavailable => http::StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl Receiver {
    /// A receiver over these secrets (see [`Verifier::new`]) with an
    /// [`InMemoryDeduplicator`], the default clock skew and body limit.
    pub fn new(secrets: impl SecretsProvider + 'static) -> Self {
        Receiver::from_verifier(Verifier::new(secrets))
    }

    /// A receiver around a configured verifier, with an [`InMemoryDeduplicator`].
    pub fn from_verifier(verifier: Verifier) -> Self {
        Receiver {
            verifier,
            dedupe: Arc::new(InMemoryDeduplicator::default()),
        }
    }

    /// Uses another deduplicator: one shared by every replica (`RedisDeduplicator`, feature
    /// `redis`, or your own store), or a differently bounded memory.
    pub fn deduplicator(mut self, dedupe: impl Deduplicator + 'static) -> Self {
        self.dedupe = Arc::new(dedupe);
        self
    }

    /// How far the signature timestamp may be from this machine's clock (default 5 minutes).
    pub fn max_clock_skew(mut self, skew: Duration) -> Self {
        self.verifier = self.verifier.max_clock_skew(skew);
        self
    }

    /// The largest body accepted, in bytes (default
    /// [`DEFAULT_MAX_BODY_BYTES`](super::DEFAULT_MAX_BODY_BYTES), 32 KiB).
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.verifier = self.verifier.max_body_bytes(limit);
        self
    }

    /// The verifier, to check a delivery without deduplication.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// [`Verifier::check_headers`]: what a server checks before it reads the body.
    pub fn check_headers<H: Headers + ?Sized>(&self, headers: &H) -> Result<(), Rejection> {
        let checked = self.verifier.check_headers(headers);
        if let Err(rejection) = &checked {
            log_rejection(rejection);
        }
        checked
    }

    /// Verifies, decodes and deduplicates a delivery received now. The verification happens
    /// before this returns; the future only waits for the deduplicator.
    pub fn receive<H: Headers + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
    ) -> impl Future<Output = Result<Delivery, Rejection>> + Send + '_ {
        self.receive_at(headers, body, Utc::now())
    }

    /// [`receive`](Self::receive) as if at `now` (for the signature timestamp check).
    pub fn receive_at<H: Headers + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Delivery, Rejection>> + Send + '_ {
        let verified = self.verifier.verify_at(headers, body, now);
        if let Err(rejection) = &verified {
            log_rejection(rejection);
        }
        async move { self.deduplicate(verified?).await }
    }

    /// Deduplicates an event that is already trusted (verified, or read from the management
    /// API), as [`receive`](Self::receive) does after verification.
    pub async fn deduplicate(&self, event: Event) -> Result<Delivery, Rejection> {
        // Only verified or fetched events get here, so forged requests cannot mark ids as seen.
        let claim = match self.dedupe.claim(event.id).await {
            Ok(claim) => claim,
            Err(error) => {
                tracing::error!(event_id = %event.id, %error, "scalexpert webhook not deduplicated; answering 503 for a redelivery");
                return Err(Rejection::DeduplicatorUnavailable(error));
            }
        };
        tracing::debug!(
            event_id = %event.id,
            event_type = %event.event_type,
            event_code = %event.event_code,
            merchant = event.merchant.as_deref(),
            ?claim,
            "scalexpert webhook event accepted"
        );
        tracing::trace!(event_id = %event.id, payload = event.raw_json(), "scalexpert webhook payload");
        Ok(match claim {
            Claim::First(lease) => Delivery::New {
                ticket: Ticket {
                    lease,
                    dedupe: Arc::clone(&self.dedupe),
                    open: true,
                },
                event,
            },
            Claim::Done => Delivery::Duplicate(event),
            Claim::InProgress => Delivery::InProgress(event),
        })
    }

    /// Runs `on_event` once per trusted event across every delivery, replica and backfill
    /// sharing this receiver's deduplicator: claims it, runs the handler if the claim is new,
    /// and records the outcome. The axum route and the [`Reconciler`](super::Reconciler) both
    /// go through here.
    pub async fn dispatch<F, Fut, E>(&self, event: Event, on_event: F) -> Dispatched
    where
        F: FnOnce(Event) -> Fut,
        Fut: Future<Output = Result<(), E>>,
        E: Display,
    {
        let (event, ticket) = match self.deduplicate(event).await {
            Ok(Delivery::New { event, ticket }) => (event, ticket),
            Ok(Delivery::Duplicate(_)) => return Dispatched::Duplicate,
            Ok(Delivery::InProgress(_)) => return Dispatched::InProgress,
            Err(_) => return Dispatched::Unavailable,
        };
        let id = event.id;
        // A panic in the handler unwinds through here and drops the ticket: released.
        match on_event(event).await {
            Ok(()) => {
                if let Err(error) = ticket.complete().await {
                    tracing::error!(event_id = %id, %error, "scalexpert webhook handled but not recorded as done; a redelivery after the lease would be handled again");
                }
                Dispatched::Handled
            }
            Err(error) => {
                tracing::error!(event_id = %id, %error, "scalexpert webhook handler failed; the event will be redelivered");
                if let Err(error) = ticket.fail().await {
                    tracing::warn!(event_id = %id, %error, "scalexpert webhook claim not released; it expires with its lease");
                }
                Dispatched::Failed
            }
        }
    }
}

fn log_rejection(rejection: &Rejection) {
    // Reasons name headers and limits only, never a secret, so they can be logged.
    tracing::warn!(reason = %rejection, "scalexpert webhook delivery rejected");
}
