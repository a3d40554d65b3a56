//! The sandbox end to end, as its users and other processes reach it: one test binary, one
//! module per concern (one link instead of one per file).

mod admin;
mod binary;
mod concurrency;
mod connections;
mod errors;
mod example;
mod faults;
mod http_errors;
mod insurance;
mod insurance_reconcile;
mod insurance_walkthrough;
mod journey;
mod lifecycle;
mod memory;
mod merchant_webhooks;
mod quota;
mod reconcile;
mod routes;
mod secrets;
mod simulation;
mod tenancy;
mod versions;
mod walkthrough;
mod webhooks;

/// An HTTP client that sends `sandbox`'s admin token with every request, as a test tool calling
/// `/sandbox/admin/...` must.
pub fn admin_http(sandbox: &scalexpert_sandbox::Sandbox) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        scalexpert_sandbox::ADMIN_TOKEN_HEADER,
        sandbox.admin_token().parse().expect("a header value"),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .expect("client")
}

/// An amount the tests write as a float literal, as the exact decimal it stands for.
pub fn eur(value: f64) -> scalexpert::Amount {
    scalexpert::Amount::try_from(value).expect("a test amount")
}

/// An exact amount or rate as a float, for tables of documented figures.
pub fn float(value: impl std::fmt::Display) -> f64 {
    value.to_string().parse().expect("a decimal")
}
