//! e-financing, one module per vendored version.
//!
//! A test body several versions share lives once under `shared/`, one file per operation or
//! per constraint, and each version module includes the files that hold for it
//! (`#[path = "shared/listing.rs"] mod listing;`), so it is compiled against that version's
//! generated types. A shared file reaches the version it is compiled for through `super::`:
//!
//! - `types`, `builder`, `Client`: the version's generated module's items;
//! - `VERSION`: its folder under `specs/e-financing/`; `spec()`: its embedded spec, parsed once;
//! - `api(&Gateway)`: its client on a mock gateway;
//! - `SIMULATION` and `simulate(&Client)`: the simulation's operationId and call (1.4.0 named
//!   it `simulateSolution`);
//! - `INITIATE_QUERY` and `initiate_call(&Client)`: `initiateCreditSubscription` with the
//!   query the version requires (`language` from 1.5.2 on);
//! - `REQUEST_CANCELLATION_IS_LISTED`: whether the cancellation answer's enum lists
//!   `REQUEST_CANCELLATION` (from 1.5.2 on).
//!
//! Tests that hold for one version only are written in that version's file.

#[cfg(feature = "e-financing-1_4_0")]
mod v1_4_0;
#[cfg(feature = "e-financing-1_5_2")]
mod v1_5_2;
#[cfg(feature = "e-financing-1_6_0")]
mod v1_6_0;
#[cfg(feature = "e-financing-1_6_6")]
mod v1_6_6;
#[cfg(feature = "e-financing-1_7_0")]
mod v1_7_0;
#[cfg(feature = "e-financing-1_7_1")]
mod v1_7_1;
