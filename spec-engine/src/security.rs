//! The security schemes a spec declares, read without assuming any one vendor's scheme.
//!
//! Scalexpert authenticates with OAuth2 client credentials; Payment Assist with an API key and
//! an HMAC signature sent as request parameters. Both are OpenAPI security schemes, so the
//! engine reads every kind the standard has (`oauth2`, `apiKey`, `http`, `openIdConnect`),
//! keeps each scheme's `x-` extensions for the caller to interpret, and knows which of their
//! fields are URLs that may differ from one environment to the next.

use crate::walk::child;
use serde_json::{Map, Value};

/// One entry of `components.securitySchemes`.
#[derive(Debug, Clone, PartialEq)]
pub struct SecurityScheme {
    /// The scheme's key under `components.securitySchemes`.
    pub name: String,
    /// What kind of scheme it is, with the fields of that kind.
    pub kind: SchemeKind,
    /// The scheme's `x-` extensions, as written.
    pub extensions: Map<String, Value>,
}

/// The kinds of security scheme OpenAPI 3.0 defines.
#[derive(Debug, Clone, PartialEq)]
pub enum SchemeKind {
    /// `type: oauth2`, with its flows in document order.
    OAuth2 {
        /// Every flow the scheme declares.
        flows: Vec<OAuthFlow>,
    },
    /// `type: apiKey`: a named value sent in a query parameter, header or cookie.
    ApiKey {
        /// The parameter, header or cookie name.
        parameter: String,
        /// Where it is sent.
        location: KeyLocation,
    },
    /// `type: http` (`basic`, `bearer`, …).
    Http {
        /// The HTTP authentication scheme, lower case.
        scheme: String,
    },
    /// `type: openIdConnect`.
    OpenIdConnect {
        /// The discovery URL.
        url: String,
    },
    /// A `type` the standard does not define, kept as written.
    Other(String),
}

/// Where an `apiKey` scheme's value travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyLocation {
    /// A query parameter.
    Query,
    /// A request header.
    Header,
    /// A cookie.
    Cookie,
}

/// One OAuth2 flow of a scheme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthFlow {
    /// The flow's key (`clientCredentials`, `authorizationCode`, …).
    pub name: String,
    /// `tokenUrl`, when the flow has one.
    pub token_url: Option<String>,
    /// The scopes the flow declares, in order.
    pub scopes: Vec<String>,
}

/// The fields of a security scheme whose value is an environment's URL.
const SCHEME_URL_FIELDS: &[&str] = &["openIdConnectUrl"];
/// The fields of an OAuth2 flow whose value is an environment's URL.
const FLOW_URL_FIELDS: &[&str] = &["tokenUrl", "authorizationUrl", "refreshUrl"];

fn schemes(doc: &Value) -> impl Iterator<Item = (&String, &Value)> {
    doc.pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|schemes| schemes.iter())
}

fn text(value: &Value, key: &str) -> Option<String> {
    value
        .get(key)
        .and_then(Value::as_str)
        .map(|s| s.trim().to_string())
}

/// Every security scheme of `doc`, in document order.
pub fn security_schemes(doc: &Value) -> Vec<SecurityScheme> {
    schemes(doc)
        .map(|(name, scheme)| {
            let kind_name = text(scheme, "type").unwrap_or_default();
            let kind = match kind_name.as_str() {
                "oauth2" => SchemeKind::OAuth2 {
                    flows: scheme
                        .get("flows")
                        .and_then(Value::as_object)
                        .into_iter()
                        .flat_map(|flows| flows.iter())
                        .map(|(flow, body)| OAuthFlow {
                            name: flow.clone(),
                            token_url: text(body, "tokenUrl"),
                            scopes: body
                                .get("scopes")
                                .and_then(Value::as_object)
                                .map(|s| s.keys().cloned().collect())
                                .unwrap_or_default(),
                        })
                        .collect(),
                },
                "apiKey" => SchemeKind::ApiKey {
                    parameter: text(scheme, "name").unwrap_or_default(),
                    location: match text(scheme, "in").as_deref() {
                        Some("header") => KeyLocation::Header,
                        Some("cookie") => KeyLocation::Cookie,
                        _ => KeyLocation::Query,
                    },
                },
                "http" => SchemeKind::Http {
                    scheme: text(scheme, "scheme").unwrap_or_default().to_lowercase(),
                },
                "openIdConnect" => SchemeKind::OpenIdConnect {
                    url: text(scheme, "openIdConnectUrl").unwrap_or_default(),
                },
                _ => SchemeKind::Other(kind_name),
            };
            let extensions = scheme
                .as_object()
                .map(|fields| {
                    fields
                        .iter()
                        .filter(|(key, _)| key.starts_with("x-"))
                        .map(|(key, value)| (key.clone(), value.clone()))
                        .collect()
                })
                .unwrap_or_default();
            SecurityScheme {
                name: name.clone(),
                kind,
                extensions,
            }
        })
        .collect()
}

