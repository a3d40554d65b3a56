//! Operations: matched by method and path (parameter names aside), then compared one by one;
//! an operation that keeps its `operationId` at another method or path has moved.

use super::context::{flag, At, Classifier};
use super::matching::reference;
use super::verdict::{compile, compile_and_runtime, non_breaking, runtime};
use crate::diff::DifferenceKind;
use crate::walk::Operation;
use serde_json::Value;
use std::collections::BTreeSet;

impl<'a> Classifier<'a> {
    pub(super) fn compare_operations(
        &mut self,
        old_ops: &[Operation<'a>],
        new_ops: &[Operation<'a>],
        pairs: &[(usize, usize)],
    ) {
        let matched_new: BTreeSet<usize> = pairs.iter().map(|p| p.1).collect();
        let mut moved_new = BTreeSet::new();
        for (i, old_op) in old_ops.iter().enumerate() {
            let at = At {
                old_ptr: old_op.pointer(),
                old_operation: Some(reference(old_op)),
                ..At::root()
            };
            if let Some(&(_, j)) = pairs.iter().find(|p| p.0 == i) {
                self.compare_operation(old_op, &new_ops[j]);
                continue;
            }
            // Same operationId elsewhere: the method keeps its name, the request goes elsewhere.
            let id = old_op.op.get("operationId");
            let moved = new_ops.iter().enumerate().find(|(j, n)| {
                id.is_some()
                    && n.op.get("operationId") == id
                    && !matched_new.contains(j)
                    && !moved_new.contains(j)
            });
            if let Some((j, new_op)) = moved {
                moved_new.insert(j);
                let at = At {
                    new_ptr: new_op.pointer(),
                    operation: Some(reference(new_op)),
                    ..at
                };
                self.emit(
                    &at,
                    None,
                    DifferenceKind::Changed,
                    runtime(
                        "operation-moved",
                        "the operation moved to another method or path: the existing client \
                         calls one that no longer exists",
                    ),
                    Some(Value::String(format!(
                        "{} {}",
                        old_op.method.to_uppercase(),
                        old_op.path
                    ))),
                    Some(Value::String(format!(
                        "{} {}",
                        new_op.method.to_uppercase(),
                        new_op.path
                    ))),
                );
                self.compare_operation(old_op, new_op);
            } else {
                self.emit(
                    &at,
                    None,
                    DifferenceKind::Removed,
                    compile_and_runtime(
                        "operation-removed",
                        "the operation is gone: its generated method disappears and existing \
                         calls fail",
                    ),
                    Some(Value::String(format!(
                        "{} {}",
                        old_op.method.to_uppercase(),
                        old_op.path
                    ))),
                    None,
                );
            }
        }
        for (j, new_op) in new_ops.iter().enumerate() {
            if matched_new.contains(&j) || moved_new.contains(&j) {
                continue;
            }
            let at = At {
                new_ptr: new_op.pointer(),
                operation: Some(reference(new_op)),
                ..At::root()
            };
            self.emit(
                &at,
                None,
                DifferenceKind::Added,
                non_breaking("operation-added", "a new operation: a new generated method"),
                None,
                Some(Value::String(format!(
                    "{} {}",
                    new_op.method.to_uppercase(),
                    new_op.path
                ))),
            );
        }
    }

    pub(super) fn compare_operation(&mut self, old_op: &Operation<'a>, new_op: &Operation<'a>) {
        let at = At {
            old_ptr: old_op.pointer(),
            new_ptr: new_op.pointer(),
            operation: Some(reference(new_op)),
            old_operation: Some(reference(old_op)),
            ..At::root()
        };
        let (old, new) = (old_op.op, new_op.op);
        if old.get("operationId") != new.get("operationId") {
            self.emit(
                &at,
                Some("operationId"),
                DifferenceKind::Changed,
                compile(
                    "operation-id-changed",
                    "the operationId changed: the generated method is renamed",
                ),
                old.get("operationId").cloned(),
                new.get("operationId").cloned(),
            );
        }
        self.compare_parameters(&at, old_op, new_op);
        self.compare_request_body(
            &at.child("requestBody"),
            old.get("requestBody"),
            new.get("requestBody"),
        );
        self.compare_responses(
            &at.child("responses"),
            old.get("responses"),
            new.get("responses"),
        );
        self.compare_security(&at, old.get("security"), new.get("security"));
        if old.get("servers") != new.get("servers") {
            self.compare_servers(&at, old.get("servers"), new.get("servers"));
        }
        if flag(old, "deprecated") != flag(new, "deprecated") {
            self.emit(
                &at,
                Some("deprecated"),
                DifferenceKind::Changed,
                non_breaking(
                    "operation-deprecated",
                    "deprecation flag changed; the method stays",
                ),
                old.get("deprecated").cloned(),
                new.get("deprecated").cloned(),
            );
        }
        let handled = [
            "operationId",
            "parameters",
            "requestBody",
            "responses",
            "security",
            "servers",
            "deprecated",
        ];
        self.unclassified_keys(&at, old, new, &handled);
    }
}
