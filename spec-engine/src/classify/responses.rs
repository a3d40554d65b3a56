//! Responses: success statuses and their bodies (what the generated method returns), and error
//! responses (decoded by the facade, but progenitor takes one error type per operation).

use super::context::{At, Classifier, Role};
use super::verdict::{compile_and_runtime, non_breaking};
use super::Side;
use crate::diff::DifferenceKind;
use crate::normalise::sides::media_schemas;
use crate::refs::deref;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// `1XX`, `2XX`, `3XX` responses: what the generated method returns on success.
fn is_success(code: &str) -> bool {
    matches!(code.chars().next(), Some('1' | '2' | '3'))
}

/// Statuses HTTP defines without a body; the generated client ignores any declared content.
fn is_bodyless(code: &str) -> bool {
    matches!(code, "204" | "205" | "304")
}

impl Classifier<'_> {
    pub(super) fn compare_responses(&mut self, at: &At, old: Option<&Value>, new: Option<&Value>) {
        let at = at.clone().with_side(Side::Response);
        let empty = Map::new();
        let a = old.and_then(Value::as_object).unwrap_or(&empty);
        let b = new.and_then(Value::as_object).unwrap_or(&empty);
        let success = |m: &Map<String, Value>| -> BTreeSet<String> {
            m.keys().filter(|c| is_success(c)).cloned().collect()
        };
        let (old_ok, new_ok) = (success(a), success(b));
        if old_ok != new_ok {
            let gone: Vec<&String> = old_ok.difference(&new_ok).collect();
            let came: Vec<&String> = new_ok.difference(&old_ok).collect();
            if gone.len() == 1 && came.len() == 1 {
                self.emit(
                    &at,
                    Some(came[0]),
                    DifferenceKind::Changed,
                    compile_and_runtime(
                        "success-response-changed",
                        format!(
                            "the success status changed from {} to {}: the generated method's \
                             response handling changes",
                            gone[0], came[0]
                        ),
                    ),
                    Some(Value::String(gone[0].clone())),
                    Some(Value::String(came[0].clone())),
                );
            } else {
                for code in gone {
                    self.emit(
                        &at,
                        Some(code),
                        DifferenceKind::Removed,
                        compile_and_runtime(
                            "success-response-changed",
                            format!("success status {code} removed: the generated method's return type changes"),
                        ),
                        Some(Value::String(code.clone())),
                        None,
                    );
                }
                for code in came {
                    self.emit(
                        &at,
                        Some(code),
                        DifferenceKind::Added,
                        compile_and_runtime(
                            "success-response-changed",
                            format!("success status {code} added: the generated method's return type changes"),
                        ),
                        None,
                        Some(Value::String(code.clone())),
                    );
                }
            }
        }
        for code in old_ok.intersection(&new_ok) {
            let (Some(x), Some(y)) = (a.get(code), b.get(code)) else {
                continue;
            };
            let (x, y) = (deref(self.old, x), deref(self.new, y));
            let here = at.child(code);
            if is_bodyless(code) {
                if x.get("content") != y.get("content") {
                    self.emit(
                        &here,
                        Some("content"),
                        DifferenceKind::Changed,
                        non_breaking(
                            "no-content-body-changed",
                            format!("declared body of a {code} changed; the generated client reads no body for it"),
                        ),
                        x.get("content").cloned(),
                        y.get("content").cloned(),
                    );
                }
            } else {
                self.compare_content(
                    &here.child("content"),
                    x.get("content"),
                    y.get("content"),
                    Role::SuccessBody,
                );
            }
            self.unclassified_keys(&here, x, y, &["content", "headers"]);
        }
        self.compare_error_responses(&at, a, b);
    }

    /// Error responses: the facade decodes every error itself, but progenitor accepts one
    /// error type per operation, so a new error schema needs attention before it generates.
    pub(super) fn compare_error_responses(
        &mut self,
        at: &At,
        a: &Map<String, Value>,
        b: &Map<String, Value>,
    ) {
        let mut known: Vec<Value> = Vec::new();
        for response in a.iter().filter(|(c, _)| !is_success(c)).map(|(_, r)| r) {
            for schema in media_schemas(deref(self.old, response)) {
                let schema = self.renamed_refs(schema);
                if !known.contains(&schema) {
                    known.push(schema);
                }
            }
        }
        let mut pending = Vec::new();
        for (code, response) in b.iter().filter(|(c, _)| !is_success(c)) {
            let novel = media_schemas(deref(self.new, response))
                .into_iter()
                .any(|s| !known.contains(s));
            let old_response = a.get(code);
            let verdict = if novel {
                non_breaking(
                    "error-response-new-schema",
                    format!(
                        "{code} response with an error schema the operation did not have: \
                         no generated code changes (rule error_responses_left_to_facade keeps \
                         error responses out of it), and the facade reads any error body, one \
                         it does not know as an unstructured error; check it decodes this one"
                    ),
                )
            } else if old_response.is_none() {
                non_breaking(
                    "error-response-added",
                    format!("{code} response added with a known or no schema; the facade decodes errors"),
                )
            } else {
                non_breaking(
                    "error-response-changed",
                    format!("{code} response changed within the error schemas already known"),
                )
            };
            match old_response {
                None => pending.push((
                    code,
                    DifferenceKind::Added,
                    verdict,
                    None,
                    Some(response.clone()),
                )),
                Some(old_response) if self.renamed_refs(old_response) != *response => {
                    pending.push((
                        code,
                        DifferenceKind::Changed,
                        verdict,
                        Some(old_response.clone()),
                        Some(response.clone()),
                    ))
                }
                Some(_) => {}
            }
        }
        for (code, response) in a.iter().filter(|(c, _)| !is_success(c)) {
            if !b.contains_key(code) {
                pending.push((
                    code,
                    DifferenceKind::Removed,
                    non_breaking(
                        "error-response-removed",
                        format!(
                            "{code} response no longer documented; the facade handles any status"
                        ),
                    ),
                    Some(response.clone()),
                    None,
                ));
            }
        }
        for (code, kind, verdict, before, after) in pending {
            self.emit(at, Some(code), kind, verdict, before, after);
        }
    }
}
