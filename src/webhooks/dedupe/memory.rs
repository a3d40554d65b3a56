//! The per-process deduplicator: a bounded map behind a mutex.

use super::{
    Claim, DedupeError, DedupeFuture, Deduplicator, Lease, DEFAULT_LEASE, DEFAULT_RETENTION,
};
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// An in-memory [`Deduplicator`], bounded in both size and age: an id is remembered for at
/// most the retention (default 6 days, longer than Scalexpert's 5 days of retries) and at most
/// `capacity` ids are kept (default 100 000; the oldest go first). A claim is held for the
/// lease (default 5 minutes) unless finished earlier.
///
/// Per process: replicas behind a load balancer each have their own, so one event can be
/// handled once per replica; share a store between them (`RedisDeduplicator`, feature
/// `redis`) instead.
pub struct InMemoryDeduplicator {
    capacity: usize,
    retention: Duration,
    lease: Duration,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    entries: HashMap<Uuid, Entry>,
    /// Ids in claim order with their claim sequence number, to evict the oldest first.
    order: VecDeque<(Uuid, u64)>,
    next_seq: u64,
}

struct Entry {
    seq: u64,
    claimed_at: Instant,
    /// The live claim's token; `None` once done.
    holder: Option<u128>,
}

impl Default for InMemoryDeduplicator {
    fn default() -> Self {
        InMemoryDeduplicator::new(100_000, DEFAULT_RETENTION)
    }
}

impl fmt::Debug for InMemoryDeduplicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryDeduplicator")
            .field("capacity", &self.capacity)
            .field("retention", &self.retention)
            .field("lease", &self.lease)
            .field("len", &self.len())
            .finish()
    }
}

impl InMemoryDeduplicator {
    /// Remembers at most `capacity` ids (at least one), each for at most `retention`, with
    /// the default lease.
    pub fn new(capacity: usize, retention: Duration) -> Self {
        InMemoryDeduplicator {
            capacity: capacity.max(1),
            retention,
            lease: DEFAULT_LEASE,
            state: Mutex::new(State::default()),
        }
    }

    /// How long a claim is held before another delivery may take the event over.
    pub fn lease(mut self, lease: Duration) -> Self {
        self.lease = lease;
        self
    }

    /// How many ids are remembered now (in progress or done).
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// [`Deduplicator::claim`] as if at `now` (which must not go backwards between calls):
    /// synchronous, since nothing here waits on a network.
    pub fn claim_at(&self, id: Uuid, now: Instant) -> Claim {
        let mut state = self.lock();
        state.evict_older_than(now, self.retention);
        if let Some(entry) = state.entries.get(&id) {
            match entry.holder {
                None => return Claim::Done,
                Some(_) if now.saturating_duration_since(entry.claimed_at) < self.lease => {
                    return Claim::InProgress
                }
                // The holder's lease ran out (it died or hangs): take the event over.
                Some(_) => {}
            }
        } else {
            while state.entries.len() >= self.capacity {
                if !state.evict_oldest() {
                    break;
                }
            }
        }
        let lease = Lease::new(id);
        let seq = state.next_seq;
        state.next_seq += 1;
        state.entries.insert(
            id,
            Entry {
                seq,
                claimed_at: now,
                holder: Some(lease.token),
            },
        );
        state.order.push_back((id, seq));
        Claim::First(lease)
    }

    fn finish_lease(&self, lease: Lease, handled: bool) {
        let mut state = self.lock();
        let Some(entry) = state.entries.get_mut(&lease.id) else {
            return;
        };
        if handled {
            // Even past its lease: the event was handled, which is what later deliveries need
            // to know.
            entry.holder = None;
        } else if entry.holder == Some(lease.token) {
            state.entries.remove(&lease.id);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state stays consistent between statements, so a panic elsewhere cannot corrupt it.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl State {
    /// Drops the oldest remembered id; false when there is none.
    fn evict_oldest(&mut self) -> bool {
        while let Some((id, seq)) = self.order.pop_front() {
            // Forgotten or re-claimed ids leave stale queue entries behind: skip those.
            if self.entries.get(&id).is_some_and(|e| e.seq == seq) {
                self.entries.remove(&id);
                return true;
            }
        }
        false
    }

    fn evict_older_than(&mut self, now: Instant, retention: Duration) {
        while let Some(&(id, seq)) = self.order.front() {
            match self.entries.get(&id) {
                Some(e) if e.seq == seq => {
                    if now.saturating_duration_since(e.claimed_at) <= retention {
                        return;
                    }
                    self.entries.remove(&id);
                }
                _ => {}
            }
            self.order.pop_front();
        }
    }
}

impl Deduplicator for InMemoryDeduplicator {
    fn claim(&self, id: Uuid) -> DedupeFuture<'_, Result<Claim, DedupeError>> {
        let claim = self.claim_at(id, Instant::now());
        Box::pin(std::future::ready(Ok(claim)))
    }

    fn finish(&self, lease: Lease, handled: bool) -> DedupeFuture<'_, Result<(), DedupeError>> {
        self.finish_lease(lease, handled);
        Box::pin(std::future::ready(Ok(())))
    }
}
