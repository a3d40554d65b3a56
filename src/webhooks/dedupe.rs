//! Recognising redeliveries: Scalexpert retries a delivery until it gets 200/201, so the same
//! event (same `id`) can arrive many times, and out of order.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// What a [`Deduplicator`] knows of an event id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// Not seen before (or forgotten): the caller now owns its handling and must report the
    /// outcome with [`Deduplicator::finish`].
    First,
    /// Another delivery of it is being handled right now: answer so that Scalexpert retries
    /// later, since that handling may still fail.
    InProgress,
    /// Already handled successfully: acknowledge without handling again.
    Done,
}

/// Remembers which events were handled, by event id. Implement it over a database to share
/// it between instances of a receiver or to survive restarts; [`InMemoryDeduplicator`] is the
/// default.
pub trait Deduplicator: Send + Sync {
    /// Records that the event `id` is being handled, unless it already is or was.
    fn claim(&self, id: Uuid) -> Claim;

    /// Ends the handling begun by a [`Claim::First`]: `handled == true` remembers the event as
    /// done; `false` forgets it, so its next delivery is handled again.
    fn finish(&self, id: Uuid, handled: bool);
}

/// An in-memory [`Deduplicator`], bounded in both size and age: an id is remembered for at
/// most `max_age` (default 6 days, longer than Scalexpert's 5 days of retries) and at most
/// `capacity` ids are kept (default 100 000; the oldest go first). Per process: instances
/// behind a load balancer each have their own.
pub struct InMemoryDeduplicator {
    capacity: usize,
    max_age: Duration,
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
    done: bool,
}

impl Default for InMemoryDeduplicator {
    fn default() -> Self {
        InMemoryDeduplicator::new(100_000, Duration::from_secs(6 * 24 * 3600))
    }
}

impl fmt::Debug for InMemoryDeduplicator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("InMemoryDeduplicator")
            .field("capacity", &self.capacity)
            .field("max_age", &self.max_age)
            .field("len", &self.len())
            .finish()
    }
}

impl InMemoryDeduplicator {
    /// Remembers at most `capacity` ids (at least one), each for at most `max_age`.
    pub fn new(capacity: usize, max_age: Duration) -> Self {
        InMemoryDeduplicator {
            capacity: capacity.max(1),
            max_age,
            state: Mutex::new(State::default()),
        }
    }

    /// How many ids are remembered now.
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether no id is remembered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// [`Deduplicator::claim`] as if at `now` (which must not go backwards between calls).
    pub fn claim_at(&self, id: Uuid, now: Instant) -> Claim {
        let mut state = self.lock();
        state.evict_older_than(now, self.max_age);
        if let Some(entry) = state.entries.get(&id) {
            return if entry.done {
                Claim::Done
            } else {
                Claim::InProgress
            };
        }
        while state.entries.len() >= self.capacity {
            if !state.evict_oldest() {
                break;
            }
        }
        let seq = state.next_seq;
        state.next_seq += 1;
        state.entries.insert(
            id,
            Entry {
                seq,
                claimed_at: now,
                done: false,
            },
        );
        state.order.push_back((id, seq));
        Claim::First
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

    fn evict_older_than(&mut self, now: Instant, max_age: Duration) {
        while let Some(&(id, seq)) = self.order.front() {
            match self.entries.get(&id) {
                Some(e) if e.seq == seq => {
                    if now.saturating_duration_since(e.claimed_at) <= max_age {
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
    fn claim(&self, id: Uuid) -> Claim {
        self.claim_at(id, Instant::now())
    }

    fn finish(&self, id: Uuid, handled: bool) {
        let mut state = self.lock();
        if handled {
            if let Some(entry) = state.entries.get_mut(&id) {
                entry.done = true;
            }
        } else {
            state.entries.remove(&id);
        }
    }
}

impl<D: Deduplicator + ?Sized> Deduplicator for std::sync::Arc<D> {
    fn claim(&self, id: Uuid) -> Claim {
        (**self).claim(id)
    }

    fn finish(&self, id: Uuid, handled: bool) {
        (**self).finish(id, handled)
    }
}
