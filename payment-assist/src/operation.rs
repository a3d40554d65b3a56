//! The operations of each generated API version, with their replay safety.
//!
//! `build.rs` writes one table per version (`v1::OPERATIONS`) from the spec, where each
//! operation that is not idempotent by its HTTP method declares `x-replay`; the transport reads
//! replay safety from that table and nowhere else.

/// Whether a call may be sent again once the server may have received it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Replay {
    /// A second delivery is harmless (a read, a computation, the same values set again).
    Safe,
    /// A second delivery could open, capture or upload twice: never replayed.
    Unsafe,
}

/// One operation of a generated API version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Operation {
    /// The spec's `operationId`, which is also the generated method's name (`begin`).
    pub id: &'static str,
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path below the environment's base URL (`/begin`).
    pub path: &'static str,
    /// Whether the transport may send it again after the server may have received it.
    pub replay: Replay,
}

impl Operation {
    /// The operation of `operations` whose `operationId` is `id`.
    pub fn by_id(operations: &'static [Operation], id: &str) -> Option<&'static Operation> {
        operations.iter().find(|op| op.id == id)
    }
}
