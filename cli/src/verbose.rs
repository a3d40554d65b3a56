//! `--verbose`: what the command line and the SDK do, on standard error, secrets removed.
//!
//! The SDK's tracing already keeps secrets out (its `scalexpert.call` and `scalexpert.token`
//! spans hold operation, method, status, attempt and latency, never a token or a body). The
//! log also passes through a [`Redactor`] that replaces the client secret, its HTTP Basic
//! encoding and any other value it is told about by `[redacted]`, so a secret that reached
//! a message by another road still never prints.

use crate::output::REDACTED;
use base64::Engine as _;
use secrecy::{ExposeSecret, SecretString};
use std::io::{self, Write};
use std::sync::Arc;
use tracing_subscriber::fmt::format::FmtSpan;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::prelude::*;

/// Replaces known secret values in text.
#[derive(Default, Clone)]
pub struct Redactor {
    secrets: Vec<SecretString>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor")
            .field("secrets", &self.secrets.len())
            .finish()
    }
}

impl Redactor {
    /// Also removes `secret`, and `client_id:secret` in the Basic encoding the token request
    /// carries.
    pub fn client_secret(mut self, client_id: &str, secret: &SecretString) -> Self {
        let encoded = base64::engine::general_purpose::STANDARD
            .encode(format!("{client_id}:{}", secret.expose_secret()));
        self.secrets.push(secret.clone());
        self.secrets.push(SecretString::from(encoded));
        self
    }

    /// Also removes `secret` (an empty value is ignored).
    pub fn secret(mut self, secret: impl Into<String>) -> Self {
        let secret = secret.into();
        if !secret.is_empty() {
            self.secrets.push(SecretString::from(secret));
        }
        self
    }

    /// `text` with every known secret replaced by `[redacted]`.
    pub fn scrub(&self, text: &str) -> String {
        let mut text = text.to_string();
        for secret in &self.secrets {
            let secret = secret.expose_secret();
            if !secret.is_empty() && text.contains(secret) {
                text = text.replace(secret, REDACTED);
            }
        }
        text
    }
}

/// Sends the SDK's and the command line's tracing to standard error through `redactor`.
pub fn init(redactor: Redactor) {
    let targets = tracing_subscriber::filter::Targets::new()
        .with_target("scalexpert", tracing::Level::DEBUG)
        .with_target("scalexpert_cli", tracing::Level::DEBUG)
        .with_default(tracing::Level::WARN);
    let layer = tracing_subscriber::fmt::layer()
        .with_writer(RedactingStderr(Arc::new(redactor)))
        .with_ansi(false)
        .with_span_events(FmtSpan::CLOSE);
    // Installed once per process; a second call (tests) keeps the first.
    let _ = tracing_subscriber::registry()
        .with(layer.with_filter(targets))
        .try_init();
}

/// Makes one [`RedactingLine`] per log record.
struct RedactingStderr(Arc<Redactor>);

impl<'a> MakeWriter<'a> for RedactingStderr {
    type Writer = RedactingLine;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingLine {
            redactor: Arc::clone(&self.0),
            buffer: Vec::new(),
        }
    }
}

/// Collects one record, then writes it scrubbed to standard error when dropped.
struct RedactingLine {
    redactor: Arc<Redactor>,
    buffer: Vec<u8>,
}

impl Write for RedactingLine {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for RedactingLine {
    fn drop(&mut self) {
        let text = String::from_utf8_lossy(&self.buffer);
        let _ = io::stderr().write_all(self.redactor.scrub(&text).as_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_and_their_basic_encoding_are_scrubbed() {
        let redactor =
            Redactor::default().client_secret("id", &SecretString::from("s3cr3t".to_string()));
        let basic = base64::engine::general_purpose::STANDARD.encode("id:s3cr3t");
        let text = redactor.scrub(&format!("secret s3cr3t, header Basic {basic}"));
        assert!(!text.contains("s3cr3t") && !text.contains(&basic), "{text}");
        assert_eq!(text.matches(REDACTED).count(), 2);
    }
}
