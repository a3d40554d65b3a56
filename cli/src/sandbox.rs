//! `scalexpert sandbox`: the offline sandbox (`scalexpert_sandbox::Sandbox`) in this process.
//!
//! The options map one to one onto the sandbox's builder. Credentials are the command line's
//! own (the `SCALEXPERT_CLIENT_*` variables or `--credentials-file`): when given, the sandbox
//! accepts exactly those (as a PSP's with `--psp`), so the same shell can then point every
//! other command at it with `--env <its URL>`; without them it accepts its default ones.

use crate::config::GlobalOptions;
use crate::exit::CliError;
use scalexpert_sandbox::{RuleTable, Sandbox, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET};
use secrecy::ExposeSecret;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

/// Options of `scalexpert sandbox`.
#[derive(Debug, Clone, clap::Args)]
pub struct SandboxArgs {
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on; keep it on loopback.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    pub host: IpAddr,
    /// The given credentials are a PSP's (they must name a merchant with --merchant).
    #[arg(long)]
    pub psp: bool,
    /// `expires_in` of the tokens it issues, in seconds (default 3600).
    #[arg(long, value_name = "SECONDS")]
    pub token_lifetime: Option<u64>,
    /// Eligibility and pricing rules as JSON (the shape --print-rules shows).
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Print the standard rules as JSON and exit.
    #[arg(long)]
    pub print_rules: bool,
}

/// Starts the sandbox and serves until interrupted (Ctrl-C).
pub async fn run(globals: &GlobalOptions, args: &SandboxArgs) -> Result<(), CliError> {
    if args.print_rules {
        let rules = serde_json::to_string_pretty(&RuleTable::standard())
            .map_err(|e| CliError::Usage(format!("cannot print the rules: {e}")))?;
        println!("{rules}");
        return Ok(());
    }
    let resolved = globals.connection.resolve()?;
    let mut builder = Sandbox::builder().address(SocketAddr::new(args.host, args.port));
    let credentials = resolved.credentials.as_ref();
    if let Some(credentials) = credentials {
        let (id, secret) = (
            credentials.client_id.clone(),
            credentials.secret.expose_secret().to_string(),
        );
        builder = builder.without_default_clients();
        builder = if args.psp {
            builder.psp_client(id, secret)
        } else {
            builder.merchant_client(id, secret)
        };
    } else if args.psp {
        return Err(CliError::Usage(
            "--psp needs credentials (SCALEXPERT_CLIENT_ID and SCALEXPERT_CLIENT_SECRET, or \
             --credentials-file)"
                .into(),
        ));
    }
    if let Some(seconds) = args.token_lifetime {
        builder = builder.token_lifetime(Duration::from_secs(seconds));
    }
    if let Some(path) = &args.rules {
        let text = std::fs::read_to_string(path)
            .map_err(|e| CliError::Usage(format!("--rules {}: {e}", path.display())))?;
        let rules = RuleTable::from_json(&text)
            .map_err(|e| CliError::Usage(format!("--rules {}: {e}", path.display())))?;
        builder = builder.rules(rules);
    }
    let sandbox = builder
        .start()
        .await
        .map_err(|e| CliError::Usage(e.to_string()))?;
    println!("scalexpert sandbox listening on {}", sandbox.base_url());
    match credentials {
        Some(credentials) => eprintln!(
            "accepting client id {} from {} ({}); try: scalexpert --env {} token check",
            credentials.client_id,
            credentials.source,
            if args.psp { "PSP" } else { "merchant" },
            sandbox.base_url()
        ),
        None => eprintln!(
            "accepting {DEFAULT_CLIENT_ID} / {DEFAULT_CLIENT_SECRET} (a merchant) and the default \
             PSP credentials; try: SCALEXPERT_CLIENT_ID={DEFAULT_CLIENT_ID} \
             SCALEXPERT_CLIENT_SECRET={DEFAULT_CLIENT_SECRET} scalexpert --env {} token check",
            sandbox.base_url()
        ),
    }
    tokio::select! {
        served = sandbox.run_until_stopped() => served.map_err(|e| CliError::Usage(e.to_string())),
        _ = tokio::signal::ctrl_c() => Ok(()),
    }
}
