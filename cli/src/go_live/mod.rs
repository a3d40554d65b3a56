//! `scalexpert go-live`: the acceptance journeys Scalexpert asks for before production, run
//! against the environment the command points at, with the report that proves them.
//!
//! 1. **Discover** the merchant's solutions: eligibility for buyers of each `--country` at a
//!    few amounts (a split payment and a credit amount each); `--solution` narrows the list.
//! 2. **Run** each solution's scenarios (see [`scenarios`]): a person plays the buyer, guided on
//!    standard error (the journey URL, the test card or IBAN to use), while go-live watches the
//!    status until it ends or `--journey-timeout` passes. Against the offline sandbox (a custom
//!    URL whose `/sandbox/health` answers) nobody is needed: go-live ends each journey through
//!    the sandbox's journey endpoints, and checks webhooks with a receiver of its own.
//! 3. **Report** to `<dir>/go-live.json` and `<dir>/go-live.md` ([`report`]).
//!
//! Exit status 0 when nothing failed, 1 when a scenario failed (the report says what to fix).

pub mod application;
pub mod gateway;
pub mod journey;
pub mod report;
pub mod scenarios;
pub mod webhooks;

use crate::config::environment_label;
use crate::config::GlobalOptions;
use crate::exit::CliError;
use application::Solution;
use journey::Buyer;
use report::{Outcome, Report, Scenario};
use scalexpert::{Amount, Environment};
use std::path::PathBuf;
use std::time::Duration;
use webhooks::Webhooks;

/// Amounts eligibility is asked for, in EUR: one that split payments take, one for credit below
/// the automatic-acceptance limit, one above it. A solution is tested at the first it takes.
const DISCOVERY_AMOUNTS: [u32; 3] = [300, 1500, 5000];

/// Options of `scalexpert go-live`.
#[derive(Debug, Clone, clap::Args)]
pub struct GoLiveArgs {
    /// Directory for go-live.md and go-live.json (created if missing).
    #[arg(long, value_name = "DIR", default_value = "go-live-report")]
    pub report: PathBuf,
    /// Test only this solution code (repeatable). Default: every code eligibility offers.
    #[arg(long = "solution", value_name = "CODE")]
    pub solutions: Vec<String>,
    /// Buyer countries to look for solutions in (repeatable or comma-separated).
    #[arg(long = "country", value_name = "CC", value_delimiter = ',', default_values_t = ["FR".to_string(), "DE".to_string()])]
    pub countries: Vec<String>,
    /// Run only this scenario (repeatable; what it needs runs too), e.g. "split payment
    /// refused".
    #[arg(long = "scenario", value_name = "NAME")]
    pub scenarios: Vec<String>,
    /// How long a buyer's journey (or the lender's decision) may take, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 900)]
    pub journey_timeout: u64,
    /// How often to read a subscription's status while waiting, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 5)]
    pub poll_interval: u64,
    /// Do not check webhook receipt.
    #[arg(long)]
    pub no_webhooks: bool,
    /// Allow running against production: it creates real applications (cancel them).
    #[arg(long)]
    pub allow_production: bool,
}

/// Runs go-live and writes the report; fails (exit status 1) when a scenario failed.
pub async fn run(globals: &GlobalOptions, args: &GoLiveArgs) -> Result<(), CliError> {
    let unknown: Vec<&String> = args
        .scenarios
        .iter()
        .filter(|s| !scenarios::ALL.contains(&s.as_str()))
        .collect();
    if !unknown.is_empty() {
        return Err(CliError::Usage(format!(
            "unknown scenario {unknown:?}; the scenarios are: {}",
            scenarios::ALL.join(", ")
        )));
    }
    let (api, connect) =
        gateway::select(globals.api_version.as_deref()).map_err(CliError::Usage)?;
    let client = crate::session::start(globals, None)?;
    if *client.environment() == Environment::Production && !args.allow_production {
        return Err(CliError::Usage(
            "go-live against production creates real applications: pass --allow-production \
             (and cancel them afterwards)"
                .into(),
        ));
    }
    let report = run_with(client, *connect, args).await?;
    let finished = chrono::Utc::now();
    let (json, md) = report.write(&args.report, api, finished).map_err(|e| {
        CliError::Usage(format!(
            "cannot write the report to {}: {e}",
            args.report.display()
        ))
    })?;
    let failed = report.count(Outcome::Fail);
    eprintln!(
        "\n{} passed, {failed} failed, {} skipped; report: {} and {}",
        report.count(Outcome::Pass),
        report.count(Outcome::Skipped),
        md.display(),
        json.display()
    );
    if failed > 0 {
        return Err(CliError::Failed(format!(
            "{failed} of {} go-live scenarios failed; see {}",
            report.scenarios.len(),
            md.display()
        )));
    }
    Ok(())
}

