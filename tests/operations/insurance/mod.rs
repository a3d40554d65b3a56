//! insurance, one module per vendored version.

#[cfg(feature = "insurance-1_7_1")]
mod v1_7_1;
