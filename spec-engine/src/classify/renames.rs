//! Renamed component schemas: a schema removed while another appears at the same place of use
//! is the same type under a new name (1.5.2's `*Dto*` types).

use super::context::Classifier;
use crate::refs::{retargeted, schema_name};
use crate::walk::component_schemas;
use crate::walk::Operation;
use serde_json::Value;
use std::collections::BTreeSet;

impl<'a> Classifier<'a> {
    pub(super) fn same_ref(&self, old: &str, new: &str) -> bool {
        if old == new {
            return true;
        }
        match (schema_name(old), schema_name(new)) {
            (Some(a), Some(b)) => self.renames.get(a).is_some_and(|renamed| renamed == b),
            _ => false,
        }
    }

    /// Pairs removed component schemas with added ones used in the same place.
    pub(super) fn detect_renames(
        &mut self,
        old_ops: &[Operation<'a>],
        new_ops: &[Operation<'a>],
        pairs: &[(usize, usize)],
    ) {
        let (Some(old_schemas), Some(new_schemas)) =
            (component_schemas(self.old), component_schemas(self.new))
        else {
            return;
        };
        let removed: BTreeSet<&String> = old_schemas
            .keys()
            .filter(|k| !new_schemas.contains_key(*k))
            .collect();
        let added: BTreeSet<&String> = new_schemas
            .keys()
            .filter(|k| !old_schemas.contains_key(*k))
            .collect();
        if removed.is_empty() || added.is_empty() {
            return;
        }
        let mut queue: Vec<(&Value, &Value)> = pairs
            .iter()
            .map(|&(i, j)| (old_ops[i].op, new_ops[j].op))
            .collect();
        queue.extend(
            old_schemas
                .iter()
                .filter_map(|(name, schema)| Some((schema, new_schemas.get(name)?))),
        );
        loop {
            let mut candidates = Vec::new();
            for (a, b) in &queue {
                parallel_refs(a, b, &mut candidates);
            }
            let mut found = Vec::new();
            for (x, y) in candidates {
                let fresh = removed.contains(&x)
                    && added.contains(&y)
                    && !self.renames.contains_key(&x)
                    && !self.renames.values().any(|v| *v == y);
                if fresh {
                    self.renames.insert(x.clone(), y.clone());
                    found.push((x, y));
                }
            }
            if found.is_empty() {
                break;
            }
            queue = found
                .iter()
                .filter_map(|(x, y)| Some((old_schemas.get(x)?, new_schemas.get(y)?)))
                .collect();
        }
        // Unused schemas renamed without any other change: same body under a new name.
        for x in &removed {
            if self.renames.contains_key(*x) {
                continue;
            }
            let Some(body) = old_schemas.get(*x).map(|s| self.renamed_refs(s)) else {
                continue;
            };
            let twin = added.iter().find(|y| {
                !self.renames.values().any(|v| v == **y) && new_schemas.get(**y) == Some(&body)
            });
            if let Some(y) = twin {
                self.renames.insert((*x).clone(), (*y).clone());
            }
        }
    }

    /// `schema` with every `$ref` to a renamed component pointing at its new name.
    pub(super) fn renamed_refs(&self, schema: &Value) -> Value {
        retargeted(schema, &|name: &str| self.renames.get(name).cloned())
    }
}

/// `(old name, new name)` of component `$ref`s found at the same place in two trees.
fn parallel_refs(old: &Value, new: &Value, out: &mut Vec<(String, String)>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let refs = (
                a.get("$ref").and_then(Value::as_str).and_then(schema_name),
                b.get("$ref").and_then(Value::as_str).and_then(schema_name),
            );
            if let (Some(x), Some(y)) = refs {
                if x != y {
                    out.push((x.to_string(), y.to_string()));
                }
            }
            for (key, x) in a {
                if let Some(y) = b.get(key) {
                    parallel_refs(x, y, out);
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            let keyed = |v: &Value| {
                Some((
                    v.get("in")?.as_str()?.to_string(),
                    v.get("name")?.as_str()?.to_string(),
                ))
            };
            for (i, x) in a.iter().enumerate() {
                let y = match keyed(x) {
                    Some(key) => b.iter().find(|y| keyed(y).as_ref() == Some(&key)),
                    None => b.get(i),
                };
                if let Some(y) = y {
                    parallel_refs(x, y, out);
                }
            }
        }
        _ => {}
    }
}
