//! Where the Scalexpert gateway lives.

use crate::error::Error;
use std::fmt;

/// A Scalexpert gateway: the root every API path and the token endpoint hang from.
///
/// ```
/// use scalexpert::Environment;
/// assert_eq!(Environment::Uatc.root(), "https://api.scalexpert.uatc.societegenerale.com/baas/uatc");
/// let local = Environment::custom("http://127.0.0.1:8080").unwrap();
/// assert_eq!(local.token_url(), "http://127.0.0.1:8080/auth-server/api/v1/oauth2/token");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub enum Environment {
    /// Live traffic.
    Production,
    /// Customer acceptance (test) gateway, the one merchants integrate against.
    Uatc,
    /// Partners' acceptance gateway.
    Uat,
    /// Any other root with the same path layout: a sandbox, a mock server, a proxy.
    Custom(String),
}

const PRODUCTION_ROOT: &str = "https://api.scalexpert.societegenerale.com/baas/prod";
const UATC_ROOT: &str = "https://api.scalexpert.uatc.societegenerale.com/baas/uatc";
const UAT_ROOT: &str = "https://api.scalexpert.hml.societegenerale.com/baas/uat";
/// Path of the OAuth2 token endpoint below an environment root, for every API.
const TOKEN_PATH: &str = "/auth-server/api/v1/oauth2/token";

/// Server and token URLs one vendored spec file declares (filled in by `build.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpecUrls {
    /// The `servers[0].url` of the file.
    pub server: &'static str,
    /// The OAuth2 `tokenUrl` of the file.
    pub token_url: &'static str,
}

impl Environment {
    /// A custom root such as `http://127.0.0.1:8080`; a trailing slash is dropped.
    ///
    /// Fails when `root` is not an absolute `http` or `https` URL, or has a query string, a
    /// fragment or credentials: API paths are appended to the root, and credentials belong in
    /// `Credentials` (a URL's would show in error messages).
    ///
    /// ```
    /// use scalexpert::Environment;
    /// assert!(Environment::custom("http://127.0.0.1:8080/").is_ok());
    /// assert!(Environment::custom("http://127.0.0.1:8080/?tenant=a").is_err());
    /// ```
    pub fn custom(root: impl Into<String>) -> Result<Self, Error> {
        let root = root.into();
        let refuse = |why: &str| Error::Configuration(format!("base URL {root:?} {why}"));
        let parsed = reqwest::Url::parse(&root)
            .map_err(|e| Error::Configuration(format!("base URL {root:?} is not a URL: {e}")))?;
        if !parsed.username().is_empty() || parsed.password().is_some() {
            // Not quoted: the URL holds a password.
            return Err(Error::Configuration(
                "the base URL holds credentials (user:password@); give them as Credentials".into(),
            ));
        }
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(refuse("must be an absolute http(s) URL"));
        }
        if parsed.query().is_some() {
            return Err(refuse("has a query string: give the root only"));
        }
        if parsed.fragment().is_some() {
            return Err(refuse("has a fragment (#…): give the root only"));
        }
        Ok(Environment::Custom(root.trim_end_matches('/').to_string()))
    }

    /// Parses `production`, `uatc` or `uat` (any case), as `SCALEXPERT_ENVIRONMENT` holds them.
    ///
    /// Names are spelled out: production, where every application is real, is never chosen by
    /// an abbreviation such as `prod`.
    ///
    /// ```
    /// use scalexpert::Environment;
    /// assert_eq!(Environment::from_name("UATC").unwrap(), Environment::Uatc);
    /// assert!(Environment::from_name("prod").is_err());
    /// ```
    pub fn from_name(name: &str) -> Result<Self, Error> {
        match name.trim().to_ascii_lowercase().as_str() {
            "production" => Ok(Environment::Production),
            "uatc" => Ok(Environment::Uatc),
            "uat" => Ok(Environment::Uat),
            other => Err(Error::Configuration(format!(
                "unknown environment {other:?}: expected production, uatc or uat"
            ))),
        }
    }

    /// The root URL, without a trailing slash.
    pub fn root(&self) -> &str {
        match self {
            Environment::Production => PRODUCTION_ROOT,
            Environment::Uatc => UATC_ROOT,
            Environment::Uat => UAT_ROOT,
            Environment::Custom(root) => root,
        }
    }

    /// The OAuth2 token endpoint (the same for every API).
    pub fn token_url(&self) -> String {
        format!("{}{TOKEN_PATH}", self.root())
    }

    /// The base URL of one API version in this environment.
    ///
    /// Production and UATC use the server URL of their own spec file; other roots get the
    /// service path the UATC file declares (`/e-financing/api/v1`) appended.
    pub fn api_base_url(&self, uatc: &SpecUrls, production: &SpecUrls) -> String {
        match self {
            Environment::Production => production.server.to_string(),
            Environment::Uatc => uatc.server.to_string(),
            _ => format!("{}{}", self.root(), service_path(uatc.server)),
        }
    }
}

