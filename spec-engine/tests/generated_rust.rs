//! The classifier judges by what the generated Rust does: for every pair of consecutive
//! vendored versions, both modules are generated through the engine (as `build.rs` does), and
//! every public type, field, variant, method or setter type that changes or disappears must be
//! covered by a breaking finding that says it breaks compilation. So must every field added to
//! a struct the client builds (a request struct): struct literals stop compiling.
//!
//! Additions that are not breaking by the policy of `docs/spec-drift.md` are not required to
//! be covered: new response fields, new enum variants, new types and methods.

use quote::ToTokens;
use scalexpert_spec_engine::generate::{builder_settings, generate};
use scalexpert_spec_engine::normalise::sides::Sides;
use scalexpert_spec_engine::{classify, load_file, ChangeClass, Finding, Layout};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// One public item of the generated module, reduced to what callers' code depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    /// A struct with named fields: wire name → Rust type.
    Struct(BTreeMap<String, String>),
    /// A tuple struct (a checked newtype): its inner type.
    Newtype(String),
    /// An enum: wire name of each variant → its payload.
    Enum(BTreeMap<String, String>),
    /// `pub type X = …`.
    Alias(String),
}

/// What a caller's code can name in one generated module.
#[derive(Debug, Default)]
struct Surface {
    /// `types::<Name>`.
    types: BTreeMap<String, Shape>,
    /// `Client::<method>()` of each operation.
    methods: BTreeSet<String>,
    /// `builder::<Operation>::<setter>(value: impl TryInto<T>)`: (operation struct, setter) → T.
    setters: BTreeMap<(String, String), String>,
}

fn tokens(node: &impl ToTokens) -> String {
    node.to_token_stream().to_string()
}

/// The `#[serde(rename = "…")]` of a field or variant, else its Rust name.
fn wire_name(attrs: &[syn::Attribute], ident: &syn::Ident) -> String {
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let text = tokens(&attr.meta);
        if let Some(rest) = text.split("rename = \"").nth(1) {
            if let Some(name) = rest.split('"').next() {
                return name.to_string();
            }
        }
    }
    ident.to_string()
}

fn surface(code: &str) -> Surface {
    let file = syn::parse_file(code).expect("generated code parses");
    let mut out = Surface::default();
    for item in &file.items {
        match item {
            syn::Item::Mod(module) if module.ident == "types" => {
                for item in module.content.iter().flat_map(|(_, items)| items) {
                    add_type(item, &mut out.types);
                }
            }
            syn::Item::Impl(block) if tokens(&block.self_ty) == "Client" => {
                for item in &block.items {
                    if let syn::ImplItem::Fn(f) = item {
                        if matches!(f.vis, syn::Visibility::Public(_)) {
                            out.methods.insert(f.sig.ident.to_string());
                        }
                    }
                }
            }
            syn::Item::Mod(module) if module.ident == "builder" => {
                for item in module.content.iter().flat_map(|(_, items)| items) {
                    let syn::Item::Impl(block) = item else {
                        continue;
                    };
                    let owner = tokens(&block.self_ty).replace(" < 'a >", "");
                    for item in &block.items {
                        let syn::ImplItem::Fn(f) = item else { continue };
                        let bound = f.sig.generics.where_clause.as_ref().map(tokens);
                        let Some(bound) = bound else { continue };
                        let Some(target) = bound.split("TryInto <").nth(1) else {
                            continue;
                        };
                        let target = target.trim_end_matches(['>', ' ', ',']);
                        out.setters.insert(
                            (owner.clone(), f.sig.ident.to_string()),
                            target.trim().to_string(),
                        );
                    }
                }
            }
            _ => {}
        }
    }
    out
}

