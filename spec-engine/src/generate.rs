//! Generating one version's Rust module: normalisation rules, progenitor, prettyplease.
//!
//! `build.rs` calls [`generate`], and so do the engine's tests that compare the Rust of two
//! versions, so both see exactly the same code. progenitor 0.15.1 asserts on shapes it cannot
//! take (two success responses with different bodies, say) instead of returning an error; a
//! panic here is caught and becomes a [`GenerateError::Unsupported`] that names the spec file,
//! the operation and what kind of normalisation rule is missing, instead of a backtrace from
//! inside the generator.
//!
//! Needs the `generate` feature (it links progenitor).

use crate::normalise;
use crate::walk::{self, METHODS};
use serde_json::Value;
use std::cell::Cell;
use std::collections::BTreeSet;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

pub use progenitor::GenerationSettings;

/// Why a module could not be generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GenerateError {
    /// The document, once normalised, is not OpenAPI 3.0 as progenitor reads it.
    NotOpenApi {
        /// The spec file.
        origin: String,
        /// What the OpenAPI reader said.
        message: String,
    },
    /// progenitor refused the document with an error of its own.
    Refused {
        /// The spec file.
        origin: String,
        /// What progenitor said.
        message: String,
    },
    /// progenitor gave up on a shape it does not support (it panicked).
    Unsupported {
        /// The spec file.
        origin: String,
        /// The operation it gave up on (`operationId (METHOD /path)`), when one alone does it.
        operation: Option<String>,
        /// progenitor's own message.
        message: String,
        /// Which normalisation rule is missing, as far as the shape tells.
        missing_rule: String,
    },
    /// The generated tokens are not a Rust file (a generator bug).
    Unparsable {
        /// The spec file.
        origin: String,
        /// What the parser said.
        message: String,
    },
}

impl fmt::Display for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GenerateError::NotOpenApi { origin, message } => write!(
                f,
                "{origin}: not an OpenAPI 3.0 document after normalisation: {message}"
            ),
            GenerateError::Refused { origin, message } => {
                write!(f, "{origin}: progenitor: {message}")
            }
            GenerateError::Unsupported {
                origin,
                operation,
                message,
                missing_rule,
            } => {
                let at = operation
                    .as_ref()
                    .map_or_else(String::new, |op| format!(", operation {op}"));
                write!(
                    f,
                    "{origin}{at}: progenitor cannot generate this shape (it stopped with \
                     \"{message}\"). {missing_rule}"
                )
            }
            GenerateError::Unparsable { origin, message } => {
                write!(f, "{origin}: the generated code does not parse: {message}")
            }
        }
    }
}

impl std::error::Error for GenerateError {}

/// progenitor's settings for a crate that wraps the generated clients as `scalexpert` does:
/// builder interface, one client for all tags, hooks into `inner_type`, generated code that
/// names `crate_name` for the types it borrows (`OpenEnum`, `BoundedVec`).
pub fn builder_settings(inner_type: &str, crate_name: &str) -> Result<GenerationSettings, String> {
    let inner = inner_type
        .parse()
        .map_err(|e| format!("{inner_type}: not a Rust path: {e}"))?;
    let mut settings = GenerationSettings::default();
    settings
        .with_interface(progenitor::InterfaceStyle::Builder)
        .with_tag(progenitor::TagStyle::Merged)
        .with_inner_type(inner)
        .with_hooks(progenitor::HooksMode::Expected)
        .with_crate(crate_name, progenitor::CrateVers::Any, None);
    Ok(settings)
}

/// Normalises `doc` (every rule of [`normalise::RULES`]) and generates its module, formatted.
/// `origin` (the spec file) names the document in errors.
pub fn generate(
    mut doc: Value,
    origin: &str,
    settings: &GenerationSettings,
) -> Result<String, GenerateError> {
    normalise::normalise(&mut doc);
    generate_normalised(&doc, origin, settings)
}

