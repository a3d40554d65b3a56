//! `scalexpert token check`: proves the credentials, printing no token.
//!
//! For each API family checked, the SDK gets a token for the family's scope and the command
//! makes one read-only call with it: the family's first `GET` whose command needs no argument
//! (for e-financing `GET /subscriptions`, for merchant-webhooks `GET /event-types`), found in
//! the generated commands, never chosen per family by hand. What the call reads is discarded.
//! A refused token, scope or merchant shows as that call's typed error.

use crate::config::environment_label;
use crate::config::GlobalOptions;
use crate::exit::{self, CliError};
use crate::output::Printer;
use crate::registry::Family;
use serde_json::json;

/// Options of `token check`.
#[derive(Debug, Clone, clap::Args)]
pub struct TokenCheckArgs {
    /// API family to check (repeatable), or `all`. Default: e-financing.
    #[arg(long = "api", value_name = "FAMILY")]
    pub apis: Vec<String>,
}

/// The families `args` names.
fn chosen<'f>(families: &'f [Family], args: &TokenCheckArgs) -> Result<Vec<&'f Family>, CliError> {
    let wanted: Vec<&str> = if args.apis.is_empty() {
        vec!["e-financing"]
    } else {
        args.apis.iter().map(String::as_str).collect()
    };
    if wanted.contains(&"all") {
        return Ok(families.iter().collect());
    }
    wanted
        .into_iter()
        .map(|name| {
            families.iter().find(|f| f.name == name).ok_or_else(|| {
                CliError::Usage(format!(
                    "--api {name}: not built in; built in: {}, or all",
                    families
                        .iter()
                        .map(|f| f.name)
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })
        })
        .collect()
}

/// Runs the check and prints one line of result per family (JSON or a table).
pub async fn check(
    families: &[Family],
    globals: &GlobalOptions,
    args: &TokenCheckArgs,
) -> Result<(), CliError> {
    let families = chosen(families, args)?;
    let client = crate::session::start(globals, None)?;
    let quiet = Printer {
        quiet: true,
        ..Printer::default()
    };
    let mut checks = Vec::new();
    let mut worst: Option<CliError> = None;
    for family in families {
        let version = family.version;
        let probe = (version.commands)()
            .into_iter()
            .find_map(|(method_name, cmd)| {
                let op = scalexpert::Operation::by_method_name(version.operations, method_name)?;
                let matches = cmd
                    .no_binary_name(true)
                    .try_get_matches_from(Vec::<String>::new())
                    .ok()?;
                (op.method == "GET").then_some((op, matches))
            });
        let Some((op, matches)) = probe else {
            checks.push(json!({
                "api": version.api.api, "version": version.api.version, "scope": version.scope,
                "call": null, "ok": false,
                "detail": "no read-only operation without arguments to prove the token with",
            }));
            continue;
        };
        let outcome = (version.execute)(&client, quiet, op.method_name, &matches)
            .await
            .map_err(exit::from_command_error);
        let (ok, detail) = match &outcome {
            Ok(()) => (true, "token obtained and accepted".to_string()),
            Err(error) => (false, error.to_string()),
        };
        checks.push(json!({
            "api": version.api.api, "version": version.api.version, "scope": version.scope,
            "call": format!("{} {}", op.method, op.path), "ok": ok, "detail": detail,
        }));
        if let Err(error) = outcome {
            if worst.is_none() {
                worst = Some(error);
            }
        }
    }
    let printer = Printer {
        format: globals.format,
        ..Printer::default()
    };
    printer.item(&json!({
        "environment": environment_label(client.environment()),
        "merchant": client.merchant(),
        "checks": checks,
    }));
    match worst {
        Some(error) => Err(error),
        None => Ok(()),
    }
}