fn add_type(item: &syn::Item, types: &mut BTreeMap<String, Shape>) {
    match item {
        syn::Item::Struct(s) if matches!(s.vis, syn::Visibility::Public(_)) => {
            let shape = match &s.fields {
                syn::Fields::Named(fields) => Shape::Struct(
                    fields
                        .named
                        .iter()
                        .map(|f| {
                            let ident = f.ident.as_ref().expect("named field");
                            (wire_name(&f.attrs, ident), tokens(&f.ty))
                        })
                        .collect(),
                ),
                syn::Fields::Unnamed(fields) => Shape::Newtype(
                    fields
                        .unnamed
                        .iter()
                        .map(|f| tokens(&f.ty))
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                syn::Fields::Unit => Shape::Newtype(String::new()),
            };
            types.insert(s.ident.to_string(), shape);
        }
        syn::Item::Enum(e) if matches!(e.vis, syn::Visibility::Public(_)) => {
            let variants = e
                .variants
                .iter()
                .map(|v| (wire_name(&v.attrs, &v.ident), tokens(&v.fields)))
                .collect();
            types.insert(e.ident.to_string(), Shape::Enum(variants));
        }
        syn::Item::Type(t) if matches!(t.vis, syn::Visibility::Public(_)) => {
            types.insert(t.ident.to_string(), Shape::Alias(tokens(&t.ty)));
        }
        _ => {}
    }
}

/// typify's type name for a component or property name: words joined, each capitalised.
fn pascal(name: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// What a generated type belongs to in the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Owner {
    /// A component schema (by its spec name); `rest` is what typify appended to its name.
    Schema { name: String, rest: String },
    /// An operation's inline schema (by `operationId`).
    Operation(String),
    /// Neither: shared helpers of the generated code.
    Unknown,
}

/// The spec facts a coverage check needs of one version.
struct Version {
    label: String,
    doc: serde_json::Value,
    surface: Surface,
    /// Component schema names, longest first (so `AddressReturned…` finds `Address`…).
    components: Vec<String>,
    operations: Vec<String>,
    request_side: BTreeSet<String>,
}

impl Version {
    fn owner(&self, type_name: &str) -> Owner {
        for component in &self.components {
            if let Some(rest) = type_name.strip_prefix(&pascal(component)) {
                return Owner::Schema {
                    name: component.clone(),
                    rest: rest.to_string(),
                };
            }
        }
        for id in &self.operations {
            if type_name.starts_with(&pascal(id)) {
                return Owner::Operation(id.clone());
            }
        }
        Owner::Unknown
    }

    /// Whether the client builds values of this type (a request-side struct).
    fn is_built(&self, type_name: &str) -> bool {
        match self.owner(type_name) {
            Owner::Schema { name, rest } => {
                self.request_side.contains(&name) && !rest.starts_with("Returned")
            }
            Owner::Operation(_) => type_name.ends_with("Body"),
            Owner::Unknown => false,
        }
    }
}

fn load(layout: &Layout, dir: &Path, label: String) -> Version {
    load_spec(&dir.join(layout.generated_from().file_name()), label)
}

fn load_spec(file: &Path, label: String) -> Version {
    let doc = load_file(file).expect("spec loads");
    let settings = builder_settings("crate::transport::Inner", "scalexpert").expect("settings");
    let code = generate(doc.value.clone(), &doc.origin, &settings).expect("generates");
    let mut components: Vec<String> = doc
        .value
        .pointer("/components/schemas")
        .and_then(|s| s.as_object())
        .map(|s| s.keys().cloned().collect())
        .unwrap_or_default();
    components.sort_by_key(|c| std::cmp::Reverse(pascal(c).len()));
    let mut operations: Vec<String> = scalexpert_spec_engine::operations(&doc.value)
        .into_iter()
        .map(|op| op.operation_id)
        .collect();
    operations.sort_by_key(|o| std::cmp::Reverse(o.len()));
    Version {
        label,
        request_side: Sides::of(&doc.value).request,
        surface: surface(&code),
        doc: doc.value,
        components,
        operations,
    }
}

/// The breaking findings that say they break compilation.
fn compile_breaks(findings: &[Finding]) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|f| f.class == ChangeClass::Breaking && f.effect.breaks_compilation())
        .collect()
}

/// Whether a compile-breaking finding is about `owner` (at a property whose typify name starts
/// `rest`, when given).
fn covers(findings: &[&Finding], old: &Version, owner: &Owner, property: Option<&str>) -> bool {
    findings.iter().any(|f| match owner {
        Owner::Schema { name, rest } => {
            let about = f.schema.as_deref() == Some(name.as_str())
                || f.before.as_ref().and_then(|b| b.as_str()) == Some(name.as_str());
            let whole = matches!(f.rule.as_str(), "schema-removed" | "schema-renamed")
                || f.pointer == format!("/components/schemas/{name}");
            about
                && (whole
                    || match property {
                        Some(p) => f.pointer.contains(&format!("/properties/{p}")),
                        None => {
                            let rest = rest.trim_start_matches("Returned").trim_start_matches('_');
                            rest.is_empty() || property_prefix(&f.pointer, rest)
                        }
                    })
        }
        Owner::Operation(id) => {
            let _ = old;
            f.operation.as_ref().and_then(|op| op.id.as_deref()) == Some(id.as_str())
        }
        Owner::Unknown => false,
    })
}

/// Whether the pointer names a property whose typify name starts `rest` (`Email` for
/// `…/properties/email/pattern`).
fn property_prefix(pointer: &str, rest: &str) -> bool {
    pointer
        .split("/properties/")
        .skip(1)
        .filter_map(|tail| tail.split('/').next())
        .any(|p| !p.is_empty() && rest.starts_with(&pascal(p)))
}

