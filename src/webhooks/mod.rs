//! Receiving the events Scalexpert pushes: verified, typed, deduplicated (feature `webhooks`).
//!
//! Scalexpert POSTs a JSON event to the URL configured with the merchant-webhooks API
//! ([`crate::merchant_webhooks::v1_0_6`]) whenever a credit or insurance subscription
//! changes. Each delivery is authenticated by the configured method, optionally signed,
//! and redelivered until the receiver answers 200 or 201.
//!
//! - [`Verifier`]: (headers, raw body) → [`Event`] or a typed [`Rejection`]. Checks the
//!   authentication method (`NONE` → `X-BAAS-SECRET`, `API_KEY` → `Authorization`,
//!   `BASIC_AUTH` → Basic login and password) in constant time, then, when a signature key
//!   is configured, `X-BAAS-SIGNATURE` (hex HMAC-SHA256 of
//!   `X-BAAS-SIGNATURE-TIMESTAMP + "." + body`) and the freshness of its timestamp. When a
//!   key is configured an unsigned delivery is refused.
//! - [`SecretsProvider`]: per-merchant secrets for PSPs, who receive every merchant's events
//!   on one endpoint with `X-BAAS-CLIENT-REF-FOR-PROXI-ID` naming the merchant. A
//!   `HashMap<String, ReceiverSecrets>` works as is.
//! - [`Deduplicator`]: the same event (same `id`) arrives again after any non-2xx answer, at
//!   any replica. Asynchronous claim (in progress under a short lease) and finish (done for 6
//!   days); [`InMemoryDeduplicator`] per process, `RedisDeduplicator` (feature `redis`)
//!   across replicas.
//! - [`Receiver`]: the three together; the `axum` module (feature `webhooks-axum`) makes
//!   it a route, with a server that bounds what unauthenticated senders cost.
//! - [`Reconciler`]: pulls missed events from the management API and feeds them through the
//!   same path (same deduplicator, same handler), so a fleet that was down catches up without
//!   waiting for redeliveries.
//!
//! Events carry no subscription id: match them to orders by
//! [`Event::merchant_global_order_id`]. See `docs/webhooks.md` for a walkthrough.

#[cfg(feature = "webhooks-axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "webhooks-axum")))]
pub mod axum;
mod dedupe;
mod event;
mod receiver;
mod reconcile;
mod verify;

#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use dedupe::RedisDeduplicator;
pub use dedupe::{
    Claim, DedupeError, DedupeFuture, Deduplicator, InMemoryDeduplicator, Lease, DEFAULT_LEASE,
    DEFAULT_RETENTION,
};
pub use event::{
    CiSubscriptionData, Event, EventCode, EventData, EventType, HelloWorldData, ParseError,
    ScCancelRequestData, ScSubscriptionData,
};
pub use receiver::{Delivery, Dispatched, Receiver, Ticket};
pub use reconcile::{Backfill, Reconciler, DEFAULT_PAGE_SIZE};
pub use verify::{
    sign, ConfigError, Headers, ReceiverAuth, ReceiverSecrets, Rejection, SecretsProvider,
    Verifier, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CLOCK_SKEW, SECRET_HEADER, SIGNATURE_HEADER,
    SIGNATURE_TIMESTAMP_HEADER,
};
