//! The UATC and production files of a version must describe the same API.
//!
//! Scalexpert publishes one file per environment; they differ only in the server URL and the
//! OAuth2 token URL. We generate one module per version from the UATC file, so any other
//! difference would silently give production users the wrong types: the build refuses it.

use crate::diff::{structural_diff, Difference};
use crate::walk::child;
use serde_json::Value;
use std::fmt;

/// The URLs a spec file gives for its environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentUrls {
    /// First entry of `servers`: the API base URL.
    pub server: String,
    /// `tokenUrl` of the first OAuth2 client-credentials flow, if any.
    pub token_url: Option<String>,
}

/// The first difference between two environment files other than their URLs.
#[derive(Debug, Clone)]
pub struct EnvironmentMismatch {
    /// The first difference found.
    pub first: Box<Difference>,
    /// How many differences there are in all.
    pub total: usize,
}

impl fmt::Display for EnvironmentMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |v: &Option<Value>| v.as_ref().map_or("(absent)".to_string(), Value::to_string);
        write!(
            f,
            "the UATC and production files differ beyond their server and token URLs \
             ({} difference(s)); first at {}: uatc={} prod={}",
            self.total,
            self.first.pointer,
            show(&self.first.before),
            show(&self.first.after)
        )
    }
}

impl std::error::Error for EnvironmentMismatch {}

/// Reads the server and token URL of one environment file.
pub fn environment_urls(doc: &Value) -> Option<EnvironmentUrls> {
    let server = doc.pointer("/servers/0/url")?.as_str()?.trim().to_string();
    let token_url = token_url_pointers(doc)
        .into_iter()
        .find_map(|p| doc.pointer(&p).and_then(Value::as_str))
        .map(|s| s.trim().to_string());
    Some(EnvironmentUrls { server, token_url })
}

/// Checks that `uatc` and `prod` differ only in server and token URLs; returns each side's URLs.
pub fn check_environment_pair(
    uatc: &Value,
    prod: &Value,
) -> Result<(EnvironmentUrls, EnvironmentUrls), EnvironmentMismatch> {
    let diffs: Vec<Difference> = structural_diff(&without_urls(uatc), &without_urls(prod));
    if let Some(first) = diffs.first() {
        return Err(EnvironmentMismatch {
            first: Box::new(first.clone()),
            total: diffs.len(),
        });
    }
    let missing = |what: &str| EnvironmentMismatch {
        first: Box::new(Difference {
            kind: crate::DifferenceKind::Removed,
            pointer: "/servers/0/url".to_string(),
            before: None,
            after: Some(Value::String(format!("{what} has no server URL"))),
        }),
        total: 1,
    };
    let uatc_urls = environment_urls(uatc).ok_or_else(|| missing("uatc"))?;
    let prod_urls = environment_urls(prod).ok_or_else(|| missing("prod"))?;
    Ok((uatc_urls, prod_urls))
}

/// The OAuth2 scopes the document's security schemes declare, in order, without repeats.
///
/// The facade asks the token endpoint for these when calling this API.
pub fn oauth_scopes(doc: &Value) -> Vec<String> {
    let mut scopes: Vec<String> = Vec::new();
    let schemes = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object);
    for scheme in schemes.into_iter().flat_map(|s| s.values()) {
        let flows = scheme.get("flows").and_then(Value::as_object);
        for flow in flows.into_iter().flat_map(|f| f.values()) {
            let declared = flow.get("scopes").and_then(Value::as_object);
            for scope in declared.into_iter().flat_map(|s| s.keys()) {
                if !scopes.contains(scope) {
                    scopes.push(scope.clone());
                }
            }
        }
    }
    scopes
}

/// Pointers of every `tokenUrl` in the document's security schemes.
fn token_url_pointers(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let Some(schemes) = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
    else {
        return out;
    };
    for (name, scheme) in schemes {
        let Some(flows) = scheme.get("flows").and_then(Value::as_object) else {
            continue;
        };
        for (flow, body) in flows {
            if body.get("tokenUrl").is_some() {
                let base = child(&child("/components/securitySchemes", name), "flows");
                out.push(child(&child(&base, flow), "tokenUrl"));
            }
        }
    }
    out
}

fn without_urls(doc: &Value) -> Value {
    let mut copy = doc.clone();
    if let Some(servers) = copy.get_mut("servers") {
        *servers = Value::Null;
    }
    for pointer in token_url_pointers(doc) {
        if let Some(url) = copy.pointer_mut(&pointer) {
            *url = Value::Null;
        }
    }
    copy
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(server: &str, token: &str, max: u64) -> Value {
        json!({
            "servers": [{"url": server}],
            "components": {
                "securitySchemes": {"oauth": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": token}}}},
                "schemas": {"A": {"type": "string", "maxLength": max}}
            }
        })
    }

    #[test]
    fn urls_may_differ() {
        let (u, p) = check_environment_pair(
            &spec("https://u/api", "https://u/t", 5),
            &spec("https://p/api", "https://p/t", 5),
        )
        .expect("same API");
        assert_eq!(u.server, "https://u/api");
        assert_eq!(p.token_url.as_deref(), Some("https://p/t"));
    }

    #[test]
    fn scopes_come_from_every_flow() {
        let doc = json!({"components": {"securitySchemes": {
            "a": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "t", "scopes": {"x:rw": "", "y:r": ""}}}},
            "b": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "t", "scopes": {"x:rw": ""}}}}
        }}});
        assert_eq!(oauth_scopes(&doc), ["x:rw", "y:r"]);
        assert!(oauth_scopes(&json!({})).is_empty());
    }

    #[test]
    fn any_other_difference_is_named() {
        let err =
            check_environment_pair(&spec("u", "u", 5), &spec("p", "p", 6)).expect_err("differs");
        assert_eq!(err.first.pointer, "/components/schemas/A/maxLength");
        assert!(err.to_string().contains("/components/schemas/A/maxLength"));
    }
}
