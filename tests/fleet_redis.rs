//! The fleet features on a real Redis: the shared quota (GCRA script, lanes, 429 pause, the
//! fallback while Redis is down) and the shared token (single flight across clients, expiry,
//! invalidation after a 401). Each client here stands for one replica: its own governor, its
//! own token cache, one Redis.
#![cfg(all(feature = "redis", feature = "e-financing-1_7_1"))]

#[path = "support/test_redis.rs"]
mod test_redis;

use httpmock::prelude::*;
use scalexpert::auth::SharedToken;
use scalexpert::quota::{Lane, Quota, SharedBudget};
use scalexpert::{Client, Credentials, Environment, Error, RedisStore, RetryPolicy};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use test_redis::TestRedis;

const TOKEN_PATH: &str = "/auth-server/api/v1/oauth2/token";
const ELIGIBLE_PATH: &str = "/e-financing/api/v1/eligible-solutions";

/// A key prefix of its own per test, so tests sharing CI's Redis do not meet.
fn prefix() -> String {
    format!("test:{:016x}:", fastrand::u64(..))
}

fn replica(server: &MockServer) -> scalexpert::ClientBuilder {
    Client::builder()
        .environment(Environment::custom(server.base_url()).unwrap())
        .credentials(Credentials::new("psp-fleet", "psp-fleet-secret"))
        .retry_policy(RetryPolicy::none())
}

/// A store of the test's Redis that waits up to 2 s for it. Six replicas connecting at once,
/// with the other tests of this file on two cores, can take longer than the SDK's 250 ms, which
/// sends a replica to its fallback (its own token, its share of the quota): the path the
/// Redis-down tests cover, not the one these count.
fn store(redis: &TestRedis) -> RedisStore {
    RedisStore::open(&redis.url)
        .unwrap()
        .timeout(Duration::from_secs(2))
}

fn shared_quota(redis: &TestRedis, prefix: &str, quota: Quota, share: f64) -> Quota {
    let store = store(redis);
    quota.shared(
        SharedBudget::new(store)
            .fallback_share(share)
            .key_prefix(prefix),
    )
}

fn token_mock<'a>(server: &'a MockServer, token: &str, expires_in: u64) -> httpmock::Mock<'a> {
    server.mock(|when, then| {
        when.method(POST).path(TOKEN_PATH);
        then.status(200).json_body(serde_json::json!({
            "access_token": token, "token_type": "Bearer", "expires_in": expires_in
        }));
    })
}

fn eligible_mock(server: &MockServer) -> httpmock::Mock<'_> {
    server.mock(|when, then| {
        when.method(GET).path(ELIGIBLE_PATH);
        then.status(200)
            .json_body(serde_json::json!({ "solutions": [] }));
    })
}

async fn eligible(client: &Client) -> scalexpert::Result<()> {
    client
        .e_financing_v1_7_1()
        .get_eligible_product_services()
        .buyer_billing_country("FR")
        .financed_amount(1500.0)
        .send()
        .await
        .map(drop)
        .map_err(Error::from)
}

/// How many of `n` calls of `client` get a slot within `timeout` each; every other one must
/// be throttled, never sent.
async fn served(client: &Client, n: usize, timeout: Duration) -> usize {
    let view = client.with_timeout(timeout);
    let mut ok = 0;
    for _ in 0..n {
        match eligible(&view).await {
            Ok(()) => ok += 1,
            Err(Error::Throttled(_)) => {}
            Err(other) => panic!("expected a slot or Throttled, got {other:?}"),
        }
    }
    ok
}

