//! How long a workflow keeps asking: a bounded number of tries, growing waits, a deadline.

use std::time::Duration;
use tokio::time::Instant;

/// How often and for how long a workflow asks the gateway again (looking an order up after a
/// lost answer, polling a status): at most `tries` calls, waits growing from
/// `initial_backoff` to `max_backoff` (exponential, each a random time between half the
/// ceiling and the ceiling), and nothing started after `deadline`.
///
/// ```
/// use scalexpert::workflows::Patience;
/// use std::time::Duration;
///
/// let patience = Patience { tries: 4, deadline: Duration::from_secs(5), ..Patience::default() };
/// assert_eq!(patience.initial_backoff, Duration::from_millis(250));
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Patience {
    /// Calls in all (at least 1 is always made).
    pub tries: u32,
    /// Ceiling of the first wait; doubles after each try.
    pub initial_backoff: Duration,
    /// Ceiling of any wait.
    pub max_backoff: Duration,
    /// Time from the first try after which no new try starts (a try under way is bounded by
    /// the client's request timeout).
    pub deadline: Duration,
}

impl Default for Patience {
    /// 6 tries over at most 20 s, waits from 250 ms to 4 s.
    fn default() -> Self {
        Patience {
            tries: 6,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(4),
            deadline: Duration::from_secs(20),
        }
    }
}

impl Patience {
    /// The ceiling of the wait after try number `try_number` (1 for the first).
    pub(crate) fn ceiling(&self, try_number: u32) -> Duration {
        self.initial_backoff
            .saturating_mul(2u32.saturating_pow(try_number.saturating_sub(1).min(31)))
            .min(self.max_backoff)
    }

    /// A clock for one run of tries, started now.
    pub(crate) fn start(&self) -> Tries {
        Tries {
            patience: *self,
            done: 0,
            deadline: Instant::now() + self.deadline,
        }
    }
}

/// The tries of one run: how many were made, and when time is up.
#[derive(Debug)]
pub(crate) struct Tries {
    patience: Patience,
    done: u32,
    deadline: Instant,
}

impl Tries {
    /// Counts one try; `false` when none is left (the first is always allowed).
    pub(crate) fn begin(&mut self) -> bool {
        if self.done > 0 && (self.done >= self.patience.tries || Instant::now() >= self.deadline) {
            return false;
        }
        self.done += 1;
        true
    }

    /// Waits before the next try; `false`, without waiting, when no try would be left after
    /// the wait (out of tries, or the wait ends past the deadline).
    pub(crate) async fn wait(&mut self) -> bool {
        if self.done >= self.patience.tries {
            return false;
        }
        let ceiling = self.patience.ceiling(self.done);
        // Between half the ceiling and the ceiling: spread out, but never a busy loop.
        let wait = ceiling.mul_f64(0.5 + fastrand::f64() / 2.0);
        if Instant::now() + wait >= self.deadline {
            return false;
        }
        tokio::time::sleep(wait).await;
        true
    }

    /// Time left before the deadline.
    pub(crate) fn left(&self) -> Duration {
        self.deadline.saturating_duration_since(Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceilings_double_up_to_the_maximum() {
        let patience = Patience {
            tries: 10,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(350),
            deadline: Duration::from_secs(60),
        };
        let ceilings: Vec<u128> = (1..=4).map(|n| patience.ceiling(n).as_millis()).collect();
        assert_eq!(ceilings, [100, 200, 350, 350]);
        assert_eq!(patience.ceiling(u32::MAX), Duration::from_millis(350));
    }

    #[tokio::test(start_paused = true)]
    async fn tries_stop_at_their_count() {
        let patience = Patience {
            tries: 3,
            ..Patience::default()
        };
        let mut tries = patience.start();
        let mut made = 0;
        while tries.begin() {
            made += 1;
            if !tries.wait().await {
                break;
            }
        }
        assert_eq!(made, 3);
    }

    #[tokio::test(start_paused = true)]
    async fn no_wait_runs_past_the_deadline() {
        let patience = Patience {
            tries: 100,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(1),
            deadline: Duration::from_millis(2_500),
        };
        let started = Instant::now();
        let mut tries = patience.start();
        let mut made = 0;
        while tries.begin() {
            made += 1;
            if !tries.wait().await {
                break;
            }
        }
        assert!(started.elapsed() < patience.deadline);
        assert!((3..=5).contains(&made), "{made} tries");
    }
}
