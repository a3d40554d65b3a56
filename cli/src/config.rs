//! The client every command uses, from the global options and the environment.
//!
//! The `SCALEXPERT_*` variables are read by the SDK itself ([`scalexpert::ClientBuilder::from_env`],
//! as `Client::from_env` reads them); `--env`, `--credentials-file` and `--merchant` then
//! override what they set. Secrets never come from a flag: a process's arguments are visible to
//! every user of the machine (`ps`), so the client secret comes from `SCALEXPERT_CLIENT_SECRET`
//! or from a file.

use crate::exit::CliError;
use crate::output::Format;
use scalexpert::{Client, ClientBuilder, Credentials, Environment};
use secrecy::{ExposeSecret, SecretString};
use std::io::Read as _;
use std::path::{Path, PathBuf};

/// Variable holding the client id, in the environment and in a credentials file.
pub const CLIENT_ID_VAR: &str = "SCALEXPERT_CLIENT_ID";
/// Variable holding the client secret, in the environment and in a credentials file.
pub const CLIENT_SECRET_VAR: &str = "SCALEXPERT_CLIENT_SECRET";

/// The options that say which gateway to call, as whom.
#[derive(Debug, Clone, Default, clap::Args)]
#[command(next_help_heading = "Global options")]
pub struct ConnectionOptions {
    /// Gateway: `uatc`, `production`, `uat`, or the root URL of another one (the sandbox:
    /// `http://127.0.0.1:8080`). Default: `SCALEXPERT_ENVIRONMENT` or `SCALEXPERT_BASE_URL`,
    /// else UATC.
    #[arg(long = "env", global = true, value_name = "uatc|production|uat|URL")]
    pub env: Option<String>,
    /// File with the credentials as `SCALEXPERT_CLIENT_ID=…` and `SCALEXPERT_CLIENT_SECRET=…`
    /// lines (`#` comments; `-` reads standard input). Default: those environment variables.
    /// There is no flag for the secret: arguments show in `ps`.
    #[arg(long, global = true, value_name = "PATH")]
    pub credentials_file: Option<PathBuf>,
    /// For PSPs: the merchant to act for, sent as `X-BAAS-CLIENT-REF-FOR-PROXI-ID`.
    #[arg(long, global = true, value_name = "REFERENCE")]
    pub merchant: Option<String>,
}

/// The client id and secret the command line was given, and where they came from.
pub struct ResolvedCredentials {
    /// The client id (not secret).
    pub client_id: String,
    /// The secret, kept out of `Debug` and zeroed on drop.
    pub secret: SecretString,
    /// `SCALEXPERT_CLIENT_* variables` or the file's path.
    pub source: String,
}

impl std::fmt::Debug for ResolvedCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResolvedCredentials")
            .field("client_id", &self.client_id)
            .field("secret", &crate::output::REDACTED)
            .field("source", &self.source)
            .finish()
    }
}

/// A gateway named on the command line: `uatc`, `production`, `uat` or a root URL.
pub fn parse_environment(text: &str) -> Result<Environment, CliError> {
    let parsed = if text.contains("://") {
        Environment::custom(text)
    } else {
        Environment::from_name(text)
    };
    parsed.map_err(|e| CliError::Usage(format!("--env {text:?}: {e}")))
}

/// How a report and the verbose log name an environment: its name, or its root URL.
pub fn environment_label(environment: &Environment) -> String {
    match environment {
        Environment::Production => "production".to_string(),
        Environment::Uatc => "uatc".to_string(),
        Environment::Uat => "uat".to_string(),
        other => other.root().to_string(),
    }
}

impl ConnectionOptions {
    /// The credentials these options and the environment give, if any.
    pub fn credentials(&self) -> Result<Option<ResolvedCredentials>, CliError> {
        if let Some(path) = &self.credentials_file {
            return read_credentials_file(path).map(Some);
        }
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        Ok(match (var(CLIENT_ID_VAR), var(CLIENT_SECRET_VAR)) {
            (Some(client_id), Some(secret)) => Some(ResolvedCredentials {
                client_id,
                secret: SecretString::from(secret),
                source: format!("{CLIENT_ID_VAR} and {CLIENT_SECRET_VAR}"),
            }),
            // One without the other: the SDK's own reading names the missing variable.
            _ => None,
        })
    }

    /// Reads the credentials once (a file may be standard input) and prepares the client.
    pub fn resolve(&self) -> Result<Resolved, CliError> {
        // The SDK reads SCALEXPERT_* itself (and refuses contradictory variables).
        let mut builder = ClientBuilder::from_env()?;
        if let Some(text) = &self.env {
            builder = builder.environment(parse_environment(text)?);
        }
        let credentials = self.credentials()?;
        if let (Some(_), Some(credentials)) = (&self.credentials_file, &credentials) {
            builder = builder.credentials(Credentials::new(
                credentials.client_id.clone(),
                credentials.secret.expose_secret(),
            ));
        }
        if let Some(merchant) = &self.merchant {
            builder = builder.merchant(merchant.clone());
        }
        Ok(Resolved {
            credentials,
            builder,
        })
    }
}

/// Credentials read and a client ready to build.
#[derive(Debug)]
pub struct Resolved {
    /// The credentials given, if any (to redact them from the verbose log, or to hand to the
    /// sandbox).
    pub credentials: Option<ResolvedCredentials>,
    /// The client's settings; more can be added before [`Resolved::client`].
    pub builder: ClientBuilder,
}

