//! Deduplicating redeliveries: through the receiver, the in-memory store (size, age, leases),
//! and the Redis store against a real `redis-server`, including a replica that dies
//! mid-handling.
//!
//! The Redis tests use `SCALEXPERT_TEST_REDIS_URL` when it is set (CI starts one server), and
//! otherwise start their own `redis-server` on a free loopback port. Without either they say
//! so and pass, unless `SCALEXPERT_REQUIRE_REDIS=1`, where they fail.
#![cfg(feature = "webhooks")]

use chrono::Utc;
use scalexpert::webhooks::{
    Claim, Deduplicator, Delivery, Event, InMemoryDeduplicator, Receiver, ReceiverSecrets,
};
use std::sync::Arc;
use std::time::{Duration, Instant};
use uuid::Uuid;

const HELLO: &str = r#"{"timestamp":"2024-03-12T16:02:55.004Z","id":"a7f30c18-94e2-4b6d-8c0a-3e5b7d91f426","eventTypeCode":"HELLO_WORLD","eventCode":"HELLO_WORLD","data":{"eventTypeCode":"HELLO_WORLD","eventCode":"HELLO_WORLD","helloWorldMessage":"Connectivity check from Scalexpert"}}"#;

fn secrets() -> ReceiverSecrets {
    ReceiverSecrets::secret_header("s3").with_signature_key("k3")
}

async fn deliver(receiver: &Receiver) -> Delivery {
    let headers = secrets()
        .delivery_headers(None, HELLO.as_bytes(), Utc::now())
        .unwrap();
    receiver.receive(&headers, HELLO.as_bytes()).await.unwrap()
}

fn id(n: u128) -> Uuid {
    Uuid::from_u128(n)
}

