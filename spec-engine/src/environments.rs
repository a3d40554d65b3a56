//! The environment files of one API version must describe the same API.
//!
//! A vendor may publish one spec file per environment (Scalexpert's UATC and production,
//! Payment Assist's demo and production); they should differ only in where they point: the
//! `servers` and the URLs inside the security schemes (an OAuth2 token URL, when there is one).
//! We generate one module per version from one of the files, so any other difference would
//! silently give the other environment's users the wrong types: the build refuses it.
//!
//! Nothing here knows a vendor: environments are named by the caller, the security scheme may be
//! of any kind (or absent), and a file without a token URL is as good as one with.
//!
//! Structure is compared as the drift check compares it (descriptions and examples ignored),
//! and so are `x-` extensions: the drift check treats them as prose, but generation reads some
//! (`x-rust-type` hints, replay declarations, units), so both files must agree on them.

use crate::diff::{structural_diff, Difference, DifferenceKind};
use crate::security::{first_token_url, url_pointers};
use crate::walk::child;
use serde_json::{Map, Value};
use std::fmt;

/// One environment's spec file, as the caller names it.
#[derive(Debug, Clone, Copy)]
pub struct EnvironmentFile<'a> {
    /// The environment's name in messages (`uatc`, `demo`, `production`, …).
    pub name: &'a str,
    /// The file's document.
    pub doc: &'a Value,
}

impl<'a> EnvironmentFile<'a> {
    /// Names a document.
    pub fn new(name: &'a str, doc: &'a Value) -> Self {
        EnvironmentFile { name, doc }
    }
}

/// The URLs a spec file gives for its environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentUrls {
    /// First entry of `servers`: the API base URL.
    pub server: String,
    /// `tokenUrl` of the first OAuth2 flow, if the file has OAuth2 at all.
    pub token_url: Option<String>,
}

/// Why two environment files cannot share one generated module.
#[derive(Debug, Clone)]
pub struct EnvironmentMismatch {
    /// The names of the two environments, in the order they were given.
    pub environments: [String; 2],
    /// The first difference found (for a missing server: at `/servers/0/url`).
    pub first: Box<Difference>,
    /// How many differences there are in all.
    pub total: usize,
}

impl fmt::Display for EnvironmentMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |v: &Option<Value>| v.as_ref().map_or("(absent)".to_string(), Value::to_string);
        let [a, b] = &self.environments;
        write!(
            f,
            "the {a} and {b} files differ beyond their server and security-scheme URLs \
             ({} difference(s)); first at {}: {a}={} {b}={}",
            self.total,
            self.first.pointer,
            show(&self.first.before),
            show(&self.first.after)
        )
    }
}

impl std::error::Error for EnvironmentMismatch {}

/// Reads the server and token URL of one environment file; `None` without a server URL.
pub fn environment_urls(doc: &Value) -> Option<EnvironmentUrls> {
    let server = doc.pointer("/servers/0/url")?.as_str()?.trim().to_string();
    Some(EnvironmentUrls {
        server,
        token_url: first_token_url(doc),
    })
}

/// Checks that two environment files differ only in their URLs; returns each side's URLs.
///
/// Differences are reported with `before` from `first` and `after` from `second`.
pub fn check_environments(
    first: EnvironmentFile<'_>,
    second: EnvironmentFile<'_>,
) -> Result<(EnvironmentUrls, EnvironmentUrls), EnvironmentMismatch> {
    let names = [first.name.to_string(), second.name.to_string()];
    let (a, b) = (without_urls(first.doc), without_urls(second.doc));
    let mut diffs = structural_diff(&a, &b);
    diffs.extend(extension_differences(&extensions(&a), &extensions(&b)));
    if let Some(found) = diffs.first() {
        return Err(EnvironmentMismatch {
            environments: names,
            first: Box::new(found.clone()),
            total: diffs.len(),
        });
    }
    let urls_of = |file: EnvironmentFile<'_>| {
        environment_urls(file.doc).ok_or_else(|| EnvironmentMismatch {
            environments: names.clone(),
            first: Box::new(Difference {
                kind: DifferenceKind::Removed,
                pointer: "/servers/0/url".to_string(),
                before: None,
                after: Some(Value::String(format!("{} has no server URL", file.name))),
            }),
            total: 1,
        })
    };
    Ok((urls_of(first)?, urls_of(second)?))
}

/// [`check_environments`] for callers that do not name their environments: messages call the
/// files `first` and `second`.
pub fn check_environment_pair(
    first: &Value,
    second: &Value,
) -> Result<(EnvironmentUrls, EnvironmentUrls), EnvironmentMismatch> {
    check_environments(
        EnvironmentFile::new("first", first),
        EnvironmentFile::new("second", second),
    )
}

/// Extensions present on one side only or with other values, in `first`'s order then
/// `second`'s.
fn extension_differences(
    first: &Map<String, Value>,
    second: &Map<String, Value>,
) -> Vec<Difference> {
    let mut out = Vec::new();
    for (pointer, before) in first {
        match second.get(pointer) {
            Some(after) if after == before => {}
            after => out.push(Difference {
                kind: if after.is_some() {
                    DifferenceKind::Changed
                } else {
                    DifferenceKind::Removed
                },
                pointer: pointer.clone(),
                before: Some(before.clone()),
                after: after.cloned(),
            }),
        }
    }
    for (pointer, after) in second {
        if !first.contains_key(pointer) {
            out.push(Difference {
                kind: DifferenceKind::Added,
                pointer: pointer.clone(),
                before: None,
                after: Some(after.clone()),
            });
        }
    }
    out
}