impl Resolved {
    /// The client every command uses.
    pub fn client(self) -> Result<Client, CliError> {
        self.builder.build().map_err(|error| match error {
            scalexpert::Error::Configuration(message) if message.contains("credentials") => {
                CliError::Usage(format!(
                    "{message}: set {CLIENT_ID_VAR} and {CLIENT_SECRET_VAR}, or pass \
                     --credentials-file PATH"
                ))
            }
            other => CliError::Sdk(other),
        })
    }
}

/// Reads `SCALEXPERT_CLIENT_ID=…` and `SCALEXPERT_CLIENT_SECRET=…` lines (`export ` and
/// quotes allowed, `#` comments, other variables ignored); `-` is standard input.
pub fn read_credentials_file(path: &Path) -> Result<ResolvedCredentials, CliError> {
    let shown = path.display().to_string();
    let text = if path == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| CliError::Usage(format!("--credentials-file -: {e}")))?;
        text
    } else {
        warn_if_readable_by_others(path);
        std::fs::read_to_string(path)
            .map_err(|e| CliError::Usage(format!("--credentials-file {shown}: {e}")))?
    };
    let text = SecretString::from(text);
    let mut client_id = None;
    let mut secret = None;
    for line in text.expose_secret().lines() {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line).trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            // Never echo the line: it may be the secret.
            return Err(CliError::Usage(format!(
                "--credentials-file {shown}: every line must be NAME=VALUE"
            )));
        };
        let value = unquote(value.trim());
        match key.trim() {
            CLIENT_ID_VAR => client_id = Some(value.to_string()),
            CLIENT_SECRET_VAR => secret = Some(SecretString::from(value.to_string())),
            _ => {}
        }
    }
    match (client_id, secret) {
        (Some(client_id), Some(secret))
            if !client_id.is_empty() && !secret.expose_secret().is_empty() =>
        {
            Ok(ResolvedCredentials {
                client_id,
                secret,
                source: shown,
            })
        }
        _ => Err(CliError::Usage(format!(
            "--credentials-file {shown}: needs both {CLIENT_ID_VAR}=… and {CLIENT_SECRET_VAR}=…"
        ))),
    }
}

fn unquote(value: &str) -> &str {
    for quote in ['"', '\''] {
        if let Some(inner) = value
            .strip_prefix(quote)
            .and_then(|rest| rest.strip_suffix(quote))
        {
            return inner;
        }
    }
    value
}

#[cfg(unix)]
fn warn_if_readable_by_others(path: &Path) {
    use std::os::unix::fs::PermissionsExt as _;
    if let Ok(meta) = std::fs::metadata(path) {
        if meta.permissions().mode() & 0o077 != 0 {
            eprintln!(
                "warning: {} can be read by other users; `chmod 600` it",
                path.display()
            );
        }
    }
}

#[cfg(not(unix))]
fn warn_if_readable_by_others(_: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    fn file(text: &str) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().expect("temp file");
        file.write_all(text.as_bytes()).expect("written");
        file
    }

    #[test]
    fn reads_both_variables_with_comments_exports_and_quotes() {
        let f = file(
            "# UATC key\nexport SCALEXPERT_CLIENT_ID=\"my-id\"\nSCALEXPERT_CLIENT_SECRET='s3cr3t'\nOTHER=1\n",
        );
        let read = read_credentials_file(f.path()).expect("read");
        assert_eq!(read.client_id, "my-id");
        assert_eq!(read.secret.expose_secret(), "s3cr3t");
        assert!(!format!("{read:?}").contains("s3cr3t"));
    }

    #[test]
    fn a_missing_secret_or_a_bad_line_is_refused_without_quoting_it() {
        let missing =
            read_credentials_file(file("SCALEXPERT_CLIENT_ID=x\n").path()).expect_err("no secret");
        assert!(missing.to_string().contains(CLIENT_SECRET_VAR), "{missing}");
        let bad = read_credentials_file(file("hunter2\n").path()).expect_err("not NAME=VALUE");
        assert!(!bad.to_string().contains("hunter2"), "{bad}");
    }

    #[test]
    fn environments_by_name_or_url() {
        assert_eq!(parse_environment("uatc").ok(), Some(Environment::Uatc));
        assert_eq!(
            parse_environment("production").ok(),
            Some(Environment::Production)
        );
        assert_eq!(
            parse_environment("http://127.0.0.1:8080/")
                .ok()
                .map(|e| environment_label(&e)),
            Some("http://127.0.0.1:8080".to_string())
        );
        assert!(parse_environment("staging").is_err());
        assert!(parse_environment("ftp://x").is_err());
    }
}

/// Options every command takes.
#[derive(Debug, Clone, clap::Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalOptions {
    /// Which gateway, as whom.
    #[command(flatten)]
    pub connection: ConnectionOptions,
    /// API version of the command's family (default: the newest built in).
    #[arg(long, global = true, value_name = "VERSION")]
    pub api_version: Option<String>,
    /// How answers are printed on standard output.
    #[arg(long, global = true, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// Print secret fields of answers (webhook passwords and keys) instead of `[redacted]`.
    #[arg(long, global = true)]
    pub show_secrets: bool,
    /// Log what is sent and received (no bodies, secrets redacted) on standard error.
    #[arg(long, short = 'v', global = true)]
    pub verbose: bool,
}
