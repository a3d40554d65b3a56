//! The fleet end to end: `psp_fleet`'s worker processes against one sandbox (in this process)
//! and one redis-server (of this test), judged by the sandbox's own stats and, for webhooks,
//! by what the receivers wrote to Redis.
//!
//! The example binary is built by `cargo test` with the package's other targets
//! (`cargo test -p scalexpert-fleet`). Without redis-server the tests say so and pass, unless
//! `SCALEXPERT_REQUIRE_REDIS=1`.

use scalexpert_fleet::record;
use scalexpert_sandbox::{Sandbox, WebhookRetry};
use serde_json::Value;
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

// Shared with the root crate's Redis tests; this test needs only a server of its own.
#[allow(dead_code)]
#[path = "../../tests/support/test_redis.rs"]
mod test_redis;

/// The gateway's quota in these tests: 100 calls per 10 s per client id and scope.
const QUOTA: u32 = 100;
const WINDOW_SECS: u64 = 10;
/// What the fleet's governor keeps to: a little under the gateway's quota, so that calls
/// granted a few milliseconds apart and delayed differently on the way still fit its windows.
const GOVERNOR_CALLS: u32 = 95;
const TOKEN_LIFETIME_SECS: u64 = 5;
const TOKEN_MARGIN_MS: u64 = 1000;
/// How long the first test's replicas wait for Redis before going on without it.
const REDIS_TIMEOUT_MS: u64 = 1000;
const PROCESSES: usize = 4;
const SCOPE: &str = "e-financing:rw";
/// The sandbox delivers each webhook event this many times, each copy retried until
/// acknowledged.
const COPIES: u32 = 3;
/// A receiver's claim on an event: short, so the event a killed receiver held is handled
/// again within the run.
const LEASE_MS: u64 = 1500;
/// The worker killed mid-handling in the first test.
const VICTIM: usize = 1;

/// The fleets share two cores: one at a time.
static ONE_FLEET: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn example_binary() -> PathBuf {
    let test = std::env::current_exe().expect("the test binary");
    // target/<profile>/deps/fleet-<hash> → target/<profile>/examples/psp_fleet
    let binary = test
        .parent()
        .and_then(|deps| deps.parent())
        .map(|profile| profile.join("examples").join("psp_fleet"))
        .expect("a target directory");
    assert!(
        binary.is_file(),
        "{} is missing: run `cargo test -p scalexpert-fleet`, which builds the examples",
        binary.display()
    );
    binary
}

async fn sandbox() -> Sandbox {
    Sandbox::builder()
        .quota(QUOTA)
        .quota_window(Duration::from_secs(WINDOW_SECS))
        .token_lifetime(Duration::from_secs(TOKEN_LIFETIME_SECS))
        // Retries for longer than a lease, so the copy that found its receiver killed is
        // handled once the claim expires.
        .webhook_retry(WebhookRetry {
            retries: 60,
            delay: Duration::from_millis(100),
        })
        .webhook_copies(COPIES)
        .start()
        .await
        .expect("the sandbox starts")
}

/// Runs `psp_fleet` for `seconds` with `extra` arguments; its JSON summary.
fn fleet(
    sandbox: &Sandbox,
    redis: &str,
    prefix: &str,
    seconds: u64,
    extra: &[&str],
) -> std::thread::JoinHandle<Value> {
    let mut command = Command::new(example_binary());
    command
        .args(["--sandbox", sandbox.base_url(), "--redis", redis])
        .args(["--processes", &PROCESSES.to_string()])
        .args(["--duration-secs", &seconds.to_string()])
        .args(["--quota-calls", &GOVERNOR_CALLS.to_string()])
        .args(["--quota-window-secs", &WINDOW_SECS.to_string()])
        .args([
            "--burst",
            "10",
            "--tasks",
            "4",
            "--interactive-percent",
            "25",
        ])
        .args(["--token-margin-ms", &TOKEN_MARGIN_MS.to_string()])
        .args([
            "--events",
            "40",
            "--webhook-lease-ms",
            &LEASE_MS.to_string(),
        ])
        .args([
            "--admin-token",
            sandbox.admin_token(),
            "--key-prefix",
            prefix,
        ])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    std::thread::spawn(move || {
        let output = command.output().expect("psp_fleet runs");
        assert!(
            output.status.success(),
            "psp_fleet failed: {}",
            output.status
        );
        let stdout = String::from_utf8_lossy(&output.stdout);
        let last = stdout.lines().last().expect("a summary line");
        serde_json::from_str(last).expect("the summary is JSON")
    })
}