/// The OAuth2 scopes the document's security schemes declare, in order, without repeats.
///
/// Empty for a document without OAuth2: whether that is acceptable is the caller's business.
pub fn oauth_scopes(doc: &Value) -> Vec<String> {
    let mut scopes: Vec<String> = Vec::new();
    for scheme in security_schemes(doc) {
        if let SchemeKind::OAuth2 { flows } = scheme.kind {
            for scope in flows.into_iter().flat_map(|flow| flow.scopes) {
                if !scopes.contains(&scope) {
                    scopes.push(scope);
                }
            }
        }
    }
    scopes
}

/// The first `tokenUrl` of any OAuth2 flow, if the document has one.
pub fn first_token_url(doc: &Value) -> Option<String> {
    security_schemes(doc)
        .into_iter()
        .filter_map(|scheme| match scheme.kind {
            SchemeKind::OAuth2 { flows } => Some(flows),
            _ => None,
        })
        .flatten()
        .find_map(|flow| flow.token_url)
}

/// Pointers of every URL inside the security schemes (token, authorization, refresh and
/// OpenID Connect discovery URLs): the parts of a scheme that name an environment.
pub fn url_pointers(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (name, scheme) in schemes(doc) {
        let base = child("/components/securitySchemes", name);
        for field in SCHEME_URL_FIELDS {
            if scheme.get(*field).is_some() {
                out.push(child(&base, field));
            }
        }
        let Some(flows) = scheme.get("flows").and_then(Value::as_object) else {
            continue;
        };
        for (flow, body) in flows {
            let flow_base = child(&child(&base, "flows"), flow);
            for field in FLOW_URL_FIELDS {
                if body.get(*field).is_some() {
                    out.push(child(&flow_base, field));
                }
            }
        }
    }
    out
}

/// The parameter names of the document's `apiKey` schemes sent as query parameters, by
/// scheme name.
pub fn api_key_parameters(doc: &Value) -> Vec<(String, String)> {
    security_schemes(doc)
        .into_iter()
        .filter_map(|scheme| match scheme.kind {
            SchemeKind::ApiKey {
                parameter,
                location: KeyLocation::Query,
            } => Some((scheme.name, parameter)),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A lender that signs request parameters: no OAuth2 anywhere.
    fn signed_parameters_spec() -> Value {
        json!({"components": {"securitySchemes": {
            "dealerKey": {"type": "apiKey", "in": "query", "name": "api_key"},
            "requestSignature": {
                "type": "apiKey", "in": "query", "name": "signature",
                "x-signature": {"algorithm": "hmac-sha256"}
            },
            "partner": {"type": "http", "scheme": "Bearer"},
            "sso": {"type": "openIdConnect", "openIdConnectUrl": " https://id.example/.well-known "},
            "odd": {"type": "mutualTLS"}
        }}})
    }

    #[test]
    fn reads_every_kind_of_scheme() {
        let schemes = security_schemes(&signed_parameters_spec());
        assert_eq!(schemes.len(), 5);
        assert_eq!(
            schemes[0].kind,
            SchemeKind::ApiKey {
                parameter: "api_key".into(),
                location: KeyLocation::Query
            }
        );
        assert_eq!(
            schemes[1].extensions["x-signature"]["algorithm"],
            "hmac-sha256"
        );
        assert!(schemes[0].extensions.is_empty());
        assert_eq!(
            schemes[2].kind,
            SchemeKind::Http {
                scheme: "bearer".into()
            }
        );
        assert_eq!(
            schemes[3].kind,
            SchemeKind::OpenIdConnect {
                url: "https://id.example/.well-known".into()
            }
        );
        assert_eq!(schemes[4].kind, SchemeKind::Other("mutualTLS".into()));
    }

    #[test]
    fn a_spec_without_oauth_has_no_scopes_and_no_token_url() {
        let doc = signed_parameters_spec();
        assert!(oauth_scopes(&doc).is_empty());
        assert_eq!(first_token_url(&doc), None);
        assert_eq!(
            url_pointers(&doc),
            ["/components/securitySchemes/sso/openIdConnectUrl"]
        );
        assert_eq!(
            api_key_parameters(&doc),
            [
                ("dealerKey".to_string(), "api_key".to_string()),
                ("requestSignature".to_string(), "signature".to_string())
            ]
        );
    }

    #[test]
    fn scopes_come_from_every_flow_without_repeats() {
        let doc = json!({"components": {"securitySchemes": {
            "a": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "t", "scopes": {"x:rw": "", "y:r": ""}}}},
            "b": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "u", "scopes": {"x:rw": ""}}}}
        }}});
        assert_eq!(oauth_scopes(&doc), ["x:rw", "y:r"]);
        assert_eq!(first_token_url(&doc).as_deref(), Some("t"));
        assert!(oauth_scopes(&json!({})).is_empty());
    }

    #[test]
    fn every_flow_url_is_an_environment_url() {
        let doc = json!({"components": {"securitySchemes": {"o": {"type": "oauth2", "flows": {
            "authorizationCode": {"authorizationUrl": "a", "tokenUrl": "t", "refreshUrl": "r", "scopes": {}}
        }}}}});
        assert_eq!(
            url_pointers(&doc),
            [
                "/components/securitySchemes/o/flows/authorizationCode/tokenUrl",
                "/components/securitySchemes/o/flows/authorizationCode/authorizationUrl",
                "/components/securitySchemes/o/flows/authorizationCode/refreshUrl",
            ]
        );
    }
}