fn first(claim: Claim) -> scalexpert::webhooks::Lease {
    match claim {
        Claim::First(lease) => lease,
        other => panic!("expected a first claim, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Through the receiver
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_same_event_delivered_twice_is_a_duplicate_the_second_time() {
    let receiver = Receiver::new(secrets());
    let Delivery::New { event, ticket } = deliver(&receiver).await else {
        panic!("first delivery is new")
    };
    assert_eq!(event.id.to_string(), "a7f30c18-94e2-4b6d-8c0a-3e5b7d91f426");
    ticket.complete().await.unwrap();
    let Delivery::Duplicate(again) = deliver(&receiver).await else {
        panic!("second delivery is a duplicate")
    };
    assert_eq!(again.id, event.id);
    assert!(matches!(deliver(&receiver).await, Delivery::Duplicate(_)));
}

#[tokio::test]
async fn a_failed_handling_lets_the_redelivery_through() {
    let receiver = Receiver::new(secrets());
    let Delivery::New { ticket, .. } = deliver(&receiver).await else {
        panic!("first delivery is new")
    };
    ticket.fail().await.unwrap();
    let Delivery::New { ticket, .. } = deliver(&receiver).await else {
        panic!("after a failure the redelivery is new again")
    };
    drop(ticket); // dropping is a failure too, released in the background
    tokio::task::yield_now().await;
    for _ in 0..100 {
        if matches!(deliver(&receiver).await, Delivery::New { .. }) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("a dropped ticket was never released");
}

#[tokio::test]
async fn a_delivery_during_handling_is_in_progress() {
    let receiver = Receiver::new(secrets());
    let Delivery::New { ticket, .. } = deliver(&receiver).await else {
        panic!("first delivery is new")
    };
    assert!(matches!(deliver(&receiver).await, Delivery::InProgress(_)));
    ticket.complete().await.unwrap();
    assert!(matches!(deliver(&receiver).await, Delivery::Duplicate(_)));
}

#[tokio::test]
async fn rejected_deliveries_leave_no_trace_in_the_deduplicator() {
    let dedupe = Arc::new(InMemoryDeduplicator::default());
    let receiver = Receiver::new(secrets()).deduplicator(dedupe.clone());
    let forged = [("X-BAAS-SECRET", "guess")];
    assert!(receiver
        .receive(&forged[..], HELLO.as_bytes())
        .await
        .is_err());
    assert!(dedupe.is_empty());
    let Delivery::New { ticket, .. } = deliver(&receiver).await else {
        panic!("the genuine delivery is new")
    };
    ticket.complete().await.unwrap();
    assert_eq!(dedupe.len(), 1);
}

/// A store that is down: every call fails.
struct Unreachable;

impl Deduplicator for Unreachable {
    fn claim(
        &self,
        _id: Uuid,
    ) -> scalexpert::webhooks::DedupeFuture<'_, Result<Claim, scalexpert::webhooks::DedupeError>>
    {
        Box::pin(async { Err(scalexpert::webhooks::DedupeError::new("connection refused")) })
    }

    fn finish(
        &self,
        _lease: scalexpert::webhooks::Lease,
        _handled: bool,
    ) -> scalexpert::webhooks::DedupeFuture<'_, Result<(), scalexpert::webhooks::DedupeError>> {
        Box::pin(async { Err(scalexpert::webhooks::DedupeError::new("connection refused")) })
    }
}

#[tokio::test]
async fn an_unreachable_store_answers_503_and_never_runs_the_handler() {
    let receiver = Receiver::new(secrets()).deduplicator(Unreachable);
    let headers = secrets()
        .delivery_headers(None, HELLO.as_bytes(), Utc::now())
        .unwrap();
    let rejection = receiver
        .receive(&headers, HELLO.as_bytes())
        .await
        .unwrap_err();
    assert_eq!(rejection.status(), 503);
    let event = Event::from_json(HELLO.as_bytes()).unwrap();
    let outcome = receiver
        .dispatch(event, |_event: Event| async {
            panic!("the handler must not run without a claim");
            #[allow(unreachable_code)]
            Ok::<_, std::convert::Infallible>(())
        })
        .await;
    assert_eq!(outcome.status(), 503);
}

// ---------------------------------------------------------------------------------------------
// The in-memory store
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_in_memory_deduplicator_is_bounded_in_size() {
    let dedupe = InMemoryDeduplicator::new(2, Duration::from_secs(3600));
    let t = Instant::now();
    for n in 1..=3 {
        let lease = first(dedupe.claim_at(id(n), t));
        dedupe.finish(lease, true).await.unwrap();
    }
    assert_eq!(dedupe.len(), 2);
    // The oldest (1) was dropped; 2 and 3 are remembered.
    assert_eq!(dedupe.claim_at(id(3), t), Claim::Done);
    assert_eq!(dedupe.claim_at(id(2), t), Claim::Done);
    first(dedupe.claim_at(id(1), t));
    assert_eq!(dedupe.len(), 2);
}

#[tokio::test]
async fn the_in_memory_deduplicator_remembers_a_handled_event_for_its_retention() {
    let retention = Duration::from_secs(6 * 24 * 3600);
    let dedupe = InMemoryDeduplicator::new(10, retention);
    let t0 = Instant::now();
    let lease = first(dedupe.claim_at(id(1), t0));
    dedupe.finish(lease, true).await.unwrap();
    first(dedupe.claim_at(id(2), t0 + Duration::from_secs(60)));
    // Scalexpert's last redelivery comes 5 days after the first: still a duplicate.
    let five_days = Duration::from_secs(5 * 24 * 3600);
    assert_eq!(dedupe.claim_at(id(1), t0 + five_days), Claim::Done);
    assert_eq!(dedupe.claim_at(id(1), t0 + retention), Claim::Done);
    // Just past its retention, 1 is forgotten.
    first(dedupe.claim_at(id(1), t0 + retention + Duration::from_secs(1)));
}

#[tokio::test]
async fn an_in_memory_claim_whose_lease_ran_out_is_taken_over_and_the_late_holder_cannot_release_it(
) {
    let lease_time = Duration::from_secs(300);
    let dedupe = InMemoryDeduplicator::new(10, Duration::from_secs(3600)).lease(lease_time);
    let t0 = Instant::now();
    let dead = first(dedupe.claim_at(id(7), t0));
    // Within the lease: in progress.
    assert_eq!(
        dedupe.claim_at(id(7), t0 + lease_time - Duration::from_secs(1)),
        Claim::InProgress
    );
    // After it: the redelivery takes the event over.
    let successor = first(dedupe.claim_at(id(7), t0 + lease_time));
    assert_ne!(successor, dead);
    // The first holder waking up and failing does not release its successor's claim.
    dedupe.finish(dead, false).await.unwrap();
    assert_eq!(
        dedupe.claim_at(id(7), t0 + lease_time + Duration::from_secs(1)),
        Claim::InProgress
    );
    dedupe.finish(successor, true).await.unwrap();
    assert_eq!(
        dedupe.claim_at(id(7), t0 + lease_time + Duration::from_secs(2)),
        Claim::Done
    );
}

#[tokio::test]
async fn forgetting_then_reclaiming_keeps_the_bookkeeping_consistent() {
    let dedupe = InMemoryDeduplicator::new(2, Duration::from_secs(3600));
    let t = Instant::now();
    let lease = first(dedupe.claim_at(id(1), t));
    dedupe.finish(lease, false).await.unwrap();
    let lease = first(dedupe.claim_at(id(1), t));
    dedupe.finish(lease, true).await.unwrap();
    first(dedupe.claim_at(id(2), t));
    // At capacity, the oldest live entry (1) goes, not the stale queue slot of its first claim.
    first(dedupe.claim_at(id(3), t));
    assert_eq!(dedupe.claim_at(id(2), t), Claim::InProgress);
    assert_eq!(dedupe.len(), 2);
}

// ---------------------------------------------------------------------------------------------
// The Redis store, against a real redis-server
// ---------------------------------------------------------------------------------------------

// The Redis-starting helper of every Redis test (this file does not restart a server).
#[cfg(feature = "redis")]
#[allow(dead_code)]
#[path = "support/test_redis.rs"]
mod test_redis;

#[cfg(feature = "redis")]
mod redis_store {
    use super::*;
    use crate::test_redis::{self, TestRedis};
    use scalexpert::webhooks::RedisDeduplicator;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// CI's Redis (`SCALEXPERT_TEST_REDIS_URL`) or one started here, or `None` (after saying
    /// why) when there is none and none is required.
    async fn redis() -> Option<TestRedis> {
        test_redis::shared_or_own("the Redis deduplicator").await
    }

    /// A store on its own key prefix, so tests sharing CI's Redis do not meet.
    async fn store(redis: &TestRedis, lease: Duration) -> RedisDeduplicator {
        RedisDeduplicator::connect(&redis.url)
            .await
            .unwrap()
            .prefix(format!("test:{}:", Uuid::from_u128(fastrand::u128(..))))
            .lease(lease)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_redis_claim_is_first_once_in_progress_meanwhile_and_done_after() {
        let Some(redis) = redis().await else { return };
        let dedupe = store(&redis, Duration::from_secs(60)).await;
        let lease = first(dedupe.claim(id(1)).await.unwrap());
        assert_eq!(dedupe.claim(id(1)).await.unwrap(), Claim::InProgress);
        // Another replica, its own connection, the same prefix: the same answer.
        dedupe.finish(lease, true).await.unwrap();
        assert_eq!(dedupe.claim(id(1)).await.unwrap(), Claim::Done);
        // Another id is unaffected.
        first(dedupe.claim(id(2)).await.unwrap());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_failed_redis_handling_releases_the_claim_but_not_a_successors() {
        let Some(redis) = redis().await else { return };
        let dedupe = store(&redis, Duration::from_secs(60)).await;
        let lease = first(dedupe.claim(id(1)).await.unwrap());
        dedupe.finish(lease, false).await.unwrap();
        let successor = first(dedupe.claim(id(1)).await.unwrap());
        // The old lease, released late, leaves the successor's claim alone.
        dedupe.finish(lease, false).await.unwrap();
        assert_eq!(dedupe.claim(id(1)).await.unwrap(), Claim::InProgress);
        dedupe.finish(successor, true).await.unwrap();
        assert_eq!(dedupe.claim(id(1)).await.unwrap(), Claim::Done);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn redis_keys_expire_after_the_lease_and_after_six_days() {
        let Some(redis) = redis().await else { return };
        let prefix = format!("test:{}:", Uuid::from_u128(fastrand::u128(..)));
        let dedupe = RedisDeduplicator::connect(&redis.url)
            .await
            .unwrap()
            .prefix(prefix.clone());
        let lease = first(dedupe.claim(id(9)).await.unwrap());
        let mut raw = redis.connection().await;
        let key = format!("{prefix}{}", id(9));
        let pttl: i64 = redis::cmd("PTTL")
            .arg(&key)
            .query_async(&mut raw)
            .await
            .unwrap();
        // The default lease: 5 minutes at most, and well above a handling's time.
        assert!(pttl > 60_000 && pttl <= 300_000, "lease PTTL {pttl}");
        dedupe.finish(lease, true).await.unwrap();
        let pttl: i64 = redis::cmd("PTTL")
            .arg(&key)
            .query_async(&mut raw)
            .await
            .unwrap();
        let six_days_ms = 6 * 24 * 3600 * 1000;
        assert!(
            pttl > six_days_ms - 60_000 && pttl <= six_days_ms,
            "done PTTL {pttl}"
        );
    }

    /// A replica: its own connection to Redis, the fleet's key prefix.
    async fn replica(redis: &TestRedis, prefix: &str, lease: Duration) -> Receiver {
        let dedupe = RedisDeduplicator::connect(&redis.url)
            .await
            .unwrap()
            .prefix(prefix)
            .lease(lease);
        Receiver::new(secrets()).deduplicator(dedupe)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_replica_dying_mid_handling_loses_nothing_and_the_event_is_handled_exactly_once() {
        let Some(redis) = redis().await else { return };
        let prefix = format!("fleet:{}:", Uuid::from_u128(fastrand::u128(..)));
        let lease = Duration::from_secs(3);

        // Replica A claims the event, starts handling, and dies: no finish, no release (its
        // ticket is leaked as a killed process would leave it), its connection gone.
        let doomed = replica(&redis, &prefix, lease).await;
        let Delivery::New { ticket, .. } = deliver(&doomed).await else {
            panic!("A's delivery is new")
        };
        std::mem::forget(ticket);
        drop(doomed);

        // B and C, the survivors, share the store.
        let b = replica(&redis, &prefix, lease).await;
        let c = replica(&redis, &prefix, lease).await;
        let handled = Arc::new(AtomicUsize::new(0));
        let handler = |handled: Arc<AtomicUsize>| {
            move |_event: Event| {
                let handled = Arc::clone(&handled);
                async move {
                    handled.fetch_add(1, Ordering::SeqCst);
                    Ok::<_, std::convert::Infallible>(())
                }
            }
        };
        let redeliver = |receiver: Receiver, handled: Arc<AtomicUsize>| async move {
            let event = Event::from_json(HELLO.as_bytes()).unwrap();
            receiver.dispatch(event, handler(handled)).await
        };

        // Within A's lease, a redelivery is refused for later: A might still finish.
        let early = redeliver(b.clone(), Arc::clone(&handled)).await;
        assert_eq!(early.status(), 409);
        assert_eq!(handled.load(Ordering::SeqCst), 0);

        // Scalexpert keeps redelivering, to B or C; once the lease ran out one handles it.
        let mut outcomes = Vec::new();
        for attempt in 0..200 {
            let receiver = if attempt % 2 == 0 {
                b.clone()
            } else {
                c.clone()
            };
            let (one, two) = tokio::join!(
                redeliver(receiver.clone(), Arc::clone(&handled)),
                redeliver(receiver, Arc::clone(&handled))
            );
            outcomes.push((one.status(), two.status()));
            if handled.load(Ordering::SeqCst) > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(handled.load(Ordering::SeqCst), 1, "{outcomes:?}");

        // Every later redelivery, at either replica, is acknowledged without handling.
        for receiver in [&b, &c, &b] {
            let outcome = redeliver(receiver.clone(), Arc::clone(&handled)).await;
            assert_eq!(outcome.status(), 200);
        }
        assert_eq!(handled.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn many_replicas_racing_on_one_event_handle_it_once() {
        let Some(redis) = redis().await else { return };
        let prefix = format!("race:{}:", Uuid::from_u128(fastrand::u128(..)));
        let mut replicas = Vec::new();
        for _ in 0..4 {
            replicas.push(replica(&redis, &prefix, Duration::from_secs(60)).await);
        }
        let handled = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for round in 0..8 {
            for receiver in &replicas {
                let receiver = receiver.clone();
                let handled = Arc::clone(&handled);
                tasks.push(tokio::spawn(async move {
                    let event = Event::from_json(HELLO.as_bytes()).unwrap();
                    receiver
                        .dispatch(event, move |_e: Event| async move {
                            handled.fetch_add(1, Ordering::SeqCst);
                            Ok::<_, std::convert::Infallible>(())
                        })
                        .await
                        .status()
                }));
            }
            if round == 0 {
                tokio::task::yield_now().await;
            }
        }
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.unwrap().as_u16());
        }
        assert_eq!(handled.load(Ordering::SeqCst), 1, "{statuses:?}");
        assert!(
            statuses.iter().all(|s| [200, 409].contains(s)),
            "{statuses:?}"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_stopped_redis_gives_503_not_a_hang_nor_a_handling() {
        // A server of its own: CI's shared one is not this test's to stop.
        let Some(mut redis) = test_redis::own("the Redis deduplicator with Redis stopped").await
        else {
            return;
        };
        let receiver = replica(&redis, "stopped:", Duration::from_secs(60)).await;
        redis.stop();
        let event = Event::from_json(HELLO.as_bytes()).unwrap();
        let outcome = tokio::time::timeout(
            Duration::from_secs(30),
            receiver.dispatch(event, |_e: Event| async {
                panic!("no handling without the store");
                #[allow(unreachable_code)]
                Ok::<_, std::convert::Infallible>(())
            }),
        )
        .await
        .expect("a Redis outage must not hang the receiver");
        assert_eq!(outcome.status(), 503);
    }
}
