//! Which solutions the sandbox offers for a billing country and an amount, and on what terms.

use super::simulation;
use serde::{Deserialize, Serialize};

/// The sandbox's eligibility and pricing rules: one [`Product`] per solution code, in the order
/// eligibility answers list them.
///
/// ```
/// use scalexpert_sandbox::{Product, RuleTable};
///
/// // The standard table without 3-instalment payments, plus a German split payment.
/// let rules = RuleTable::standard()
///     .without("SCFRSP-3XTS")
///     .without("SCFRSP-3XPS")
///     .with(Product::split_payment("SCDESP-4XTS", "DE", 4).amounts(100.0, 2000.0));
/// let codes: Vec<_> = rules.eligible("DE", 150_000).map(|p| p.solution_code.as_str()).collect();
/// assert_eq!(codes, ["SCDELT-DXTS", "SCDESP-4XTS"]);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleTable {
    /// The solutions, in the order they are listed.
    pub products: Vec<Product>,
}

/// One financing solution: where and for which amounts it is offered, and its terms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Product {
    /// The code merchants send as `solutionCode` (`SCFRSP-4XTS`).
    pub solution_code: String,
    /// Billing country (and market) it is offered in, ISO 3166-1 alpha-2 (`FR`).
    pub country: String,
    /// Smallest eligible amount, in EUR, included.
    pub min_amount: f64,
    /// Largest eligible amount, in EUR, included.
    pub max_amount: f64,
    /// Repayment terms.
    pub offer: Offer,
}

/// The repayment terms of a product.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Offer {
    /// Split payment: equal monthly instalments, the first one at checkout; the cent remainder
    /// and the fees are paid with the first instalment.
    #[serde(rename_all = "camelCase")]
    SplitPayment {
        /// Number of instalments (3 for `3X`).
        installments: u32,
        /// Fees as a percentage of the amount, rounded to the cent (0 for free offers).
        #[serde(default)]
        fee_percent: f64,
        /// The offer's published APR (TAEG), in percent; 0 for free offers.
        #[serde(default)]
        annual_percentage_rate: f64,
    },
    /// Long-term credit: a fixed-rate loan repaid by constant monthly instalments.
    #[serde(rename_all = "camelCase")]
    LongTermCredit {
        /// The APR (TAEG), in percent; the nominal rate follows from it (see
        /// [`simulation::nominal_rate`]).
        annual_percentage_rate: f64,
        /// Durations offered, by amount tier.
        durations: Vec<DurationTier>,
    },
}

/// The durations a long-term credit offers from some amount on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DurationTier {
    /// The tier applies from this amount, in EUR, up to the next tier's.
    pub from_amount: f64,
    /// Durations in months, in the order simulations list them.
    pub months: Vec<u32>,
}

impl Default for RuleTable {
    fn default() -> Self {
        RuleTable::standard()
    }
}

impl RuleTable {
    /// The rules a sandbox starts with (the README's table). French split payments come with
    /// and without fees, in three or four instalments; French long-term credit at a 9.9 % APR
    /// over 6 to 24 months below 3000 EUR and 12 to 48 months from 3000 EUR; German long-term
    /// credit at 0 %. The figures reproduce the simulations of the e-financing documentation.
    pub fn standard() -> RuleTable {
        let french_credit = |code: &str| {
            Product::long_term_credit(code, "FR", 9.9)
                .amounts(1000.0, 10_000.0)
                .durations(0.0, &[6, 12, 18, 24])
                .durations(3000.0, &[12, 24, 36, 48])
        };
        RuleTable {
            products: vec![
                Product::split_payment("SCFRSP-3XTS", "FR", 3).amounts(50.0, 1000.0),
                Product::split_payment("SCFRSP-4XTS", "FR", 4).amounts(50.0, 3000.0),
                french_credit("SCFRLT-TXPS"),
                french_credit("SCFRLT-TXNO"),
                Product::split_payment("SCFRSP-3XPS", "FR", 3)
                    .amounts(50.0, 1000.0)
                    .fees(1.0, 12.864),
                Product::split_payment("SCFRSP-4XPS", "FR", 4)
                    .amounts(50.0, 3000.0)
                    .fees(4.0 / 3.0, 12.584),
                Product::long_term_credit("SCDELT-DXTS", "DE", 0.0)
                    .amounts(200.0, 10_000.0)
                    .durations(0.0, &[6, 12, 24]),
            ],
        }
    }

