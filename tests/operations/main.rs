//! Every operation of every vendored API version, through the facade against a mock gateway:
//! the exact request each call sends, our spec examples and realistic live payloads decoding,
//! and input that breaks the spec refused before anything is sent.
//!
//! One test binary for all versions: one link instead of one per version. Each version is a
//! module of its family (`e_financing::v1_6_6`, `insurance::v1_7_1`), compiled when its cargo
//! feature is on.
// The e-financing test bodies several versions share are written once (`e_financing/shared/`)
// and compiled once per version module that includes them, against that version's types:
// exactly what this lint warns about, here on purpose.
#![allow(clippy::duplicate_mod)]

// Which helpers a build uses depends on the versions whose features are on.
#[cfg_attr(not(feature = "all-versions"), allow(dead_code, unused_imports))]
mod support;

mod e_financing;
mod insurance;
