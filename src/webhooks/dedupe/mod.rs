//! Recognising redeliveries: Scalexpert retries a delivery every 10 minutes for 5 days until it
//! gets 200/201, so the same event (same `id`) can arrive many times, out of order, and at any
//! replica behind a load balancer.
//!
//! An event id moves through two states in a [`Deduplicator`]:
//!
//! - **in progress**, under a short *lease* taken by [`Deduplicator::claim`]: one request (or
//!   one replica) handles the event; other deliveries of it meanwhile are told
//!   [`Claim::InProgress`]. When the holder dies without finishing, the lease runs out and the
//!   next delivery claims the event again, so a crash loses nothing.
//! - **done**, for a long *retention* (at least 6 days, longer than the 5 days of retries):
//!   [`Deduplicator::finish`] with `handled == true`; later deliveries are [`Claim::Done`].
//!
//! A failed handling releases the lease at once, so the redelivery is handled again.

mod memory;
#[cfg(feature = "redis")]
mod redis_store;

pub use memory::InMemoryDeduplicator;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use redis_store::RedisDeduplicator;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;
use uuid::Uuid;

/// How long a claim is held before another delivery may take the event over, by default:
/// well beyond a normal handling, and shorter than Scalexpert's 10 minutes between
/// redeliveries, so the redelivery after a crash is handled.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(5 * 60);

/// How long a handled event is remembered by default: 6 days, longer than the 5 days during
/// which Scalexpert redelivers.
pub const DEFAULT_RETENTION: Duration = Duration::from_secs(6 * 24 * 3600);

/// A boxed, `Send` future: what [`Deduplicator`] methods return, so the trait can be used as
/// `dyn Deduplicator` over any store.
pub type DedupeFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a [`Deduplicator`] knows of an event id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// Not seen before, forgotten, or its previous holder's lease ran out: the caller now owns
    /// its handling under this lease and must report the outcome with
    /// [`Deduplicator::finish`].
    First(Lease),
    /// Another delivery of it is being handled right now (its lease is live): answer so that
    /// Scalexpert retries later, since that handling may still fail.
    InProgress,
    /// Already handled successfully: acknowledge without handling again.
    Done,
}

/// One claim on one event: the id and a random token telling this claim from a later one
/// taken after its lease ran out, so a late failure cannot release another holder's claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Lease {
    id: Uuid,
    token: u128,
}

impl Lease {
    /// A new lease on `id` with a fresh random token (for [`Deduplicator`] implementations).
    pub fn new(id: Uuid) -> Lease {
        Lease {
            id,
            token: fastrand::u128(..),
        }
    }

    /// The event id this lease is on.
    pub fn id(&self) -> Uuid {
        self.id
    }

    /// The token as 32 lower-case hex digits, for stores that keep it as text.
    pub fn token_hex(&self) -> String {
        format!("{:032x}", self.token)
    }
}

/// A deduplication store could not be reached or answered nonsense. The receiver answers
/// 503 then: the event is neither handled twice nor lost, Scalexpert delivers it again.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("webhook deduplication store unavailable: {0}")]
pub struct DedupeError(String);

impl DedupeError {
    /// An error described by `reason` (which must hold no secret, such as a password in a URL).
    pub fn new(reason: impl Into<String>) -> DedupeError {
        DedupeError(reason.into())
    }
}

/// Remembers which events are being handled and which were, by event id: shared by every
/// replica of a receiver when it is backed by a shared store. Asynchronous, so a store over
/// the network never blocks the runtime.
///
/// [`InMemoryDeduplicator`] is the per-process default; `RedisDeduplicator` (feature `redis`)
/// is shared across replicas. To implement it over another store, a claim is an
/// insert-if-absent with an expiry of the lease (taking over an entry whose lease ran out), and
/// `finish(handled)` either replaces the entry with "done" and the retention as expiry, or
/// deletes it if it still holds this lease's token.
pub trait Deduplicator: Send + Sync {
    /// Records that the event `id` is being handled, unless it already is (under a live lease)
    /// or was.
    fn claim(&self, id: Uuid) -> DedupeFuture<'_, Result<Claim, DedupeError>>;

    /// Ends the handling begun by a [`Claim::First`]: `handled == true` remembers the event as
    /// done for the retention; `false` forgets it (if the lease is still this one's), so its
    /// next delivery is handled again.
    fn finish(&self, lease: Lease, handled: bool) -> DedupeFuture<'_, Result<(), DedupeError>>;
}

impl<D: Deduplicator + ?Sized> Deduplicator for std::sync::Arc<D> {
    fn claim(&self, id: Uuid) -> DedupeFuture<'_, Result<Claim, DedupeError>> {
        (**self).claim(id)
    }

    fn finish(&self, lease: Lease, handled: bool) -> DedupeFuture<'_, Result<(), DedupeError>> {
        (**self).finish(lease, handled)
    }
}