    /// A table with no product: nothing is eligible.
    pub fn empty() -> RuleTable {
        RuleTable {
            products: Vec::new(),
        }
    }

    /// Reads a table from JSON (the shape [`RuleTable`] serialises to) and checks it.
    pub fn from_json(text: &str) -> Result<RuleTable, String> {
        let table: RuleTable =
            serde_json::from_str(text).map_err(|e| format!("rule table: {e}"))?;
        table.check()?;
        Ok(table)
    }

    /// Adds `product`, replacing the product with the same code if there is one.
    pub fn with(mut self, product: Product) -> RuleTable {
        match self
            .products
            .iter_mut()
            .find(|p| p.solution_code == product.solution_code)
        {
            Some(existing) => *existing = product,
            None => self.products.push(product),
        }
        self
    }

    /// Removes the product with this code.
    pub fn without(mut self, solution_code: &str) -> RuleTable {
        self.products.retain(|p| p.solution_code != solution_code);
        self
    }

    /// The product with this code.
    pub fn product(&self, solution_code: &str) -> Option<&Product> {
        self.products
            .iter()
            .find(|p| p.solution_code == solution_code)
    }

    /// The products offered for a billing country and an amount in cents, in table order.
    pub fn eligible<'a>(
        &'a self,
        country: &'a str,
        amount_cents: i64,
    ) -> impl Iterator<Item = &'a Product> + 'a {
        self.products
            .iter()
            .filter(move |p| p.country == country && p.accepts(amount_cents))
    }

    /// Checks every product; the message names the first wrong one.
    pub fn check(&self) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        for product in &self.products {
            product
                .check()
                .map_err(|e| format!("{}: {e}", product.solution_code))?;
            if !seen.insert(product.solution_code.as_str()) {
                return Err(format!("{} is listed twice", product.solution_code));
            }
        }
        Ok(())
    }
}

impl Product {
    /// A fee-free split payment in `installments` instalments, eligible for any positive amount
    /// until [`Product::amounts`] narrows it.
    pub fn split_payment(solution_code: &str, country: &str, installments: u32) -> Product {
        Product {
            solution_code: solution_code.into(),
            country: country.into(),
            min_amount: 0.01,
            max_amount: 1_000_000.0,
            offer: Offer::SplitPayment {
                installments,
                fee_percent: 0.0,
                annual_percentage_rate: 0.0,
            },
        }
    }

    /// A long-term credit at `annual_percentage_rate` percent, with no duration until
    /// [`Product::durations`] adds some.
    pub fn long_term_credit(
        solution_code: &str,
        country: &str,
        annual_percentage_rate: f64,
    ) -> Product {
        Product {
            solution_code: solution_code.into(),
            country: country.into(),
            min_amount: 0.01,
            max_amount: 1_000_000.0,
            offer: Offer::LongTermCredit {
                annual_percentage_rate,
                durations: Vec::new(),
            },
        }
    }

    /// Sets the eligible amounts, in EUR, both ends included.
    pub fn amounts(mut self, min: f64, max: f64) -> Product {
        self.min_amount = min;
        self.max_amount = max;
        self
    }

    /// For a split payment: fees as a percentage of the amount and the APR to publish.
    pub fn fees(mut self, percent: f64, annual_percentage_rate: f64) -> Product {
        if let Offer::SplitPayment {
            fee_percent,
            annual_percentage_rate: apr,
            ..
        } = &mut self.offer
        {
            *fee_percent = percent;
            *apr = annual_percentage_rate;
        }
        self
    }

