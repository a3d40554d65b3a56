//! Classifying the differences between two versions of a spec by what they do to Rust code.
//!
//! [`classify`] compares an older and a newer OpenAPI document, prose ignored, and says for
//! every structural change whether it is **breaking** for a Rust user of the client generated
//! from the older one, **non-breaking**, or only **info**. "Breaking" means either of:
//!
//! - code written against the generated client may stop compiling once it is regenerated (a
//!   method or type is renamed or removed, a field changes type, a required field appears);
//! - the existing client may fail at run time against a server that follows the newer spec
//!   (a response field it requires goes missing, a closed enum gets a value it cannot decode,
//!   a request it builds is now refused).
//!
//! Where a schema is used matters: a constraint tightened on something we send can get our
//! requests refused, the same constraint tightened on something we receive cannot. So every
//! component schema gets a [`Side`] by following `$ref`s from the operations' parameters,
//! request bodies and responses, and a schema used on both sides gets the stricter class.
//!
//! Renamed component schemas (same place of use, new name, as in 1.5.2's `*Dto*` types) are
//! recognised as renames: one breaking finding for the renamed Rust type, then the differences
//! between the two bodies as if the name had not changed.

use crate::diff::{raw_diff, structural_diff, DifferenceKind};
use crate::normalise::lenient_response_schemas::{self, REQUEST_ONLY_CONSTRAINTS};
use crate::normalise::{self, sides::reachable};
use crate::prose::{is_prose_key, strip_prose};
use crate::walk::{child, resolve, METHODS};
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// How a change affects Rust users of the generated client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeClass {
    /// Existing code may stop compiling, or the existing client may fail at run time.
    Breaking,
    /// The API changed, but existing code and the existing client keep working.
    NonBreaking,
    /// Nothing a client can observe (the version number, prose).
    Info,
}

impl ChangeClass {
    /// `breaking`, `non-breaking` or `info`, as in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeClass::Breaking => "breaking",
            ChangeClass::NonBreaking => "non-breaking",
            ChangeClass::Info => "info",
        }
    }

    /// Higher is stricter.
    pub fn severity(self) -> u8 {
        match self {
            ChangeClass::Breaking => 2,
            ChangeClass::NonBreaking => 1,
            ChangeClass::Info => 0,
        }
    }
}

impl fmt::Display for ChangeClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which way the data of a schema travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    /// Reachable from request bodies or parameters only: the client sends it.
    Request,
    /// Reachable from responses only: the client receives it.
    Response,
    /// Reachable from both: the stricter class of the two applies.
    Both,
    /// Not reachable from any operation (still generated as a type): classified as `Both`.
    Unused,
}

impl Side {
    fn from_usage(usage: Usage) -> Side {
        match (usage.request, usage.response) {
            (true, true) => Side::Both,
            (true, false) => Side::Request,
            (false, true) => Side::Response,
            (false, false) => Side::Unused,
        }
    }

    /// `request`, `response`, `both` or `unused`, as in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Request => "request",
            Side::Response => "response",
            Side::Both => "both",
            Side::Unused => "unused",
        }
    }
}

/// An operation, as a finding names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperationRef {
    /// The `operationId` (the generated method's name comes from it), if the spec gives one.
    pub id: Option<String>,
    /// HTTP method, upper case.
    pub method: String,
    /// Path template as the spec writes it.
    pub path: String,
}

impl fmt::Display for OperationRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.id {
            Some(id) => write!(f, "{id} ({} {})", self.method, self.path),
            None => write!(f, "{} {}", self.method, self.path),
        }
    }
}

/// One classified change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Breaking, non-breaking or info.
    pub class: ChangeClass,
    /// Added, removed or changed.
    pub kind: DifferenceKind,
    /// Stable identifier of the rule that classified it (`request-constraint-tightened`, ...).
    pub rule: String,
    /// The operation concerned, for changes inside `paths`.
    pub operation: Option<OperationRef>,
    /// The component schema concerned, for changes inside `components/schemas`.
    pub schema: Option<String>,
    /// Which way the data travels, for schema changes.
    pub side: Option<Side>,
    /// JSON pointer of the change: in the newer document, or in the older one for removals.
    pub pointer: String,
    /// The value before (absent for additions).
    pub before: Option<Value>,
    /// The value after (absent for removals).
    pub after: Option<Value>,
    /// One line on why it has this class.
    pub reason: String,
}

impl Finding {
    /// Where the change is, for people: operation or schema, then the pointer.
    pub fn location(&self) -> String {
        match (&self.operation, &self.schema) {
            (Some(op), _) => format!("{op} {}", self.pointer),
            (None, Some(schema)) => format!("schema {schema} {}", self.pointer),
            (None, None) if self.pointer.is_empty() => "(document)".to_string(),
            (None, None) => self.pointer.clone(),
        }
    }
}

/// Compares `old` with `new` (prose ignored) and classifies every structural change.
///
/// Findings come breaking first, then non-breaking, then info; within a class, in document
/// order (global settings, operations, component schemas).
pub fn classify(old: &Value, new: &Value) -> Vec<Finding> {
    let old_stripped = strip_prose(old);
    let new_stripped = strip_prose(new);
    let mut classifier = Classifier::new(&old_stripped, &new_stripped);
    classifier.run();
    let mut findings = classifier.findings;

    // Safety net: a structural difference no rule recognised must still count as drift.
    let semantic = findings.iter().any(|f| f.rule != "version-changed");
    if !semantic {
        for difference in structural_diff(old, new) {
            if difference.pointer == "/info/version" {
                continue;
            }
            findings.push(Finding {
                class: ChangeClass::NonBreaking,
                kind: difference.kind,
                rule: "unclassified".to_string(),
                operation: None,
                schema: None,
                side: None,
                pointer: difference.pointer,
                before: difference.before,
                after: difference.after,
                reason: "structural change no rule covers; review it by hand".to_string(),
            });
        }
    }

    let prose = prose_differences(old, new);
    if let Some(first) = prose.first() {
        findings.push(Finding {
            class: ChangeClass::Info,
            kind: DifferenceKind::Changed,
            rule: "prose-changed".to_string(),
            operation: None,
            schema: None,
            side: None,
            pointer: String::new(),
            before: None,
            after: None,
            reason: format!(
                "{} prose difference(s) ignored (descriptions, summaries, examples, titles, tags, \
                 x- extensions), the first at {first}",
                prose.len()
            ),
        });
    }
    // A stable sort keeps document order within each class.
    findings.sort_by_key(|f| std::cmp::Reverse(f.class.severity()));
    findings
}

/// Pointers of the differences between `old` and `new` that lie in prose.
pub fn prose_differences(old: &Value, new: &Value) -> Vec<String> {
    raw_diff(old, new)
        .into_iter()
        .map(|d| d.pointer)
        .filter(|p| pointer_is_prose(p))
        .collect()
}

fn pointer_is_prose(pointer: &str) -> bool {
    if pointer.starts_with("/info/") && pointer != "/info/version" {
        return true;
    }
    let mut parent = String::new();
    for segment in pointer.split('/').skip(1) {
        let key = segment.replace("~1", "/").replace("~0", "~");
        if is_prose_key(&parent, &key) {
            return true;
        }
        parent = child(&parent, &key);
    }
    false
}

/// The class, rule and reason a rule gives one change.
struct Verdict {
    class: ChangeClass,
    rule: &'static str,
    reason: String,
}

fn breaking(rule: &'static str, reason: impl Into<String>) -> Verdict {
    Verdict {
        class: ChangeClass::Breaking,
        rule,
        reason: reason.into(),
    }
}

fn non_breaking(rule: &'static str, reason: impl Into<String>) -> Verdict {
    Verdict {
        class: ChangeClass::NonBreaking,
        rule,
        reason: reason.into(),
    }
}

fn info(rule: &'static str, reason: impl Into<String>) -> Verdict {
    Verdict {
        class: ChangeClass::Info,
        rule,
        reason: reason.into(),
    }
}

