//! Starts the workers and the balancer in front of their receivers, has the gateway emit the
//! webhook events, kills the worker named by `--kill-receiver` mid-handling, and prints the
//! summary.

use crate::options::Options;
use crate::worker::{percentile, HANDLING};
use crate::{balancer, events, record};
use serde_json::{json, Value};
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader, Lines};
use tokio::process::{Child, ChildStdout, Command};
use uuid::Uuid;

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

/// How a worker ended.
enum Ended {
    /// With its summary.
    Finished(Value),
    /// Killed by the coordinator while it handled `event`.
    Killed { event: Uuid, status: String },
}

/// Reads a worker's output to its end. The worker to kill is killed (SIGKILL) as soon as it
/// says it is handling an event.
async fn watch(
    mut worker: Worker,
    index: usize,
    kill: bool,
    limit: Duration,
) -> Result<Ended, String> {
    loop {
        let line = tokio::time::timeout(limit, worker.lines.next_line())
            .await
            .map_err(|_| format!("worker {index} did not finish"))?
            .map_err(|e| e.to_string())?
            .ok_or(format!("worker {index} ended without a summary"))?;
        if let Some(id) = line.strip_prefix(HANDLING) {
            let event = id
                .parse()
                .map_err(|_| format!("worker {index} said {line:?}"))?;
            if !kill {
                continue;
            }
            worker
                .child
                .start_kill()
                .map_err(|e| format!("worker {index} could not be killed: {e}"))?;
            let status = worker.child.wait().await.map_err(|e| e.to_string())?;
            return Ok(Ended::Killed {
                event,
                status: status.to_string(),
            });
        }
        let summary = serde_json::from_str::<Value>(&line)
            .map_err(|_| format!("worker {index} said {line:?}"))?;
        let status = worker.child.wait().await.map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("worker {index} failed: {status}"));
        }
        return Ok(Ended::Finished(summary));
    }
}

pub(crate) async fn run(options: &Options) -> Result<(), String> {
    let started = tokio::time::Instant::now();
    let mut workers = Vec::new();
    for index in 0..options.processes {
        workers.push(start(options, index).await?);
    }
    let receivers: Vec<String> = workers.iter().map(|w| w.receiver.clone()).collect();
    let balancer = balancer::start(receivers, crate::worker::HOOK_PATH).await?;
    let hooks = events::client(options)?;
    if options.events > 0 {
        events::point_at(&hooks, &balancer.url).await?;
    }
    let limit = options.duration + Duration::from_secs(30);
    let watchers: Vec<_> = workers
        .into_iter()
        .enumerate()
        .map(|(index, worker)| {
            let kill = options.kill_receiver == Some(index);
            tokio::spawn(watch(worker, index, kill, limit))
        })
        .collect();
    let (ids, not_triggered) = events::emit(&hooks, options).await;
    // The gateway's deliveries run on after the last trigger; the workers receive until the
    // end of the run.
    let tally = |until| record::wait_handled(&options.redis, &options.key_prefix, &ids, until);
    tally(started + options.duration).await;
    let mut summaries = Vec::new();
    let mut killed = Value::Null;
    for (index, watcher) in watchers.into_iter().enumerate() {
        match watcher.await.map_err(|e| e.to_string())?? {
            Ended::Finished(summary) => summaries.push(summary),
            Ended::Killed { event, status } => {
                killed = json!({"worker": index, "eventId": event, "status": status});
            }
        }
    }
    // Read once every receiver is gone: what was handled, late copies included.
    let (handled, handlings) = tally(tokio::time::Instant::now()).await;
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
            "events": ids.len(),
            "notTriggered": not_triggered,
            "eventIds": ids,
            "handled": handled,
            "handlings": handlings,
            "balancer": balancer.counts(),
            "killed": killed,
        },
        "sandbox": sandbox_stats(options).await,
    });
    println!("{summary}");
    Ok(())
}
