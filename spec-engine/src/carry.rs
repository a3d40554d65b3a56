//! A new upstream version with our prose: what `spec-add` writes.
//!
//! Our vendored specs keep Scalexpert's structure and carry our own words. [`carry_prose`]
//! takes upstream's new document and our nearest vendored version, and writes upstream's
//! structure with, at every place whose structure is the same as in our version, our prose
//! (descriptions, summaries, titles, examples, tags), and no upstream prose anywhere. A place
//! is the same when its own keywords are (its type, format, constraints, enum, required list,
//! `$ref`; what lies below it is judged at its own level), and an example is kept only where
//! the new schema still accepts it ([`crate::conformance`]), so the version's tests keep
//! decoding what its spec documents.
//!
//! A new or changed place gets the marker [`TODO_KEY`] (`x-prose-todo`), listing the prose
//! keys to write there; an extension is structure to no tool, so the version still builds.
//! [`prose_todo`] finds the markers again: `spec-check` reports them as prose to write.

use crate::conformance::conforms;
use crate::prose::is_prose_key;
use crate::walk::{child, segments, METHODS};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The marker of a place whose prose is still to be written: a list of prose keys.
pub const TODO_KEY: &str = "x-prose-todo";

/// The prose keys we write ourselves, in the order a marker lists them.
const WRITTEN: &[&str] = &["summary", "description", "title", "example", "examples"];

/// Keys holding examples: kept only where the new schema accepts them.
const EXAMPLE_KEYS: &[&str] = &["example", "examples"];

/// A place whose prose is still to be written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProseTodo {
    /// JSON pointer of the object that needs prose.
    pub pointer: String,
    /// The prose keys to write there (`description`, `example`, …).
    pub keys: Vec<String>,
}

/// What [`carry_prose`] made.
#[derive(Debug, Clone)]
pub struct Carried {
    /// Upstream's structure with our prose and the markers.
    pub doc: Value,
    /// Every marked place, in document order.
    pub todo: Vec<ProseTodo>,
    /// How many prose values of ours were carried over.
    pub carried: usize,
}

/// Upstream's `upstream` document with the prose of `ours` (the nearest vendored version of
/// the same file; `None` for an API family's first version) wherever the place is the same,
/// and a marker wherever it is new or changed.
pub fn carry_prose(ours: Option<&Value>, upstream: &Value) -> Carried {
    let mut carrier = Carrier {
        upstream,
        todo: Vec::new(),
        carried: 0,
    };
    let doc = carrier.node(ours, upstream, "");
    Carried {
        doc,
        todo: carrier.todo,
        carried: carrier.carried,
    }
}

/// Every place of `doc` marked as needing prose, in document order.
pub fn prose_todo(doc: &Value) -> Vec<ProseTodo> {
    let mut out = Vec::new();
    find_todo(doc, "", &mut out);
    out
}

fn find_todo(node: &Value, pointer: &str, out: &mut Vec<ProseTodo>) {
    match node {
        Value::Object(map) => {
            if let Some(keys) = map.get(TODO_KEY) {
                out.push(ProseTodo {
                    pointer: pointer.to_string(),
                    keys: todo_keys(keys),
                });
            }
            for (key, value) in map {
                if key != TODO_KEY {
                    find_todo(value, &child(pointer, key), out);
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                find_todo(item, &child(pointer, &i.to_string()), out);
            }
        }
        _ => {}
    }
}

fn todo_keys(marker: &Value) -> Vec<String> {
    match marker {
        Value::Array(keys) => keys
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Value::String(key) => vec![key.clone()],
        _ => vec!["description".to_string()],
    }
}

struct Carrier<'a> {
    upstream: &'a Value,
    todo: Vec<ProseTodo>,
    carried: usize,
}

