//! The operations of a spec, and which of them may be sent twice.
//!
//! Scalexpert has no idempotency key, so whether a call may be replayed after the server may
//! have received it is a fact about each operation, not about HTTP methods alone: a second
//! `POST /subscriptions` opens a second credit application, while a second `_confirmDelivery`
//! sets the same state again. [`REPLAY`] records that fact once for every POST of every
//! vendored API; `build.rs` copies it into each generated module's operation table, and a test
//! over `specs/` fails when a vendored POST is missing here, so a new version or API family
//! cannot be half-classified.

use crate::walk;
use serde_json::Value;

/// Whether a call may be sent again once the server may have received it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replay {
    /// A second delivery changes nothing the first did not (reads, computations, state set to
    /// the same value, an idempotent registration).
    Safe,
    /// A second delivery would create or cancel a second time.
    Unsafe,
}

/// One POST operation's replay classification, with the reason.
#[derive(Debug, Clone, Copy)]
pub struct ReplayRule {
    /// The spec's `operationId`.
    pub operation_id: &'static str,
    /// Its classification.
    pub replay: Replay,
    /// Why, in a few words.
    pub why: &'static str,
}

const fn rule(operation_id: &'static str, replay: Replay, why: &'static str) -> ReplayRule {
    ReplayRule {
        operation_id,
        replay,
        why,
    }
}

/// Every POST of the vendored APIs, by `operationId`. Other methods follow HTTP: GET, HEAD,
/// OPTIONS, PUT and DELETE are idempotent; PATCH is not.
pub const REPLAY: &[ReplayRule] = &[
    // e-financing
    rule(
        "initiateCreditSubscription",
        Replay::Unsafe,
        "opens a credit application; a second one with the same order id is refused",
    ),
    rule(
        "cancelCreditSubscription",
        Replay::Unsafe,
        "a second partial cancellation would cancel twice or be refused",
    ),
    rule("simulateSolution", Replay::Safe, "computes, stores nothing"),
    rule("creditSimulation", Replay::Safe, "computes, stores nothing"),
    rule(
        "doConfirmDelivery",
        Replay::Safe,
        "sets the delivered state again",
    ),
    rule(
        "doConfirmReturn",
        Replay::Safe,
        "sets the returned state again",
    ),
    // insurance
    rule(
        "createInsuranceSubscription",
        Replay::Unsafe,
        "subscribes a policy; a second one would insure the item twice",
    ),
    rule(
        "cancelInsuranceSubscriptions",
        Replay::Unsafe,
        "cancels a policy; a replay would be refused or act twice",
    ),
    rule(
        "CreateItemRequest",
        Replay::Safe,
        "registering the same item again returns the same id",
    ),
    rule("SearchItemInsuranceRequest", Replay::Safe, "reads offers"),
    rule(
        "createInsuranceQuotation",
        Replay::Safe,
        "a second quote commits to nothing and expires unused",
    ),
    // merchant-webhooks
    rule(
        "triggerEventHelloWorldForMerchant",
        Replay::Safe,
        "a second test event is harmless",
    ),
];

/// The replay classification of an operation, or `None` for a POST (or PATCH) no rule covers.
pub fn replay_of(method: &str, operation_id: &str) -> Option<Replay> {
    match method.to_ascii_lowercase().as_str() {
        "get" | "head" | "options" | "put" | "delete" | "trace" => Some(Replay::Safe),
        _ => REPLAY
            .iter()
            .find(|rule| rule.operation_id == operation_id)
            .map(|rule| rule.replay),
    }
}

/// Which of a client's quota lanes an operation's calls take by default.
///
/// When the quota runs short, calls of the interactive lane (a buyer is waiting: eligibility,
/// simulation, create, status) are served before those of the background lane (paging through
/// collections for reconciliation or sync). The lane is derived from the spec's structure, so a
/// new version or API family needs no list: an operation with a `page` query parameter walks a
/// collection and is background; every other operation is interactive. Callers can override
/// the lane per view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// A buyer or an operator waits for the answer.
    Interactive,
    /// Batch work that can wait: paging, reconciliation, sync.
    Background,
}