    /// For a long-term credit: the durations offered from `from_amount` EUR on.
    pub fn durations(mut self, from_amount: f64, months: &[u32]) -> Product {
        if let Offer::LongTermCredit { durations, .. } = &mut self.offer {
            durations.push(DurationTier {
                from_amount,
                months: months.to_vec(),
            });
            durations.sort_by(|a, b| a.from_amount.total_cmp(&b.from_amount));
        }
        self
    }

    /// Whether an amount in cents is within the product's range.
    pub fn accepts(&self, amount_cents: i64) -> bool {
        match (
            simulation::cents_of(self.min_amount),
            simulation::cents_of(self.max_amount),
        ) {
            (Some(min), Some(max)) => (min..=max).contains(&amount_cents),
            _ => false,
        }
    }

    /// Whether the product is a long-term credit (delivery and return matter for it).
    pub fn is_long_term(&self) -> bool {
        matches!(self.offer, Offer::LongTermCredit { .. })
    }

    /// The pricing condition eligibility reports: the code's last two letters (`TS`, `PS`, `NO`).
    pub fn conditions(&self) -> String {
        let code = self.solution_code.as_str();
        let tail = code.rsplit('-').next().unwrap_or(code);
        let start = tail.char_indices().rev().nth(1).map_or(0, |(i, _)| i);
        tail[start..].to_string()
    }

    /// `3X` for a 3-instalment split payment; none for long-term credit, whose duration the buyer
    /// picks during the journey.
    pub fn implementation_code(&self) -> Option<String> {
        match self.offer {
            Offer::SplitPayment { installments, .. } => Some(format!("{installments}X")),
            Offer::LongTermCredit { .. } => None,
        }
    }

    /// The durations offered for an amount in cents (one for split payments).
    pub fn durations_for(&self, amount_cents: i64) -> Vec<u32> {
        match &self.offer {
            Offer::SplitPayment { installments, .. } => vec![*installments],
            Offer::LongTermCredit { durations, .. } => durations
                .iter()
                // The highest tier the amount reaches applies.
                .filter(|tier| tier.from_amount * 100.0 <= amount_cents as f64 + 1e-6)
                .max_by(|a, b| a.from_amount.total_cmp(&b.from_amount))
                .map(|tier| tier.months.clone())
                .unwrap_or_default(),
        }
    }

    fn check(&self) -> Result<(), String> {
        if self.solution_code.trim().is_empty() {
            return Err("empty solution code".into());
        }
        if self.country.len() != 2 || !self.country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(format!(
                "country {:?} is not ISO 3166-1 alpha-2",
                self.country
            ));
        }
        let (Some(min), Some(max)) = (
            simulation::cents_of(self.min_amount),
            simulation::cents_of(self.max_amount),
        ) else {
            return Err("amounts must be positive, in EUR with at most two decimals".into());
        };
        if min > max {
            return Err("min_amount is above max_amount".into());
        }
        let rate_ok = |rate: f64| rate.is_finite() && (0.0..1000.0).contains(&rate);
        match &self.offer {
            Offer::SplitPayment {
                installments,
                fee_percent,
                annual_percentage_rate,
            } => {
                if !(1..=48).contains(installments) {
                    return Err("a split payment has 1 to 48 instalments".into());
                }
                if !rate_ok(*fee_percent) || !rate_ok(*annual_percentage_rate) {
                    return Err("fees and APR must be between 0 and 1000 percent".into());
                }
            }
            Offer::LongTermCredit {
                annual_percentage_rate,
                durations,
            } => {
                if !rate_ok(*annual_percentage_rate) {
                    return Err("the APR must be between 0 and 1000 percent".into());
                }
                if durations.is_empty() || durations.iter().any(|t| t.months.is_empty()) {
                    return Err("a long-term credit needs at least one duration".into());
                }
                if durations
                    .iter()
                    .flat_map(|t| &t.months)
                    .any(|m| !(1..=120).contains(m))
                {
                    return Err("durations are 1 to 120 months".into());
                }
                if durations
                    .iter()
                    .any(|t| !t.from_amount.is_finite() || t.from_amount < 0.0)
                {
                    return Err("tier amounts must be zero or positive".into());
                }
            }
        }
        Ok(())
    }
}