impl Carrier<'_> {
    fn node(&mut self, ours: Option<&Value>, theirs: &Value, pointer: &str) -> Value {
        match theirs {
            Value::Object(map) => self.object(ours.and_then(Value::as_object), map, pointer),
            Value::Array(items) => Value::Array(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let ours = counterpart(ours, item, i, pointer);
                        self.node(ours, item, &child(pointer, &i.to_string()))
                    })
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    fn object(
        &mut self,
        ours: Option<&Map<String, Value>>,
        theirs: &Map<String, Value>,
        pointer: &str,
    ) -> Value {
        let same = ours.filter(|o| own_structure(o, pointer) == own_structure(theirs, pointer));
        let mut out = Map::new();
        let mut todo: Vec<String> = Vec::new();
        // The node's own marker comes before its children's, in document order.
        let slot = self.todo.len();
        match same {
            // The same place: our keys in our order (our prose, upstream's structure below),
            // then whatever upstream has that we do not.
            Some(ours) => {
                for (key, value) in ours {
                    if pointer.is_empty() && key == "info" {
                        if let Some(info) = theirs.get(key) {
                            out.insert(key.clone(), self.info(Some(value), info));
                        }
                    } else if !is_prose_key(pointer, key) {
                        if let Some(structure) = theirs.get(key) {
                            let here = child(pointer, key);
                            out.insert(key.clone(), self.node(Some(value), structure, &here));
                        }
                    } else if key == TODO_KEY {
                        // Still to write from an earlier spec-add: still listed.
                        todo.extend(todo_keys(value));
                    } else {
                        out.insert(key.clone(), value.clone());
                        self.carried += 1;
                    }
                }
                for (key, value) in theirs {
                    if !ours.contains_key(key) && !is_prose_key(pointer, key) {
                        out.insert(key.clone(), self.node(None, value, &child(pointer, key)));
                    }
                }
                // Examples last: they are checked against the structure just written.
                for key in EXAMPLE_KEYS {
                    if let Some(example) = out.get(*key) {
                        if !self.example_fits(key, example, &out) {
                            out.shift_remove(*key);
                            self.carried -= 1;
                            todo.push(key.to_string());
                        }
                    }
                }
            }
            None => {
                for (key, value) in theirs {
                    if pointer.is_empty() && key == "info" {
                        let ours = ours.and_then(|o| o.get(key));
                        out.insert(key.clone(), self.info(ours, value));
                    } else if is_prose_key(pointer, key) {
                        // Upstream's words are never written.
                        if WRITTEN.contains(&key.as_str()) {
                            todo.push(key.clone());
                        }
                    } else {
                        let counterpart = ours.and_then(|o| o.get(key));
                        out.insert(
                            key.clone(),
                            self.node(counterpart, value, &child(pointer, key)),
                        );
                    }
                }
                match ours {
                    // A changed place: our words described the old structure; write them anew.
                    Some(ours) => {
                        todo.extend(
                            ours.keys()
                                .filter(|k| WRITTEN.contains(&k.as_str()))
                                .cloned(),
                        );
                        if let Some(marker) = ours.get(TODO_KEY) {
                            todo.extend(todo_keys(marker));
                        }
                    }
                    None if documented(pointer) => todo.push("description".to_string()),
                    None => {}
                }
            }
        }
        if !todo.is_empty() {
            let keys = ordered(todo);
            out.insert(
                TODO_KEY.to_string(),
                Value::Array(keys.iter().cloned().map(Value::String).collect()),
            );
            self.todo.insert(
                slot,
                ProseTodo {
                    pointer: pointer.to_string(),
                    keys,
                },
            );
        }
        Value::Object(out)
    }

    /// `info` is prose but for its version: ours, with upstream's version.
    fn info(&mut self, ours: Option<&Value>, theirs: &Value) -> Value {
        let version = theirs.get("version").cloned().unwrap_or(Value::Null);
        let Some(ours) = ours.and_then(Value::as_object) else {
            let mut info = Map::new();
            info.insert("version".to_string(), version);
            let keys = vec!["title".to_string(), "description".to_string()];
            info.insert(
                TODO_KEY.to_string(),
                Value::Array(keys.iter().cloned().map(Value::String).collect()),
            );
            self.todo.push(ProseTodo {
                pointer: "/info".to_string(),
                keys,
            });
            return Value::Object(info);
        };
        let mut info = ours.clone();
        self.carried += info.keys().filter(|k| *k != "version").count();
        info.insert("version".to_string(), version);
        if let Some(marker) = ours.get(TODO_KEY) {
            self.todo.push(ProseTodo {
                pointer: "/info".to_string(),
                keys: todo_keys(marker),
            });
        }
        Value::Object(info)
    }

    /// Whether our example (`example`, or the values of `examples`) is still accepted by the
    /// new structure `node` stands for: its `schema` (media types, parameters), or itself.
    fn example_fits(&self, key: &str, example: &Value, node: &Map<String, Value>) -> bool {
        let node = Value::Object(node.clone());
        let schema = node.get("schema").unwrap_or(&node);
        let fits = |value: &Value| conforms(self.upstream, schema, value);
        if key == "example" {
            return fits(example);
        }
        example
            .as_object()
            .is_some_and(|named| named.values().all(|e| e.get("value").is_none_or(&fits)))
    }
}

