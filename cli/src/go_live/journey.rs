//! The buyer's part of a journey: done by a person (prompted on standard error), or by the
//! sandbox itself (`POST <redirect>/accept`, `pre-accept`, `reject`, see docs/sandbox.md).
//!
//! The test data a person needs (cards, IBANs, KYC codes) are Scalexpert's published test
//! values for UATC.

use super::application::{Kind, Solution};
use std::time::Duration;

/// How a journey should end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// The lender accepts.
    Accepted,
    /// The lender pre-accepts (long-term credit, before signature).
    PreAccepted,
    /// The lender refuses.
    Refused,
}

impl Ending {
    /// The `consolidatedStatus` this ending leads to.
    pub fn status(self) -> &'static str {
        match self {
            Ending::Accepted => "ACCEPTED",
            Ending::PreAccepted => "PRE_ACCEPTED",
            Ending::Refused => "REJECTED",
        }
    }

    /// The sandbox's journey action for it.
    fn sandbox_action(self) -> &'static str {
        match self {
            Ending::Accepted => "accept",
            Ending::PreAccepted => "pre-accept",
            Ending::Refused => "reject",
        }
    }
}

/// Who plays the buyer.
#[derive(Debug, Clone)]
pub enum Buyer {
    /// The offline sandbox: journeys end by one request, at once.
    Sandbox {
        /// Plain HTTP client for the sandbox's own endpoints.
        http: reqwest::Client,
    },
    /// A person at a browser, guided by prompts.
    Person,
}

impl Buyer {
    /// Whether this is the sandbox.
    pub fn is_sandbox(&self) -> bool {
        matches!(self, Buyer::Sandbox { .. })
    }

    /// How often to look at a subscription's status while waiting.
    pub fn poll_interval(&self, asked: Duration) -> Duration {
        match self {
            // The sandbox changes status within the completing request.
            Buyer::Sandbox { .. } => asked.min(Duration::from_millis(100)),
            Buyer::Person => asked,
        }
    }

    /// Plays the buyer's journey at `redirect` to `ending`.
    pub async fn complete(
        &self,
        scenario: &str,
        solution: &Solution,
        redirect: Option<&str>,
        ending: Ending,
        timeout: Duration,
    ) -> Result<(), String> {
        let Some(redirect) = redirect else {
            return Err("the gateway gave no journey URL for the subscription".into());
        };
        match self {
            Buyer::Sandbox { http } => {
                let url = format!(
                    "{}/{}",
                    redirect.trim_end_matches('/'),
                    ending.sandbox_action()
                );
                let answer = http
                    .post(&url)
                    .header(reqwest::header::ACCEPT, "application/json")
                    .send()
                    .await
                    .map_err(|e| format!("the sandbox's journey endpoint failed: {e}"))?;
                if answer.status().is_success() {
                    Ok(())
                } else {
                    Err(format!(
                        "the sandbox's journey endpoint answered {}",
                        answer.status()
                    ))
                }
            }
            Buyer::Person => {
                eprintln!(
                    "\n── {} · {scenario} ──\n\
                     Open the buyer's journey in a browser:\n    {redirect}\n{}\n\
                     Waiting up to {} for the outcome; the status is checked as you go.",
                    solution.code,
                    guidance(solution, ending),
                    minutes(timeout),
                );
                Ok(())
            }
        }
    }
}

/// What the person must do in the journey for `ending`, with the test values to use.
pub fn guidance(solution: &Solution, ending: Ending) -> String {
    match (solution.kind, solution.market.as_str(), ending) {
        (Kind::SplitPayment, _, Ending::Refused) => "Pay with a card that is refused: \
             5017 6791 1038 0900 (CB), 5017 6792 1000 0200 (Visa) or 5017 6794 1000 0000 \
             (Mastercard); any future expiry date and any CVC."
            .to_string(),
        (Kind::SplitPayment, _, _) => "Pay with a card that is accepted: \
             5017 6791 1038 0400 (CB), 5017 6792 1000 0700 (Visa) or 5017 6794 1000 0500 \
             (Mastercard); any future expiry date and any CVC."
            .to_string(),
        (Kind::LongTermCredit, "DE", Ending::Refused) => "Fill in the German test IBAN \
             DE95100000000012305678 and enter the KYC PIN 654321, the one that fails."
            .to_string(),
        (Kind::LongTermCredit, "DE", Ending::PreAccepted) => "Fill in the German test IBAN \
             DE95100000000012305678, enter the KYC PIN 123456, and stop before signing the \
             contract."
            .to_string(),
        (Kind::LongTermCredit, "DE", Ending::Accepted) => "Fill in the German test IBAN \
             DE95100000000012305678, enter the KYC PIN 123456, and sign with a real mobile \
             number (the signature code comes by SMS)."
            .to_string(),
        (Kind::LongTermCredit, _, Ending::Refused) => "Go through the journey with a test \
             IBAN (fr.iban.com/testibans) and have the application refused, for instance with \
             identity documents that do not match the buyer."
            .to_string(),
        (Kind::LongTermCredit, _, Ending::PreAccepted) => "Go through the journey with a test \
             IBAN (fr.iban.com/testibans) and real identity documents, and stop once the \
             application is pre-approved, before signing."
            .to_string(),
        (Kind::LongTermCredit, _, Ending::Accepted) => "Go through the journey with a test \
             IBAN (fr.iban.com/testibans) and real identity documents, and sign: below 3,000 EUR \
             the application is accepted automatically."
            .to_string(),
    }
}

fn minutes(duration: Duration) -> String {
    let seconds = duration.as_secs();
    if seconds >= 120 {
        format!("{} min", seconds / 60)
    } else {
        format!("{seconds} s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scalexpert::Amount;

    #[test]
    fn each_ending_gets_the_right_test_card() {
        let split = Solution {
            code: "SCFRSP-3XTS".into(),
            kind: Kind::SplitPayment,
            market: "FR".into(),
            amount: Amount::from(300),
        };
        assert!(guidance(&split, Ending::Accepted).contains("5017 6791 1038 0400"));
        assert!(guidance(&split, Ending::Refused).contains("5017 6791 1038 0900"));
        let german = Solution {
            code: "SCDELT-DXTS".into(),
            kind: Kind::LongTermCredit,
            market: "DE".into(),
            amount: Amount::from(500),
        };
        assert!(guidance(&german, Ending::Refused).contains("654321"));
        assert!(guidance(&german, Ending::Accepted).contains("123456"));
    }
}
