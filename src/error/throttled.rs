//! The quota governor's refusal: no slot before the call's deadline, so nothing was sent.

use crate::operation::Lane;
use std::fmt;
use std::time::Duration;

/// The client's own quota governor had no slot for a call before the call's deadline (its
/// attempt timeout): the call was not sent. See [`crate::quota`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Throttled {
    /// The OAuth2 scope whose quota was used up.
    pub scope: String,
    /// The lane the call waited in.
    pub lane: Lane,
    /// How long the call waited before giving up.
    pub waited: Duration,
    /// How much longer it would have had to wait for the next slot, when the governor knew.
    pub next_slot_in: Option<Duration>,
}

impl fmt::Display for Throttled {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lane = match self.lane {
            Lane::Interactive => "interactive",
            Lane::Background => "background",
        };
        write!(
            f,
            "no slot of the {} quota for a {lane} call within its deadline (waited {:?}",
            self.scope, self.waited
        )?;
        if let Some(next) = self.next_slot_in {
            write!(f, ", next slot in {next:?}")?;
        }
        write!(f, "); nothing was sent")
    }
}
