//! The sandbox end to end, as its users and other processes reach it: one test binary, one
//! module per concern (one link instead of eight).

mod binary;
mod concurrency;
mod errors;
mod faults;
mod lifecycle;
mod routes;
mod simulation;
mod tenancy;
mod webhooks;
