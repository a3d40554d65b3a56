//! Document-wide settings: the version number, servers, security requirements and schemes,
//! and any keyword no other rule knows (reported as `unclassified`).

use super::context::{trimmed, At, Classifier};
use super::verdict::{info, runtime, unclassified};
use crate::diff::{raw_diff, DifferenceKind};
use serde_json::{Map, Value};
use std::collections::BTreeSet;

impl Classifier<'_> {
    /// `info.version`, `servers`, global `security`, and any other top-level keyword.
    pub(super) fn compare_document_settings(&mut self) {
        let root = At::root();
        let (old, new) = (self.old, self.new);
        let old_version = old.pointer("/info/version");
        let new_version = new.pointer("/info/version");
        if old_version != new_version {
            self.emit(
                &root.child("info"),
                Some("version"),
                DifferenceKind::Changed,
                info("version-changed", "the API version number changed"),
                old_version.cloned(),
                new_version.cloned(),
            );
        }
        self.compare_servers(&root, old.get("servers"), new.get("servers"));
        self.compare_security(&root, old.get("security"), new.get("security"));
        let handled = ["info", "servers", "security", "paths", "components"];
        self.unclassified_keys(&root, old, new, &handled);
        if let (Some(a), Some(b)) = (old.get("components"), new.get("components")) {
            // Parameters, bodies and responses in `components` are compared where they are
            // used; they generate no code of their own.
            let handled = [
                "schemas",
                "securitySchemes",
                "parameters",
                "requestBodies",
                "responses",
                "headers",
            ];
            self.unclassified_keys(&root.child("components"), a, b, &handled);
        }
    }

    pub(super) fn compare_servers(&mut self, at: &At, old: Option<&Value>, new: Option<&Value>) {
        let urls = |v: Option<&Value>| -> Vec<String> {
            v.and_then(Value::as_array)
                .map(|servers| {
                    servers
                        .iter()
                        .map(|s| {
                            s.get("url")
                                .and_then(Value::as_str)
                                .unwrap_or("")
                                .trim()
                                .to_string()
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let (a, b) = (urls(old), urls(new));
        if a != b {
            let reason = "the server URL changed: the generated client's default base URL \
                          (and our environment URLs) point elsewhere";
            self.emit(
                at,
                Some("servers"),
                DifferenceKind::Changed,
                runtime("server-url-changed", reason),
                Some(Value::from(a)),
                Some(Value::from(b)),
            );
        }
    }

    pub(super) fn compare_security(&mut self, at: &At, old: Option<&Value>, new: Option<&Value>) {
        if old != new {
            let kind = match (old, new) {
                (None, _) => DifferenceKind::Added,
                (_, None) => DifferenceKind::Removed,
                _ => DifferenceKind::Changed,
            };
            self.emit(
                at,
                Some("security"),
                kind,
                runtime(
                    "security-scope-changed",
                    "the required OAuth2 schemes or scopes changed: the token the client asks \
                     for may no longer be accepted",
                ),
                old.cloned(),
                new.cloned(),
            );
        }
    }

    /// Keys of `old`/`new` outside `handled` that differ: no rule knows them.
    pub(super) fn unclassified_keys(
        &mut self,
        at: &At,
        old: &Value,
        new: &Value,
        handled: &[&str],
    ) {
        let (Some(a), Some(b)) = (old.as_object(), new.as_object()) else {
            return;
        };
        let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        for key in keys {
            if handled.contains(&key.as_str()) {
                continue;
            }
            let (x, y) = (a.get(key), b.get(key));
            if x == y {
                continue;
            }
            let here = at.child(key);
            match (x, y) {
                (Some(x), Some(y)) => {
                    for d in raw_diff(x, y) {
                        let at_d = here.at(
                            format!("{}{}", here.old_ptr, d.pointer),
                            format!("{}{}", here.new_ptr, d.pointer),
                        );
                        self.emit(&at_d, None, d.kind, unclassified(), d.before, d.after);
                    }
                }
                (None, y) => self.emit(
                    &here,
                    None,
                    DifferenceKind::Added,
                    unclassified(),
                    None,
                    y.cloned(),
                ),
                (x, None) => self.emit(
                    &here,
                    None,
                    DifferenceKind::Removed,
                    unclassified(),
                    x.cloned(),
                    None,
                ),
            }
        }
    }

    pub(super) fn compare_security_schemes(&mut self) {
        let at = At::root().child("components").child("securitySchemes");
        let empty = Map::new();
        let a = self
            .old
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let b = self
            .new
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        for (name, old) in a {
            let here = at.child(name);
            let Some(new) = b.get(name) else {
                self.emit(
                    &here,
                    None,
                    DifferenceKind::Removed,
                    runtime("security-scheme-changed", "security scheme removed"),
                    Some(old.clone()),
                    None,
                );
                continue;
            };
            let empty = Map::new();
            let old_flows = old
                .get("flows")
                .and_then(Value::as_object)
                .unwrap_or(&empty);
            let new_flows = new
                .get("flows")
                .and_then(Value::as_object)
                .unwrap_or(&empty);
            for (flow, x) in old_flows {
                let at_flow = here.child("flows").child(flow);
                let Some(y) = new_flows.get(flow) else {
                    self.emit(
                        &at_flow,
                        None,
                        DifferenceKind::Removed,
                        runtime(
                            "security-scheme-changed",
                            format!("OAuth2 flow {flow} removed"),
                        ),
                        Some(x.clone()),
                        None,
                    );
                    continue;
                };
                for url_key in ["tokenUrl", "authorizationUrl", "refreshUrl"] {
                    let (u, v) = (x.get(url_key), y.get(url_key));
                    if trimmed(u) != trimmed(v) {
                        self.emit(
                            &at_flow,
                            Some(url_key),
                            DifferenceKind::Changed,
                            runtime(
                                "token-url-changed",
                                format!("the OAuth2 {url_key} changed: the client fetches tokens elsewhere"),
                            ),
                            u.cloned(),
                            v.cloned(),
                        );
                    }
                }
                let scopes = |f: &Value| -> BTreeSet<String> {
                    f.get("scopes")
                        .and_then(Value::as_object)
                        .map(|s| s.keys().cloned().collect())
                        .unwrap_or_default()
                };
                let (s, t) = (scopes(x), scopes(y));
                for scope in s.difference(&t) {
                    self.emit(
                        &at_flow.child("scopes"),
                        Some(scope),
                        DifferenceKind::Removed,
                        runtime(
                            "security-scope-changed",
                            format!("scope `{scope}` removed: the client's default scope may be refused"),
                        ),
                        Some(Value::String(scope.clone())),
                        None,
                    );
                }
                for scope in t.difference(&s) {
                    self.emit(
                        &at_flow.child("scopes"),
                        Some(scope),
                        DifferenceKind::Added,
                        runtime(
                            "security-scope-changed",
                            format!("scope `{scope}` added: operations may now require a scope the client does not ask for"),
                        ),
                        None,
                        Some(Value::String(scope.clone())),
                    );
                }
                self.unclassified_keys(
                    &at_flow,
                    x,
                    y,
                    &["tokenUrl", "authorizationUrl", "refreshUrl", "scopes"],
                );
            }
            for (flow, y) in new_flows {
                if !old_flows.contains_key(flow) {
                    self.emit(
                        &here.child("flows").child(flow),
                        None,
                        DifferenceKind::Added,
                        runtime(
                            "security-scheme-changed",
                            format!("OAuth2 flow {flow} added"),
                        ),
                        None,
                        Some(y.clone()),
                    );
                }
            }
            if old.get("type") != new.get("type") || old.get("scheme") != new.get("scheme") {
                self.emit(
                    &here,
                    None,
                    DifferenceKind::Changed,
                    runtime(
                        "security-scheme-changed",
                        "the kind of authentication changed",
                    ),
                    Some(old.clone()),
                    Some(new.clone()),
                );
            }
            self.unclassified_keys(&here, old, new, &["flows", "type", "scheme"]);
        }
        for (name, new) in b {
            if !a.contains_key(name) {
                self.emit(
                    &at.child(name),
                    None,
                    DifferenceKind::Added,
                    runtime(
                        "security-scheme-changed",
                        "security scheme added: operations may require credentials the client does not send",
                    ),
                    None,
                    Some(new.clone()),
                );
            }
        }
    }
}
