//! The `scalexpert` command line, as a library: the binary is [`app::main`], and the live test
//! suite runs go-live's scenarios through [`go_live::run_with`].
//!
//! Every API operation is a command generated from the vendored specs by progenitor's CLI
//! generator (`build.rs`), calling the SDK's generated client through its facade; the rest
//! (`token check`, `sandbox`, `go-live`) is written here. See README.md.
// Nothing a user or the network controls is unwrapped (tests may: clippy.toml).
#![warn(missing_docs, clippy::unwrap_used)]

pub mod app;
pub mod config;
pub mod exit;
pub mod go_live;
pub mod naming;
pub mod output;
pub mod registry;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod session;
pub mod token;
pub mod verbose;

/// The generated commands of every enabled API version (`build.rs`).
// Generated code is not edited. Its one `unwrap` turns an enum flag's text into the enum after
// clap's `PossibleValuesParser` has accepted it as one of that enum's values, so it cannot fail
// on what a user types.
#[allow(missing_docs, clippy::unwrap_used)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/commands.rs"));
}
