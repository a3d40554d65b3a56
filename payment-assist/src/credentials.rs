//! A dealer's API key and secret.

use secrecy::{ExposeSecret, SecretString};
use std::fmt;

/// One dealer's (or branch's) credentials: Payment Assist issues a key and a secret per dealer,
/// so a multi-tenant integrator holds one of these per local user.
///
/// The secret is a [`SecretString`]: zeroed on drop, left out of `Debug`, and read only to
/// sign. The API key travels with every request and is shown.
///
/// ```
/// let dealer = payment_assist::Credentials::new("216299fc4cc950da", "demo_s3cr3t");
/// let shown = format!("{dealer:?}");
/// assert!(shown.contains("216299fc4cc950da"));
/// assert!(!shown.contains("s3cr3t"));
/// ```
#[derive(Clone)]
pub struct Credentials {
    api_key: String,
    secret: SecretString,
}

impl Credentials {
    /// A dealer's API key and secret, from the dealer dashboard.
    pub fn new(api_key: impl Into<String>, secret: impl Into<String>) -> Self {
        Credentials {
            api_key: api_key.into(),
            secret: SecretString::from(secret.into()),
        }
    }

    /// The API key.
    pub fn api_key(&self) -> &str {
        &self.api_key
    }

    /// Whether the secret begins with `prefix` (environments tell their secrets apart so).
    pub fn secret_starts_with(&self, prefix: &str) -> bool {
        self.secret.expose_secret().starts_with(prefix)
    }

    /// The secret's bytes, for the HMAC key only.
    pub(crate) fn secret_bytes(&self) -> &[u8] {
        self.secret.expose_secret().as_bytes()
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("api_key", &self.api_key)
            .field("secret", &"[redacted]")
            .finish()
    }
}
