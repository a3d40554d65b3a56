//! Verification and deduplication together: what a webhook endpoint runs per request.

use super::dedupe::{Claim, Deduplicator, InMemoryDeduplicator};
use super::event::Event;
use super::verify::{Headers, Rejection, SecretsProvider, Verifier};
use chrono::{DateTime, Utc};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use uuid::Uuid;

/// A webhook endpoint's logic, independent of any web framework: verify a delivery, decode
/// it, and tell a new event from a redelivery. Cheap to clone (shares its state).
///
/// ```
/// use scalexpert::webhooks::{Delivery, Receiver, ReceiverSecrets};
/// use chrono::Utc;
///
/// let secrets = ReceiverSecrets::secret_header("hook-secret").with_signature_key("sig-key");
/// let receiver = Receiver::new(secrets.clone());
/// let body = br#"{"id":"3e8b5f21-7c0d-4a96-b1e4-9f62d0a8c573","timestamp":"2024-03-18T14:27:45.612Z",
///   "eventTypeCode":"SC_SUBSCRIPTION","eventCode":"SC_SUBSCRIPTION_ACCEPTED",
///   "data":{"eventTypeCode":"SC_SUBSCRIPTION","merchantGlobalOrderId":"CMD-1","financedAmount":1249.9}}"#;
/// let headers = secrets.delivery_headers(None, body, Utc::now()).unwrap();
///
/// match receiver.receive(&headers, body).unwrap() {
///     Delivery::New { event, ticket } => {
///         assert_eq!(event.merchant_global_order_id(), Some("CMD-1"));
///         // ... update the order; only then:
///         ticket.complete();
///     }
///     other => panic!("first delivery: {other:?}"),
/// }
/// assert!(matches!(receiver.receive(&headers, body).unwrap(), Delivery::Duplicate(_)));
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
    /// ticket instead (an error, a panic) forgets the event, so its redelivery is handled.
    New {
        /// The verified event.
        event: Event,
        /// Reports the outcome of handling to the deduplicator.
        ticket: Ticket,
    },
    /// An event already handled: acknowledge it (200) and do nothing else.
    Duplicate(Event),
    /// An event being handled by another request right now: answer non-2xx so Scalexpert
    /// retries later, in case that handling fails.
    InProgress(Event),
}

/// The handling of one new event: [`complete`](Ticket::complete) it once the event is
/// processed; dropping it marks the handling failed.
#[must_use = "dropping the ticket forgets the event, so its redelivery is handled again"]
pub struct Ticket {
    id: Uuid,
    dedupe: Arc<dyn Deduplicator>,
    open: bool,
}

impl fmt::Debug for Ticket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ticket").field("id", &self.id).finish()
    }
}

impl Ticket {
    /// The event was processed: later deliveries of it are duplicates.
    pub fn complete(mut self) {
        self.open = false;
        self.dedupe.finish(self.id, true);
    }

    /// The event could not be processed: its next delivery is handled again (same as drop).
    pub fn fail(self) {}
}

impl Drop for Ticket {
    fn drop(&mut self) {
        if self.open {
            self.dedupe.finish(self.id, false);
        }
    }
}

impl Receiver {
    /// A receiver over these secrets (see [`Verifier::new`]) with an
    /// [`InMemoryDeduplicator`] and the default clock skew.
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

    /// Uses another deduplicator (a shared database, a differently bounded memory).
    pub fn deduplicator(mut self, dedupe: impl Deduplicator + 'static) -> Self {
        self.dedupe = Arc::new(dedupe);
        self
    }

    /// How far the signature timestamp may be from this machine's clock (default 5 minutes).
    pub fn max_clock_skew(mut self, skew: Duration) -> Self {
        self.verifier = self.verifier.max_clock_skew(skew);
        self
    }

    /// The verifier, to check a delivery without deduplication.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// Verifies, decodes and deduplicates a delivery received now.
    pub fn receive<H: Headers + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
    ) -> Result<Delivery, Rejection> {
        self.receive_at(headers, body, Utc::now())
    }

    /// [`receive`](Self::receive) as if at `now` (for the signature timestamp check).
    pub fn receive_at<H: Headers + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Delivery, Rejection> {
        let event = match self.verifier.verify_at(headers, body, now) {
            Ok(event) => event,
            Err(rejection) => {
                // Reasons name headers and limits only, never a secret, so they can be logged.
                tracing::warn!(reason = %rejection, "scalexpert webhook delivery rejected");
                return Err(rejection);
            }
        };
        // Deduplicate only after verification, so forged requests cannot mark ids as seen.
        let claim = self.dedupe.claim(event.id);
        tracing::debug!(
            event_id = %event.id,
            event_type = %event.event_type,
            event_code = %event.event_code,
            merchant = event.merchant.as_deref(),
            ?claim,
            "scalexpert webhook delivery accepted"
        );
        tracing::trace!(event_id = %event.id, payload = event.raw_json(), "scalexpert webhook payload");
        Ok(match claim {
            Claim::First => Delivery::New {
                ticket: Ticket {
                    id: event.id,
                    dedupe: Arc::clone(&self.dedupe),
                    open: true,
                },
                event,
            },
            Claim::Done => Delivery::Duplicate(event),
            Claim::InProgress => Delivery::InProgress(event),
        })
    }
}