/// The element of our array that stands where upstream's `item` (at `index`) stands:
/// parameters by `in` and `name`, anything else by position.
fn counterpart<'a>(
    ours: Option<&'a Value>,
    item: &Value,
    index: usize,
    pointer: &str,
) -> Option<&'a Value> {
    let ours = ours?.as_array()?;
    let key = |p: &Value| {
        Some((
            p.get("in")?.as_str()?.to_string(),
            p.get("name")?.as_str()?.to_string(),
        ))
    };
    if pointer.ends_with("/parameters") {
        if let Some(wanted) = key(item) {
            return ours.iter().find(|p| key(p).as_ref() == Some(&wanted));
        }
    }
    ours.get(index)
}

/// A node's own structure: its keywords with scalar (or scalar-list) values, prose aside;
/// nested objects are places of their own. `required` and `enum` compare as sets.
fn own_structure(node: &Map<String, Value>, pointer: &str) -> BTreeMap<String, Value> {
    node.iter()
        .filter(|(key, _)| {
            let info = pointer.is_empty() && *key == "info";
            !(info || is_prose_key(pointer, key))
        })
        .filter(|(_, value)| match value {
            Value::Object(_) => false,
            Value::Array(items) => items.iter().all(|i| !i.is_object() && !i.is_array()),
            _ => true,
        })
        .map(|(key, value)| {
            let value = match (key.as_str(), value) {
                ("required" | "enum", Value::Array(items)) => {
                    let mut sorted = items.clone();
                    sorted.sort_by_key(Value::to_string);
                    Value::Array(sorted)
                }
                _ => value.clone(),
            };
            (key.clone(), value)
        })
        .collect()
}

/// Places a reader expects words for when they are new: component schemas, properties,
/// parameters, operations and responses.
fn documented(pointer: &str) -> bool {
    let keys: Vec<String> = segments(pointer).collect();
    match keys.as_slice() {
        [first, second, _] if first == "components" && second == "schemas" => true,
        [first, _, method] if first == "paths" => METHODS.contains(&method.as_str()),
        [.., parent, _] => matches!(parent.as_str(), "properties" | "parameters" | "responses"),
        _ => false,
    }
}

