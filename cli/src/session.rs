//! Starting a command: credentials read once, `--verbose` set up, the client built.

use crate::config::GlobalOptions;
use crate::config::{environment_label, Resolved};
use crate::exit::CliError;
use crate::output::REDACTED;
use crate::registry::Version;
use crate::verbose::{self, Redactor};

/// Reads the connection options, turns on the verbose log if asked (told every secret it must
/// never print) and builds the client. `api` names the version the command calls, for the log.
pub fn start(
    globals: &GlobalOptions,
    api: Option<&Version>,
) -> Result<scalexpert::Client, CliError> {
    let resolved = globals.connection.resolve()?;
    if globals.verbose {
        verbose::init(redactor(&resolved));
    }
    let credentials = resolved
        .credentials
        .as_ref()
        .map(|c| (c.client_id.clone(), c.source.clone()));
    let client = resolved.client()?;
    if globals.verbose {
        let environment = client.environment();
        tracing::info!(
            target: "scalexpert_cli",
            environment = %environment_label(environment),
            token_url = %environment.token_url(),
            "gateway"
        );
        if let Some((client_id, source)) = credentials {
            tracing::info!(
                target: "scalexpert_cli",
                client_id = %client_id,
                client_secret = REDACTED,
                from = %source,
                "credentials"
            );
        }
        if let Some(merchant) = client.merchant() {
            tracing::info!(target: "scalexpert_cli", merchant, "acting for a merchant (PSP)");
        }
        if let Some(version) = api {
            tracing::info!(
                target: "scalexpert_cli",
                api = version.api.api,
                version = version.api.version,
                scope = version.scope,
                "API version"
            );
        }
    }
    Ok(client)
}

/// Everything the verbose log must never show: the client secret and its Basic encoding.
pub fn redactor(resolved: &Resolved) -> Redactor {
    match &resolved.credentials {
        Some(credentials) => {
            Redactor::default().client_secret(&credentials.client_id, &credentials.secret)
        }
        None => Redactor::default(),
    }
}