/// The verdict for `side`: for `Both` (and `Unused`), the stricter of the two.
fn by_side(
    side: Side,
    request: impl FnOnce() -> Verdict,
    response: impl FnOnce() -> Verdict,
) -> Verdict {
    match side {
        Side::Request => request(),
        Side::Response => response(),
        Side::Both | Side::Unused => {
            let request = request();
            let response = response();
            if response.class.severity() > request.class.severity() {
                response
            } else {
                request
            }
        }
    }
}

/// Whether a schema is used by requests, responses or both.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Usage {
    request: bool,
    response: bool,
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

/// What a schema node is, for the rule names and reasons of `$ref` changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Component,
    Nested,
    Parameter,
    RequestBody,
    SuccessBody,
}

/// Where the classifier stands: the same node in both documents.
#[derive(Debug, Clone)]
struct At {
    old_ptr: String,
    new_ptr: String,
    old_schema: Option<String>,
    new_schema: Option<String>,
    operation: Option<OperationRef>,
    old_operation: Option<OperationRef>,
    side: Option<Side>,
    /// For an object property: whether the parent requires it, in the old and new documents.
    required: Option<(bool, bool)>,
    role: Role,
}

impl At {
    fn root() -> At {
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

    fn child(&self, key: &str) -> At {
        At {
            old_ptr: child(&self.old_ptr, key),
            new_ptr: child(&self.new_ptr, key),
            required: None,
            role: Role::Nested,
            ..self.clone()
        }
    }

    fn at(&self, old_ptr: String, new_ptr: String) -> At {
        At {
            old_ptr,
            new_ptr,
            required: None,
            role: Role::Nested,
            ..self.clone()
        }
    }

    fn with_role(mut self, role: Role) -> At {
        self.role = role;
        self
    }

    fn with_side(mut self, side: Side) -> At {
        self.side = Some(side);
        self
    }

    fn side(&self) -> Side {
        self.side.unwrap_or(Side::Both)
    }
}

/// An operation of a document, with the path item it belongs to.
struct Op<'a> {
    path: &'a str,
    method: &'a str,
    item: &'a Value,
    op: &'a Value,
    pointer: String,
}

impl Op<'_> {
    fn reference(&self) -> OperationRef {
        OperationRef {
            id: self
                .op
                .get("operationId")
                .and_then(Value::as_str)
                .map(str::to_string),
            method: self.method.to_uppercase(),
            path: self.path.to_string(),
        }
    }

    /// Path with parameter names blanked: `/s/{id}` and `/s/{subscriptionId}` are one path.
    fn key(&self) -> (String, String) {
        let mut out = String::new();
        let mut in_param = false;
        for c in self.path.chars() {
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
        (out, self.method.to_string())
    }
}

fn operations_of(doc: &Value) -> Vec<Op<'_>> {
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (path, item) in paths {
        for method in METHODS {
            if let Some(op) = item.get(*method) {
                out.push(Op {
                    path,
                    method,
                    item,
                    op,
                    pointer: child(&child("/paths", path), method),
                });
            }
        }
    }
    out
}

/// Follows `$ref`s (a few levels at most) to the node they name.
fn deref<'a>(doc: &'a Value, mut node: &'a Value) -> &'a Value {
    for _ in 0..8 {
        match node.get("$ref").and_then(Value::as_str) {
            Some(reference) if !reference.starts_with("#/components/schemas/") => {
                match resolve(doc, reference) {
                    Some(target) => node = target,
                    None => return node,
                }
            }
            _ => return node,
        }
    }
    node
}

fn schema_ref_name(reference: &str) -> Option<&str> {
    reference.strip_prefix("#/components/schemas/")
}

fn component_schemas(doc: &Value) -> Option<&Map<String, Value>> {
    doc.pointer("/components/schemas")
        .and_then(Value::as_object)
}

/// `1XX`, `2XX`, `3XX` responses: what the generated method returns on success.
fn is_success(code: &str) -> bool {
    matches!(code.chars().next(), Some('1' | '2' | '3'))
}

/// Statuses HTTP defines without a body; the generated client ignores any declared content.
fn is_bodyless(code: &str) -> bool {
    matches!(code, "204" | "205" | "304")
}

/// Parameters of an operation (path-level ones included) by `(in, name)`, with their pointers.
fn parameters_of<'a>(
    doc: &'a Value,
    op: &Op<'a>,
) -> BTreeMap<(String, String), (&'a Value, String)> {
    let mut out = BTreeMap::new();
    let item_pointer = op
        .pointer
        .rsplit_once('/')
        .map_or(String::new(), |(p, _)| p.to_string());
    let lists = [
        (
            op.item.get("parameters"),
            child(&item_pointer, "parameters"),
        ),
        (op.op.get("parameters"), child(&op.pointer, "parameters")),
    ];
    for (list, base) in lists {
        let Some(list) = list.and_then(Value::as_array) else {
            continue;
        };
        for (i, parameter) in list.iter().enumerate() {
            let parameter = deref(doc, parameter);
            let key = (
                parameter
                    .get("in")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
                parameter
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            );
            out.insert(key, (parameter, child(&base, &i.to_string())));
        }
    }
    out
}

fn trimmed(value: Option<&Value>) -> Option<&str> {
    value.and_then(Value::as_str).map(str::trim)
}