/// A quota whose burst is all a test can use: the next slot comes after an hour.
fn burst_only(burst: u32) -> Quota {
    Quota::new(burst + 1, Duration::from_secs(3600)).burst(burst)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_on_one_redis_share_one_budget() {
    let Some(redis) = test_redis::shared_or_own("the shared quota").await else {
        return;
    };
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-shared-quota", 900);
    let api = eligible_mock(&server);
    let prefix = prefix();
    let replicas: Vec<Client> = (0..3)
        .map(|_| {
            replica(&server)
                .quota(shared_quota(&redis, &prefix, burst_only(10), 1.0))
                .build()
                .unwrap()
        })
        .collect();
    let mut total = 0;
    for replica in &replicas {
        total += served(replica, 6, Duration::from_millis(300)).await;
    }
    // 18 calls asked for, one burst of 10 between the three.
    assert_eq!(total, 10);
    api.assert_calls(10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn background_calls_leave_the_end_of_the_shared_burst_to_interactive_ones() {
    let Some(redis) = test_redis::shared_or_own("shared lanes").await else {
        return;
    };
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-lanes", 900);
    eligible_mock(&server);
    let prefix = prefix();
    let batch = replica(&server)
        .quota(shared_quota(&redis, &prefix, burst_only(10), 1.0))
        .build()
        .unwrap()
        .with_lane(Lane::Background);
    let checkout = replica(&server)
        .quota(shared_quota(&redis, &prefix, burst_only(10), 1.0))
        .build()
        .unwrap();
    assert_eq!(served(&batch, 10, Duration::from_millis(200)).await, 5);
    assert_eq!(served(&checkout, 10, Duration::from_millis(200)).await, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_on_one_replica_pauses_the_budget_of_all() {
    let Some(redis) = test_redis::shared_or_own("the shared 429 pause").await else {
        return;
    };
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-429", 900);
    let limited = server.mock(|when, then| {
        when.method(GET)
            .path(ELIGIBLE_PATH)
            .header("x-baas-client-ref-for-proxi-id", "LIMITED");
        then.status(429).header("retry-after", "30");
    });
    let api = eligible_mock(&server);
    let prefix = prefix();
    let quota = || {
        shared_quota(
            &redis,
            &prefix,
            Quota::new(1000, Duration::from_secs(1)),
            1.0,
        )
    };
    let first = replica(&server).quota(quota()).build().unwrap();
    let second = replica(&server).quota(quota()).build().unwrap();
    let error = eligible(&first.for_merchant("LIMITED").unwrap())
        .await
        .expect_err("429");
    assert!(matches!(error, Error::RateLimited(_)), "{error:?}");
    assert_eq!(served(&second, 3, Duration::from_millis(200)).await, 0);
    limited.assert_calls(1);
    api.assert_calls(0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_down_calls_keep_their_share_locally_and_come_back_to_the_shared_budget() {
    let Some(mut redis) = test_redis::own("the fallback of the shared quota").await else {
        return;
    };
    let server = MockServer::start_async().await;
    token_mock(&server, "tok-fallback", 900);
    let api = eligible_mock(&server);
    let prefix = prefix();
    let client = replica(&server)
        .quota(shared_quota(&redis, &prefix, burst_only(10), 0.5))
        .build()
        .unwrap();
    assert_eq!(served(&client, 2, Duration::from_millis(300)).await, 2);

    redis.stop();
    // Every call ends by its deadline (here 300 ms; the bound below only catches a hang).
    let timeout = Duration::from_millis(300);
    let bounded = tokio::time::timeout(Duration::from_secs(10), served(&client, 8, timeout));
    let on_fallback = bounded.await.expect("no call hangs on a stopped Redis");
    // Half of the burst of 10, in this process.
    assert_eq!(on_fallback, 5);

    assert!(redis.start().await);
    // The next probe (at most a second away) finds Redis: the shared key fills again.
    let mut connection = redis.connection().await;
    let key = format!(
        "{prefix}quota:{}/auth-server/api/v1/oauth2/token:psp-fleet:e-financing:rw",
        server.base_url()
    );
    let mut back = false;
    for _ in 0..40 {
        let _ = eligible(&client.with_timeout(Duration::from_millis(50))).await;
        let exists: i64 = redis::cmd("EXISTS")
            .arg(&key)
            .query_async(&mut connection)
            .await
            .unwrap();
        if exists == 1 {
            back = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(back, "the client went back to the shared budget");
    api.assert_calls(2 + 5 + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_share_one_token_stored_for_less_than_its_lifetime() {
    let Some(redis) = test_redis::shared_or_own("the shared token").await else {
        return;
    };
    let server = MockServer::start_async().await;
    let token = token_mock(&server, "tok-fleet-7c1e-never-printed", 900);
    let api = eligible_mock(&server);
    let prefix = prefix();
    let replicas: Vec<Client> = (0..6)
        .map(|_| {
            let store = store(&redis);
            replica(&server)
                .no_quota()
                .shared_token(SharedToken::new(store).key_prefix(&prefix))
                .build()
                .unwrap()
        })
        .collect();
    let calls: Vec<_> = replicas
        .iter()
        .cloned()
        .map(|replica| tokio::spawn(async move { eligible(&replica).await }))
        .collect();
    for call in calls {
        call.await.unwrap().expect("call succeeds");
    }
    token.assert_calls(1);
    api.assert_calls(6);

    let key = format!(
        "{prefix}token:{}/auth-server/api/v1/oauth2/token:psp-fleet:e-financing:rw",
        server.base_url()
    );
    let mut connection = redis.connection().await;
    let ttl: i64 = redis::cmd("PTTL")
        .arg(&key)
        .query_async(&mut connection)
        .await
        .unwrap();
    // 900 s less the default refresh margin of 60 s.
    assert!(ttl > 0 && ttl <= 840_000, "{ttl}");
    let lock: i64 = redis::cmd("EXISTS")
        .arg(format!("{key}:lock"))
        .query_async(&mut connection)
        .await
        .unwrap();
    assert_eq!(lock, 0, "the lock is released");
    assert!(!format!("{:?}", replicas[0]).contains("tok-fleet-7c1e"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_401_on_any_replica_replaces_the_shared_token_for_all() {
    let Some(redis) = test_redis::shared_or_own("invalidating the shared token").await else {
        return;
    };
    let server = MockServer::start_async().await;
    // The token endpoint gives `old` first, then `new`.
    let issued = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&issued);
    let old = server.mock(|when, then| {
        when.method(POST)
            .path(TOKEN_PATH)
            .is_true(move |_| seen.fetch_add(1, Ordering::SeqCst) == 0);
        then.status(200).json_body(serde_json::json!({
            "access_token": "old-token", "token_type": "Bearer", "expires_in": 900
        }));
    });
    let new = token_mock(&server, "new-token", 900);
    let refused = server.mock(|when, then| {
        when.method(GET)
            .path(ELIGIBLE_PATH)
            .header("authorization", "Bearer old-token");
        then.status(401);
    });
    let accepted = server.mock(|when, then| {
        when.method(GET)
            .path(ELIGIBLE_PATH)
            .header("authorization", "Bearer new-token");
        then.status(200)
            .json_body(serde_json::json!({ "solutions": [] }));
    });
    let prefix = prefix();
    let replica_with_token = || {
        let store = store(&redis);
        replica(&server)
            .no_quota()
            .shared_token(SharedToken::new(store).key_prefix(&prefix))
            .build()
            .unwrap()
    };
    let (first, second) = (replica_with_token(), replica_with_token());
    // The first replica gets `old`, refused; it replaces it with `new` for everyone.
    eligible(&first).await.expect("replayed with a new token");
    // The second finds `new` in Redis: no token request of its own.
    eligible(&second).await.expect("the shared new token");
    old.assert_calls(1);
    new.assert_calls(1);
    refused.assert_calls(1);
    accepted.assert_calls(2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_down_a_replica_requests_its_own_token() {
    let Some(mut redis) = test_redis::own("the shared token without Redis").await else {
        return;
    };
    let server = MockServer::start_async().await;
    let token = token_mock(&server, "tok-own", 900);
    let api = eligible_mock(&server);
    let store = RedisStore::open(&redis.url).unwrap();
    redis.stop();
    let client = replica(&server)
        .no_quota()
        .shared_token(SharedToken::new(store).key_prefix(prefix()))
        .build()
        .unwrap();
    tokio::time::timeout(Duration::from_secs(10), eligible(&client))
        .await
        .expect("no hang")
        .expect("its own token");
    token.assert_calls(1);
    api.assert_calls(1);
}
