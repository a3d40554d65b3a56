//! What every handler shares: the served spec, the stores, the rules, faults, quota and limits.

use super::auth::Auth;
use super::faults::Faults;
use super::insurance;
use super::limits::Limits;
use super::quota::Quota;
use super::rules::RuleTable;
use super::store::Store;
use super::validation::Spec;
use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

/// Everything the handlers share.
pub(crate) struct State {
    pub(crate) spec: Spec,
    /// The insurance API's rules and records.
    pub(crate) insurance: insurance::Insurance,
    pub(crate) auth: Auth,
    pub(crate) store: Store,
    pub(crate) rules: RwLock<Arc<RuleTable>>,
    pub(crate) faults: Faults,
    pub(crate) quota: Quota,
    pub(crate) limits: Limits,
    pub(crate) base_url: String,
    /// The address listened on: admin requests must name it as their `Host`.
    pub(crate) local: SocketAddr,
    /// What `X-Sandbox-Admin-Token` must say.
    pub(crate) admin_token: String,
}

impl State {
    pub(crate) fn rules(&self) -> Arc<RuleTable> {
        Arc::clone(
            &self
                .rules
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }
}

pub(crate) type AppState = Arc<State>;
