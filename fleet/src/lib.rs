//! A PSP fleet on one Redis and one gateway: what `cargo run --example psp_fleet -p
//! scalexpert-fleet` runs.
//!
//! The coordinator starts N worker processes (this program again, with `--worker <i>`). Each
//! worker is one replica of a PSP's payment service: one `scalexpert::Client` with the PSP's
//! credentials, the quota shared on Redis (or, with `--local-quota`, kept in the process, which
//! is what a fleet without coordination does), the token shared on Redis (unless
//! `--no-shared-token`), merchant views of its share of the merchants, and a webhook receiver
//! deduplicating on Redis. Workers send interactive calls (eligibility) and background calls
//! (paging through subscriptions) as fast as their tasks can, above the quota.
//!
//! Webhooks come from the gateway, as in production: the coordinator runs a round-robin load
//! balancer in front of the receivers, points the webhook of one of the PSP's merchants at it
//! (merchant-webhooks `PUT /webhooks`), and has the gateway emit `--events` test events
//! (`POST /events/tests/_trigger`); the gateway delivers each (several times, if it is set to:
//! the sandbox's `--webhook-copies`) and retries until acknowledged. With `--kill-receiver i`,
//! worker `i` stalls in the handler of its first event and the coordinator kills it (SIGKILL)
//! there: its claim expires after `--webhook-lease-ms`, and a redelivery reaching another
//! receiver handles the event. Receivers record each handling in Redis ([`record`]), which
//! outlives the killed process.
//!
//! At the end the coordinator prints one line of JSON: the workers' counts and waits per lane,
//! the webhook counts (events, handled, the balancer's answers, the killed worker), and the
//! sandbox's own stats (`GET /sandbox/admin/stats`).

mod balancer;
mod coordinator;
mod events;
mod options;
pub mod record;
mod worker;

pub use options::Options;

/// Runs the coordinator or, with `--worker`, one worker, from the command line.
pub fn main_from_args() -> Result<(), String> {
    let options = Options::parse(std::env::args_os().skip(1))?;
    if options.worker.is_some() {
        // The SDK's warnings, such as a replica going on without Redis, on stderr.
        tracing_subscriber::fmt()
            .with_max_level(tracing_subscriber::filter::LevelFilter::WARN)
            .with_writer(std::io::stderr)
            .with_ansi(false)
            .init();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async move {
        match options.worker {
            Some(index) => worker::run(&options, index).await,
            None => coordinator::run(&options).await,
        }
    })
}