impl Offer {
    /// Every plan an offer has for an amount in cents, one per duration.
    pub fn plans(&self, durations: &[u32], amount: i64) -> Vec<simulation::Plan> {
        match self {
            Offer::SplitPayment {
                installments,
                fee_percent,
                annual_percentage_rate,
            } => vec![simulation::split_payment(
                amount,
                *installments,
                *fee_percent,
                *annual_percentage_rate,
            )],
            Offer::LongTermCredit {
                annual_percentage_rate,
                ..
            } => durations
                .iter()
                .map(|&months| {
                    simulation::long_term_credit(amount, months, *annual_percentage_rate)
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(rules: &RuleTable, country: &str, cents: i64) -> Vec<String> {
        rules
            .eligible(country, cents)
            .map(|p| p.solution_code.clone())
            .collect()
    }

    #[test]
    fn standard_table_at_the_documented_amounts() {
        let rules = RuleTable::standard();
        assert_eq!(
            codes(&rules, "FR", 150_000),
            ["SCFRSP-4XTS", "SCFRLT-TXPS", "SCFRLT-TXNO", "SCFRSP-4XPS"]
        );
        assert_eq!(codes(&rules, "FR", 500_000), ["SCFRLT-TXPS", "SCFRLT-TXNO"]);
        assert_eq!(codes(&rules, "DE", 150_000), ["SCDELT-DXTS"]);
        assert!(codes(&rules, "IT", 150_000).is_empty());
        assert!(codes(&rules, "FR", 4_999).is_empty());
        assert!(codes(&rules, "FR", 1_000_001).is_empty());
    }

    #[test]
    fn duration_tiers_follow_the_amount() {
        let rules = RuleTable::standard();
        let credit = rules.product("SCFRLT-TXNO").expect("listed");
        assert_eq!(credit.durations_for(150_000), [6, 12, 18, 24]);
        assert_eq!(credit.durations_for(299_999), [6, 12, 18, 24]);
        assert_eq!(credit.durations_for(300_000), [12, 24, 36, 48]);
        assert_eq!(credit.durations_for(500_000), [12, 24, 36, 48]);
    }

    #[test]
    fn conditions_and_implementation_codes() {
        let rules = RuleTable::standard();
        let four = rules.product("SCFRSP-4XPS").expect("listed");
        assert_eq!(four.conditions(), "PS");
        assert_eq!(four.implementation_code().as_deref(), Some("4X"));
        let credit = rules.product("SCFRLT-TXNO").expect("listed");
        assert_eq!(credit.conditions(), "NO");
        assert_eq!(credit.implementation_code(), None);
    }

    #[test]
    fn json_round_trip_and_checks() {
        let rules = RuleTable::standard();
        let text = serde_json::to_string(&rules).expect("serialises");
        assert_eq!(RuleTable::from_json(&text).expect("reads back"), rules);
        let broken = RuleTable::empty().with(Product::long_term_credit("X", "FR", 5.0));
        assert!(broken.check().unwrap_err().contains("duration"));
        let twice = RuleTable {
            products: vec![
                Product::split_payment("A", "FR", 3),
                Product::split_payment("A", "FR", 4),
            ],
        };
        assert!(twice.check().unwrap_err().contains("twice"));
        assert!(RuleTable::empty()
            .with(Product::split_payment("A", "France", 3))
            .check()
            .is_err());
        assert!(RuleTable::from_json("{\"products\": 3}").is_err());
    }

    #[test]
    fn with_replaces_and_without_removes() {
        let rules = RuleTable::standard()
            .with(Product::split_payment("SCFRSP-3XTS", "FR", 3).amounts(50.0, 3000.0))
            .without("SCFRSP-3XPS");
        assert!(rules.product("SCFRSP-3XPS").is_none());
        assert_eq!(
            codes(&rules, "FR", 150_000)[..2],
            ["SCFRSP-3XTS".to_string(), "SCFRSP-4XTS".to_string()]
        );
    }
}
