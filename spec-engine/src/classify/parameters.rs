//! Parameters, matched by `in` and `name`: added, removed, made required or optional, and
//! their schemas.

use super::context::{flag, At, Classifier, Role};
use super::verdict::{compile, compile_and_runtime, non_breaking, runtime};
use super::Side;
use crate::diff::DifferenceKind;
use crate::walk::Operation;
use serde_json::Value;

impl<'a> Classifier<'a> {
    pub(super) fn compare_parameters(
        &mut self,
        at: &At,
        old_op: &Operation<'a>,
        new_op: &Operation<'a>,
    ) {
        let old = old_op.parameters(self.old);
        let new = new_op.parameters(self.new);
        let at = at.clone().with_side(Side::Request);
        for (key, (old_p, old_ptr)) in &old {
            let name = format!("{} parameter `{}`", key.0, key.1);
            match new.get(key) {
                None => {
                    let here = at.at(old_ptr.clone(), old_ptr.clone());
                    self.emit(
                        &here,
                        None,
                        DifferenceKind::Removed,
                        compile(
                            "parameter-removed",
                            format!("{name} removed: its builder method disappears"),
                        ),
                        Some((*old_p).clone()),
                        None,
                    );
                }
                Some((new_p, new_ptr)) => {
                    let here = at.at(old_ptr.clone(), new_ptr.clone());
                    let (was, is) = (flag(old_p, "required"), flag(new_p, "required"));
                    if was != is {
                        let verdict = if is {
                            runtime(
                                "parameter-made-required",
                                format!("{name} is now required: calls without it are refused"),
                            )
                        } else {
                            non_breaking(
                                "parameter-made-optional",
                                format!("{name} is now optional"),
                            )
                        };
                        self.emit(
                            &here,
                            Some("required"),
                            DifferenceKind::Changed,
                            verdict,
                            Some(Value::Bool(was)),
                            Some(Value::Bool(is)),
                        );
                    }
                    match (old_p.get("schema"), new_p.get("schema")) {
                        (Some(a), Some(b)) => self.compare_schema(
                            a,
                            b,
                            &here.child("schema").with_role(Role::Parameter),
                        ),
                        (None, None) => {}
                        (a, b) => self.emit(
                            &here,
                            Some("schema"),
                            DifferenceKind::Changed,
                            compile_and_runtime(
                                "type-changed",
                                format!("{name}: its schema changed"),
                            ),
                            a.cloned(),
                            b.cloned(),
                        ),
                    }
                    let handled = ["in", "name", "required", "schema", "deprecated"];
                    self.unclassified_keys(&here, old_p, new_p, &handled);
                }
            }
        }
        for (key, (new_p, new_ptr)) in &new {
            if old.contains_key(key) {
                continue;
            }
            let name = format!("{} parameter `{}`", key.0, key.1);
            let here = at.at(new_ptr.clone(), new_ptr.clone());
            let verdict = if flag(new_p, "required") {
                runtime(
                    "parameter-added-required",
                    format!("new required {name}: existing calls lack it and are refused"),
                )
            } else {
                non_breaking(
                    "parameter-added-optional",
                    format!("new optional {name}: a new builder method"),
                )
            };
            self.emit(
                &here,
                None,
                DifferenceKind::Added,
                verdict,
                None,
                Some((*new_p).clone()),
            );
        }
    }
}