/// Runs the scenarios through `client` with the e-financing version `connect` makes, and
/// returns the report (not written). What the live test suite calls.
pub async fn run_with(
    client: scalexpert::Client,
    connect: gateway::Connect,
    args: &GoLiveArgs,
) -> Result<Report, CliError> {
    let environment = client.environment().clone();
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|e| CliError::Usage(format!("cannot build an HTTP client: {e}")))?;
    let buyer = if is_sandbox(&http, &environment).await {
        eprintln!(
            "{} is the offline sandbox: journeys are completed unattended",
            environment.root()
        );
        Buyer::Sandbox { http: http.clone() }
    } else {
        Buyer::Person
    };
    let started = chrono::Utc::now();
    let webhooks = if args.no_webhooks {
        Webhooks::Off("not checked (--no-webhooks)".into())
    } else if buyer.is_sandbox() {
        Webhooks::sandbox_receiver(&client).await
    } else {
        Webhooks::EventLog {
            client: client.clone(),
            since: started,
        }
    };
    let gateway = connect(client);
    let solutions = discover(gateway.as_ref(), args).await?;
    let mut run = scenarios::Run {
        gateway: gateway.as_ref(),
        buyer: &buyer,
        webhooks: &webhooks,
        timeout: Duration::from_secs(args.journey_timeout),
        poll: Duration::from_secs(args.poll_interval.max(1)),
        run_id: format!(
            "GOLIVE-{}-{:04}",
            started.format("%Y%m%d%H%M%S"),
            fastrand::u16(..10_000)
        ),
        orders: 0,
    };
    let mut results: Vec<Scenario> = Vec::new();
    for found in solutions {
        match found {
            Found::Offered(solution) => {
                let names = scenarios::selected(solution.kind, &args.scenarios);
                if names.is_empty() {
                    continue;
                }
                results.extend(run.solution(&solution, &names).await);
            }
            Found::Missing(scenario) => results.push(scenario),
        }
    }
    Ok(Report {
        environment: environment_label(&environment),
        scenarios: results,
    })
}

/// A solution to test, or a scenario saying why one cannot be.
enum Found {
    Offered(Solution),
    Missing(Scenario),
}

/// The merchant's solutions, from eligibility.
async fn discover(
    gateway: &dyn gateway::Gateway,
    args: &GoLiveArgs,
) -> Result<Vec<Found>, CliError> {
    let mut found: Vec<Solution> = Vec::new();
    for country in &args.countries {
        let country = country.trim().to_ascii_uppercase();
        for euros in DISCOVERY_AMOUNTS {
            let amount = Amount::from(euros);
            let codes = gateway
                .eligible(&country, amount)
                .await
                .map_err(|e| match e {
                    // A country the version does not know is no error of the merchant's setup.
                    scalexpert::Error::InvalidRequest(_) => {
                        CliError::Usage(format!("--country {country}: {e}"))
                    }
                    other => CliError::Sdk(other),
                })?;
            for code in codes {
                if found.iter().any(|s| s.code == code) {
                    continue;
                }
                if let Some((kind, market)) = application::classify(&code) {
                    found.push(Solution {
                        code,
                        kind,
                        market,
                        amount,
                    });
                }
            }
        }
    }
    if args.solutions.is_empty() {
        if found.is_empty() {
            return Err(CliError::Failed(format!(
                "eligibility offers no solution for buyers in {}: nothing to test",
                args.countries.join(", ")
            )));
        }
        return Ok(found.into_iter().map(Found::Offered).collect());
    }
    Ok(args
        .solutions
        .iter()
        .map(|code| match found.iter().find(|s| &s.code == code) {
            Some(solution) => Found::Offered(solution.clone()),
            None => Found::Missing(Scenario {
                name: "solution offered".into(),
                solution_code: code.clone(),
                status: Outcome::Fail,
                subscription_id: None,
                statuses: Vec::new(),
                detail: format!(
                    "eligibility does not offer {code} to buyers in {} at {} EUR: ask Scalexpert to \
                     activate it, or check --country",
                    args.countries.join(", "),
                    DISCOVERY_AMOUNTS.map(|a| a.to_string()).join(", ")
                ),
            }),
        })
        .collect())
}

/// Whether a custom root is the offline sandbox (its health endpoint answers).
async fn is_sandbox(http: &reqwest::Client, environment: &Environment) -> bool {
    let Environment::Custom(root) = environment else {
        return false;
    };
    let Ok(answer) = http.get(format!("{root}/sandbox/health")).send().await else {
        return false;
    };
    if !answer.status().is_success() {
        return false;
    }
    answer
        .json::<serde_json::Value>()
        .await
        .is_ok_and(|body| body["status"] == "ok")
}
