//! The operations of each generated API version, as their spec declares them.
//!
//! `build.rs` writes one table per version (`<api>::<version>::OPERATIONS`) from the spec and
//! the spec engine's replay classification, so the facade, the sandbox and tests read these
//! facts from the specs instead of keeping lists of their own.

/// Whether a call may be sent again once the server may have received it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Replay {
    /// A second delivery is harmless (a read, a computation, a state set again).
    Safe,
    /// A second delivery would create or cancel again: never replayed. Operations the spec
    /// engine does not classify are treated this way.
    Unsafe,
}

/// Which quota lane a call takes (see [`crate::quota`]).
///
/// When the quota runs short, interactive calls are served before background ones. Each
/// operation's default comes from its spec: a read with a `page` query parameter walks a
/// collection (reconciliation, sync) and is [`Lane::Background`]; every other operation
/// (eligibility, simulation, create, status, delivery, cancel) is [`Lane::Interactive`].
/// [`Client::with_lane`](crate::Client::with_lane) overrides it for a view.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lane {
    /// A buyer or an operator waits for the answer: served first.
    Interactive,
    /// Batch work that can wait (paging, reconciliation, sync): served when no interactive
    /// call is waiting, and across replicas only while part of the burst is left.
    Background,
}

/// One operation of a generated API version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Operation {
    /// The spec's `operationId` (`initiateCreditSubscription`).
    pub id: &'static str,
    /// The generated method's name (`initiate_credit_subscription`), which is also what
    /// progenitor reports as `OperationInfo::operation_id`.
    pub method_name: &'static str,
    /// HTTP method, upper case.
    pub method: &'static str,
    /// Path template below the API's base URL (`/subscriptions/{creditSubscriptionId}`).
    pub path: &'static str,
    /// Whether the facade may send it again after the server may have received it.
    pub replay: Replay,
    /// The quota lane its calls take unless the view says otherwise.
    pub lane: Lane,
}

impl Operation {
    /// The operation of `operations` whose generated method is `method_name`.
    pub fn by_method_name(
        operations: &'static [Operation],
        method_name: &str,
    ) -> Option<&'static Operation> {
        operations.iter().find(|op| op.method_name == method_name)
    }

    /// The operation of `operations` whose spec `operationId` is `id`.
    pub fn by_id(operations: &'static [Operation], id: &str) -> Option<&'static Operation> {
        operations.iter().find(|op| op.id == id)
    }
}
