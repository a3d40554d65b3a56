//! Command names, derived from each operation's method and path (never written per operation).
//!
//! An operation's command is `<group> <verb>` under its API family:
//!
//! - **group**: the path's first literal segment (`/subscriptions/{id}/_cancel` →
//!   `subscriptions`, `/event-types` → `event-types`). A path that starts with an action names
//!   its group after the action's object (`/_simulate-solutions` → `solutions`).
//! - **verb**: an action segment (`_x`) gives its own name in kebab case (`_confirmDelivery` →
//!   `confirm-delivery`), followed by the singular of the literal segments between the group
//!   and the action (`/events/tests/_trigger` → `trigger-test`); a path that starts with an
//!   action gives its first word (`_simulate-solutions` → `simulate`). Otherwise the method
//!   says it: on one record (the path ends in a parameter) `GET` is `get`, `PUT` and `PATCH`
//!   `update`, `DELETE` `delete`; on a collection `GET` is `list`, `POST` `create`, `PUT` `set`,
//!   `PATCH` `update`, `DELETE` `delete`. Literal segments after the group come first
//!   (`GET /items/archived` → `archived-list`).
//!
//! Two operations of one family that would get the same name both fall back to their
//! `operationId` in kebab case as the verb. Every command can also be reached by the
//! `operationId` alone (`scalexpert e-financing retrieve-credit-subscription`), a hidden alias
//! for scripts.

use heck::ToKebabCase;

/// The group and verb of one operation's command.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CommandName {
    /// The first level under the family (`subscriptions`).
    pub group: String,
    /// The command under the group (`get`, `confirm-delivery`).
    pub verb: String,
}

impl std::fmt::Display for CommandName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.group, self.verb)
    }
}

/// The command name of an operation, from its method (any case) and path template.
pub fn command_name(method: &str, path: &str) -> CommandName {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let is_param = |s: &str| s.starts_with('{');
    let action = segments
        .last()
        .and_then(|s| s.strip_prefix('_'))
        .map(|a| a.to_kebab_case());
    let literals: Vec<String> = segments
        .iter()
        .filter(|s| !is_param(s) && !s.starts_with('_'))
        .map(|s| s.to_kebab_case())
        .collect();
    let Some((group, between)) = literals.split_first() else {
        // Only an action (and parameters): `_simulate-solutions` → solutions simulate.
        let action = action.unwrap_or_else(|| method.to_ascii_lowercase());
        return match action.split_once('-') {
            Some((verb, object)) => CommandName {
                group: object.to_string(),
                verb: verb.to_string(),
            },
            None => CommandName {
                group: action.clone(),
                verb: action,
            },
        };
    };
    let verb = match action {
        Some(action) => std::iter::once(action)
            .chain(between.iter().map(|s| singular(s)))
            .collect::<Vec<_>>()
            .join("-"),
        None => {
            let on_record = segments.last().is_some_and(|s| is_param(s));
            let method_verb = match (method.to_ascii_uppercase().as_str(), on_record) {
                ("GET", true) => "get",
                ("GET", false) => "list",
                ("POST", false) => "create",
                ("PUT", false) => "set",
                ("PUT" | "PATCH", _) => "update",
                ("DELETE", _) => "delete",
                (_, _) => "call",
            };
            between
                .iter()
                .map(String::as_str)
                .chain(std::iter::once(method_verb))
                .collect::<Vec<_>>()
                .join("-")
        }
    };
    CommandName {
        group: group.clone(),
        verb,
    }
}

/// The names of every operation of one family, `(method_name, name)`, collisions resolved.
pub fn command_names(operations: &[scalexpert::Operation]) -> Vec<(&'static str, CommandName)> {
    let mut names: Vec<(&'static str, CommandName)> = operations
        .iter()
        .map(|op| (op.method_name, command_name(op.method, op.path)))
        .collect();
    let clashing: Vec<CommandName> = names
        .iter()
        .enumerate()
        .filter(|(i, (_, name))| names.iter().skip(i + 1).any(|(_, other)| other == name))
        .map(|(_, (_, name))| name.clone())
        .collect();
    for (method_name, name) in &mut names {
        if clashing.contains(name) {
            name.verb = method_name.to_kebab_case();
        }
    }
    names
}

/// `tests` → `test`, `categories` → `category`; `address` stays.
fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if word.ends_with("ss") {
        word.to_string()
    } else {
        word.strip_suffix('s').unwrap_or(word).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(method: &str, path: &str) -> String {
        command_name(method, path).to_string()
    }

    #[test]
    fn collections_and_records_take_the_method_verb() {
        assert_eq!(name("GET", "/subscriptions"), "subscriptions list");
        assert_eq!(name("POST", "/subscriptions"), "subscriptions create");
        assert_eq!(
            name("GET", "/subscriptions/{creditSubscriptionId}"),
            "subscriptions get"
        );
        assert_eq!(name("PUT", "/webhooks"), "webhooks set");
        assert_eq!(name("get", "/event-types"), "event-types list");
        assert_eq!(name("GET", "/items/archived"), "items archived-list");
        assert_eq!(name("DELETE", "/items/{id}"), "items delete");
    }

    #[test]
    fn actions_name_themselves() {
        assert_eq!(
            name(
                "POST",
                "/subscriptions/{creditSubscriptionId}/_confirmDelivery"
            ),
            "subscriptions confirm-delivery"
        );
        assert_eq!(
            name("POST", "/subscriptions/{id}/_cancel"),
            "subscriptions cancel"
        );
        assert_eq!(
            name("POST", "/events/tests/_trigger"),
            "events trigger-test"
        );
        assert_eq!(
            name("POST", "/items/_search-insurances"),
            "items search-insurances"
        );
        assert_eq!(name("POST", "/_simulate-solutions"), "solutions simulate");
    }

    #[test]
    fn clashing_names_fall_back_to_operation_ids() {
        use scalexpert::{Lane, Operation, Replay};
        let ops = [
            Operation {
                id: "listA",
                method_name: "list_a",
                method: "GET",
                path: "/things",
                replay: Replay::Safe,
                lane: Lane::Interactive,
            },
            Operation {
                id: "listB",
                method_name: "list_b",
                method: "GET",
                path: "/things/",
                replay: Replay::Safe,
                lane: Lane::Interactive,
            },
            Operation {
                id: "makeThing",
                method_name: "make_thing",
                method: "POST",
                path: "/things",
                replay: Replay::Unsafe,
                lane: Lane::Interactive,
            },
        ];
        let names: Vec<String> = command_names(&ops)
            .into_iter()
            .map(|(_, n)| n.to_string())
            .collect();
        assert_eq!(names, ["things list-a", "things list-b", "things create"]);
    }
}
