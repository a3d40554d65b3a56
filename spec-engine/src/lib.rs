//! The spec engine: everything `scalexpert` knows about its vendored OpenAPI documents.
//!
//! One small library, three callers: `build.rs` (load, check that the UATC and production files
//! agree, normalise before progenitor), `xtask` (drift check, changelog, adding a version) and the
//! tests. The `payment-assist` crate's build uses it too: environment checks, security schemes,
//! replay declarations and the rules that take a facade's types assume no vendor. Keeping it in one place means the build and the drift check can never disagree about
//! what counts as structure and what counts as prose.
//!
//! Documents are handled as [`serde_json::Value`] trees: every rule and every comparison works on
//! plain JSON pointers, which is also how findings are reported.
// Nothing a user or the network controls is unwrapped (tests may: clippy.toml).
#![warn(missing_docs, clippy::unwrap_used)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod carry;
pub mod classify;
pub mod conformance;
pub mod diff;
pub mod document;
pub mod environments;
#[cfg(feature = "generate")]
#[cfg_attr(docsrs, doc(cfg(feature = "generate")))]
pub mod generate;
pub mod layout;
pub mod normalise;
pub mod operations;
pub mod prose;
pub mod refs;
pub mod replay_declarations;
pub mod report;
pub mod security;
pub mod walk;

pub use classify::{classify, ChangeClass, Effect, Finding, OperationRef, Side};
pub use diff::{structural_diff, Difference, DifferenceKind};
pub use document::{load_file, parse_str, to_yaml, LoadError, SpecDocument};
pub use environments::{
    check_environment_pair, check_environments, environment_urls, EnvironmentFile,
    EnvironmentMismatch, EnvironmentUrls,
};
pub use layout::{Environment, Layout, SpecVersion};
pub use operations::{lane_of, operations, replay_of, Lane, OperationFacts, Replay};
pub use replay_declarations::{declared_operations, DeclaredOperation, ReplayDeclarationError};
pub use report::{
    Comparison, ComparisonError, Counts, Format, NewerVersion, Outcome, ProseToWrite, Report,
    Status,
};
pub use security::{oauth_scopes, security_schemes, KeyLocation, SchemeKind, SecurityScheme};