/// Normalises `doc` (every rule of [`normalise::RULES`], as [`generate`] does) and generates
/// progenitor's `clap` command line for it: one command per operation, each calling the
/// builder-style client of the module [`generate`] made from the same document with the same
/// `settings`. `client_path` is that module's Rust path as the command-line crate names it
/// (`scalexpert::e_financing::v1_7_1`); the code starts with `use <client_path>::*`.
///
/// The code needs `clap`, `anyhow`, `serde`, `serde_json` and `schemars` in the crate it is
/// compiled into, and the client's types must derive `schemars::JsonSchema` (progenitor's
/// `CliConfig` bounds every output type by it).
pub fn generate_cli(
    mut doc: Value,
    origin: &str,
    settings: &GenerationSettings,
    client_path: &str,
) -> Result<String, GenerateError> {
    normalise::normalise(&mut doc);
    let openapi: openapiv3::OpenAPI =
        serde_json::from_value(doc.clone()).map_err(|e| GenerateError::NotOpenApi {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
    let tokens = match quietly(|| progenitor::Generator::new(settings).cli(&openapi, client_path)) {
        Ok(Ok(tokens)) => tokens,
        Ok(Err(e)) => {
            return Err(GenerateError::Refused {
                origin: origin.to_string(),
                message: e.to_string(),
            })
        }
        Err(message) => {
            return Err(GenerateError::Unsupported {
                origin: origin.to_string(),
                operation: None,
                message,
                missing_rule: generic_hint(),
            })
        }
    };
    let file: syn::File = syn::parse2(tokens).map_err(|e| GenerateError::Unparsable {
        origin: origin.to_string(),
        message: e.to_string(),
    })?;
    Ok(prettyplease::unparse(&file))
}

/// Generates the module of a document the rules have already normalised.
pub fn generate_normalised(
    doc: &Value,
    origin: &str,
    settings: &GenerationSettings,
) -> Result<String, GenerateError> {
    let tokens = match tokens(doc, origin, settings)? {
        Ok(tokens) => tokens,
        Err(message) => {
            let operation = culprit(doc, settings);
            let missing_rule = operation
                .as_ref()
                .map_or_else(generic_hint, |(path, method)| {
                    diagnose(doc, path, method).unwrap_or_else(generic_hint)
                });
            return Err(GenerateError::Unsupported {
                origin: origin.to_string(),
                operation: operation.map(|(path, method)| describe(doc, &path, &method)),
                message,
                missing_rule,
            });
        }
    };
    let file: syn::File = syn::parse2(tokens).map_err(|e| GenerateError::Unparsable {
        origin: origin.to_string(),
        message: e.to_string(),
    })?;
    Ok(prettyplease::unparse(&file))
}

/// progenitor's tokens; the inner `Err` is the message of a panic inside it.
fn tokens(
    doc: &Value,
    origin: &str,
    settings: &GenerationSettings,
) -> Result<Result<proc_macro2::TokenStream, String>, GenerateError> {
    let openapi: openapiv3::OpenAPI =
        serde_json::from_value(doc.clone()).map_err(|e| GenerateError::NotOpenApi {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
    match quietly(|| progenitor::Generator::new(settings).generate_tokens(&openapi)) {
        Ok(Ok(tokens)) => Ok(Ok(tokens)),
        Ok(Err(e)) => Err(GenerateError::Refused {
            origin: origin.to_string(),
            message: e.to_string(),
        }),
        Err(message) => Ok(Err(message)),
    }
}

thread_local! {
    /// Whether this thread is inside [`quietly`]: its panics are reported by the caller.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, turning a panic into its message without printing it (the caller reports it).
///
/// The panic hook is process-wide, so it is wrapped once: panics on other threads (a test
/// failing beside a generation) still reach the hook that was there before.
fn quietly<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static WRAP: Once = Once::new();
    WRAP.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|quiet| quiet.set(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|quiet| quiet.set(false));
    result.map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_string())
    })
}

/// The first operation that makes progenitor panic on its own, as `(path, method)`.
fn culprit(doc: &Value, settings: &GenerationSettings) -> Option<(String, String)> {
    let candidates: Vec<(String, String)> = walk::operations(doc)
        .map(|op| (op.path.to_string(), op.method.to_string()))
        .collect();
    candidates.into_iter().find(|(path, method)| {
        let mut alone = doc.clone();
        if let Some(paths) = alone.get_mut("paths").and_then(Value::as_object_mut) {
            paths.retain(|p, _| p == path);
            if let Some(item) = paths.get_mut(path).and_then(Value::as_object_mut) {
                item.retain(|m, _| m == method || !METHODS.contains(&m.as_str()));
            }
        }
        let Ok(openapi) = serde_json::from_value::<openapiv3::OpenAPI>(alone) else {
            return false;
        };
        quietly(|| progenitor::Generator::new(settings).generate_tokens(&openapi)).is_err()
    })
}

/// `operationId (POST /path)`.
fn describe(doc: &Value, path: &str, method: &str) -> String {
    let id = walk::operations(doc)
        .find(|op| op.path == path && op.method == method)
        .and_then(|op| op.id());
    let method = method.to_ascii_uppercase();
    match id {
        Some(id) => format!("{id} ({method} {path})"),
        None => format!("{method} {path}"),
    }
}

/// What the operation's shape says about the missing rule, when it is a shape we know.
fn diagnose(doc: &Value, path: &str, method: &str) -> Option<String> {
    let op = walk::operations(doc).find(|op| op.path == path && op.method == method)?;
    let responses = op.op.get("responses")?.as_object()?;
    let mut bodies = BTreeSet::new();
    let mut codes = Vec::new();
    for (code, response) in responses {
        if !code.starts_with('2') {
            continue;
        }
        codes.push(code.clone());
        let response = crate::refs::deref(doc, response);
        let body = response
            .get("content")
            .map_or_else(|| "no body".to_string(), Value::to_string);
        bodies.insert(body);
    }
    (bodies.len() > 1).then(|| {
        format!(
            "Its success responses {} have different bodies, and progenitor generates one return \
             type per operation. No normalisation rule makes them one: add a rule for this shape \
             to spec-engine/src/normalise/ (as optional_body_with_no_content does for a 204 \
             beside a body), list it in RULES, and give it a test.",
            codes.join(", ")
        )
    })
}

fn generic_hint() -> String {
    "No normalisation rule rewrites this shape: add one to spec-engine/src/normalise/ (one file \
     per shape, listed in RULES, with a test), then build again."
        .to_string()
}
