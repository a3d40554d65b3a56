//! Starts the workers, delivers webhooks to their receivers, and prints the summary.

use crate::options::Options;
use crate::worker::{percentile, webhook_secrets};
use serde_json::{json, Value};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};

struct Worker {
    child: Child,
    lines: Lines<BufReader<ChildStdout>>,
    receiver: String,
}

async fn start(options: &Options, index: usize) -> Result<Worker, String> {
    let program = std::env::current_exe().map_err(|e| format!("cannot find myself: {e}"))?;
    let mut child = Command::new(program)
        .args(options.worker_args(index))
        .stdout(Stdio::piped())
        .stdin(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start worker {index}: {e}"))?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let mut lines = BufReader::new(stdout).lines();
    let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .map_err(|_| format!("worker {index} did not start"))?
        .map_err(|e| e.to_string())?
        .ok_or(format!("worker {index} ended before it started"))?;
    let receiver = first
        .strip_prefix("receiver ")
        .ok_or(format!("worker {index} said {first:?}"))?
        .to_string();
    Ok(Worker {
        child,
        lines,
        receiver,
    })
}

/// A HELLO_WORLD event with a fresh id, as the merchant-webhooks service sends it.
fn event(index: usize) -> String {
    let id = uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid();
    json!({
        "timestamp": chrono::Utc::now(),
        "id": id,
        "eventTypeCode": "HELLO_WORLD",
        "eventCode": "HELLO_WORLD",
        "data": {
            "eventTypeCode": "HELLO_WORLD",
            "eventCode": "HELLO_WORLD",
            "helloWorldMessage": format!("fleet event {index}")
        }
    })
    .to_string()
}

/// Delivers each event `deliveries` times, each time to the next receiver, over the first half
/// of the run. Returns the deliveries answered 2xx.
async fn deliver(options: &Options, receivers: &[String]) -> Result<usize, String> {
    let http = reqwest::Client::new();
    let secrets = webhook_secrets();
    let pause = options.duration / 2 / (options.events.max(1) as u32);
    let mut accepted = 0;
    for index in 0..options.events {
        let body = event(index);
        let mut redeliveries = Vec::new();
        for attempt in 0..options.deliveries {
            let receiver = &receivers[(index + attempt) % receivers.len()];
            let headers = secrets
                .delivery_headers(None, body.as_bytes(), chrono::Utc::now())
                .map_err(|e| e.to_string())?;
            let request = http
                .post(receiver)
                .headers(headers)
                .body(body.clone())
                .send();
            redeliveries.push(request);
        }
        // The deliveries of one event race, as redeliveries to different replicas may.
        for answer in futures_join(redeliveries).await {
            if answer.is_ok_and(|a| a.status().is_success()) {
                accepted += 1;
            }
        }
        tokio::time::sleep(pause).await;
    }
    Ok(accepted)
}

/// Runs `futures` at once, each on its own task; the outputs of those that did not panic.
async fn futures_join<F>(futures: Vec<F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut outputs = Vec::new();
    for handle in handles {
        if let Ok(output) = handle.await {
            outputs.push(output);
        }
    }
    outputs
}

/// The sandbox's own counts.
async fn sandbox_stats(options: &Options) -> Value {
    let url = format!(
        "{}/sandbox/admin/stats",
        options.sandbox.trim_end_matches('/')
    );
    let mut request = reqwest::Client::new().get(url);
    if let Some(token) = &options.admin_token {
        request = request.header("X-Sandbox-Admin-Token", token);
    }
    match request.send().await {
        Ok(answer) => answer.json().await.unwrap_or(Value::Null),
        Err(_) => Value::Null,
    }
}

/// Sums the workers' counts of one lane.
fn lane(summaries: &[Value], name: &str) -> Value {
    let sum = |field: &str| -> u64 {
        summaries
            .iter()
            .filter_map(|s| s[name][field].as_u64())
            .sum()
    };
    let mut waits: Vec<Duration> = summaries
        .iter()
        .filter_map(|s| s[name]["waitsMs"].as_array())
        .flatten()
        .filter_map(Value::as_f64)
        .map(|ms| Duration::from_secs_f64(ms / 1000.0))
        .collect();
    waits.sort_unstable();
    json!({
        "ok": sum("ok"),
        "throttled": sum("throttled"),
        "rateLimited": sum("rateLimited"),
        "failed": sum("failed"),
        "overDeadline": sum("overDeadline"),
        "p99WaitMs": percentile(&waits, 0.99).as_secs_f64() * 1000.0,
    })
}

pub(crate) async fn run(options: &Options) -> Result<(), String> {
    let mut workers = Vec::new();
    for index in 0..options.processes {
        workers.push(start(options, index).await?);
    }
    let receivers: Vec<String> = workers.iter().map(|w| w.receiver.clone()).collect();
    let accepted = deliver(options, &receivers).await?;
    let mut summaries = Vec::new();
    let limit = options.duration + Duration::from_secs(30);
    for (index, worker) in workers.iter_mut().enumerate() {
        let line = tokio::time::timeout(limit, worker.lines.next_line())
            .await
            .map_err(|_| format!("worker {index} did not finish"))?
            .map_err(|e| e.to_string())?
            .ok_or(format!("worker {index} ended without a summary"))?;
        summaries.push(
            serde_json::from_str::<Value>(&line)
                .map_err(|_| format!("worker {index} said {line:?}"))?,
        );
        let status = worker.child.wait().await.map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("worker {index} failed: {status}"));
        }
    }
    let handled: u64 = summaries
        .iter()
        .filter_map(|s| s["webhooksHandled"].as_u64())
        .sum();
    let summary = json!({
        "processes": options.processes,
        "durationSecs": options.duration.as_secs_f64(),
        "merchants": options.merchants,
        "sharedQuota": !options.local_quota,
        "sharedToken": !options.no_shared_token,
        "quota": {"calls": options.quota_calls, "windowSecs": options.quota_window.as_secs_f64()},
        "interactive": lane(&summaries, "interactive"),
        "background": lane(&summaries, "background"),
        "webhooks": {
            "events": options.events,
            "deliveries": options.events * options.deliveries,
            "accepted": accepted,
            "handled": handled,
        },
        "sandbox": sandbox_stats(options).await,
    });
    println!("{summary}");
    Ok(())
}
