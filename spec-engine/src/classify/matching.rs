//! Which operation of the old document is which of the new one: matched by method and path,
//! parameter names aside. Both the classifier's set-up (who uses which schema) and the
//! operation comparison need it.

use super::OperationRef;
use crate::walk::Operation;

/// An operation as findings name it.
pub(super) fn reference(op: &Operation<'_>) -> OperationRef {
    OperationRef {
        id: op.id().map(str::to_string),
        method: op.method.to_uppercase(),
        path: op.path.to_string(),
    }
}

/// Path with parameter names blanked, and the method: `/s/{id}` and `/s/{subscriptionId}` are
/// one path.
fn key(op: &Operation<'_>) -> (String, String) {
    let mut out = String::new();
    let mut in_param = false;
    for c in op.path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push('{');
            }
            '}' => {
                in_param = false;
                out.push('}');
            }
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    (out, op.method.to_string())
}

/// Pairs of operations standing at the same method and path (parameter names aside).
pub(super) fn match_operations(
    old: &[Operation<'_>],
    new: &[Operation<'_>],
) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    for (i, a) in old.iter().enumerate() {
        if let Some(j) = new.iter().position(|b| key(b) == key(a)) {
            pairs.push((i, j));
        }
    }
    pairs
}