async fn finished(run: std::thread::JoinHandle<Value>) -> Value {
    tokio::task::spawn_blocking(move || run.join().expect("the fleet thread"))
        .await
        .expect("joined")
}

/// The sandbox's counts for the PSP's e-financing scope.
fn psp_stats(sandbox: &Sandbox) -> scalexpert_sandbox::ClientStats {
    let psp = sandbox.psp_credentials().expect("PSP credentials");
    sandbox
        .stats()
        .clients
        .into_iter()
        .find(|c| c.client_id == psp.client_id() && c.scope == SCOPE)
        .expect("the PSP called")
}

fn prefix() -> String {
    format!("fleet-test:{:012x}:", fastrand::u64(..1 << 48))
}

/// Every event the sandbox emitted was handled exactly once, judged from what the receivers
/// wrote to Redis (which outlives the killed one), and the killed receiver really died in the
/// middle of handling one of them, which another receiver then handled.
async fn handled_exactly_once_though_a_receiver_was_killed(
    redis: &test_redis::TestRedis,
    prefix: &str,
    summary: &Value,
) {
    let webhooks = &summary["webhooks"];
    assert_eq!(webhooks["notTriggered"], 0, "{webhooks}");
    let ids: Vec<String> = webhooks["eventIds"]
        .as_array()
        .expect("the emitted ids")
        .iter()
        .map(|id| id.as_str().expect("an id").to_string())
        .collect();
    assert_eq!(ids.len(), 40, "{webhooks}");

    let mut connection = redis.connection().await;
    let handled: HashMap<String, u64> = redis::cmd("HGETALL")
        .arg(record::handled_key(prefix))
        .query_async(&mut connection)
        .await
        .unwrap();
    for id in &ids {
        assert_eq!(handled.get(id), Some(&1), "event {id}: {handled:?}");
    }
    assert_eq!(handled.len(), ids.len(), "no other event: {handled:?}");

    // Killed mid-handling: it began the event and never finished it; another receiver did.
    let killed = &webhooks["killed"];
    assert_eq!(
        killed["worker"], VICTIM,
        "a receiver was killed: {webhooks}"
    );
    let event: uuid::Uuid = killed["eventId"].as_str().unwrap().parse().unwrap();
    assert!(ids.contains(&event.hyphenated().to_string()), "{webhooks}");
    let list = |key: String| {
        let mut connection = connection.clone();
        async move {
            redis::cmd("LRANGE")
                .arg(key)
                .arg(0)
                .arg(-1)
                .query_async::<Vec<String>>(&mut connection)
                .await
                .unwrap()
        }
    };
    let started = list(record::started_key(prefix)).await;
    let finished = list(record::finished_key(prefix)).await;
    let by_victim = record::entry(VICTIM, event);
    assert!(started.contains(&by_victim), "{started:?}");
    assert!(!finished.contains(&by_victim), "{finished:?}");
    let finishers: Vec<&String> = finished
        .iter()
        .filter(|e| e.ends_with(&event.hyphenated().to_string()))
        .collect();
    assert_eq!(finishers.len(), 1, "{finished:?}");

    // The gateway's redeliveries: every copy of every event reached the balancer, the one cut
    // off by the kill was answered 502, and redeliveries during the dead receiver's lease 409.
    let balancer = &webhooks["balancer"];
    let copies = u64::from(COPIES) * ids.len() as u64;
    assert!(
        balancer["deliveries"].as_u64() >= Some(copies),
        "{balancer}"
    );
    assert!(
        balancer["answers"]["200"].as_u64() >= Some(copies),
        "{balancer}"
    );
    assert!(balancer["answers"]["502"].as_u64() >= Some(1), "{balancer}");
    assert!(balancer["answers"]["409"].as_u64() >= Some(1), "{balancer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_fleet_on_the_shared_governor_stays_under_the_quota_and_handles_each_webhook_once_though_a_receiver_is_killed(
) {
    let _one = ONE_FLEET.lock().await;
    let Some(redis) = test_redis::own("the fleet").await else {
        return;
    };
    let sandbox = sandbox().await;
    let seconds = 12;
    let prefix = prefix();
    let victim = VICTIM.to_string();
    // Four debug replicas, the sandbox and Redis share two cores here: a Redis answer later
    // than the SDK's 250 ms would send a replica to a token of its own, the fallback the
    // Redis-stopped test covers. This one is about the shared path.
    let redis_timeout = REDIS_TIMEOUT_MS.to_string();
    let args = [
        "--kill-receiver",
        victim.as_str(),
        "--redis-timeout-ms",
        redis_timeout.as_str(),
    ];
    let summary = finished(fleet(&sandbox, &redis.url, &prefix, seconds, &args)).await;
    let stats = psp_stats(&sandbox);
    eprintln!("summary: {summary}\nsandbox: {stats:?}");
    // Far more calls wanted than the quota allows, and none over it.
    assert!(stats.calls > u64::from(QUOTA), "{stats:?}");
    assert!(stats.max_calls_in_window <= u64::from(QUOTA), "{stats:?}");
    assert_eq!(stats.rate_limited, 0, "{stats:?}");
    assert!(
        summary["background"]["throttled"].as_u64() > Some(0),
        "{summary}"
    );
    // Interactive calls are served first.
    let p99 = |lane: &str| summary[lane]["p99WaitMs"].as_f64().expect("a p99");
    assert!(p99("interactive") < p99("background"), "{summary}");
    // One token for the fleet per usable lifetime (5 s less the 1 s margin), not one each:
    // the lifetimes of the run, one more for the calls still in flight when it ends, and one
    // more in case the killed replica was the one requesting a token, answered by the gateway
    // but never stored (its lock then expires and another replica requests it again).
    let usable = TOKEN_LIFETIME_SECS as f64 - TOKEN_MARGIN_MS as f64 / 1000.0;
    let lifetimes = (seconds as f64 / usable).ceil() as u64;
    // And at least one per lifetime: the fleet did replace its token as each one expired.
    assert!(
        (lifetimes..=lifetimes + 2).contains(&stats.token_requests),
        "{stats:?}"
    );
    // Every webhook event handled once, though the sandbox delivered each three times and
    // one of the four receivers was killed mid-handling.
    handled_exactly_once_though_a_receiver_was_killed(&redis, &prefix, &summary).await;
    assert_eq!(summary["interactive"]["overDeadline"], 0, "{summary}");
    assert_eq!(summary["background"]["overDeadline"], 0, "{summary}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_fleet_without_the_shared_governor_is_rate_limited() {
    let _one = ONE_FLEET.lock().await;
    let Some(redis) = test_redis::own("the fleet without coordination").await else {
        return;
    };
    let sandbox = sandbox().await;
    let args = ["--local-quota", "--no-shared-token"];
    let summary = finished(fleet(&sandbox, &redis.url, &prefix(), 8, &args)).await;
    let stats = psp_stats(&sandbox);
    eprintln!("summary: {summary}\nsandbox: {stats:?}");
    assert!(stats.rate_limited > 0, "{stats:?}");
    assert!(stats.max_calls_in_window > u64::from(QUOTA), "{stats:?}");
    // Each replica requested its own token.
    assert!(stats.token_requests >= PROCESSES as u64, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_redis_stopped_mid_run_the_fleet_keeps_calling_and_returns_to_the_shared_budget() {
    let _one = ONE_FLEET.lock().await;
    let Some(mut redis) = test_redis::own("the fleet with Redis stopped").await else {
        return;
    };
    let sandbox = sandbox().await;
    let prefix = prefix();
    // Webhooks need Redis for their deduplication: this run is about calls only.
    let run = fleet(&sandbox, &redis.url, &prefix, 14, &["--events", "0"]);
    tokio::time::sleep(Duration::from_secs(4)).await;
    redis.stop();
    let calls_when_stopped = psp_stats(&sandbox).calls;
    tokio::time::sleep(Duration::from_secs(4)).await;
    let calls_when_restarted = psp_stats(&sandbox).calls;
    assert!(redis.start().await);
    let summary = finished(run).await;
    eprintln!("summary: {summary}\nsandbox: {:?}", psp_stats(&sandbox));
    // Calls went on while Redis was down, none past its deadline, no worker failed.
    assert!(calls_when_restarted > calls_when_stopped, "{summary}");
    assert_eq!(summary["interactive"]["overDeadline"], 0, "{summary}");
    assert_eq!(summary["background"]["overDeadline"], 0, "{summary}");
    // The restarted Redis (empty: no persistence) holds the shared budget again.
    let mut connection = redis.connection().await;
    let keys: Vec<String> = redis::cmd("KEYS")
        .arg(format!("{prefix}quota:*"))
        .query_async(&mut connection)
        .await
        .unwrap();
    assert_eq!(
        keys.len(),
        1,
        "the fleet is back on the shared budget: {keys:?}"
    );
}