/// Every change of the generated surface from `old` to `new` no compile-breaking finding covers.
fn uncovered(old: &Version, new: &Version, findings: &[Finding]) -> Vec<String> {
    let breaks = compile_breaks(findings);
    let mut out = Vec::new();
    let gone: BTreeSet<&String> = old
        .surface
        .types
        .keys()
        .filter(|t| !new.surface.types.contains_key(*t))
        .collect();
    for name in &gone {
        let owner = old.owner(name);
        if !covers(&breaks, old, &owner, None) {
            out.push(format!("type {name} disappears ({owner:?})"));
        }
    }
    for (name, before) in &old.surface.types {
        let Some(after) = new.surface.types.get(name) else {
            continue;
        };
        let owner = old.owner(name);
        match (before, after) {
            (Shape::Struct(a), Shape::Struct(b)) => {
                for (field, ty) in a {
                    // A field whose type names a type that disappeared is covered with it.
                    let names_gone = gone.iter().any(|g| {
                        ty.split(|c: char| !c.is_alphanumeric())
                            .any(|w| w == g.as_str())
                    });
                    match b.get(field) {
                        None if !covers(&breaks, old, &owner, Some(field)) => {
                            out.push(format!("field {name}.{field} disappears"))
                        }
                        Some(t)
                            if t != ty
                                && !names_gone
                                && !covers(&breaks, old, &owner, Some(field)) =>
                        {
                            out.push(format!("field {name}.{field}: {ty} → {t}"))
                        }
                        _ => {}
                    }
                }
                if old.is_built(name) {
                    for field in b.keys().filter(|f| !a.contains_key(*f)) {
                        if !covers(&breaks, old, &owner, Some(field)) {
                            out.push(format!("field {name}.{field} added to a request struct"));
                        }
                    }
                }
            }
            (Shape::Enum(a), Shape::Enum(b)) => {
                for variant in a.keys().filter(|v| !b.contains_key(*v)) {
                    if !covers(&breaks, old, &owner, None) {
                        out.push(format!("variant {name}::{variant} disappears"));
                    }
                }
            }
            (a, b) if a != b && !covers(&breaks, old, &owner, None) => {
                out.push(format!("type {name} changes: {a:?} → {b:?}"));
            }
            _ => {}
        }
    }
    // An operation's finding names the newer operation; a rename names the older id too.
    let op_covered = |method: &str| {
        breaks.iter().any(|f| {
            let id = f.operation.as_ref().and_then(|op| op.id.as_deref());
            let renamed_from = f.before.as_ref().and_then(|b| b.as_str());
            [id, renamed_from]
                .into_iter()
                .flatten()
                .any(|id| snake(id) == method)
        })
    };
    for method in old.surface.methods.difference(&new.surface.methods) {
        if !op_covered(method) {
            out.push(format!("method Client::{method} disappears"));
        }
    }
    for ((op, setter), ty) in &old.surface.setters {
        let method = snake(op);
        let names_gone = gone.iter().any(|g| {
            ty.split(|c: char| !c.is_alphanumeric())
                .any(|w| w == g.as_str())
        });
        match new.surface.setters.get(&(op.clone(), setter.clone())) {
            None if !op_covered(&method) => out.push(format!("setter {op}::{setter} disappears")),
            Some(t) if t != ty && !names_gone && !op_covered(&method) => {
                out.push(format!("setter {op}::{setter}: {ty} → {t}"))
            }
            _ => {}
        }
    }
    let _ = &new.doc;
    out
}

fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn every_change_of_the_generated_rust_is_a_compile_breaking_finding() {
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../specs");
    let layout = Layout::default();
    let mut failures = Vec::new();
    let mut pairs = 0;
    for api in layout.apis(&specs) {
        let versions = layout.versions(&specs, &api);
        let mut loaded = versions.iter().map(|v| load(&layout, &v.dir, v.label()));
        let Some(mut old) = loaded.next() else {
            continue;
        };
        for new in loaded {
            pairs += 1;
            let findings = classify(&old.doc, &new.doc);
            for missing in uncovered(&old, &new, &findings) {
                failures.push(format!("{} → {}: {missing}", old.label, new.label));
            }
            old = new;
        }
    }
    assert!(pairs >= 5, "only {pairs} version pairs under specs/");
    assert!(
        failures.is_empty(),
        "{} change(s) of the generated Rust without a compile-breaking finding:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_rule_fixture_s_change_of_the_generated_rust_is_covered_too() {
    // The vendored history has no new request field, say; the rule fixtures have one change
    // each, of every kind the rules know.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules");
    let base = load_spec(&dir.join("base.yaml"), "base".to_string());
    let mut failures = Vec::new();
    let mut fixtures: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().is_some_and(|n| n != "base.yaml"))
        .collect();
    fixtures.sort();
    for fixture in &fixtures {
        let name = fixture
            .file_stem()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let new = load_spec(fixture, name.clone());
        let findings = classify(&base.doc, &new.doc);
        failures.extend(
            uncovered(&base, &new, &findings)
                .into_iter()
                .map(|m| format!("{name}: {m}")),
        );
    }
    assert!(fixtures.len() > 40, "{} fixtures", fixtures.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
