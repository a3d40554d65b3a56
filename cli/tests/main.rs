//! The `scalexpert` binary end to end, one test binary with a module per concern: generated
//! commands against httpmock (the same requests as the facade's calls), secrets, exit statuses,
//! go-live against the in-process sandbox.
#![cfg(all(
    feature = "e-financing-1_7_1",
    feature = "merchant-webhooks-1_0_6",
    feature = "insurance-1_7_1"
))]

mod commands;
mod go_live;
mod same_requests;
mod secrets;
mod support;
