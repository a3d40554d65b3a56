//! The command line of `psp_fleet`.

use std::ffi::OsString;
use std::time::Duration;

/// What to run, from the command line.
#[derive(Clone, Debug)]
pub struct Options {
    /// The gateway's root (`--sandbox`).
    pub sandbox: String,
    /// The Redis every worker shares (`--redis`).
    pub redis: String,
    /// Worker processes (`--processes`, default 4).
    pub processes: usize,
    /// How long the workers call (`--duration-secs`, default 20).
    pub duration: Duration,
    /// Merchant views across the fleet (`--merchants`, default 2000).
    pub merchants: usize,
    /// Concurrent callers per worker (`--tasks`, default 6).
    pub tasks: usize,
    /// Percent of calls that are interactive (`--interactive-percent`, default 25).
    pub interactive_percent: u32,
    /// The quota the governor keeps to (`--quota-calls`, default 600, per
    /// `--quota-window-secs`, default 60; `--burst`, default a tenth).
    pub quota_calls: u32,
    pub quota_window: Duration,
    pub burst: Option<u32>,
    /// Each worker keeps the whole quota in its own process instead (`--local-quota`).
    pub local_quota: bool,
    /// Each worker requests its own tokens (`--no-shared-token`).
    pub no_shared_token: bool,
    /// Time each call has, its wait for a slot included (`--call-timeout-ms`, default 2000).
    pub call_timeout: Duration,
    /// How long before its expiry a token is replaced (`--token-margin-ms`, default 60000).
    pub token_margin: Duration,
    /// The longest a Redis command may take before a worker goes on without Redis
    /// (`--redis-timeout-ms`, default the SDK's 250).
    pub redis_timeout: Option<Duration>,
    /// The PSP's credentials (`--client-id`, `--client-secret`; default the sandbox's PSP).
    pub client_id: String,
    pub client_secret: String,
    /// `X-Sandbox-Admin-Token` for the stats (`--admin-token`), when the sandbox wants one.
    pub admin_token: Option<String>,
    /// Webhook events the gateway emits (`--events`, default 200); it delivers them (as many
    /// times as it is configured to) through the coordinator's balancer.
    pub events: usize,
    /// How long a receiver's claim on an event lasts (`--webhook-lease-ms`, default the SDK's
    /// 5 minutes): after a receiver dies mid-handling, the event is handled again after it.
    pub webhook_lease: Option<Duration>,
    /// Worker `i` is killed (SIGKILL) while it handles the first event it gets
    /// (`--kill-receiver i`).
    pub kill_receiver: Option<usize>,
    /// Redis keys of this run start with it (`--key-prefix`, default a random one).
    pub key_prefix: String,
    /// Internal: run worker number `i` (`--worker i`).
    pub worker: Option<usize>,
}

