//! Constraints (lengths, counts, bounds, patterns): tightened or loosened, judged by side.

use super::context::{At, Classifier};
use super::rust_types::{constrained_type, generated_name, TYPE_SHAPING};
use super::verdict::{by_side, compile, non_breaking, runtime, Verdict};
use super::ChangeClass;
use crate::diff::DifferenceKind;
use crate::normalise::lenient_response_schemas::REQUEST_ONLY_CONSTRAINTS;
use serde_json::{Map, Value};

/// Upper bounds (a lower new value tightens) and lower bounds (a higher new value tightens).
const UPPER_BOUNDS: &[&str] = &["maxLength", "maxItems", "maxProperties", "maximum"];

const LOWER_BOUNDS: &[&str] = &["minLength", "minItems", "minProperties", "minimum"];

/// Which way a constraint moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Tightened,
    Loosened,
    /// Neither a superset nor a subset (a new pattern).
    Replaced,
    /// Accepts exactly the same values (a lower bound of 0 added or dropped).
    Equivalent,
}

impl Classifier<'_> {
    pub(super) fn compare_constraints(
        &mut self,
        o: &Map<String, Value>,
        n: &Map<String, Value>,
        at: &At,
    ) {
        // A change that changes the generated type breaks code naming it, whichever way the
        // constraint moved.
        let before = constrained_type(o, at.side());
        let after = constrained_type(n, at.side());
        let retyped = match (&before, &after) {
            (Some(a), Some(b)) if a != b => {
                let name = generated_name(&at.old_ptr)
                    .map_or_else(String::new, |name| format!(" (`{name}`)"));
                Some(format!("its generated type{name} changes from {a} to {b}"))
            }
            _ => None,
        };
        let number = |m: &Map<String, Value>, k: &str| m.get(k).and_then(Value::as_f64);
        for key in UPPER_BOUNDS.iter().chain(LOWER_BOUNDS) {
            let (a, b) = (number(o, key), number(n, key));
            if o.get(*key) == n.get(*key) || a == b {
                continue;
            }
            let upper = UPPER_BOUNDS.contains(key);
            // A missing lower bound on a length or count is 0; on a value, unbounded.
            let floor = if *key == "minimum" { None } else { Some(0.0) };
            let direction = if upper {
                match (a, b) {
                    (None, Some(_)) => Direction::Tightened,
                    (Some(_), None) => Direction::Loosened,
                    (Some(x), Some(y)) if y < x => Direction::Tightened,
                    _ => Direction::Loosened,
                }
            } else {
                match (a.or(floor), b.or(floor)) {
                    (x, y) if x == y => Direction::Equivalent,
                    (None, Some(_)) => Direction::Tightened,
                    (Some(_), None) => Direction::Loosened,
                    (Some(x), Some(y)) if y > x => Direction::Tightened,
                    _ => Direction::Loosened,
                }
            };
            self.emit_constraint(
                at,
                key,
                direction,
                (o.get(*key), n.get(*key)),
                retyped.as_deref(),
            );
        }
        for key in ["exclusiveMaximum", "exclusiveMinimum", "uniqueItems"] {
            let (a, b) = (o.get(key), n.get(key));
            if a == b {
                continue;
            }
            let direction = match (a.and_then(Value::as_bool), b.and_then(Value::as_bool)) {
                (Some(true), Some(false) | None) => Direction::Loosened,
                (Some(false) | None, Some(true)) => Direction::Tightened,
                (None, Some(false)) | (Some(false), None) => Direction::Equivalent,
                _ => Direction::Replaced,
            };
            self.emit_constraint(at, key, direction, (a, b), retyped.as_deref());
        }
        let (a, b) = (o.get("pattern"), n.get("pattern"));
        if a != b {
            let direction = match (a, b) {
                (None, Some(_)) => Direction::Tightened,
                (Some(_), None) => Direction::Loosened,
                _ => Direction::Replaced,
            };
            self.emit_constraint(at, "pattern", direction, (a, b), retyped.as_deref());
        }
        if o.get("multipleOf") != n.get("multipleOf") {
            self.emit_constraint(
                at,
                "multipleOf",
                Direction::Replaced,
                (o.get("multipleOf"), n.get("multipleOf")),
                None,
            );
        }
    }

    fn emit_constraint(
        &mut self,
        at: &At,
        key: &str,
        direction: Direction,
        (before, after): (Option<&Value>, Option<&Value>),
        retyped: Option<&str>,
    ) {
        let verb = match (before, after, direction) {
            (None, _, _) => "added",
            (_, None, _) => "removed",
            (_, _, Direction::Tightened) if UPPER_BOUNDS.contains(&key) => "lowered",
            (_, _, Direction::Loosened) if UPPER_BOUNDS.contains(&key) => "raised",
            (_, _, Direction::Tightened) if LOWER_BOUNDS.contains(&key) => "raised",
            (_, _, Direction::Loosened) if LOWER_BOUNDS.contains(&key) => "lowered",
            _ => "changed",
        };
        let change = format!("{key} {verb}");
        let verdict = match direction {
            Direction::Equivalent => non_breaking(
                "constraint-equivalent",
                format!("{change}: the same values are accepted either way"),
            ),
            _ => by_side(
                at.side(),
                || request_constraint(&change, direction),
                || response_constraint(&change, key, direction),
            ),
        };
        let verdict = match retyped.filter(|_| TYPE_SHAPING.contains(&key)) {
            None => verdict,
            Some(why) if verdict.class == ChangeClass::Breaking => verdict.and_compile(why),
            Some(why) => compile(
                "constraint-type-changed",
                format!("{change}: the same or more values are accepted, but {why}, so code naming or building it stops compiling"),
            ),
        };
        let kind = match (before, after) {
            (None, _) => DifferenceKind::Added,
            (_, None) => DifferenceKind::Removed,
            _ => DifferenceKind::Changed,
        };
        self.emit(
            at,
            Some(key),
            kind,
            verdict,
            before.cloned(),
            after.cloned(),
        );
    }
}

/// The verdict for a constraint change on something the client sends.
fn request_constraint(change: &str, direction: Direction) -> Verdict {
    if direction == Direction::Loosened {
        non_breaking(
            "request-constraint-loosened",
            format!("{change} on a field the client sends: the API accepts more than before"),
        )
    } else {
        runtime(
            "request-constraint-tightened",
            format!(
                "{change} on a field the client sends: values accepted before can now be refused"
            ),
        )
    }
}

/// The verdict for a constraint change on something the client receives.
fn response_constraint(change: &str, key: &str, direction: Direction) -> Verdict {
    if direction == Direction::Tightened {
        return non_breaking(
            "response-constraint-tightened",
            format!("{change} on a field the client receives: the API promises narrower values"),
        );
    }
    let why = if REQUEST_ONLY_CONSTRAINTS.contains(&key) {
        "responses are decoded without it (rule lenient_response_schemas)"
    } else {
        "the generated client does not check it"
    };
    non_breaking(
        "response-constraint-loosened",
        format!("{change} on a field the client receives: {why}"),
    )
}
