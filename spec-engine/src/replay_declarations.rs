//! Replay safety declared by the spec itself, for APIs whose specs we write.
//!
//! The Scalexpert specs are upstream's structure, so their replay facts live in the engine's
//! table ([`crate::operations::REPLAY`]). A spec written by this project (Payment Assist
//! publishes none) can state the fact next to the operation instead, with the extension
//! `x-replay: safe` or `x-replay: unsafe`. Then the spec is the one place it is written, and
//! the build reads it from there.
//!
//! Methods HTTP defines as idempotent (GET, PUT, DELETE, …) are safe unless declared otherwise;
//! a POST or PATCH must be declared: guessing would either replay a payment or never retry a
//! read.

use crate::operations::{replay_of, Replay};
use crate::walk;
use serde_json::Value;
use std::fmt;

/// The extension holding an operation's replay safety.
pub const REPLAY_EXTENSION: &str = "x-replay";

/// One operation of a spec that declares replay safety.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeclaredOperation {
    /// The spec's `operationId`.
    pub operation_id: String,
    /// HTTP method, upper case.
    pub method: String,
    /// Path template as the spec writes it.
    pub path: String,
    /// Declared, or implied by an idempotent method.
    pub replay: Replay,
}

/// Why a spec's replay declarations cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplayDeclarationError {
    /// A non-idempotent operation without `x-replay`.
    Undeclared {
        /// `METHOD /path (operationId)`.
        operation: String,
    },
    /// `x-replay` holds something other than `safe` or `unsafe`.
    Invalid {
        /// `METHOD /path (operationId)`.
        operation: String,
        /// The value found.
        value: String,
    },
    /// An operation without `operationId`: nothing could name it.
    Unnamed {
        /// `METHOD /path`.
        operation: String,
    },
}

impl fmt::Display for ReplayDeclarationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplayDeclarationError::Undeclared { operation } => write!(
                f,
                "{operation} is neither idempotent by its method nor declared with \
                 `{REPLAY_EXTENSION}: safe` or `unsafe`"
            ),
            ReplayDeclarationError::Invalid { operation, value } => write!(
                f,
                "{operation}: `{REPLAY_EXTENSION}` is {value}; expected `safe` or `unsafe`"
            ),
            ReplayDeclarationError::Unnamed { operation } => {
                write!(f, "{operation} has no operationId")
            }
        }
    }
}

impl std::error::Error for ReplayDeclarationError {}

/// Every operation of `doc` with its declared replay safety, in spec order.
pub fn declared_operations(doc: &Value) -> Result<Vec<DeclaredOperation>, ReplayDeclarationError> {
    walk::operations(doc)
        .map(|op| {
            let (path, operation) = (op.path, op.op);
            let method = op.method.to_ascii_uppercase();
            let Some(operation_id) = operation.get("operationId").and_then(Value::as_str) else {
                return Err(ReplayDeclarationError::Unnamed {
                    operation: format!("{method} {path}"),
                });
            };
            let named = || format!("{method} {path} ({operation_id})");
            let replay = match operation.get(REPLAY_EXTENSION) {
                Some(Value::String(value)) if value == "safe" => Replay::Safe,
                Some(Value::String(value)) if value == "unsafe" => Replay::Unsafe,
                Some(other) => {
                    return Err(ReplayDeclarationError::Invalid {
                        operation: named(),
                        value: other.to_string(),
                    })
                }
                // The engine's method rule only: no operation has an empty id, so the
                // vendor table is never consulted for a spec that declares its own facts.
                None => replay_of(&method, "")
                    .ok_or_else(|| ReplayDeclarationError::Undeclared { operation: named() })?,
            };
            Ok(DeclaredOperation {
                operation_id: operation_id.to_string(),
                method,
                path: path.to_string(),
                replay,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn declarations_win_and_idempotent_methods_need_none() {
        let doc = json!({"paths": {
            "/status": {"get": {"operationId": "status"}},
            "/plan": {"post": {"operationId": "plan", "x-replay": "safe"}},
            "/begin": {"post": {"operationId": "begin", "x-replay": "unsafe"}},
            // A vendor table entry of the same name is not consulted.
            "/sim": {"post": {"operationId": "simulateSolution", "x-replay": "unsafe"}},
            "/poll": {"get": {"operationId": "poll", "x-replay": "unsafe"}}
        }});
        let found = declared_operations(&doc).expect("declared");
        let replay: Vec<_> = found
            .iter()
            .map(|op| (op.operation_id.as_str(), op.replay))
            .collect();
        assert_eq!(
            replay,
            [
                ("status", Replay::Safe),
                ("plan", Replay::Safe),
                ("begin", Replay::Unsafe),
                ("simulateSolution", Replay::Unsafe),
                ("poll", Replay::Unsafe),
            ]
        );
        assert_eq!(found[1].method, "POST");
        assert_eq!(found[1].path, "/plan");
    }

    #[test]
    fn an_undeclared_post_is_refused() {
        let doc = json!({"paths": {"/capture": {"post": {"operationId": "capture"}}}});
        let err = declared_operations(&doc).expect_err("undeclared");
        assert_eq!(
            err,
            ReplayDeclarationError::Undeclared {
                operation: "POST /capture (capture)".into()
            }
        );
        assert!(err.to_string().contains("x-replay"));
    }

    #[test]
    fn other_values_and_missing_ids_are_refused() {
        let doc = json!({"paths": {"/x": {"post": {"operationId": "x", "x-replay": true}}}});
        assert!(matches!(
            declared_operations(&doc),
            Err(ReplayDeclarationError::Invalid { .. })
        ));
        let doc = json!({"paths": {"/x": {"get": {}}}});
        assert!(matches!(
            declared_operations(&doc),
            Err(ReplayDeclarationError::Unnamed { .. })
        ));
    }
}