/// Prose keys in [`WRITTEN`] order, each once.
fn ordered(keys: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = WRITTEN
        .iter()
        .filter(|k| keys.iter().any(|key| key == *k))
        .map(|k| k.to_string())
        .collect();
    for key in keys {
        if !out.contains(&key) {
            out.push(key);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prose::strip_prose;
    use serde_json::json;

    fn ours() -> Value {
        json!({
            "openapi": "3.0.3",
            "info": {"title": "Our title", "description": "Our words.", "version": "1.0.0"},
            "tags": [{"name": "Orders", "description": "Ours."}],
            "paths": {"/orders": {"post": {
                "summary": "Our summary",
                "parameters": [{"in": "query", "name": "lang", "description": "Our lang.", "schema": {"type": "string"}}],
                "requestBody": {"content": {"application/json": {
                    "schema": {"$ref": "#/components/schemas/Order"},
                    "example": {"reference": "A-1"}
                }}},
                "responses": {"201": {"description": "Our created."}}
            }}},
            "components": {"schemas": {"Order": {
                "type": "object", "description": "Our order.", "required": ["reference"],
                "properties": {
                    "reference": {"type": "string", "maxLength": 8, "description": "Our reference.", "example": "A-1"},
                    "note": {"type": "string", "description": "Our note."}
                }
            }}}
        })
    }

    /// Upstream's next version: the same structure in its words, plus `changes`.
    fn theirs(changes: impl FnOnce(&mut Value)) -> Value {
        let mut doc = ours();
        doc["info"] =
            json!({"title": "Their title", "description": "Their words.", "version": "1.1.0"});
        doc["tags"][0]["description"] = json!("Theirs.");
        let op = &mut doc["paths"]["/orders"]["post"];
        op["summary"] = json!("Their summary");
        op["parameters"][0]["description"] = json!("Their lang.");
        op["responses"]["201"]["description"] = json!("Their created.");
        let order = &mut doc["components"]["schemas"]["Order"];
        order["description"] = json!("Their order.");
        order["properties"]["reference"]["description"] = json!("Their reference.");
        order["properties"]["reference"]["example"] = json!("THEIR-1");
        order["properties"]["note"]["description"] = json!("Their note.");
        changes(&mut doc);
        doc
    }

    fn strings(node: &Value, out: &mut Vec<String>) {
        match node {
            Value::String(s) => out.push(s.clone()),
            Value::Array(items) => items.iter().for_each(|i| strings(i, out)),
            Value::Object(map) => map.values().for_each(|v| strings(v, out)),
            _ => {}
        }
    }

    fn no_upstream_words(doc: &Value) {
        let mut all = Vec::new();
        strings(doc, &mut all);
        assert!(
            !all.iter()
                .any(|s| s.starts_with("Their") || s.starts_with("THEIR")),
            "{all:?}"
        );
    }

    #[test]
    fn the_same_structure_gets_our_prose_and_upstream_structure() {
        let upstream = theirs(|_| {});
        let carried = carry_prose(Some(&ours()), &upstream);
        no_upstream_words(&carried.doc);
        assert!(carried.todo.is_empty(), "{:?}", carried.todo);
        assert_eq!(strip_prose(&carried.doc), strip_prose(&upstream));
        let mut expected = ours();
        expected["info"]["version"] = json!("1.1.0");
        assert_eq!(carried.doc, expected);
    }

    #[test]
    fn a_new_property_is_the_one_place_to_write() {
        let upstream = theirs(|doc| {
            doc["components"]["schemas"]["Order"]["properties"]["coupon"] = json!({"type": "string", "description": "Their coupon.", "example": "THEIR-COUPON"});
        });
        let carried = carry_prose(Some(&ours()), &upstream);
        no_upstream_words(&carried.doc);
        assert_eq!(
            carried.todo,
            [ProseTodo {
                pointer: "/components/schemas/Order/properties/coupon".into(),
                keys: vec!["description".into(), "example".into()],
            }]
        );
        assert_eq!(
            carried.doc["components"]["schemas"]["Order"]["properties"]["coupon"],
            json!({"type": "string", "x-prose-todo": ["description", "example"]})
        );
        // Our request example stays: the new field is optional.
        assert_eq!(
            carried.doc["paths"]["/orders"]["post"]["requestBody"]["content"]["application/json"]
                ["example"],
            json!({"reference": "A-1"})
        );
        assert_eq!(prose_todo(&carried.doc), carried.todo);
    }

    #[test]
    fn changed_places_and_examples_the_schema_refuses_are_marked() {
        let upstream = theirs(|doc| {
            let order = &mut doc["components"]["schemas"]["Order"];
            order["properties"]["reference"]["maxLength"] = json!(2);
            order["required"] = json!(["reference", "note"]);
        });
        let carried = carry_prose(Some(&ours()), &upstream);
        no_upstream_words(&carried.doc);
        let pointers: Vec<&str> = carried.todo.iter().map(|t| t.pointer.as_str()).collect();
        assert_eq!(
            pointers,
            [
                "/paths/~1orders/post/requestBody/content/application~1json",
                "/components/schemas/Order",
                "/components/schemas/Order/properties/reference",
            ]
        );
        assert_eq!(carried.todo[0].keys, ["example"]);
        assert_eq!(carried.todo[2].keys, ["description", "example"]);
        // The unchanged property keeps our words.
        assert_eq!(
            carried.doc["components"]["schemas"]["Order"]["properties"]["note"]["description"],
            "Our note."
        );
    }

    #[test]
    fn a_first_version_is_all_to_write() {
        let carried = carry_prose(None, &theirs(|_| {}));
        no_upstream_words(&carried.doc);
        assert!(carried.todo.iter().any(|t| t.pointer == "/info"));
        assert!(carried
            .todo
            .iter()
            .any(|t| t.pointer == "/paths/~1orders/post" && t.keys == ["summary", "description"]));
        assert_eq!(carried.carried, 0);
    }

    #[test]
    fn earlier_markers_stay_listed() {
        let mut ours = ours();
        ours["components"]["schemas"]["Order"]["properties"]["note"] =
            json!({"type": "string", "x-prose-todo": ["description"]});
        let upstream = theirs(|_| {});
        let carried = carry_prose(Some(&ours), &upstream);
        assert_eq!(carried.todo.len(), 1);
        assert_eq!(
            carried.todo[0].pointer,
            "/components/schemas/Order/properties/note"
        );
    }
}
