//! One replica of the PSP's service: calls for its merchants above the quota, and receives
//! webhooks. Prints its receiver's URL first, then one line of JSON with its counts.
//!
//! Each handling is recorded in Redis ([`crate::record`]). The worker named by
//! `--kill-receiver` prints `handling <event id>` in the handler of the first event it gets
//! and stalls there: the coordinator kills it at that moment.

use crate::options::Options;
use crate::record::Recorder;
use axum::Router;
use scalexpert::auth::SharedToken;
use scalexpert::quota::{Lane, Quota, SharedBudget};
use scalexpert::webhooks::axum::{route, serve, ServeLimits};
use scalexpert::webhooks::{Event, Receiver, ReceiverSecrets, RedisDeduplicator};
use scalexpert::{Client, Credentials, Environment, Error, RedisStore, RetryPolicy};
use serde_json::json;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What deliveries carry in `X-BAAS-SECRET` (the webhook's `secret`, method `NONE`).
pub(crate) const WEBHOOK_SECRET: &str = "psp-fleet-secret";
/// What they are signed with (the webhook's `keyForSignature`).
pub(crate) const WEBHOOK_SIGNING_KEY: &str = "psp-fleet-signing-key";

/// The secrets the gateway authenticates and signs deliveries with, as receivers check them.
fn webhook_secrets() -> ReceiverSecrets {
    ReceiverSecrets::secret_header(WEBHOOK_SECRET).with_signature_key(WEBHOOK_SIGNING_KEY)
}

/// What the coordinator watches for in the output of the worker it kills.
pub(crate) const HANDLING: &str = "handling ";

/// The path of every worker's receiver.
pub(crate) const HOOK_PATH: &str = "/hooks/scalexpert";

/// What happened to one call.
#[derive(Clone, Copy)]
enum Outcome {
    Ok,
    Throttled,
    RateLimited,
    Failed,
}

/// The calls of one lane.
#[derive(Default)]
struct LaneCounts {
    ok: u64,
    throttled: u64,
    rate_limited: u64,
    failed: u64,
    /// Time to get a slot: the call's time when served, its whole timeout when refused.
    waits: Vec<Duration>,
    /// Calls that took longer than their timeout (plus a small grace for scheduling).
    over_deadline: u64,
}

impl LaneCounts {
    fn json(&mut self) -> serde_json::Value {
        self.waits.sort_unstable();
        let p99 = percentile(&self.waits, 0.99);
        json!({
            "ok": self.ok,
            "throttled": self.throttled,
            "rateLimited": self.rate_limited,
            "failed": self.failed,
            "overDeadline": self.over_deadline,
            "waitsMs": self.waits.iter().map(|w| w.as_secs_f64() * 1000.0).collect::<Vec<_>>(),
            "p99WaitMs": p99.as_secs_f64() * 1000.0,
        })
    }
}

pub(crate) fn percentile(sorted: &[Duration], quantile: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((sorted.len() as f64) * quantile).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn client(options: &Options) -> Result<Client, String> {
    let mut store = RedisStore::open(&options.redis).map_err(|e| e.to_string())?;
    if let Some(timeout) = options.redis_timeout {
        store = store.timeout(timeout);
    }
    let mut quota = Quota::new(options.quota_calls, options.quota_window);
    if let Some(burst) = options.burst {
        quota = quota.burst(burst);
    }
    if !options.local_quota {
        let share = 1.0 / options.processes as f64;
        quota = quota.shared(
            SharedBudget::new(store.clone())
                .fallback_share(share)
                .key_prefix(&options.key_prefix),
        );
    }
    let environment = Environment::custom(&options.sandbox).map_err(|e| e.to_string())?;
    let mut builder = Client::builder()
        .environment(environment)
        .credentials(Credentials::new(&options.client_id, &options.client_secret))
        // One attempt per call: its deadline is its timeout.
        .retry_policy(RetryPolicy::none())
        .request_timeout(options.call_timeout)
        .token_refresh_margin(options.token_margin)
        .quota(quota);
    if !options.no_shared_token {
        builder = builder.shared_token(SharedToken::new(store).key_prefix(&options.key_prefix));
    }
    builder.build().map_err(|e| e.to_string())
}

/// One call of `lane` for `view`.
async fn call(view: &Client, lane: Lane, page: i64) -> Result<(), Error> {
    let api = view.e_financing_v1_7_1();
    match lane {
        Lane::Interactive => api
            .get_eligible_product_services()
            .buyer_billing_country("FR")
            .financed_amount(1500.0)
            .send()
            .await
            .map(drop)
            .map_err(Error::from),
        Lane::Background => api
            .retrieve_credit_subscription_for_specific_merchant()
            .page(page)
            .page_size(10)
            .send()
            .await
            .map(drop)
            .map_err(Error::from),
    }
}

pub(crate) async fn run(options: &Options, index: usize) -> Result<(), String> {
    let client = client(options)?;
    let views: Vec<Client> = (0..options.merchants)
        .filter(|m| m % options.processes == index)
        .map(|m| client.for_merchant(&format!("MERCHANT-{m:05}")))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    if views.is_empty() {
        return Err("this worker has no merchant: use more --merchants than --processes".into());
    }

    // The webhook receiver, deduplicating on the fleet's Redis.
    let mut dedupe = RedisDeduplicator::connect(&options.redis)
        .await
        .map_err(|e| e.to_string())?
        .prefix(format!("{}webhook:", options.key_prefix));
    if let Some(lease) = options.webhook_lease {
        dedupe = dedupe.lease(lease);
    }
    let recorder = Recorder::connect(&options.redis, &options.key_prefix, index).await?;
    let handled = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&handled);
    let stall = Arc::new(AtomicBool::new(options.kill_receiver == Some(index)));
    let receiver = Receiver::new(webhook_secrets()).deduplicator(dedupe);
    let app = Router::new().route(
        HOOK_PATH,
        route(receiver, move |event: Event| {
            let (recorder, counter, stall) =
                (recorder.clone(), Arc::clone(&counter), Arc::clone(&stall));
            async move {
                let redis = |e: redis::RedisError| format!("Redis ({:?})", e.kind());
                recorder.started(event.id).await.map_err(redis)?;
                if stall.swap(false, Ordering::SeqCst) {
                    // Mid-handling, for good: the coordinator kills this process on this line.
                    println!("{HANDLING}{}", event.id.hyphenated());
                    std::future::pending::<()>().await;
                }
                recorder.finished(event.id).await.map_err(redis)?;
                counter.fetch_add(1, Ordering::SeqCst);
                Ok::<(), String>(())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .map_err(|e| e.to_string())?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(async move { serve(listener, app, ServeLimits::default()).await });
    println!("receiver http://{address}{HOOK_PATH}");

    let lanes = Arc::new(Mutex::new([LaneCounts::default(), LaneCounts::default()]));
    let views = Arc::new(views);
    let until = Instant::now() + options.duration;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..options.tasks {
        let (views, lanes) = (Arc::clone(&views), Arc::clone(&lanes));
        let (timeout, interactive_percent) = (options.call_timeout, options.interactive_percent);
        tasks.spawn(async move {
            while Instant::now() < until {
                let view = &views[fastrand::usize(..views.len())];
                let lane = if fastrand::u32(..100) < interactive_percent {
                    Lane::Interactive
                } else {
                    Lane::Background
                };
                let started = Instant::now();
                let outcome = match call(view, lane, fastrand::i64(1..=5)).await {
                    Ok(()) => Outcome::Ok,
                    Err(Error::Throttled(_)) => Outcome::Throttled,
                    Err(Error::RateLimited(_)) => Outcome::RateLimited,
                    Err(error) => {
                        // What failed, without the error's text (it may name a merchant).
                        let kind = match &error {
                            Error::Timeout(_) => "timeout".to_string(),
                            other => other
                                .status()
                                .map_or_else(|| "other".to_string(), |s| s.as_u16().to_string()),
                        };
                        eprintln!("worker {index}: a {lane:?} call failed: {kind}");
                        Outcome::Failed
                    }
                };
                let took = started.elapsed();
                record(&lanes, lane, outcome, took, timeout);
                if matches!(outcome, Outcome::Throttled | Outcome::Failed) {
                    // Refused at once: do not spin on a budget that is known to be empty.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    // Deliveries still in flight get a moment before the count is read.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let mut lanes = lanes.lock().unwrap_or_else(|p| p.into_inner());
    let [interactive, background] = &mut *lanes;
    println!(
        "{}",
        json!({
            "worker": index,
            "interactive": interactive.json(),
            "background": background.json(),
            "webhooksHandled": handled.load(Ordering::SeqCst),
        })
    );
    Ok(())
}

/// Counts one call.
fn record(
    lanes: &Mutex<[LaneCounts; 2]>,
    lane: Lane,
    outcome: Outcome,
    took: Duration,
    timeout: Duration,
) {
    // A call may end a little after its deadline (scheduling, the last bytes): not a hang.
    let grace = Duration::from_millis(250);
    let mut lanes = lanes.lock().unwrap_or_else(|p| p.into_inner());
    let counts = &mut lanes[usize::from(lane == Lane::Background)];
    match outcome {
        Outcome::Ok => counts.ok += 1,
        Outcome::Throttled => counts.throttled += 1,
        Outcome::RateLimited => counts.rate_limited += 1,
        Outcome::Failed => counts.failed += 1,
    }
    counts.waits.push(match outcome {
        Outcome::Throttled => timeout,
        _ => took,
    });
    if took > timeout + grace {
        counts.over_deadline += 1;
    }
}
