//! Where the classifier stands in the two documents, and what it has found so far.

use super::matching::{match_operations, reference};
use super::open_enums::open_enum_pointers;
use super::verdict::Verdict;
use super::{Finding, OperationRef, Side};
use crate::diff::DifferenceKind;
use crate::normalise::sides::Sides;
use crate::walk::{child, operations};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Whether a schema is used by requests, responses or both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Usage {
    pub(super) request: bool,
    pub(super) response: bool,
}

impl std::ops::BitOr for Usage {
    type Output = Usage;
    fn bitor(self, other: Usage) -> Usage {
        Usage {
            request: self.request || other.request,
            response: self.response || other.response,
        }
    }
}

impl Usage {
    pub(super) fn side(self) -> Side {
        match (self.request, self.response) {
            (true, true) => Side::Both,
            (true, false) => Side::Request,
            (false, true) => Side::Response,
            (false, false) => Side::Unused,
        }
    }
}

/// Schemas used by requests and by responses, by component name.
fn usage_of(doc: &Value) -> BTreeMap<String, Usage> {
    let sides = Sides::of(doc);
    let mut out: BTreeMap<String, Usage> = BTreeMap::new();
    for name in sides.request {
        out.entry(name).or_default().request = true;
    }
    for name in sides.response {
        out.entry(name).or_default().response = true;
    }
    out
}

/// For every component schema, the operations whose parameters, bodies or responses reach it.
fn users_of(doc: &Value) -> BTreeMap<String, Vec<OperationRef>> {
    let mut out: BTreeMap<String, Vec<OperationRef>> = BTreeMap::new();
    for op in operations(doc) {
        let sides = Sides::of_operation(doc, &op);
        for name in sides.request.union(&sides.response) {
            out.entry(name.clone()).or_default().push(reference(&op));
        }
    }
    out
}

/// What a schema node is, for the rule names and reasons of `$ref` changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    Component,
    Nested,
    Parameter,
    RequestBody,
    SuccessBody,
}

/// Where the classifier stands: the same node in both documents.
#[derive(Debug, Clone)]
pub(super) struct At {
    pub(super) old_ptr: String,
    pub(super) new_ptr: String,
    pub(super) old_schema: Option<String>,
    pub(super) new_schema: Option<String>,
    pub(super) operation: Option<OperationRef>,
    pub(super) old_operation: Option<OperationRef>,
    pub(super) side: Option<Side>,
    /// For an object property: whether the parent requires it, in the old and new documents.
    pub(super) required: Option<(bool, bool)>,
    pub(super) role: Role,
}

impl At {
    pub(super) fn root() -> At {
        At {
            old_ptr: String::new(),
            new_ptr: String::new(),
            old_schema: None,
            new_schema: None,
            operation: None,
            old_operation: None,
            side: None,
            required: None,
            role: Role::Nested,
        }
    }

    pub(super) fn child(&self, key: &str) -> At {
        At {
            old_ptr: child(&self.old_ptr, key),
            new_ptr: child(&self.new_ptr, key),
            required: None,
            role: Role::Nested,
            ..self.clone()
        }
    }

    pub(super) fn at(&self, old_ptr: String, new_ptr: String) -> At {
        At {
            old_ptr,
            new_ptr,
            required: None,
            role: Role::Nested,
            ..self.clone()
        }
    }

    pub(super) fn with_role(mut self, role: Role) -> At {
        self.role = role;
        self
    }

    pub(super) fn with_side(mut self, side: Side) -> At {
        self.side = Some(side);
        self
    }

    pub(super) fn side(&self) -> Side {
        self.side.unwrap_or(Side::Both)
    }
}

/// The two documents (prose stripped), what is known about them, and the findings so far.
pub(super) struct Classifier<'a> {
    pub(super) old: &'a Value,
    pub(super) new: &'a Value,
    /// Old component schema name → new name.
    pub(super) renames: BTreeMap<String, String>,
    pub(super) old_usage: BTreeMap<String, Usage>,
    pub(super) new_usage: BTreeMap<String, Usage>,
    /// Pointers (in the old document) of the response enums our generated code keeps open.
    pub(super) open_enums: BTreeSet<String>,
    /// Component schema → the operations that use it, in each document.
    pub(super) old_users: BTreeMap<String, Vec<OperationRef>>,
    pub(super) new_users: BTreeMap<String, Vec<OperationRef>>,
    pub(super) findings: Vec<Finding>,
}

impl<'a> Classifier<'a> {
    pub(super) fn new(old: &'a Value, new: &'a Value) -> Self {
        Classifier {
            old,
            new,
            renames: BTreeMap::new(),
            old_usage: usage_of(old),
            new_usage: usage_of(new),
            open_enums: open_enum_pointers(old),
            old_users: users_of(old),
            new_users: users_of(new),
            findings: Vec::new(),
        }
    }

    /// Records one finding at `at` (or at its child `key`).
    pub(super) fn emit(
        &mut self,
        at: &At,
        key: Option<&str>,
        kind: DifferenceKind,
        verdict: Verdict,
        before: Option<Value>,
        after: Option<Value>,
    ) {
        let (pointer, schema, operation) = if kind == DifferenceKind::Removed {
            (&at.old_ptr, &at.old_schema, &at.old_operation)
        } else {
            (&at.new_ptr, &at.new_schema, &at.operation)
        };
        let users = if kind == DifferenceKind::Removed {
            &self.old_users
        } else {
            &self.new_users
        };
        let used_by = schema
            .as_ref()
            .and_then(|name| users.get(name))
            .cloned()
            .unwrap_or_default();
        self.findings.push(Finding {
            class: verdict.class,
            effect: verdict.effect,
            kind,
            rule: verdict.rule.to_string(),
            operation: operation.clone(),
            schema: schema.clone(),
            side: at.side,
            used_by,
            pointer: key.map_or_else(|| pointer.clone(), |k| child(pointer, k)),
            before,
            after,
            reason: verdict.reason,
        });
    }

    /// Compares everything, in document order.
    pub(super) fn run(&mut self) {
        self.compare_document_settings();
        let old_ops: Vec<_> = operations(self.old).collect();
        let new_ops: Vec<_> = operations(self.new).collect();
        let pairs = match_operations(&old_ops, &new_ops);
        self.detect_renames(&old_ops, &new_ops, &pairs);
        self.compare_operations(&old_ops, &new_ops, &pairs);
        self.compare_security_schemes();
        self.compare_component_schemas();
    }
}

pub(super) fn trimmed(value: Option<&Value>) -> Option<&str> {
    value.and_then(Value::as_str).map(str::trim)
}

pub(super) fn flag(node: &Value, key: &str) -> bool {
    node.get(key).and_then(Value::as_bool).unwrap_or(false)
}

pub(super) fn string_set(node: &serde_json::Map<String, Value>, key: &str) -> BTreeSet<String> {
    node.get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

pub(super) fn show(value: Option<&Value>) -> String {
    match value {
        None => "(absent)".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}
