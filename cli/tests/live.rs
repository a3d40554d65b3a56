//! The opt-in live suite: go-live's scenarios as tests, against Scalexpert's UATC gateway.
//!
//! They run only when `SCALEXPERT_CLIENT_ID` and `SCALEXPERT_CLIENT_SECRET` hold UATC
//! credentials; otherwise each test passes at once, printing why it did not run. A person plays
//! the buyer (the prompts say what to do), so run them one at a time and see the prompts:
//!
//! ```sh
//! SCALEXPERT_CLIENT_ID=… SCALEXPERT_CLIENT_SECRET=… \
//!   cargo test -p scalexpert-cli --test live -- --test-threads=1 --nocapture
//! ```
//!
//! `SCALEXPERT_BASE_URL` (or `SCALEXPERT_ENVIRONMENT`) points them elsewhere, the offline
//! sandbox for a dry run say; production is refused. Each test runs its scenario for every
//! solution code the merchant has (and the accepted journey the cancellations and the
//! delivery need), and fails when one fails. Reports go to
//! `target/tmp/live-go-live/<scenario>/`.
#![cfg(feature = "e-financing-1_7_1")]

use scalexpert::{ClientBuilder, Environment};
use scalexpert_cli::go_live::report::Outcome;
use scalexpert_cli::go_live::{self, gateway, scenarios, webhooks, GoLiveArgs};

/// The client for the live gateway, or why the suite does not run.
fn live_client() -> Result<scalexpert::Client, String> {
    let set = |name: &str| std::env::var(name).is_ok_and(|v| !v.is_empty());
    if !(set("SCALEXPERT_CLIENT_ID") && set("SCALEXPERT_CLIENT_SECRET")) {
        return Err(
            "skipped: set SCALEXPERT_CLIENT_ID and SCALEXPERT_CLIENT_SECRET (UATC) to run the live suite"
                .into(),
        );
    }
    let client = ClientBuilder::from_env()
        .and_then(ClientBuilder::build)
        .map_err(|e| format!("skipped: {e}"))?;
    if *client.environment() == Environment::Production {
        return Err("skipped: the live suite never runs against production".into());
    }
    Ok(client)
}

/// Runs `scenario` for every solution the merchant has; fails when one of its runs failed.
async fn live(scenario: &str) {
    let client = match live_client() {
        Ok(client) => client,
        Err(reason) => {
            // Once for the suite, straight to the process's standard error: the test harness
            // captures `eprintln!` of passing tests, and the reason must show in a plain
            // `cargo test`.
            static SAID: std::sync::Once = std::sync::Once::new();
            SAID.call_once(|| {
                use std::io::Write as _;
                let _ = write!(std::io::stderr(), "\nlive suite {reason}\n");
            });
            return;
        }
    };
    let (api, connect) = gateway::select(None).expect("an e-financing version for go-live");
    let report_dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("live-go-live")
        .join(scenario.replace(' ', "-"));
    let args = GoLiveArgs {
        report: report_dir.clone(),
        solutions: Vec::new(),
        countries: vec!["FR".into(), "DE".into()],
        scenarios: vec![scenario.to_string()],
        journey_timeout: 900,
        poll_interval: 5,
        no_webhooks: scenario != webhooks::SCENARIO,
        allow_production: false,
    };
    let report = go_live::run_with(client, *connect, &args)
        .await
        .unwrap_or_else(|e| panic!("go-live could not run: {e}"));
    report
        .write(&report_dir, api, chrono::Utc::now())
        .expect("the report is written");
    let failed: Vec<String> = report
        .scenarios
        .iter()
        .filter(|s| s.status == Outcome::Fail)
        .map(|s| format!("{} · {}: {}", s.solution_code, s.name, s.detail))
        .collect();
    assert!(failed.is_empty(), "failed:\n{}", failed.join("\n"));
}

#[tokio::test]
async fn live_split_payment_accepted() {
    live(scenarios::SPLIT_ACCEPTED).await;
}

#[tokio::test]
async fn live_split_payment_refused() {
    live(scenarios::SPLIT_REFUSED).await;
}

#[tokio::test]
async fn live_long_term_credit_pre_accepted() {
    live(scenarios::CREDIT_PRE_ACCEPTED).await;
}

#[tokio::test]
async fn live_long_term_credit_accepted() {
    live(scenarios::CREDIT_ACCEPTED).await;
}

#[tokio::test]
async fn live_long_term_credit_rejected() {
    live(scenarios::CREDIT_REJECTED).await;
}

#[tokio::test]
async fn live_partial_cancellation() {
    live(scenarios::PARTIAL_CANCELLATION).await;
}

#[tokio::test]
async fn live_delivery_confirmation() {
    live(scenarios::DELIVERY).await;
}

#[tokio::test]
async fn live_full_cancellation() {
    live(scenarios::FULL_CANCELLATION).await;
}

#[tokio::test]
async fn live_webhook_receipt() {
    live(webhooks::SCENARIO).await;
}