/// Every `x-` extension of `doc`, keyed by the pointer of the object holding it plus its name.
fn extensions(doc: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    collect_extensions(doc, "", &mut out);
    out
}

fn collect_extensions(node: &Value, pointer: &str, out: &mut Map<String, Value>) {
    match node {
        Value::Object(map) => {
            for (key, value) in map {
                let here = child(pointer, key);
                if key.starts_with("x-") {
                    out.insert(here, value.clone());
                } else {
                    collect_extensions(value, &here, out);
                }
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                collect_extensions(item, &child(pointer, &index.to_string()), out);
            }
        }
        _ => {}
    }
}

/// A copy of `doc` without the parts that name its environment.
fn without_urls(doc: &Value) -> Value {
    let mut copy = doc.clone();
    // Removed rather than nulled: a file without servers is reported by its missing URL.
    if let Some(top) = copy.as_object_mut() {
        top.remove("servers");
    }
    for pointer in url_pointers(doc) {
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

    /// A Scalexpert-like file: OAuth2 client credentials.
    fn oauth_spec(server: &str, token: &str, max: u64) -> Value {
        json!({
            "servers": [{"url": server}],
            "components": {
                "securitySchemes": {"oauth": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": token}}}},
                "schemas": {"A": {"type": "string", "maxLength": max}}
            }
        })
    }

    /// A Payment Assist-like file: no OAuth2, an API key and a signature sent as parameters,
    /// an environment-specific extension on the server, replay declared per operation.
    fn signed_spec(server: &str, prefix: &str, replay: &str) -> Value {
        json!({
            "servers": [{"url": server, "x-secret-prefix": prefix}],
            "security": [{"dealerKey": [], "requestSignature": []}],
            "paths": {"/begin": {"post": {
                "operationId": "begin",
                "description": "prose may differ",
                "x-replay": replay,
                "responses": {"200": {"description": "ok"}}
            }}},
            "components": {"securitySchemes": {
                "dealerKey": {"type": "apiKey", "in": "query", "name": "api_key"},
                "requestSignature": {"type": "apiKey", "in": "query", "name": "signature"}
            }}
        })
    }

    #[test]
    fn oauth_urls_may_differ() {
        let (u, p) = check_environment_pair(
            &oauth_spec("https://u/api", "https://u/t", 5),
            &oauth_spec("https://p/api", "https://p/t", 5),
        )
        .expect("same API");
        assert_eq!(u.server, "https://u/api");
        assert_eq!(p.token_url.as_deref(), Some("https://p/t"));
    }

    #[test]
    fn any_other_difference_is_named_with_the_environments() {
        let (u, p) = (oauth_spec("u", "u", 5), oauth_spec("p", "p", 6));
        let err = check_environments(
            EnvironmentFile::new("uatc", &u),
            EnvironmentFile::new("prod", &p),
        )
        .expect_err("differs");
        assert_eq!(err.first.pointer, "/components/schemas/A/maxLength");
        assert_eq!(err.environments, ["uatc", "prod"]);
        let message = err.to_string();
        assert!(message.contains("the uatc and prod files"), "{message}");
        assert!(message.contains("uatc=5 prod=6"), "{message}");
    }

    #[test]
    fn a_signed_parameters_pair_needs_no_token_url() {
        let demo = signed_spec("https://api.demo.example", "demo_", "unsafe");
        let mut live = signed_spec("https://api.live.example", "live_", "unsafe");
        live["paths"]["/begin"]["post"]["description"] = json!("other words");
        let (d, l) = check_environments(
            EnvironmentFile::new("demo", &demo),
            EnvironmentFile::new("production", &live),
        )
        .expect("only servers and prose differ");
        assert_eq!(d.server, "https://api.demo.example");
        assert_eq!(l.server, "https://api.live.example");
        assert_eq!(d.token_url, None);
        assert_eq!(l.token_url, None);
    }

    #[test]
    fn extensions_outside_the_servers_must_agree() {
        let demo = signed_spec("https://d", "demo_", "unsafe");
        let live = signed_spec("https://l", "live_", "safe");
        let err = check_environments(
            EnvironmentFile::new("demo", &demo),
            EnvironmentFile::new("production", &live),
        )
        .expect_err("replay declarations differ");
        assert_eq!(err.first.pointer, "/paths/~1begin/post/x-replay");
        assert_eq!(err.first.before, Some(json!("unsafe")));
        assert_eq!(err.first.after, Some(json!("safe")));
    }

    #[test]
    fn a_file_without_a_server_is_refused() {
        let demo = signed_spec("https://d", "demo_", "unsafe");
        let mut live = demo.clone();
        live.as_object_mut().expect("object").remove("servers");
        let err = check_environments(
            EnvironmentFile::new("demo", &demo),
            EnvironmentFile::new("production", &live),
        )
        .expect_err("no server");
        assert_eq!(err.first.pointer, "/servers/0/url");
        assert!(err.to_string().contains("production has no server URL"));
    }

    #[test]
    fn a_different_scheme_kind_is_a_difference() {
        let demo = signed_spec("https://d", "demo_", "unsafe");
        let mut live = demo.clone();
        live["components"]["securitySchemes"]["requestSignature"]["in"] = json!("header");
        let err = check_environments(
            EnvironmentFile::new("demo", &demo),
            EnvironmentFile::new("production", &live),
        )
        .expect_err("scheme differs");
        assert_eq!(
            err.first.pointer,
            "/components/securitySchemes/requestSignature/in"
        );
    }
}