fn flag(node: &Value, key: &str) -> bool {
    node.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn string_set(node: &Value, key: &str) -> BTreeSet<String> {
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

fn show(value: Option<&Value>) -> String {
    match value {
        None => "(absent)".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// Schemas used by requests and by responses, by component name.
fn usage_of(doc: &Value) -> BTreeMap<String, Usage> {
    let mut request_roots = Vec::new();
    let mut response_roots = Vec::new();
    for op in operations_of(doc) {
        for (parameter, _) in parameters_of(doc, &op).into_values() {
            request_roots.extend(parameter.get("schema"));
            if let Some(content) = parameter.get("content").and_then(Value::as_object) {
                request_roots.extend(content.values().filter_map(|m| m.get("schema")));
            }
        }
        if let Some(body) = op.op.get("requestBody").map(|b| deref(doc, b)) {
            if let Some(content) = body.get("content").and_then(Value::as_object) {
                request_roots.extend(content.values().filter_map(|m| m.get("schema")));
            }
        }
        if let Some(responses) = op.op.get("responses").and_then(Value::as_object) {
            for response in responses.values().map(|r| deref(doc, r)) {
                if let Some(content) = response.get("content").and_then(Value::as_object) {
                    response_roots.extend(content.values().filter_map(|m| m.get("schema")));
                }
            }
        }
    }
    let mut out: BTreeMap<String, Usage> = BTreeMap::new();
    for name in reachable(doc, request_roots) {
        out.entry(name).or_default().request = true;
    }
    for name in reachable(doc, response_roots) {
        out.entry(name).or_default().response = true;
    }
    out
}

/// Upper bounds (a lower new value tightens) and lower bounds (a higher new value tightens).
const UPPER_BOUNDS: &[&str] = &["maxLength", "maxItems", "maxProperties", "maximum"];
const LOWER_BOUNDS: &[&str] = &["minLength", "minItems", "minProperties", "minimum"];

/// Schema keywords [`Classifier::compare_schema`] handles itself.
const HANDLED_SCHEMA_KEYS: &[&str] = &[
    "$ref",
    "type",
    "format",
    "enum",
    "nullable",
    "properties",
    "required",
    "items",
    "additionalProperties",
    "allOf",
    "anyOf",
    "oneOf",
    "default",
    "deprecated",
    "maxLength",
    "maxItems",
    "maxProperties",
    "maximum",
    "minLength",
    "minItems",
    "minProperties",
    "minimum",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "pattern",
    "uniqueItems",
    "multipleOf",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Tightened,
    Loosened,
    /// Neither a superset nor a subset (a new pattern).
    Replaced,
    /// Accepts exactly the same values (a lower bound of 0 added or dropped).
    Equivalent,
}

struct Classifier<'a> {
    old: &'a Value,
    new: &'a Value,
    /// Old component schema name → new name.
    renames: BTreeMap<String, String>,
    old_usage: BTreeMap<String, Usage>,
    new_usage: BTreeMap<String, Usage>,
    /// Pointers (in the old document) of the response enums our generated code keeps open.
    open_enums: BTreeSet<String>,
    findings: Vec<Finding>,
}

impl<'a> Classifier<'a> {
    fn new(old: &'a Value, new: &'a Value) -> Self {
        Classifier {
            old,
            new,
            renames: BTreeMap::new(),
            old_usage: usage_of(old),
            new_usage: usage_of(new),
            open_enums: open_enum_pointers(old),
            findings: Vec::new(),
        }
    }

    fn emit(
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
        self.findings.push(Finding {
            class: verdict.class,
            kind,
            rule: verdict.rule.to_string(),
            operation: operation.clone(),
            schema: schema.clone(),
            side: at.side,
            pointer: key.map_or_else(|| pointer.clone(), |k| child(pointer, k)),
            before,
            after,
            reason: verdict.reason,
        });
    }

    fn run(&mut self) {
        self.compare_document_settings();
        let old_ops = operations_of(self.old);
        let new_ops = operations_of(self.new);
        let pairs = match_operations(&old_ops, &new_ops);
        self.detect_renames(&old_ops, &new_ops, &pairs);
        self.compare_operations(&old_ops, &new_ops, &pairs);
        self.compare_security_schemes();
        self.compare_component_schemas();
    }

    /// `info.version`, `servers`, global `security`, and any other top-level keyword.
    fn compare_document_settings(&mut self) {
        let root = At::root();
        let (old, new) = (self.old, self.new);
        let old_version = old.pointer("/info/version");
        let new_version = new.pointer("/info/version");
        if old_version != new_version {
            self.emit(
                &root.child("info"),
                Some("version"),
                DifferenceKind::Changed,
                info("version-changed", "the API version number changed"),
                old_version.cloned(),
                new_version.cloned(),
            );
        }
        self.compare_servers(&root, old.get("servers"), new.get("servers"));
        self.compare_security(&root, old.get("security"), new.get("security"));
        let handled = ["info", "servers", "security", "paths", "components"];
        self.unclassified_keys(&root, old, new, &handled);
        if let (Some(a), Some(b)) = (old.get("components"), new.get("components")) {
            // Parameters, bodies and responses in `components` are compared where they are
            // used; they generate no code of their own.
            let handled = [
                "schemas",
                "securitySchemes",
                "parameters",
                "requestBodies",
                "responses",
                "headers",
            ];
            self.unclassified_keys(&root.child("components"), a, b, &handled);
        }
    }

    fn compare_servers(&mut self, at: &At, old: Option<&Value>, new: Option<&Value>) {
        let urls = |v: Option<&Value>| -> Vec<String> {
            v.and_then(Value::as_array)
                .map(|servers| {
                    servers
                        .iter()
                        .map(|s| {
                            s.get("url")
                                .and_then(Value::as_str)
                                .unwrap_or("")
                                .trim()
                                .to_string()
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        let (a, b) = (urls(old), urls(new));
        if a != b {
            let reason = "the server URL changed: the generated client's default base URL \
                          (and our environment URLs) point elsewhere";
            self.emit(
                at,
                Some("servers"),
                DifferenceKind::Changed,
                breaking("server-url-changed", reason),
                Some(Value::from(a)),
                Some(Value::from(b)),
            );
        }
    }

    fn compare_security(&mut self, at: &At, old: Option<&Value>, new: Option<&Value>) {
        if old != new {
            let kind = match (old, new) {
                (None, _) => DifferenceKind::Added,
                (_, None) => DifferenceKind::Removed,
                _ => DifferenceKind::Changed,
            };
            self.emit(
                at,
                Some("security"),
                kind,
                breaking(
                    "security-scope-changed",
                    "the required OAuth2 schemes or scopes changed: the token the client asks \
                     for may no longer be accepted",
                ),
                old.cloned(),
                new.cloned(),
            );
        }
    }

    /// Keys of `old`/`new` outside `handled` that differ: no rule knows them.
    fn unclassified_keys(&mut self, at: &At, old: &Value, new: &Value, handled: &[&str]) {
        let (Some(a), Some(b)) = (old.as_object(), new.as_object()) else {
            return;
        };
        let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
        for key in keys {
            if handled.contains(&key.as_str()) {
                continue;
            }
            let (x, y) = (a.get(key), b.get(key));
            if x == y {
                continue;
            }
            let here = at.child(key);
            match (x, y) {
                (Some(x), Some(y)) => {
                    for d in raw_diff(x, y) {
                        let at_d = here.at(
                            format!("{}{}", here.old_ptr, d.pointer),
                            format!("{}{}", here.new_ptr, d.pointer),
                        );
                        self.emit(&at_d, None, d.kind, unclassified(), d.before, d.after);
                    }
                }
                (None, y) => self.emit(
                    &here,
                    None,
                    DifferenceKind::Added,
                    unclassified(),
                    None,
                    y.cloned(),
                ),
                (x, None) => self.emit(
                    &here,
                    None,
                    DifferenceKind::Removed,
                    unclassified(),
                    x.cloned(),
                    None,
                ),
            }
        }
    }

    fn same_ref(&self, old: &str, new: &str) -> bool {
        if old == new {
            return true;
        }
        match (schema_ref_name(old), schema_ref_name(new)) {
            (Some(a), Some(b)) => self.renames.get(a).is_some_and(|renamed| renamed == b),
            _ => false,
        }
    }

    /// Pairs removed component schemas with added ones used in the same place.
    fn detect_renames(&mut self, old_ops: &[Op<'a>], new_ops: &[Op<'a>], pairs: &[(usize, usize)]) {
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
    fn renamed_refs(&self, schema: &Value) -> Value {
        match schema {
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| {
                        let v = match (k.as_str(), v.as_str().and_then(schema_ref_name)) {
                            ("$ref", Some(name)) => match self.renames.get(name) {
                                Some(renamed) => {
                                    Value::String(format!("#/components/schemas/{renamed}"))
                                }
                                None => v.clone(),
                            },
                            _ => self.renamed_refs(v),
                        };
                        (k.clone(), v)
                    })
                    .collect(),
            ),
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| self.renamed_refs(v)).collect())
            }
            other => other.clone(),
        }
    }

    fn compare_operations(
        &mut self,
        old_ops: &[Op<'a>],
        new_ops: &[Op<'a>],
        pairs: &[(usize, usize)],
    ) {
        let matched_new: BTreeSet<usize> = pairs.iter().map(|p| p.1).collect();
        let mut moved_new = BTreeSet::new();
        for (i, old_op) in old_ops.iter().enumerate() {
            let at = At {
                old_ptr: old_op.pointer.clone(),
                old_operation: Some(old_op.reference()),
                ..At::root()
            };
            if let Some(&(_, j)) = pairs.iter().find(|p| p.0 == i) {
                self.compare_operation(old_op, &new_ops[j]);
                continue;
            }
            // Same operationId elsewhere: the method keeps its name, the request goes elsewhere.
            let id = old_op.op.get("operationId");
            let moved = new_ops.iter().enumerate().find(|(j, n)| {
                id.is_some()
                    && n.op.get("operationId") == id
                    && !matched_new.contains(j)
                    && !moved_new.contains(j)
            });
            if let Some((j, new_op)) = moved {
                moved_new.insert(j);
                let at = At {
                    new_ptr: new_op.pointer.clone(),
                    operation: Some(new_op.reference()),
                    ..at
                };
                self.emit(
                    &at,
                    None,
                    DifferenceKind::Changed,
                    breaking(
                        "operation-moved",
                        "the operation moved to another method or path: the existing client \
                         calls one that no longer exists",
                    ),
                    Some(Value::String(format!(
                        "{} {}",
                        old_op.method.to_uppercase(),
                        old_op.path
                    ))),
                    Some(Value::String(format!(
                        "{} {}",
                        new_op.method.to_uppercase(),
                        new_op.path
                    ))),
                );
                self.compare_operation(old_op, new_op);
            } else {
                self.emit(
                    &at,
                    None,
                    DifferenceKind::Removed,
                    breaking(
                        "operation-removed",
                        "the operation is gone: its generated method disappears and existing \
                         calls fail",
                    ),
                    Some(Value::String(format!(
                        "{} {}",
                        old_op.method.to_uppercase(),
                        old_op.path
                    ))),
                    None,
                );
            }
        }
        for (j, new_op) in new_ops.iter().enumerate() {
            if matched_new.contains(&j) || moved_new.contains(&j) {
                continue;
            }
            let at = At {
                new_ptr: new_op.pointer.clone(),
                operation: Some(new_op.reference()),
                ..At::root()
            };
            self.emit(
                &at,
                None,
                DifferenceKind::Added,
                non_breaking("operation-added", "a new operation: a new generated method"),
                None,
                Some(Value::String(format!(
                    "{} {}",
                    new_op.method.to_uppercase(),
                    new_op.path
                ))),
            );
        }
    }

    fn compare_operation(&mut self, old_op: &Op<'a>, new_op: &Op<'a>) {
        let at = At {
            old_ptr: old_op.pointer.clone(),
            new_ptr: new_op.pointer.clone(),
            operation: Some(new_op.reference()),
            old_operation: Some(old_op.reference()),
            ..At::root()
        };
        let (old, new) = (old_op.op, new_op.op);
        if old.get("operationId") != new.get("operationId") {
            self.emit(
                &at,
                Some("operationId"),
                DifferenceKind::Changed,
                breaking(
                    "operation-id-changed",
                    "the operationId changed: the generated method is renamed",
                ),
                old.get("operationId").cloned(),
                new.get("operationId").cloned(),
            );
        }
        self.compare_parameters(&at, old_op, new_op);
        self.compare_request_body(
            &at.child("requestBody"),
            old.get("requestBody"),
            new.get("requestBody"),
        );
        self.compare_responses(
            &at.child("responses"),
            old.get("responses"),
            new.get("responses"),
        );
        self.compare_security(&at, old.get("security"), new.get("security"));
        if old.get("servers") != new.get("servers") {
            self.compare_servers(&at, old.get("servers"), new.get("servers"));
        }
        if flag(old, "deprecated") != flag(new, "deprecated") {
            self.emit(
                &at,
                Some("deprecated"),
                DifferenceKind::Changed,
                non_breaking(
                    "operation-deprecated",
                    "deprecation flag changed; the method stays",
                ),
                old.get("deprecated").cloned(),
                new.get("deprecated").cloned(),
            );
        }
        let handled = [
            "operationId",
            "parameters",
            "requestBody",
            "responses",
            "security",
            "servers",
            "deprecated",
        ];
        self.unclassified_keys(&at, old, new, &handled);
    }

    fn compare_parameters(&mut self, at: &At, old_op: &Op<'a>, new_op: &Op<'a>) {
        let old = parameters_of(self.old, old_op);
        let new = parameters_of(self.new, new_op);
        let at = at.clone().with_side(Side::Request);
        for (key, (old_p, old_ptr)) in &old {
            let name = format!("{} parameter `{}`", key.0, key.1);
            match new.get(key) {
                None => {
                    let here = at.at(old_ptr.clone(), old_ptr.clone());
                    self.emit(
                        &here,
                        None,
                        DifferenceKind::Removed,
                        breaking(
                            "parameter-removed",
                            format!("{name} removed: its builder method disappears"),
                        ),
                        Some((*old_p).clone()),
                        None,
                    );
                }
                Some((new_p, new_ptr)) => {
                    let here = at.at(old_ptr.clone(), new_ptr.clone());
                    let (was, is) = (flag(old_p, "required"), flag(new_p, "required"));
                    if was != is {
                        let verdict = if is {
                            breaking(
                                "parameter-made-required",
                                format!("{name} is now required: calls without it are refused"),
                            )
                        } else {
                            non_breaking(
                                "parameter-made-optional",
                                format!("{name} is now optional"),
                            )
                        };
                        self.emit(
                            &here,
                            Some("required"),
                            DifferenceKind::Changed,
                            verdict,
                            Some(Value::Bool(was)),
                            Some(Value::Bool(is)),
                        );
                    }
                    match (old_p.get("schema"), new_p.get("schema")) {
                        (Some(a), Some(b)) => self.compare_schema(
                            a,
                            b,
                            &here.child("schema").with_role(Role::Parameter),
                        ),
                        (None, None) => {}
                        (a, b) => self.emit(
                            &here,
                            Some("schema"),
                            DifferenceKind::Changed,
                            breaking("type-changed", format!("{name}: its schema changed")),
                            a.cloned(),
                            b.cloned(),
                        ),
                    }
                    let handled = ["in", "name", "required", "schema", "deprecated"];
                    self.unclassified_keys(&here, old_p, new_p, &handled);
                }
            }
        }
        for (key, (new_p, new_ptr)) in &new {
            if old.contains_key(key) {
                continue;
            }
            let name = format!("{} parameter `{}`", key.0, key.1);
            let here = at.at(new_ptr.clone(), new_ptr.clone());
            let verdict = if flag(new_p, "required") {
                breaking(
                    "parameter-added-required",
                    format!("new required {name}: existing calls lack it and are refused"),
                )
            } else {
                non_breaking(
                    "parameter-added-optional",
                    format!("new optional {name}: a new builder method"),
                )
            };
            self.emit(
                &here,
                None,
                DifferenceKind::Added,
                verdict,
                None,
                Some((*new_p).clone()),
            );
        }
    }

    fn compare_request_body(&mut self, at: &At, old: Option<&Value>, new: Option<&Value>) {
        let at = at.clone().with_side(Side::Request);
        let old = old.map(|b| deref(self.old, b));
        let new = new.map(|b| deref(self.new, b));
        match (old, new) {
            (None, None) => {}
            (None, Some(body)) => {
                let verdict = if flag(body, "required") {
                    breaking(
                        "request-body-added",
                        "a required request body appeared: existing calls send none",
                    )
                } else {
                    non_breaking("request-body-added", "an optional request body appeared")
                };
                self.emit(
                    &at,
                    None,
                    DifferenceKind::Added,
                    verdict,
                    None,
                    Some(body.clone()),
                );
            }
            (Some(body), None) => self.emit(
                &at,
                None,
                DifferenceKind::Removed,
                breaking(
                    "request-body-removed",
                    "the request body is gone: the generated body() builder disappears",
                ),
                Some(body.clone()),
                None,
            ),
            (Some(a), Some(b)) => {
                let (was, is) = (flag(a, "required"), flag(b, "required"));
                if was != is {
                    let verdict = if is {
                        breaking(
                            "request-body-made-required",
                            "the request body is now required",
                        )
                    } else {
                        non_breaking(
                            "request-body-made-optional",
                            "the request body is now optional",
                        )
                    };
                    self.emit(
                        &at,
                        Some("required"),
                        DifferenceKind::Changed,
                        verdict,
                        Some(Value::Bool(was)),
                        Some(Value::Bool(is)),
                    );
                }
                self.compare_content(
                    &at.child("content"),
                    a.get("content"),
                    b.get("content"),
                    Role::RequestBody,
                );
                self.unclassified_keys(&at, a, b, &["required", "content"]);
            }
        }
    }

    /// Media types of a request body or success response, and their schemas.
    fn compare_content(&mut self, at: &At, old: Option<&Value>, new: Option<&Value>, role: Role) {
        let empty = Map::new();
        let a = old.and_then(Value::as_object).unwrap_or(&empty);
        let b = new.and_then(Value::as_object).unwrap_or(&empty);
        let (what, rule_media, rule_schema) = if role == Role::RequestBody {
            (
                "request body",
                "request-body-media-type-changed",
                "request-body-schema-changed",
            )
        } else {
            (
                "success response",
                "success-response-media-type-changed",
                "success-response-schema-changed",
            )
        };
        let old_types: Vec<&String> = a.keys().collect();
        let new_types: Vec<&String> = b.keys().collect();
        if old_types != new_types {
            self.emit(
                at,
                None,
                DifferenceKind::Changed,
                breaking(
                    rule_media,
                    format!("the {what} media types changed: the generated encoding or decoding changes"),
                ),
                Some(Value::from(old_types.iter().map(|s| s.as_str()).collect::<Vec<_>>())),
                Some(Value::from(new_types.iter().map(|s| s.as_str()).collect::<Vec<_>>())),
            );
        }
        for (media, old_media) in a {
            let Some(new_media) = b.get(media) else {
                continue;
            };
            let here = at.child(media);
            match (old_media.get("schema"), new_media.get("schema")) {
                (Some(x), Some(y)) => {
                    self.compare_schema(x, y, &here.child("schema").with_role(role))
                }
                (None, None) => {}
                (x, y) => self.emit(
                    &here,
                    Some("schema"),
                    DifferenceKind::Changed,
                    breaking(
                        rule_schema,
                        format!("the {what} schema appeared or disappeared"),
                    ),
                    x.cloned(),
                    y.cloned(),
                ),
            }
            self.unclassified_keys(&here, old_media, new_media, &["schema"]);
        }
    }

    fn compare_responses(&mut self, at: &At, old: Option<&Value>, new: Option<&Value>) {
        let at = at.clone().with_side(Side::Response);
        let empty = Map::new();
        let a = old.and_then(Value::as_object).unwrap_or(&empty);
        let b = new.and_then(Value::as_object).unwrap_or(&empty);
        let success = |m: &Map<String, Value>| -> BTreeSet<String> {
            m.keys().filter(|c| is_success(c)).cloned().collect()
        };
        let (old_ok, new_ok) = (success(a), success(b));
        if old_ok != new_ok {
            let gone: Vec<&String> = old_ok.difference(&new_ok).collect();
            let came: Vec<&String> = new_ok.difference(&old_ok).collect();
            if gone.len() == 1 && came.len() == 1 {
                self.emit(
                    &at,
                    Some(came[0]),
                    DifferenceKind::Changed,
                    breaking(
                        "success-response-changed",
                        format!(
                            "the success status changed from {} to {}: the generated method's \
                             response handling changes",
                            gone[0], came[0]
                        ),
                    ),
                    Some(Value::String(gone[0].clone())),
                    Some(Value::String(came[0].clone())),
                );
            } else {
                for code in gone {
                    self.emit(
                        &at,
                        Some(code),
                        DifferenceKind::Removed,
                        breaking(
                            "success-response-changed",
                            format!("success status {code} removed: the generated method's return type changes"),
                        ),
                        Some(Value::String(code.clone())),
                        None,
                    );
                }
                for code in came {
                    self.emit(
                        &at,
                        Some(code),
                        DifferenceKind::Added,
                        breaking(
                            "success-response-changed",
                            format!("success status {code} added: the generated method's return type changes"),
                        ),
                        None,
                        Some(Value::String(code.clone())),
                    );
                }
            }
        }
        for code in old_ok.intersection(&new_ok) {
            let (Some(x), Some(y)) = (a.get(code), b.get(code)) else {
                continue;
            };
            let (x, y) = (deref(self.old, x), deref(self.new, y));
            let here = at.child(code);
            if is_bodyless(code) {
                if x.get("content") != y.get("content") {
                    self.emit(
                        &here,
                        Some("content"),
                        DifferenceKind::Changed,
                        non_breaking(
                            "no-content-body-changed",
                            format!("declared body of a {code} changed; the generated client reads no body for it"),
                        ),
                        x.get("content").cloned(),
                        y.get("content").cloned(),
                    );
                }
            } else {
                self.compare_content(
                    &here.child("content"),
                    x.get("content"),
                    y.get("content"),
                    Role::SuccessBody,
                );
            }
            self.unclassified_keys(&here, x, y, &["content", "headers"]);
        }
        self.compare_error_responses(&at, a, b);
    }

    /// Error responses: the facade decodes every error itself, but progenitor accepts one
    /// error type per operation, so a new error schema needs attention before it generates.
    fn compare_error_responses(&mut self, at: &At, a: &Map<String, Value>, b: &Map<String, Value>) {
        let mut known: Vec<Value> = Vec::new();
        for response in a.iter().filter(|(c, _)| !is_success(c)).map(|(_, r)| r) {
            for schema in media_schemas(self.old, response) {
                let schema = self.renamed_refs(schema);
                if !known.contains(&schema) {
                    known.push(schema);
                }
            }
        }
        let mut pending = Vec::new();
        for (code, response) in b.iter().filter(|(c, _)| !is_success(c)) {
            let novel = media_schemas(self.new, response)
                .into_iter()
                .any(|s| !known.contains(s));
            let old_response = a.get(code);
            let verdict = if novel {
                breaking(
                    "error-response-new-schema",
                    format!(
                        "{code} response with an error schema the operation did not have: \
                         progenitor takes one error type per operation and would reject the \
                         spec without the error_responses_left_to_facade rule; check the \
                         facade decodes it"
                    ),
                )
            } else if old_response.is_none() {
                non_breaking(
                    "error-response-added",
                    format!("{code} response added with a known or no schema; the facade decodes errors"),
                )
            } else {
                non_breaking(
                    "error-response-changed",
                    format!("{code} response changed within the error schemas already known"),
                )
            };
            match old_response {
                None => pending.push((
                    code,
                    DifferenceKind::Added,
                    verdict,
                    None,
                    Some(response.clone()),
                )),
                Some(old_response) if self.renamed_refs(old_response) != *response => {
                    pending.push((
                        code,
                        DifferenceKind::Changed,
                        verdict,
                        Some(old_response.clone()),
                        Some(response.clone()),
                    ))
                }
                Some(_) => {}
            }
        }
        for (code, response) in a.iter().filter(|(c, _)| !is_success(c)) {
            if !b.contains_key(code) {
                pending.push((
                    code,
                    DifferenceKind::Removed,
                    non_breaking(
                        "error-response-removed",
                        format!(
                            "{code} response no longer documented; the facade handles any status"
                        ),
                    ),
                    Some(response.clone()),
                    None,
                ));
            }
        }
        for (code, kind, verdict, before, after) in pending {
            self.emit(at, Some(code), kind, verdict, before, after);
        }
    }

    fn compare_security_schemes(&mut self) {
        let at = At::root().child("components").child("securitySchemes");
        let empty = Map::new();
        let a = self
            .old
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let b = self
            .new
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        for (name, old) in a {
            let here = at.child(name);
            let Some(new) = b.get(name) else {
                self.emit(
                    &here,
                    None,
                    DifferenceKind::Removed,
                    breaking("security-scheme-changed", "security scheme removed"),
                    Some(old.clone()),
                    None,
                );
                continue;
            };
            let empty = Map::new();
            let old_flows = old
                .get("flows")
                .and_then(Value::as_object)
                .unwrap_or(&empty);
            let new_flows = new
                .get("flows")
                .and_then(Value::as_object)
                .unwrap_or(&empty);
            for (flow, x) in old_flows {
                let at_flow = here.child("flows").child(flow);
                let Some(y) = new_flows.get(flow) else {
                    self.emit(
                        &at_flow,
                        None,
                        DifferenceKind::Removed,
                        breaking(
                            "security-scheme-changed",
                            format!("OAuth2 flow {flow} removed"),
                        ),
                        Some(x.clone()),
                        None,
                    );
                    continue;
                };
                for url_key in ["tokenUrl", "authorizationUrl", "refreshUrl"] {
                    let (u, v) = (x.get(url_key), y.get(url_key));
                    if trimmed(u) != trimmed(v) {
                        self.emit(
                            &at_flow,
                            Some(url_key),
                            DifferenceKind::Changed,
                            breaking(
                                "token-url-changed",
                                format!("the OAuth2 {url_key} changed: the client fetches tokens elsewhere"),
                            ),
                            u.cloned(),
                            v.cloned(),
                        );
                    }
                }
                let scopes = |f: &Value| -> BTreeSet<String> {
                    f.get("scopes")
                        .and_then(Value::as_object)
                        .map(|s| s.keys().cloned().collect())
                        .unwrap_or_default()
                };
                let (s, t) = (scopes(x), scopes(y));
                for scope in s.difference(&t) {
                    self.emit(
                        &at_flow.child("scopes"),
                        Some(scope),
                        DifferenceKind::Removed,
                        breaking(
                            "security-scope-changed",
                            format!("scope `{scope}` removed: the client's default scope may be refused"),
                        ),
                        Some(Value::String(scope.clone())),
                        None,
                    );
                }
                for scope in t.difference(&s) {
                    self.emit(
                        &at_flow.child("scopes"),
                        Some(scope),
                        DifferenceKind::Added,
                        breaking(
                            "security-scope-changed",
                            format!("scope `{scope}` added: operations may now require a scope the client does not ask for"),
                        ),
                        None,
                        Some(Value::String(scope.clone())),
                    );
                }
                self.unclassified_keys(
                    &at_flow,
                    x,
                    y,
                    &["tokenUrl", "authorizationUrl", "refreshUrl", "scopes"],
                );
            }
            for (flow, y) in new_flows {
                if !old_flows.contains_key(flow) {
                    self.emit(
                        &here.child("flows").child(flow),
                        None,
                        DifferenceKind::Added,
                        breaking(
                            "security-scheme-changed",
                            format!("OAuth2 flow {flow} added"),
                        ),
                        None,
                        Some(y.clone()),
                    );
                }
            }
            if old.get("type") != new.get("type") || old.get("scheme") != new.get("scheme") {
                self.emit(
                    &here,
                    None,
                    DifferenceKind::Changed,
                    breaking(
                        "security-scheme-changed",
                        "the kind of authentication changed",
                    ),
                    Some(old.clone()),
                    Some(new.clone()),
                );
            }
            self.unclassified_keys(&here, old, new, &["flows", "type", "scheme"]);
        }
        for (name, new) in b {
            if !a.contains_key(name) {
                self.emit(
                    &at.child(name),
                    None,
                    DifferenceKind::Added,
                    breaking(
                        "security-scheme-changed",
                        "security scheme added: operations may require credentials the client does not send",
                    ),
                    None,
                    Some(new.clone()),
                );
            }
        }
    }

    fn compare_component_schemas(&mut self) {
        let empty = Map::new();
        let old_schemas = component_schemas(self.old).unwrap_or(&empty);
        let new_schemas = component_schemas(self.new).unwrap_or(&empty);
        let base = At::root().child("components").child("schemas");
        let renamed_to: BTreeSet<&String> = self.renames.values().collect();
        let mut added_later = Vec::new();
        for (name, new) in new_schemas {
            if !old_schemas.contains_key(name) && !renamed_to.contains(name) {
                added_later.push((name.clone(), new.clone()));
            }
        }
        for (name, old) in old_schemas {
            let new_name = if new_schemas.contains_key(name) {
                Some(name.clone())
            } else {
                self.renames.get(name).cloned()
            };
            let usage_old = self.old_usage.get(name).copied().unwrap_or_default();
            let Some(new_name) = new_name else {
                let at = At {
                    old_schema: Some(name.clone()),
                    ..base.child(name)
                }
                .with_side(Side::from_usage(usage_old));
                self.emit(
                    &at,
                    None,
                    DifferenceKind::Removed,
                    breaking(
                        "schema-removed",
                        format!("the generated type `{name}` disappears: code naming it stops compiling"),
                    ),
                    Some(Value::String(name.clone())),
                    None,
                );
                continue;
            };
            let usage_new = self.new_usage.get(&new_name).copied().unwrap_or_default();
            let side = Side::from_usage(usage_old | usage_new);
            let at = At {
                old_ptr: child(&base.old_ptr, name),
                new_ptr: child(&base.new_ptr, &new_name),
                old_schema: Some(name.clone()),
                new_schema: Some(new_name.clone()),
                ..At::root()
            }
            .with_side(side)
            .with_role(Role::Component);
            if new_name != *name {
                self.emit(
                    &at,
                    None,
                    DifferenceKind::Changed,
                    breaking(
                        "schema-renamed",
                        format!(
                            "component renamed: the generated Rust type `{name}` is now \
                             `{new_name}`, so code naming it stops compiling (wire changes, if \
                             any, are listed separately)"
                        ),
                    ),
                    Some(Value::String(name.clone())),
                    Some(Value::String(new_name.clone())),
                );
            }
            if let Some(new) = new_schemas.get(&new_name) {
                self.compare_schema(old, new, &at);
            }
        }
        for (name, new) in added_later {
            let usage = self.new_usage.get(&name).copied().unwrap_or_default();
            let at = At {
                new_schema: Some(name.clone()),
                ..base.child(&name)
            }
            .with_side(Side::from_usage(usage));
            self.emit(
                &at,
                None,
                DifferenceKind::Added,
                non_breaking("schema-added", format!("a new generated type `{name}`")),
                None,
                Some(new),
            );
        }
    }

    /// Compares two schema nodes standing at the same place.
    fn compare_schema(&mut self, old: &Value, new: &Value, at: &At) {
        let (Some(o), Some(n)) = (old.as_object(), new.as_object()) else {
            if old != new {
                self.emit(
                    at,
                    None,
                    DifferenceKind::Changed,
                    self.type_verdict(at, "the schema changed"),
                    Some(old.clone()),
                    Some(new.clone()),
                );
            }
            return;
        };
        let old_ref = o.get("$ref").and_then(Value::as_str);
        let new_ref = n.get("$ref").and_then(Value::as_str);
        if old_ref.is_some() || new_ref.is_some() {
            let same = matches!((old_ref, new_ref), (Some(a), Some(b)) if self.same_ref(a, b));
            if !same {
                let describe = |r: Option<&str>| {
                    r.and_then(schema_ref_name)
                        .map_or_else(|| "an inline schema".to_string(), |n| format!("`{n}`"))
                };
                let verdict = self.type_verdict(
                    at,
                    &format!(
                        "the type changed from {} to {}",
                        describe(old_ref),
                        describe(new_ref)
                    ),
                );
                self.emit(
                    at,
                    None,
                    DifferenceKind::Changed,
                    verdict,
                    Some(old_ref.map_or_else(|| old.clone(), |r| Value::String(r.to_string()))),
                    Some(new_ref.map_or_else(|| new.clone(), |r| Value::String(r.to_string()))),
                );
            }
            // Keywords beside a `$ref` are ignored by OpenAPI 3.0 and by the generator.
            return;
        }
        if o.get("type") != n.get("type") {
            let verdict = self.type_verdict(
                at,
                &format!(
                    "the type changed from `{}` to `{}`",
                    show(o.get("type")),
                    show(n.get("type"))
                ),
            );
            self.emit(
                at,
                Some("type"),
                DifferenceKind::Changed,
                verdict,
                o.get("type").cloned(),
                n.get("type").cloned(),
            );
            return;
        }
        self.compare_format(o, n, at);
        self.compare_nullable(o, n, at);
        match (o.get("enum"), n.get("enum")) {
            (Some(a), Some(b)) => self.compare_enum(a, b, at),
            (None, None) => {}
            (a, b) => {
                let verdict = self.type_verdict(
                    at,
                    "the value list appeared or disappeared: the generated type changes between a \
                     plain type and an enum",
                );
                self.emit(
                    at,
                    Some("enum"),
                    DifferenceKind::Changed,
                    verdict,
                    a.cloned(),
                    b.cloned(),
                );
            }
        }
        self.compare_constraints(o, n, at);
        self.compare_properties(o, n, at);
        match (o.get("items"), n.get("items")) {
            (Some(a), Some(b)) => self.compare_schema(a, b, &at.child("items")),
            (None, None) => {}
            (a, b) => {
                let verdict =
                    self.type_verdict(at, "the array item schema appeared or disappeared");
                self.emit(
                    at,
                    Some("items"),
                    DifferenceKind::Changed,
                    verdict,
                    a.cloned(),
                    b.cloned(),
                );
            }
        }
        match (o.get("additionalProperties"), n.get("additionalProperties")) {
            (Some(a @ Value::Object(_)), Some(b @ Value::Object(_))) => {
                self.compare_schema(a, b, &at.child("additionalProperties"))
            }
            (a, b) if a != b => {
                let verdict = self.type_verdict(
                    at,
                    "additionalProperties changed: the generated map or struct changes",
                );
                self.emit(
                    at,
                    Some("additionalProperties"),
                    DifferenceKind::Changed,
                    verdict,
                    a.cloned(),
                    b.cloned(),
                );
            }
            _ => {}
        }
        for key in ["allOf", "anyOf", "oneOf"] {
            match (
                o.get(key).and_then(Value::as_array),
                n.get(key).and_then(Value::as_array),
            ) {
                (Some(a), Some(b)) if a.len() == b.len() => {
                    for (i, (x, y)) in a.iter().zip(b).enumerate() {
                        self.compare_schema(x, y, &at.child(key).child(&i.to_string()));
                    }
                }
                (None, None) => {}
                _ => {
                    let verdict = self.type_verdict(
                        at,
                        &format!("the {key} composition changed: the generated type changes"),
                    );
                    self.emit(
                        at,
                        Some(key),
                        DifferenceKind::Changed,
                        verdict,
                        o.get(key).cloned(),
                        n.get(key).cloned(),
                    );
                }
            }
        }
        if o.get("default") != n.get("default") {
            self.emit(
                at,
                Some("default"),
                DifferenceKind::Changed,
                non_breaking(
                    "default-changed",
                    "the documented default changed; the client sends values explicitly",
                ),
                o.get("default").cloned(),
                n.get("default").cloned(),
            );
        }
        if flag(old, "deprecated") != flag(new, "deprecated") {
            self.emit(
                at,
                Some("deprecated"),
                DifferenceKind::Changed,
                non_breaking(
                    "schema-deprecated",
                    "deprecation flag changed; the type stays",
                ),
                o.get("deprecated").cloned(),
                n.get("deprecated").cloned(),
            );
        }
        self.unclassified_keys(at, old, new, HANDLED_SCHEMA_KEYS);
    }

    /// The verdict for a change of generated type at `at` (its wording depends on the role).
    fn type_verdict(&self, at: &At, what: &str) -> Verdict {
        match at.role {
            Role::SuccessBody => breaking(
                "success-response-schema-changed",
                format!("success response: {what}; the generated method returns another type"),
            ),
            Role::RequestBody => breaking(
                "request-body-schema-changed",
                format!("request body: {what}; the generated body() takes another type"),
            ),
            Role::Parameter => breaking(
                "type-changed",
                format!("parameter: {what}; its builder method takes another type"),
            ),
            Role::Component | Role::Nested => breaking(
                "type-changed",
                format!("{what}; the generated Rust type changes"),
            ),
        }
    }

    fn compare_format(&mut self, o: &Map<String, Value>, n: &Map<String, Value>, at: &At) {
        let (a, b) = (o.get("format"), n.get("format"));
        if a == b {
            return;
        }
        let is_number = o.get("type").and_then(Value::as_str) == Some("number");
        let f64_formats = |f: Option<&Value>| {
            matches!(
                f.and_then(Value::as_str),
                None | Some("float") | Some("double")
            )
        };
        let verdict = if is_number && f64_formats(a) && f64_formats(b) {
            non_breaking(
                "format-changed",
                "number format changed between none, float and double: the generated field stays \
                 f64 (rule float_amounts_as_double)",
            )
        } else {
            breaking(
                "format-changed",
                format!(
                    "format changed from `{}` to `{}`: the generated Rust type changes",
                    show(a),
                    show(b)
                ),
            )
        };
        let kind = match (a, b) {
            (None, _) => DifferenceKind::Added,
            (_, None) => DifferenceKind::Removed,
            _ => DifferenceKind::Changed,
        };
        self.emit(at, Some("format"), kind, verdict, a.cloned(), b.cloned());
    }

    fn compare_nullable(&mut self, o: &Map<String, Value>, n: &Map<String, Value>, at: &At) {
        let was = o.get("nullable").and_then(Value::as_bool).unwrap_or(false);
        let is = n.get("nullable").and_then(Value::as_bool).unwrap_or(false);
        if was == is {
            return;
        }
        let required = matches!(at.required, Some((true, true)));
        let verdict = if required {
            breaking(
                "nullable-changed",
                if is {
                    "a required field became nullable: its type changes from `T` to `Option<T>` and the old client fails on null"
                } else {
                    "a required field is no longer nullable: its type changes from `Option<T>` to `T`"
                },
            )
        } else {
            non_breaking(
                "nullable-changed",
                "nullability of an optional field changed: it is an Option either way",
            )
        };
        self.emit(
            at,
            Some("nullable"),
            DifferenceKind::Changed,
            verdict,
            o.get("nullable").cloned(),
            n.get("nullable").cloned(),
        );
    }

    fn compare_enum(&mut self, old: &Value, new: &Value, at: &At) {
        let empty = Vec::new();
        let a = old.as_array().unwrap_or(&empty);
        let b = new.as_array().unwrap_or(&empty);
        let side = at.side();
        let open = self.open_enums.contains(&at.old_ptr);
        for value in a.iter().filter(|v| !b.contains(v)) {
            let shown = show(Some(value));
            let verdict = by_side(
                side,
                || {
                    breaking(
                    "request-enum-value-removed",
                    format!("value `{shown}` is no longer accepted: requests using it are refused and its variant disappears"),
                )
                },
                || {
                    breaking(
                    "response-enum-value-removed",
                    format!("value `{shown}` is no longer sent: its variant disappears from the generated enum, so code naming it stops compiling"),
                )
                },
            );
            self.emit(
                at,
                Some("enum"),
                DifferenceKind::Removed,
                verdict,
                Some(value.clone()),
                None,
            );
        }
        for value in b.iter().filter(|v| !a.contains(v)) {
            let shown = show(Some(value));
            let verdict = by_side(
                side,
                || {
                    non_breaking(
                        "request-enum-value-added",
                        format!(
                            "value `{shown}` is now accepted: a new variant the client may send"
                        ),
                    )
                },
                || {
                    if open {
                        non_breaking(
                            "response-enum-value-added-open",
                            format!("value `{shown}` may now be received: our generated field is an OpenEnum, so the old client decodes it as Unknown"),
                        )
                    } else {
                        breaking(
                            "response-enum-value-added-closed",
                            format!("value `{shown}` may now be received: the generated enum is closed, so the old client fails to decode it"),
                        )
                    }
                },
            );
            self.emit(
                at,
                Some("enum"),
                DifferenceKind::Added,
                verdict,
                None,
                Some(value.clone()),
            );
        }
    }

    fn compare_constraints(&mut self, o: &Map<String, Value>, n: &Map<String, Value>, at: &At) {
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
            self.emit_constraint(at, key, direction, o.get(*key), n.get(*key));
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
            self.emit_constraint(at, key, direction, a, b);
        }
        let (a, b) = (o.get("pattern"), n.get("pattern"));
        if a != b {
            let direction = match (a, b) {
                (None, Some(_)) => Direction::Tightened,
                (Some(_), None) => Direction::Loosened,
                _ => Direction::Replaced,
            };
            self.emit_constraint(at, "pattern", direction, a, b);
        }
        if o.get("multipleOf") != n.get("multipleOf") {
            self.emit_constraint(
                at,
                "multipleOf",
                Direction::Replaced,
                o.get("multipleOf"),
                n.get("multipleOf"),
            );
        }
    }

    fn emit_constraint(
        &mut self,
        at: &At,
        key: &str,
        direction: Direction,
        before: Option<&Value>,
        after: Option<&Value>,
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

    fn compare_properties(&mut self, o: &Map<String, Value>, n: &Map<String, Value>, at: &At) {
        let empty = Map::new();
        let a = o
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let b = n
            .get("properties")
            .and_then(Value::as_object)
            .unwrap_or(&empty);
        let old_required = string_set(&Value::Object(o.clone()), "required");
        let new_required = string_set(&Value::Object(n.clone()), "required");
        let side = at.side();
        let props = at.child("properties");
        for (name, old_schema) in a {
            let was = old_required.contains(name);
            let mut here = props.child(name);
            here.role = Role::Nested;
            let Some(new_schema) = b.get(name) else {
                let verdict = by_side(
                    side,
                    || {
                        breaking(
                        "request-property-removed",
                        format!("field `{name}` removed from a request: the generated struct loses it"),
                    )
                    },
                    || {
                        breaking(
                        "response-property-removed",
                        format!("field `{name}` removed from a response: the generated struct loses it"),
                    )
                    },
                );
                self.emit(
                    &here,
                    None,
                    DifferenceKind::Removed,
                    verdict,
                    Some(old_schema.clone()),
                    None,
                );
                continue;
            };
            let is = new_required.contains(name);
            here.required = Some((was, is));
            if was != is {
                let is_array = new_schema.get("type").and_then(Value::as_str) == Some("array");
                let verdict = if is {
                    by_side(
                        side,
                        || {
                            breaking(
                            "request-property-made-required",
                            format!("field `{name}` is now required in a request: requests without it are refused and its type changes from `Option<T>` to `T`"),
                        )
                        },
                        || {
                            if is_array {
                                non_breaking(
                                    "response-property-made-required",
                                    format!("field `{name}` is now always sent; as a list it stays a Vec"),
                                )
                            } else {
                                breaking(
                                    "response-property-made-required",
                                    format!("field `{name}` is now always sent: its generated type changes from `Option<T>` to `T`"),
                                )
                            }
                        },
                    )
                } else {
                    by_side(
                        side,
                        || {
                            non_breaking(
                            "request-property-made-optional",
                            format!("field `{name}` is now optional in a request: the API accepts more"),
                        )
                        },
                        || {
                            breaking(
                            "response-property-made-optional",
                            format!("field `{name}` may now be missing from a response: the old client fails to decode it, and its type becomes `Option<T>`"),
                        )
                        },
                    )
                };
                self.emit(
                    &here,
                    None,
                    DifferenceKind::Changed,
                    verdict,
                    Some(json!({"required": was})),
                    Some(json!({"required": is})),
                );
            }
            self.compare_schema(old_schema, new_schema, &here);
        }
        for (name, new_schema) in b {
            if a.contains_key(name) {
                continue;
            }
            let required = new_required.contains(name);
            let verdict = by_side(
                side,
                || {
                    if required {
                        breaking(
                            "request-property-added-required",
                            format!("new required field `{name}` in a request: existing code does not set it and the API refuses requests without it"),
                        )
                    } else {
                        non_breaking(
                            "request-property-added-optional",
                            format!("new optional field `{name}` in a request"),
                        )
                    }
                },
                || {
                    non_breaking(
                        "response-property-added",
                        format!("new field `{name}` in a response: the old client ignores it"),
                    )
                },
            );
            self.emit(
                &props,
                Some(name),
                DifferenceKind::Added,
                verdict,
                None,
                Some(new_schema.clone()),
            );
        }
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
        breaking(
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

/// Pointers, in `old`, of the response-side enums the client generated from `old` keeps open.
///
/// Runs the normalisation rules up to `open_response_enums` on a copy, since earlier rules
/// decide what it sees: `lenient_response_schemas` gives schemas used by both sides a
/// response-side copy (`<Schema>Returned`), whose enums are then opened; those pointers are
/// mapped back to the shared schema.
fn open_enum_pointers(old: &Value) -> BTreeSet<String> {
    let mut doc = old.clone();
    let mut opened = Vec::new();
    for rule in normalise::RULES {
        let touched = (rule.apply)(&mut doc);
        if rule.name == "open_response_enums" {
            opened = touched;
            break;
        }
    }
    let schemas = component_schemas(old);
    opened
        .into_iter()
        .map(|pointer| {
            let mut segments: Vec<String> = pointer.split('/').map(str::to_string).collect();
            if let (Some(schemas), Some(name)) = (schemas, segments.get(3).cloned()) {
                let original = name
                    .trim_end_matches('_')
                    .strip_suffix(lenient_response_schemas::COPY_SUFFIX)
                    .map(str::to_string);
                if let Some(original) = original {
                    if !schemas.contains_key(&name) && schemas.contains_key(&original) {
                        segments[3] = original;
                    }
                }
            }
            segments.join("/")
        })
        .collect()
}

/// Schemas of every media type of a response (following a response `$ref`).
fn media_schemas<'a>(doc: &'a Value, response: &'a Value) -> Vec<&'a Value> {
    deref(doc, response)
        .get("content")
        .and_then(Value::as_object)
        .map(|content| content.values().filter_map(|m| m.get("schema")).collect())
        .unwrap_or_default()
}

fn unclassified() -> Verdict {
    non_breaking(
        "unclassified",
        "structural change no rule covers; review it by hand",
    )
}

/// Pairs of operations standing at the same method and path (parameter names aside).
fn match_operations(old: &[Op<'_>], new: &[Op<'_>]) -> Vec<(usize, usize)> {
    let mut pairs = Vec::new();
    for (i, a) in old.iter().enumerate() {
        if let Some(j) = new.iter().position(|b| b.key() == a.key()) {
            pairs.push((i, j));
        }
    }
    pairs
}

/// `(old name, new name)` of component `$ref`s found at the same place in two trees.
fn parallel_refs(old: &Value, new: &Value, out: &mut Vec<(String, String)>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let refs = (
                a.get("$ref")
                    .and_then(Value::as_str)
                    .and_then(schema_ref_name),
                b.get("$ref")
                    .and_then(Value::as_str)
                    .and_then(schema_ref_name),
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc(request: Value, response: Value) -> Value {
        json!({
            "info": {"version": "1"},
            "paths": {"/s": {"post": {
                "operationId": "send",
                "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Req"}}}},
                "responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Res"}}}}}
            }}},
            "components": {"schemas": {"Req": request, "Res": response}}
        })
    }

    #[test]
    fn same_change_is_classified_by_side() {
        let old = doc(
            json!({"type": "object", "properties": {"a": {"type": "string", "maxLength": 10}}}),
            json!({"type": "object", "properties": {"a": {"type": "string", "maxLength": 10}}}),
        );
        let new = doc(
            json!({"type": "object", "properties": {"a": {"type": "string", "maxLength": 5}}}),
            json!({"type": "object", "properties": {"a": {"type": "string", "maxLength": 5}}}),
        );
        let findings = classify(&old, &new);
        let req = findings
            .iter()
            .find(|f| f.schema.as_deref() == Some("Req"))
            .expect("req");
        let res = findings
            .iter()
            .find(|f| f.schema.as_deref() == Some("Res"))
            .expect("res");
        assert_eq!(req.class, ChangeClass::Breaking);
        assert_eq!(req.rule, "request-constraint-tightened");
        assert_eq!(
            req.pointer,
            "/components/schemas/Req/properties/a/maxLength"
        );
        assert_eq!(res.class, ChangeClass::NonBreaking);
        assert_eq!(res.rule, "response-constraint-tightened");
    }

    #[test]
    fn enums_of_shared_schemas_are_open_through_their_response_copy() {
        let shared =
            json!({"type": "object", "properties": {"kind": {"type": "string", "enum": ["A"]}}});
        let mut d = doc(
            json!({"type": "object", "properties": {"s": {"$ref": "#/components/schemas/Shared"}}}),
            json!({"type": "object", "properties": {
                "s": {"$ref": "#/components/schemas/Shared"},
                "own": {"type": "string", "enum": ["X"]}
            }}),
        );
        d["components"]["schemas"]["Shared"] = shared;
        let open = open_enum_pointers(&d);
        assert!(
            open.contains("/components/schemas/Shared/properties/kind"),
            "{open:?}"
        );
        assert!(
            open.contains("/components/schemas/Res/properties/own"),
            "{open:?}"
        );
        assert!(!open.iter().any(|p| p.contains("Returned")), "{open:?}");
    }

    #[test]
    fn prose_only_is_info() {
        let mut old = doc(json!({"type": "object"}), json!({"type": "object"}));
        let mut new = old.clone();
        old["components"]["schemas"]["Req"]["description"] = json!("ours");
        new["components"]["schemas"]["Req"]["description"] = json!("theirs");
        let findings = classify(&old, &new);
        assert_eq!(findings.len(), 1, "{findings:?}");
        assert_eq!(findings[0].class, ChangeClass::Info);
        assert_eq!(findings[0].rule, "prose-changed");
    }

    #[test]
    fn prose_pointers_know_property_names() {
        assert!(pointer_is_prose("/components/schemas/A/description"));
        assert!(!pointer_is_prose(
            "/components/schemas/A/properties/description/type"
        ));
        assert!(pointer_is_prose("/info/title"));
        assert!(!pointer_is_prose("/info/version"));
    }
}