const HELP: &str = "psp_fleet: N worker processes of a PSP sharing one Redis and one gateway

  --sandbox <URL>            the gateway's root (required)
  --redis <URL>              the Redis the workers share (required)
  --processes <N>            worker processes (default 4)
  --duration-secs <S>        how long the workers call (default 20)
  --merchants <N>            merchant views across the fleet (default 2000)
  --tasks <N>                concurrent callers per worker (default 6)
  --interactive-percent <P>  share of interactive calls (default 25)
  --quota-calls <N>          the quota: calls per window per scope (default 600)
  --quota-window-secs <S>    its window (default 60)
  --burst <N>                calls at once after a quiet spell (default a tenth)
  --local-quota              each worker keeps the whole quota alone (no Redis)
  --no-shared-token          each worker requests its own tokens
  --call-timeout-ms <MS>     time per call, its wait for a slot included (default 2000)
  --token-margin-ms <MS>     a token is replaced this long before expiry (default 60000)
  --redis-timeout-ms <MS>    a Redis command later than this is given up, and the worker
                             goes on without Redis for it (default the SDK's, 250)
  --client-id <ID>           PSP client id (default the sandbox's, sandbox-psp)
  --client-secret <SECRET>   its secret
  --admin-token <TOKEN>      X-Sandbox-Admin-Token for GET /sandbox/admin/stats
  --events <N>               webhook events the gateway emits (default 200)
  --webhook-lease-ms <MS>    a receiver's claim on an event lasts this long (default the
                             SDK's, 5 minutes)
  --kill-receiver <I>        kill worker I (SIGKILL) while it handles its first event
  --key-prefix <P>           prefix of this run's Redis keys (default a random one)

Prints one line of JSON at the end.";

impl Options {
    /// Reads the command line (without the program name).
    pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Options, String> {
        use lexopt::prelude::*;
        let mut parser = lexopt::Parser::from_args(args);
        let mut options = Options {
            sandbox: String::new(),
            redis: String::new(),
            processes: 4,
            duration: Duration::from_secs(20),
            merchants: 2000,
            tasks: 6,
            interactive_percent: 25,
            quota_calls: 600,
            quota_window: Duration::from_secs(60),
            burst: None,
            local_quota: false,
            no_shared_token: false,
            call_timeout: Duration::from_millis(2000),
            token_margin: Duration::from_secs(60),
            redis_timeout: None,
            client_id: "sandbox-psp".into(),
            client_secret: "sandbox-psp-secret".into(),
            admin_token: None,
            events: 200,
            webhook_lease: None,
            kill_receiver: None,
            key_prefix: format!("psp-fleet:{:012x}:", fastrand::u64(..1 << 48)),
            worker: None,
        };
        let text = |parser: &mut lexopt::Parser| -> Result<String, String> {
            parser
                .value()
                .map_err(|e| e.to_string())?
                .into_string()
                .map_err(|_| "arguments must be UTF-8".to_string())
        };
        fn number<T: std::str::FromStr>(name: &str, value: String) -> Result<T, String> {
            value
                .parse()
                .map_err(|_| format!("--{name} takes a number, not {value:?}"))
        }
        fn seconds(name: &str, value: String) -> Result<Duration, String> {
            Duration::try_from_secs_f64(number(name, value.clone())?)
                .map_err(|_| format!("--{name} takes a number of seconds, not {value:?}"))
        }
        while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
            match arg {
                Long("sandbox") => options.sandbox = text(&mut parser)?,
                Long("redis") => options.redis = text(&mut parser)?,
                Long("processes") => options.processes = number("processes", text(&mut parser)?)?,
                Long("duration-secs") => {
                    options.duration = seconds("duration-secs", text(&mut parser)?)?
                }
                Long("merchants") => options.merchants = number("merchants", text(&mut parser)?)?,
                Long("tasks") => options.tasks = number("tasks", text(&mut parser)?)?,
                Long("interactive-percent") => {
                    options.interactive_percent = number("interactive-percent", text(&mut parser)?)?
                }
                Long("quota-calls") => {
                    options.quota_calls = number("quota-calls", text(&mut parser)?)?
                }
                Long("quota-window-secs") => {
                    options.quota_window = seconds("quota-window-secs", text(&mut parser)?)?
                }
                Long("burst") => options.burst = Some(number("burst", text(&mut parser)?)?),
                Long("local-quota") => options.local_quota = true,
                Long("no-shared-token") => options.no_shared_token = true,
                Long("call-timeout-ms") => {
                    options.call_timeout =
                        Duration::from_millis(number("call-timeout-ms", text(&mut parser)?)?)
                }
                Long("token-margin-ms") => {
                    options.token_margin =
                        Duration::from_millis(number("token-margin-ms", text(&mut parser)?)?)
                }
                Long("redis-timeout-ms") => {
                    let millis: u64 = number("redis-timeout-ms", text(&mut parser)?)?;
                    options.redis_timeout = Some(Duration::from_millis(millis.max(1)));
                }
                Long("client-id") => options.client_id = text(&mut parser)?,
                Long("client-secret") => options.client_secret = text(&mut parser)?,
                Long("admin-token") => options.admin_token = Some(text(&mut parser)?),
                Long("events") => options.events = number("events", text(&mut parser)?)?,
                Long("webhook-lease-ms") => {
                    let millis: u64 = number("webhook-lease-ms", text(&mut parser)?)?;
                    options.webhook_lease = Some(Duration::from_millis(millis.max(1)));
                }
                Long("kill-receiver") => {
                    options.kill_receiver = Some(number("kill-receiver", text(&mut parser)?)?)
                }
                Long("key-prefix") => options.key_prefix = text(&mut parser)?,
                Long("worker") => options.worker = Some(number("worker", text(&mut parser)?)?),
                Long("help") | Short('h') => {
                    println!("{HELP}");
                    std::process::exit(0);
                }
                other => return Err(other.unexpected().to_string()),
            }
        }
        if options.sandbox.is_empty() || options.redis.is_empty() {
            return Err("--sandbox <URL> and --redis <URL> are required (see --help)".into());
        }
        if options.processes == 0 || options.tasks == 0 || options.interactive_percent > 100 {
            return Err(
                "--processes and --tasks must be at least 1, --interactive-percent at most 100"
                    .into(),
            );
        }
        if options
            .kill_receiver
            .is_some_and(|i| i >= options.processes)
        {
            return Err("--kill-receiver names a worker: 0 to --processes minus 1".into());
        }
        Ok(options)
    }

    /// The arguments that make a worker of the same run.
    pub(crate) fn worker_args(&self, index: usize) -> Vec<String> {
        let mut args = vec![
            "--sandbox".into(),
            self.sandbox.clone(),
            "--redis".into(),
            self.redis.clone(),
            "--processes".into(),
            self.processes.to_string(),
            "--duration-secs".into(),
            self.duration.as_secs_f64().to_string(),
            "--merchants".into(),
            self.merchants.to_string(),
            "--tasks".into(),
            self.tasks.to_string(),
            "--interactive-percent".into(),
            self.interactive_percent.to_string(),
            "--quota-calls".into(),
            self.quota_calls.to_string(),
            "--quota-window-secs".into(),
            self.quota_window.as_secs_f64().to_string(),
            "--call-timeout-ms".into(),
            self.call_timeout.as_millis().to_string(),
            "--token-margin-ms".into(),
            self.token_margin.as_millis().to_string(),
            "--client-id".into(),
            self.client_id.clone(),
            "--client-secret".into(),
            self.client_secret.clone(),
            "--key-prefix".into(),
            self.key_prefix.clone(),
            "--worker".into(),
            index.to_string(),
        ];
        if let Some(burst) = self.burst {
            args.extend(["--burst".into(), burst.to_string()]);
        }
        if self.local_quota {
            args.push("--local-quota".into());
        }
        if self.no_shared_token {
            args.push("--no-shared-token".into());
        }
        if let Some(timeout) = self.redis_timeout {
            args.extend(["--redis-timeout-ms".into(), timeout.as_millis().to_string()]);
        }
        if let Some(lease) = self.webhook_lease {
            args.extend(["--webhook-lease-ms".into(), lease.as_millis().to_string()]);
        }
        if let Some(victim) = self.kill_receiver {
            args.extend(["--kill-receiver".into(), victim.to_string()]);
        }
        args
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, String> {
        Options::parse(args.iter().map(OsString::from))
    }

    #[test]
    fn a_worker_gets_the_run_s_settings() {
        let options = parse(&[
            "--sandbox",
            "http://127.0.0.1:1",
            "--redis",
            "redis://127.0.0.1:2",
            "--processes",
            "3",
            "--duration-secs",
            "1.5",
            "--local-quota",
            "--burst",
            "7",
            "--webhook-lease-ms",
            "1500",
            "--kill-receiver",
            "1",
            "--redis-timeout-ms",
            "900",
        ])
        .unwrap();
        let worker_args = options.worker_args(2);
        let worker = Options::parse(worker_args.iter().map(OsString::from)).unwrap();
        assert_eq!(worker.worker, Some(2));
        assert_eq!(worker.processes, 3);
        assert_eq!(worker.duration, Duration::from_millis(1500));
        assert!(worker.local_quota);
        assert_eq!(worker.burst, Some(7));
        assert_eq!(worker.webhook_lease, Some(Duration::from_millis(1500)));
        assert_eq!(worker.kill_receiver, Some(1));
        assert_eq!(worker.redis_timeout, Some(Duration::from_millis(900)));
        assert_eq!(worker.key_prefix, options.key_prefix);
    }

    #[test]
    fn the_gateway_and_redis_are_required() {
        assert!(parse(&["--processes", "2"]).is_err());
        assert!(parse(&["--sandbox", "x", "--redis", "y", "--processes", "two"]).is_err());
        let victim_out_of_the_fleet = ["--sandbox", "x", "--redis", "y", "--kill-receiver", "4"];
        assert!(parse(&victim_out_of_the_fleet).is_err());
    }
}
