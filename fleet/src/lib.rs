//! A PSP fleet on one Redis and one gateway: what `cargo run --example psp_fleet -p
//! scalexpert-fleet` runs.
//!
//! The coordinator starts N worker processes (this program again, with `--worker <i>`). Each
//! worker is one replica of a PSP's payment service: one `scalexpert::Client` with the PSP's
//! credentials, the quota shared on Redis (or, with `--local-quota`, kept in the process, which
//! is what a fleet without coordination does), the token shared on Redis (unless
//! `--no-shared-token`), merchant views of its share of the merchants, and a webhook receiver
//! deduplicating on Redis. Workers send interactive calls (eligibility) and background calls
//! (paging through subscriptions) as fast as their tasks can, above the quota; the coordinator
//! delivers signed webhook events to the receivers, each event several times to different
//! receivers. At the end it prints one line of JSON: the workers' counts and waits per lane, the
//! webhook counts, and the sandbox's own stats (`GET /sandbox/admin/stats`).

mod coordinator;
mod options;
mod worker;

pub use options::Options;

/// Runs the coordinator or, with `--worker`, one worker, from the command line.
pub fn main_from_args() -> Result<(), String> {
    let options = Options::parse(std::env::args_os().skip(1))?;
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
