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
//!
//! One file per kind of thing judged: `settings` (servers, security, anything unknown),
//! `operations`, `parameters`, `bodies`, `responses`, `schemas`, `properties`, `constraints`
//! (with `rust_types`: which constraints decide a generated type), `enums` and `renames`;
//! `context` holds where the walk stands, `matching` which old operation is which new one,
//! `open_enums` which response enums the generated client keeps open, and `verdict` how a rule
//! states its class.

mod bodies;
mod constraints;
mod context;
mod enums;
mod matching;
mod open_enums;
mod operations;
mod parameters;
mod properties;
mod renames;
mod responses;
mod rust_types;
mod schemas;
mod settings;
mod verdict;

use crate::diff::{raw_diff, structural_diff, DifferenceKind};
use crate::prose::{is_prose_key, strip_prose};
use crate::walk::{child, segments};
use context::Classifier;
use serde::Serialize;
use serde_json::Value;
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

/// What a breaking change breaks, for a Rust user of the generated client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Effect {
    /// Code written against the older module may stop compiling against the newer one (a
    /// type, field, variant or method it names changes or disappears).
    Compile,
    /// The older client may fail against a server that follows the newer spec (a request it
    /// builds is refused, a response it reads does not decode).
    Runtime,
    /// Both.
    CompileAndRuntime,
    /// Neither: the change is non-breaking or info.
    None,
}

impl Effect {
    /// `compile`, `runtime`, `compile-and-runtime` or `none`, as in the JSON report.
    pub fn as_str(self) -> &'static str {
        match self {
            Effect::Compile => "compile",
            Effect::Runtime => "runtime",
            Effect::CompileAndRuntime => "compile-and-runtime",
            Effect::None => "none",
        }
    }

    /// Whether code written against the older module may stop compiling.
    pub fn breaks_compilation(self) -> bool {
        matches!(self, Effect::Compile | Effect::CompileAndRuntime)
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
    /// What a breaking change breaks: compilation, the running client, or both.
    pub effect: Effect,
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
    /// For a change inside a component schema: the operations whose requests or responses
    /// use the schema (in the newer document; in the older one for removals).
    pub used_by: Vec<OperationRef>,
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
                effect: Effect::None,
                kind: difference.kind,
                rule: "unclassified".to_string(),
                operation: None,
                schema: None,
                side: None,
                used_by: Vec::new(),
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
            effect: Effect::None,
            kind: DifferenceKind::Changed,
            rule: "prose-changed".to_string(),
            operation: None,
            schema: None,
            side: None,
            used_by: Vec::new(),
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

/// Whether `pointer` lies in prose (inside a prose key, or in `info` beside its version).
pub fn pointer_is_prose(pointer: &str) -> bool {
    if pointer.starts_with("/info/") && pointer != "/info/version" {
        return true;
    }
    let mut parent = String::new();
    for key in segments(pointer) {
        if is_prose_key(&parent, &key) {
            return true;
        }
        parent = child(&parent, &key);
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    pub(super) fn doc(request: Value, response: Value) -> Value {
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
