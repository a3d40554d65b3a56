//! `scalexpert-sandbox`: the offline Scalexpert sandbox as a process, for other programs and
//! languages. See `scalexpert-sandbox --help`.

use scalexpert_sandbox::{
    InsuranceRules, RuleTable, Sandbox, SandboxBuilder, SandboxError, WebhookRetry, API,
    INSURANCE_API,
};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;
use tracing::level_filters::LevelFilter;

mod stderr_log;

/// The help text; its first line names the served API version.
fn help() -> String {
    format!(
        "scalexpert-sandbox: an offline, stateful stand-in for the Scalexpert gateway ({} {}, {} {})\n\n{HELP}",
        API.api, API.version, INSURANCE_API.api, INSURANCE_API.version
    )
}

const HELP: &str = "\
USAGE:
    scalexpert-sandbox [OPTIONS]

OPTIONS:
    --port <N>                  Port to listen on (default 8080; 0 picks a free one)
    --host <IP>                 Address to listen on (default 127.0.0.1)
    --client-id <ID>            Merchant client id to accept (with --client-secret);
                                replaces the default credentials
    --client-secret <SECRET>    Its secret
    --psp-client-id <ID>        PSP client id to accept (with --psp-client-secret)
    --psp-client-secret <SECRET>
    --token-lifetime <SECONDS>  expires_in of issued tokens (default 3600)
    --rules <FILE>              E-financing eligibility and pricing rules as JSON
                                (default: the table of docs/sandbox.md)
    --print-rules               Print the default e-financing rules as JSON and exit
    --insurance-rules <FILE>    Insurance eligibility and pricing rules as JSON
                                (default: the table of docs/sandbox.md)
    --print-insurance-rules     Print the default insurance rules as JSON and exit
    --quote-lifetime <SECONDS>  How long an insurance quotation can be subscribed
                                (default 172800, 48 hours; 0: expired at once)
    --quota <CALLS>             API calls allowed per client id and scope in any window
                                (default 600, the gateway's; 0: no limit); more get 429
    --quota-window-secs <S>     The quota's sliding window (default 60)
    --webhook-retries <N>       Further attempts at a webhook delivery not answered 2xx
                                (default 3)
    --webhook-retry-delay-ms <MS>
                                Wait between two attempts (default 500)
    --webhook-copies <N>        Deliveries of each webhook event (default 1): at-least-once
                                duplicates, each retried until answered 2xx
    --admin-token <TOKEN>       What /sandbox/admin/* requests must send in
                                X-Sandbox-Admin-Token (at least 16 characters; default: a
                                random one, printed on the second line of standard output)
    --log-level <LEVEL>         off, error, warn, info (default), debug or trace: one line per
                                request and per webhook delivery, on standard error
    -h, --help                  Print this help
    -V, --version               Print the version

Without credentials options, the sandbox accepts sandbox-merchant / sandbox-merchant-secret and,
as a PSP, sandbox-psp / sandbox-psp-secret. Point a client at http://HOST:PORT: tokens come from
/auth-server/api/v1/oauth2/token (scopes e-financing:rw, insurance:rw and common-services:rw),
the APIs live under /e-financing/api/v1, /insurance/api/v1 and /merchant-webhooks/api/v1 (where
a merchant sets its own webhook with PUT /webhooks, no admin token needed).

Standard output says `scalexpert-sandbox listening on http://HOST:PORT`, then, unless
--admin-token was given, `scalexpert-sandbox admin token TOKEN`. Logs never show secrets,
tokens or buyers' data.

State is in memory only: subscriptions, tokens, faults and webhook endpoints are lost when the
process stops.
";

struct Options {
    host: IpAddr,
    port: u16,
    merchant: (Option<String>, Option<String>),
    psp: (Option<String>, Option<String>),
    token_lifetime: Option<u64>,
    rules: Option<String>,
    insurance_rules: Option<String>,
    quote_lifetime: Option<u64>,
    quota: Option<u32>,
    quota_window: Option<u64>,
    webhook_retries: Option<u32>,
    webhook_retry_delay_ms: Option<u64>,
    webhook_copies: Option<u32>,
    admin_token: Option<String>,
    log_level: LevelFilter,
}

enum Command {
    // Boxed: the options are far larger than the text to print.
    Serve(Box<Options>),
    Print(String),
}

fn parse() -> Result<Command, lexopt::Error> {
    use lexopt::prelude::*;
    let mut options = Options {
        host: IpAddr::V4(Ipv4Addr::LOCALHOST),
        port: 8080,
        merchant: (None, None),
        psp: (None, None),
        token_lifetime: None,
        rules: None,
        insurance_rules: None,
        quote_lifetime: None,
        quota: None,
        quota_window: None,
        webhook_retries: None,
        webhook_retry_delay_ms: None,
        webhook_copies: None,
        admin_token: None,
        log_level: LevelFilter::INFO,
    };
    let mut parser = lexopt::Parser::from_env();
    while let Some(arg) = parser.next()? {
        match arg {
            Long("port") => options.port = parser.value()?.parse()?,
            Long("host") => options.host = parser.value()?.parse()?,
            Long("client-id") => options.merchant.0 = Some(parser.value()?.string()?),
            Long("client-secret") => options.merchant.1 = Some(parser.value()?.string()?),
            Long("psp-client-id") => options.psp.0 = Some(parser.value()?.string()?),
            Long("psp-client-secret") => options.psp.1 = Some(parser.value()?.string()?),
            Long("token-lifetime") => options.token_lifetime = Some(parser.value()?.parse()?),
            Long("rules") => options.rules = Some(parser.value()?.string()?),
            Long("insurance-rules") => options.insurance_rules = Some(parser.value()?.string()?),
            Long("quote-lifetime") => options.quote_lifetime = Some(parser.value()?.parse()?),
            Long("print-insurance-rules") => {
                let rules = serde_json::to_string_pretty(&InsuranceRules::standard())
                    .map_err(|e| lexopt::Error::Custom(e.into()))?;
                return Ok(Command::Print(rules));
            }
            Long("quota") => options.quota = Some(parser.value()?.parse()?),
            Long("quota-window-secs") => options.quota_window = Some(parser.value()?.parse()?),
            Long("webhook-retries") => options.webhook_retries = Some(parser.value()?.parse()?),
            Long("webhook-retry-delay-ms") => {
                options.webhook_retry_delay_ms = Some(parser.value()?.parse()?)
            }
            Long("webhook-copies") => options.webhook_copies = Some(parser.value()?.parse()?),
            Long("admin-token") => options.admin_token = Some(parser.value()?.string()?),
            Long("log-level") => options.log_level = parser.value()?.parse()?,
            Long("print-rules") => {
                let rules = serde_json::to_string_pretty(&RuleTable::standard())
                    .map_err(|e| lexopt::Error::Custom(e.into()))?;
                return Ok(Command::Print(rules));
            }
            Short('h') | Long("help") => return Ok(Command::Print(help())),
            Short('V') | Long("version") => {
                return Ok(Command::Print(format!(
                    "scalexpert-sandbox {}",
                    env!("CARGO_PKG_VERSION")
                )))
            }
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(Command::Serve(Box::new(options)))
}

fn builder(options: &Options) -> Result<SandboxBuilder, String> {
    let mut builder = Sandbox::builder().address(SocketAddr::new(options.host, options.port));
    let pair = |name: &str, (id, secret): (Option<String>, Option<String>)| match (id, secret) {
        (Some(id), Some(secret)) => Ok(Some((id, secret))),
        (None, None) => Ok(None),
        _ => Err(format!(
            "--{name}client-id and --{name}client-secret go together"
        )),
    };
    let merchant = pair("", options.merchant.clone())?;
    let psp = pair("psp-", options.psp.clone())?;
    if merchant.is_some() || psp.is_some() {
        builder = builder.without_default_clients();
    }
    if let Some((id, secret)) = merchant {
        builder = builder.merchant_client(id, secret);
    }
    if let Some((id, secret)) = psp {
        builder = builder.psp_client(id, secret);
    }
    if let Some(seconds) = options.token_lifetime {
        builder = builder.token_lifetime(Duration::from_secs(seconds));
    }
    if let Some(path) = &options.rules {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        builder = builder.rules(RuleTable::from_json(&text)?);
    }
    if let Some(path) = &options.insurance_rules {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        builder = builder.insurance_rules(InsuranceRules::from_json(&text)?);
    }
    if let Some(seconds) = options.quote_lifetime {
        builder = builder.quote_lifetime(Duration::from_secs(seconds));
    }
    if let Some(calls) = options.quota {
        builder = builder.quota(calls);
    }
    if let Some(seconds) = options.quota_window {
        if seconds == 0 {
            return Err("--quota-window-secs must be at least 1".into());
        }
        builder = builder.quota_window(Duration::from_secs(seconds));
    }
    if options.webhook_retries.is_some() || options.webhook_retry_delay_ms.is_some() {
        let default = WebhookRetry::default();
        builder = builder.webhook_retry(WebhookRetry {
            retries: options.webhook_retries.unwrap_or(default.retries),
            delay: options
                .webhook_retry_delay_ms
                .map_or(default.delay, Duration::from_millis),
        });
    }
    if let Some(copies) = options.webhook_copies {
        if copies == 0 {
            return Err("--webhook-copies must be at least 1".into());
        }
        builder = builder.webhook_copies(copies);
    }
    if let Some(token) = &options.admin_token {
        builder = builder.admin_token(token.clone());
    }
    Ok(builder)
}

fn main() -> ExitCode {
    let options = match parse() {
        Ok(Command::Print(text)) => {
            println!("{text}");
            return ExitCode::SUCCESS;
        }
        Ok(Command::Serve(options)) => *options,
        Err(e) => {
            eprintln!("error: {e}\n\n{}", help());
            return ExitCode::from(2);
        }
    };
    let builder = match builder(&options) {
        Ok(builder) => builder,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    stderr_log::StderrLog::new(options.log_level).install();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let served = runtime.block_on(async {
        let sandbox = builder.start().await?;
        println!("scalexpert-sandbox listening on {}", sandbox.base_url());
        if options.admin_token.is_none() {
            // The only way to learn a generated token: printed once, never logged.
            println!("scalexpert-sandbox admin token {}", sandbox.admin_token());
        }
        sandbox.run_until_stopped().await
    });
    match served {
        Ok(()) => ExitCode::SUCCESS,
        // Inconsistent options (credentials, rules, admin token) are bad arguments too.
        Err(e @ SandboxError::Configuration(_)) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