/// The query parameter whose presence marks a paged collection read.
const PAGE_PARAMETER: &str = "page";

/// The default lane of `op` of `doc` (see [`Lane`]).
pub fn lane_of(doc: &Value, op: &walk::Operation<'_>) -> Lane {
    let pages = op
        .parameters(doc)
        .contains_key(&("query".to_string(), PAGE_PARAMETER.to_string()));
    if pages {
        Lane::Background
    } else {
        Lane::Interactive
    }
}

/// What the build and the tests need to know of one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperationFacts {
    /// The spec's `operationId`.
    pub operation_id: String,
    /// HTTP method, upper case.
    pub method: String,
    /// Path template as the spec writes it (`/subscriptions/{creditSubscriptionId}`).
    pub path: String,
    /// Replay classification; `None` when [`REPLAY`] does not cover the operation.
    pub replay: Option<Replay>,
    /// The quota lane its calls take by default.
    pub lane: Lane,
}

/// Every operation of `doc`, in spec order.
pub fn operations(doc: &Value) -> Vec<OperationFacts> {
    walk::operations(doc)
        .filter_map(|op| {
            let operation_id = op.id()?.to_string();
            Some(OperationFacts {
                replay: replay_of(op.method, &operation_id),
                lane: lane_of(doc, &op),
                method: op.method.to_ascii_uppercase(),
                path: op.path.to_string(),
                operation_id,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn creates_and_cancels_are_never_replayed() {
        assert_eq!(
            replay_of("post", "initiateCreditSubscription"),
            Some(Replay::Unsafe)
        );
        assert_eq!(
            replay_of("POST", "cancelCreditSubscription"),
            Some(Replay::Unsafe)
        );
        assert_eq!(replay_of("post", "creditSimulation"), Some(Replay::Safe));
        assert_eq!(replay_of("get", "anything"), Some(Replay::Safe));
        assert_eq!(replay_of("post", "somethingNew"), None);
        assert_eq!(replay_of("patch", "somethingNew"), None);
    }

    #[test]
    fn lists_operations_with_their_classification() {
        let doc = json!({"paths": {
            "/subscriptions": {
                "get": {"operationId": "list"},
                "post": {"operationId": "initiateCreditSubscription"}
            },
            "/new": {"post": {"operationId": "brandNew"}}
        }});
        let found = operations(&doc);
        assert_eq!(found.len(), 3);
        assert_eq!(found[1].method, "POST");
        assert_eq!(found[1].replay, Some(Replay::Unsafe));
        assert_eq!(found[2].path, "/new");
        assert_eq!(found[2].replay, None);
    }

    #[test]
    fn paged_reads_are_background_and_everything_else_interactive() {
        let doc = json!({
            "components": {"parameters": {"page": {"in": "query", "name": "page"}}},
            "paths": {
                "/subscriptions": {
                    "get": {"operationId": "list", "parameters": [
                        {"$ref": "#/components/parameters/page"}
                    ]},
                    "post": {"operationId": "create"}
                },
                "/subscriptions/{id}": {
                    "get": {"operationId": "status", "parameters": [
                        {"in": "path", "name": "id"},
                        {"in": "header", "name": "page"}
                    ]}
                }
            }
        });
        let lanes: Vec<_> = operations(&doc)
            .into_iter()
            .map(|op| (op.operation_id, op.lane))
            .collect();
        assert_eq!(
            lanes,
            [
                ("list".to_string(), Lane::Background),
                ("create".to_string(), Lane::Interactive),
                ("status".to_string(), Lane::Interactive),
            ]
        );
    }

    #[test]
    fn every_rule_names_a_distinct_operation() {
        let mut ids: Vec<_> = REPLAY.iter().map(|r| r.operation_id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), REPLAY.len());
    }
}