/// `/e-financing/api/v1` from the UATC server URL.
fn service_path(uatc_server: &str) -> &str {
    uatc_server.strip_prefix(UATC_ROOT).unwrap_or_else(|| {
        // A spec whose server is not below the UATC root: keep only its path.
        uatc_server.find("://").map_or(uatc_server, |scheme| {
            let rest = &uatc_server[scheme + 3..];
            rest.find('/').map_or("", |slash| &rest[slash..])
        })
    })
}

impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Environment::Production => f.write_str("Production"),
            Environment::Uatc => f.write_str("Uatc"),
            Environment::Uat => f.write_str("Uat"),
            Environment::Custom(root) => f.debug_tuple("Custom").field(root).finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UATC: SpecUrls = SpecUrls {
        server: "https://api.scalexpert.uatc.societegenerale.com/baas/uatc/e-financing/api/v1",
        token_url: "https://api.scalexpert.uatc.societegenerale.com/baas/uatc/auth-server/api/v1/oauth2/token",
    };
    const PROD: SpecUrls = SpecUrls {
        server: "https://api.scalexpert.societegenerale.com/baas/prod/e-financing/api/v1",
        token_url:
            "https://api.scalexpert.societegenerale.com/baas/prod/auth-server/api/v1/oauth2/token",
    };

    #[test]
    fn base_urls_per_environment() {
        assert_eq!(
            Environment::Production.api_base_url(&UATC, &PROD),
            PROD.server
        );
        assert_eq!(Environment::Uatc.api_base_url(&UATC, &PROD), UATC.server);
        assert_eq!(
            Environment::Uat.api_base_url(&UATC, &PROD),
            "https://api.scalexpert.hml.societegenerale.com/baas/uat/e-financing/api/v1"
        );
        let local = Environment::custom("http://127.0.0.1:9/").expect("valid");
        assert_eq!(
            local.api_base_url(&UATC, &PROD),
            "http://127.0.0.1:9/e-financing/api/v1"
        );
    }

    #[test]
    fn token_urls_match_the_specs() {
        assert_eq!(Environment::Uatc.token_url(), UATC.token_url);
        assert_eq!(Environment::Production.token_url(), PROD.token_url);
    }

    #[test]
    fn rejects_relative_or_odd_roots() {
        assert!(Environment::custom("localhost:8080").is_err());
        assert!(Environment::custom("ftp://example.test").is_err());
        assert!(Environment::custom("http://example.test/?a=b").is_err());
        assert!(Environment::custom("http://example.test/#a").is_err());
        assert!(Environment::custom("http://me:pw@example.test/").is_err());
        assert!(Environment::from_name("staging").is_err());
        assert!(Environment::from_name("prod").is_err());
        assert_eq!(
            Environment::from_name("UATC").expect("known"),
            Environment::Uatc
        );
    }
}
