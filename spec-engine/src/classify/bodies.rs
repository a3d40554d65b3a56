//! Request bodies, and the media types of bodies and success responses.

use super::context::{flag, At, Classifier, Role};
use super::verdict::{compile, compile_and_runtime, non_breaking, runtime};
use super::Side;
use crate::diff::DifferenceKind;
use crate::refs::deref;
use serde_json::{Map, Value};

impl Classifier<'_> {
    pub(super) fn compare_request_body(
        &mut self,
        at: &At,
        old: Option<&Value>,
        new: Option<&Value>,
    ) {
        let at = at.clone().with_side(Side::Request);
        let old = old.map(|b| deref(self.old, b));
        let new = new.map(|b| deref(self.new, b));
        match (old, new) {
            (None, None) => {}
            (None, Some(body)) => {
                let verdict = if flag(body, "required") {
                    runtime(
                        "request-body-added",
                        "a required request body appeared: existing calls send none",
                    )
                } else {
                    non_breaking("request-body-added", "an optional request body appeared")
                };
                self.emit(
                    &at,
                    None,
                    DifferenceKind::Added,
                    verdict,
                    None,
                    Some(body.clone()),
                );
            }
            (Some(body), None) => self.emit(
                &at,
                None,
                DifferenceKind::Removed,
                compile(
                    "request-body-removed",
                    "the request body is gone: the generated body() builder disappears",
                ),
                Some(body.clone()),
                None,
            ),
            (Some(a), Some(b)) => {
                let (was, is) = (flag(a, "required"), flag(b, "required"));
                if was != is {
                    let verdict = if is {
                        runtime(
                            "request-body-made-required",
                            "the request body is now required",
                        )
                    } else {
                        non_breaking(
                            "request-body-made-optional",
                            "the request body is now optional",
                        )
                    };
                    self.emit(
                        &at,
                        Some("required"),
                        DifferenceKind::Changed,
                        verdict,
                        Some(Value::Bool(was)),
                        Some(Value::Bool(is)),
                    );
                }
                self.compare_content(
                    &at.child("content"),
                    a.get("content"),
                    b.get("content"),
                    Role::RequestBody,
                );
                self.unclassified_keys(&at, a, b, &["required", "content"]);
            }
        }
    }

    /// Media types of a request body or success response, and their schemas.
    pub(super) fn compare_content(
        &mut self,
        at: &At,
        old: Option<&Value>,
        new: Option<&Value>,
        role: Role,
    ) {
        let empty = Map::new();
        let a = old.and_then(Value::as_object).unwrap_or(&empty);
        let b = new.and_then(Value::as_object).unwrap_or(&empty);
        let (what, rule_media, rule_schema) = if role == Role::RequestBody {
            (
                "request body",
                "request-body-media-type-changed",
                "request-body-schema-changed",
            )
        } else {
            (
                "success response",
                "success-response-media-type-changed",
                "success-response-schema-changed",
            )
        };
        let old_types: Vec<&String> = a.keys().collect();
        let new_types: Vec<&String> = b.keys().collect();
        if old_types != new_types {
            self.emit(
                at,
                None,
                DifferenceKind::Changed,
                compile_and_runtime(
                    rule_media,
                    format!("the {what} media types changed: the generated encoding or decoding changes"),
                ),
                Some(Value::from(old_types.iter().map(|s| s.as_str()).collect::<Vec<_>>())),
                Some(Value::from(new_types.iter().map(|s| s.as_str()).collect::<Vec<_>>())),
            );
        }
        for (media, old_media) in a {
            let Some(new_media) = b.get(media) else {
                continue;
            };
            let here = at.child(media);
            match (old_media.get("schema"), new_media.get("schema")) {
                (Some(x), Some(y)) => {
                    self.compare_schema(x, y, &here.child("schema").with_role(role))
                }
                (None, None) => {}
                (x, y) => self.emit(
                    &here,
                    Some("schema"),
                    DifferenceKind::Changed,
                    compile_and_runtime(
                        rule_schema,
                        format!("the {what} schema appeared or disappeared"),
                    ),
                    x.cloned(),
                    y.cloned(),
                ),
            }
            self.unclassified_keys(&here, old_media, new_media, &["schema"]);
        }
    }
}
