//! The sandbox end to end, as its users and other processes reach it: one test binary, one
//! module per concern (one link instead of one per file).

mod binary;
mod concurrency;
mod errors;
mod example;
mod faults;
mod insurance;
mod lifecycle;
mod routes;
mod simulation;
mod tenancy;
mod versions;
mod walkthrough;
mod webhooks;

/// An amount the tests write as a float literal, as the exact decimal it stands for.
pub fn eur(value: f64) -> scalexpert::Amount {
    scalexpert::Amount::try_from(value).expect("a test amount")
}

/// An exact amount or rate as a float, for tables of documented figures.
pub fn float(value: impl std::fmt::Display) -> f64 {
    value.to_string().parse().expect("a decimal")
}
