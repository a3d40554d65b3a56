//! Exit statuses, and the one error type of the command line.
//!
//! | status | meaning |
//! |---|---|
//! | 0 | done (go-live: every scenario passed or was skipped) |
//! | 1 | go-live ran, and a scenario failed; the report says which and why |
//! | 2 | usage: bad arguments, configuration (environment, credentials, merchant), a value the spec refuses (nothing was sent) |
//! | 3 | API: the gateway answered with an error (400, 401, 403, 404, 409, 429, 5xx), refused the credentials, or sent an answer that does not match the spec |
//! | 4 | transport: no answer (DNS, connection refused or broken, timeout) |

use std::fmt;
use std::process::ExitCode;

/// Done.
pub const OK: u8 = 0;
/// go-live: a scenario failed.
pub const SCENARIO_FAILED: u8 = 1;
/// Bad arguments or configuration; nothing was sent.
pub const USAGE: u8 = 2;
/// The gateway answered with an error.
pub const API: u8 = 3;
/// The gateway could not be reached, or did not answer in time.
pub const TRANSPORT: u8 = 4;

/// Why a command failed.
#[derive(Debug)]
pub enum CliError {
    /// Bad arguments or configuration, found by the command line itself.
    Usage(String),
    /// The SDK's typed error.
    Sdk(scalexpert::Error),
    /// A run that went through but failed its purpose (a go-live scenario).
    Failed(String),
}

impl CliError {
    /// The exit status for this error (see the module's table).
    pub fn exit_status(&self) -> u8 {
        match self {
            CliError::Usage(_) => USAGE,
            CliError::Failed(_) => SCENARIO_FAILED,
            CliError::Sdk(error) => sdk_exit_status(error),
        }
    }

    /// The exit code for this error.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.exit_status())
    }
}

/// The exit status for an SDK error: usage, API or transport.
pub fn sdk_exit_status(error: &scalexpert::Error) -> u8 {
    use scalexpert::Error;
    match error {
        Error::InvalidRequest(_) | Error::Configuration(_) => USAGE,
        Error::Timeout { .. } | Error::Transport { .. } => TRANSPORT,
        // The token endpoint: refused (it answered) or unreachable (it did not).
        Error::Auth(auth) if auth.status.is_none() => TRANSPORT,
        _ => API,
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Usage(message) | CliError::Failed(message) => f.write_str(message),
            CliError::Sdk(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for CliError {}

impl From<scalexpert::Error> for CliError {
    fn from(error: scalexpert::Error) -> Self {
        CliError::Sdk(error)
    }
}

/// What a generated command's `anyhow` error is: the SDK's typed error when the call failed
/// (progenitor's error, converted as `?` does), a usage error otherwise (an unreadable
/// `--json-body` file, a body that does not match the spec).
pub fn from_command_error(error: anyhow::Error) -> CliError {
    match error.downcast::<progenitor_client::Error<()>>() {
        Ok(generated) => CliError::Sdk(scalexpert::Error::from(generated)),
        Err(other) => CliError::Usage(format!("{other:#}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_api_and_transport_errors_have_distinct_statuses() {
        let usage = CliError::Sdk(scalexpert::Error::Configuration("x".into()));
        let invalid = CliError::Sdk(scalexpert::Error::InvalidRequest("x".into()));
        let decode = CliError::Sdk(scalexpert::Error::Decode {
            status: None,
            message: "x".into(),
            excerpt: String::new(),
        });
        assert_eq!(usage.exit_status(), USAGE);
        assert_eq!(invalid.exit_status(), USAGE);
        assert_eq!(decode.exit_status(), API);
        assert_eq!(CliError::Usage("x".into()).exit_status(), USAGE);
        assert_eq!(CliError::Failed("x".into()).exit_status(), SCENARIO_FAILED);
        let statuses = [OK, SCENARIO_FAILED, USAGE, API, TRANSPORT];
        for (i, a) in statuses.iter().enumerate() {
            assert!(statuses[i + 1..].iter().all(|b| a != b));
        }
    }

    #[test]
    fn a_body_file_problem_is_a_usage_error() {
        let error = anyhow::anyhow!("failed to read body.json");
        assert_eq!(from_command_error(error).exit_status(), USAGE);
    }
}
