//! Payment Assist's environments and their URLs.

use crate::credentials::Credentials;
use crate::Error;

/// One environment as a spec file declares it (`v1::DEMO`, `v1::PRODUCTION`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpecEnvironment {
    /// The environment's name (`demo`, `production`): its spec file's stem.
    pub name: &'static str,
    /// The API base URL.
    pub server: &'static str,
    /// How the secrets issued for this environment begin (`demo_`, `prod_`).
    pub secret_prefix: &'static str,
}

/// Where requests go.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Environment {
    /// The demo (test) environment: demo secrets only.
    Demo,
    /// The live environment: a demo secret is refused.
    Production,
    /// Any other base URL (a local test server, a proxy): every secret is accepted.
    Custom(String),
}

impl Environment {
    /// Any other base URL; a trailing `/` is dropped.
    pub fn custom(base_url: impl Into<String>) -> Self {
        let mut url = base_url.into();
        while url.ends_with('/') {
            url.pop();
        }
        Environment::Custom(url)
    }

    /// The spec's declaration of this environment, `None` for a custom URL.
    pub fn spec(&self) -> Option<&'static SpecEnvironment> {
        match self {
            Environment::Demo => Some(&crate::v1::DEMO),
            Environment::Production => Some(&crate::v1::PRODUCTION),
            Environment::Custom(_) => None,
        }
    }

    /// The API base URL.
    pub fn base_url(&self) -> &str {
        match self {
            Environment::Custom(url) => url,
            known => known.spec().map_or("", |spec| spec.server),
        }
    }

    /// Refuses credentials whose secret was issued for another known environment: a demo
    /// secret is never sent to production, nor a production secret to the demo.
    pub fn admit(&self, credentials: &Credentials) -> Result<(), Error> {
        let Some(here) = self.spec() else {
            return Ok(());
        };
        for other in [&crate::v1::DEMO, &crate::v1::PRODUCTION] {
            if other.name != here.name && credentials.secret_starts_with(other.secret_prefix) {
                return Err(Error::Configuration(format!(
                    "the secret of API key {} is a {} secret (it starts with {:?}); it is not \
                     sent to the {} environment",
                    credentials.api_key(),
                    other.name,
                    other.secret_prefix,
                    here.name
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_come_from_the_specs() {
        assert_eq!(Environment::Demo.base_url(), "https://api.demo.payassi.st");
        assert_eq!(
            Environment::Production.base_url(),
            "https://api.v1.payment-assist.co.uk"
        );
        assert_eq!(
            Environment::custom("http://127.0.0.1:9/").base_url(),
            "http://127.0.0.1:9"
        );
    }

    #[test]
    fn secrets_stay_in_their_environment() {
        let demo = Credentials::new("key", "demo_abc");
        let live = Credentials::new("key", "prod_abc");
        let other = Credentials::new("key", "abc");
        assert!(Environment::Demo.admit(&demo).is_ok());
        assert!(Environment::Production.admit(&live).is_ok());
        let refused = Environment::Production
            .admit(&demo)
            .expect_err("demo secret");
        assert!(refused.to_string().contains("demo secret"), "{refused}");
        assert!(!refused.to_string().contains("demo_abc"), "{refused}");
        assert!(Environment::Demo.admit(&live).is_err());
        assert!(Environment::Production.admit(&other).is_ok());
        assert!(Environment::custom("http://x").admit(&demo).is_ok());
    }
}
