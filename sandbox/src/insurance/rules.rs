//! Which insurance solutions the sandbox sells, to which buyers' countries and item
//! categories, and at what price: offers are priced from the item's selling price by a table of
//! price bands, one price per cover length.

use crate::simulation;
use scalexpert::Amount;
use serde::{Deserialize, Serialize};

/// The sandbox's insurance rules: one [`InsuranceSolution`] per solution code, in the order
/// eligibility answers list them.
///
/// ```
/// use scalexpert::Amount;
/// use scalexpert_sandbox::{InsuranceRules, InsuranceSolution};
///
/// let eur = |text: &str| text.parse::<Amount>().expect("an amount");
/// // The standard rules, with the warranty extension also covering garden tools and sold
/// // for one year only below 100 EUR.
/// let rules = InsuranceRules::standard().with(
///     InsuranceSolution::new("CIFRWE-DXCO", "FR", "WEX")
///         .categories(&["Jardin"])
///         .commission(25.0)
///         .band(eur("20"), eur("100"), &[(1, eur("9.90"))]),
/// );
/// let offers = rules.offers("CIFRWE-DXCO", "jardin", false, 4_990);
/// assert_eq!(offers[0].id, "WEX-12M-1");
/// assert_eq!(offers[0].price, 990);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InsuranceRules {
    /// The solutions, in the order they are listed.
    pub solutions: Vec<InsuranceSolution>,
}

/// One insurance solution: the buyers' country it is sold in, the items it covers, and the
/// price of each cover length by band of item price.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InsuranceSolution {
    /// The code merchants send as `solutionCode` (`CIFRWE-DXCO`): `CI`, four letters or
    /// digits, a dash and four more, as the spec's pattern says.
    pub solution_code: String,
    /// Buyers' billing country (and market), ISO 3166-1 alpha-2 (`FR`).
    pub country: String,
    /// Item categories covered, compared without regard to case; an item of another category
    /// gets no offer (204).
    pub categories: Vec<String>,
    /// Whether refurbished items are covered.
    #[serde(default)]
    pub refurbished: bool,
    /// The merchant's commission, in percent of the policy price, rounded half up to the cent.
    #[serde(default)]
    pub commission_percent: f64,
    /// What offer ids start with (`WEX` gives `WEX-36M-2`: 36 months, second price band).
    pub offer_prefix: String,
    /// The offer label shown to the buyer; `{years}` stands for the cover length.
    pub offer_label: String,
    /// The merchant kit's headline.
    pub title: String,
    /// The merchant kit's description.
    pub description: String,
    /// Item price bands, from the cheapest.
    pub bands: Vec<PriceBand>,
}

/// The prices of one band of item prices.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PriceBand {
    /// Lowest item price of the band, in EUR, included.
    pub from: Amount,
    /// Highest item price of the band, in EUR, included.
    pub to: Amount,
    /// The cover lengths offered and their prices, in the order offers are listed.
    pub covers: Vec<CoverPrice>,
}

/// The price of one cover length.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CoverPrice {
    /// Cover length, in years.
    pub years: u32,
    /// What the buyer pays for it, in EUR.
    pub price: Amount,
}

/// An offer an item gets: the id to quote it by, its cover length and price.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InsuranceOffer {
    /// The offer id (`insuranceId`), such as `WEX-36M-2`.
    pub id: String,
    /// Cover length, in years.
    pub years: u32,
    /// Price, in cents.
    pub price: i64,
    /// The label shown to the buyer.
    pub label: String,
}

impl Default for InsuranceRules {
    fn default() -> Self {
        InsuranceRules::standard()
    }
}

/// An amount of whole cents, for the standard table's literals.
fn eur(cents: i64) -> Amount {
    simulation::eur(cents)
}

impl InsuranceRules {
    /// The rules a sandbox starts with (the table of `docs/sandbox.md`): the French warranty
    /// extension `CIFRWE-DXCO` (2 or 3 years, items of 50 to 3,000 EUR, new items only) and
    /// broken-screen cover `CIFRBS-DXCO` (1 or 2 years, phones and tablets of 100 to 1,500 EUR,
    /// refurbished ones too), both with a 25 % merchant commission. The spec's example prices
    /// (59.90 and 84.90 EUR for a 649.99 EUR washing machine, commission 21.23 EUR) come out as
    /// documented.
    pub fn standard() -> InsuranceRules {
        let prices = |two: i64, three: i64| {
            vec![
                CoverPrice {
                    years: 2,
                    price: eur(two),
                },
                CoverPrice {
                    years: 3,
                    price: eur(three),
                },
            ]
        };
        let warranty = InsuranceSolution::new("CIFRWE-DXCO", "FR", "WEX")
            .categories(&[
                "Gros électroménager",
                "Home appliances",
                "Petit électroménager",
                "Small appliances",
                "Image et son",
                "TV and audio",
                "Informatique",
                "Computers",
                "Vélos électriques",
                "Bikes",
            ])
            .commission(25.0)
            .label("Garantie prolongée {years} ans, au-delà de la garantie constructeur")
            .kit(
                "Prolongez la garantie de votre produit",
                "Jusqu'à 3 ans de garantie en plus, à la suite de la garantie constructeur.",
            )
            .band_of(eur(5_000), eur(30_000), prices(2_990, 3_990))
            .band_of(eur(30_001), eur(80_000), prices(5_990, 8_490))
            .band_of(eur(80_001), eur(150_000), prices(9_990, 13_990))
            .band_of(eur(150_001), eur(300_000), prices(14_990, 20_990));
        let cover = |years: u32, cents: i64| CoverPrice {
            years,
            price: eur(cents),
        };
        let screen = InsuranceSolution::new("CIFRBS-DXCO", "FR", "BSC")
            .categories(&["Téléphonie", "Smartphones", "Tablettes", "Tablets"])
            .refurbished(true)
            .commission(25.0)
            .label("Protection casse d'écran, {years} an(s)")
            .kit(
                "Protégez l'écran de votre appareil",
                "Réparation de l'écran en cas de casse accidentelle.",
            )
            .band_of(
                eur(10_000),
                eur(50_000),
                vec![cover(1, 3_990), cover(2, 6_990)],
            )
            .band_of(
                eur(50_001),
                eur(150_000),
                vec![cover(1, 5_990), cover(2, 9_990)],
            );
        InsuranceRules {
            solutions: vec![warranty, screen],
        }
    }

    /// Rules with no solution: nothing is eligible.
    pub fn empty() -> InsuranceRules {
        InsuranceRules {
            solutions: Vec::new(),
        }
    }

    /// Reads rules from JSON (the shape [`InsuranceRules`] serialises to) and checks them.
    pub fn from_json(text: &str) -> Result<InsuranceRules, String> {
        let rules: InsuranceRules =
            serde_json::from_str(text).map_err(|e| format!("insurance rules: {e}"))?;
        rules.check()?;
        Ok(rules)
    }

    /// Adds `solution`, replacing the solution with the same code if there is one.
    pub fn with(mut self, solution: InsuranceSolution) -> InsuranceRules {
        match self
            .solutions
            .iter_mut()
            .find(|s| s.solution_code == solution.solution_code)
        {
            Some(existing) => *existing = solution,
            None => self.solutions.push(solution),
        }
        self
    }

    /// Removes the solution with this code.
    pub fn without(mut self, solution_code: &str) -> InsuranceRules {
        self.solutions.retain(|s| s.solution_code != solution_code);
        self
    }

    /// The solution with this code.
    pub fn solution(&self, solution_code: &str) -> Option<&InsuranceSolution> {
        self.solutions
            .iter()
            .find(|s| s.solution_code == solution_code)
    }

    /// The solutions sold to buyers billed in `country`, in table order.
    pub fn eligible<'a>(&'a self, country: &'a str) -> impl Iterator<Item = &'a InsuranceSolution> {
        self.solutions.iter().filter(move |s| s.country == country)
    }

    /// The offers of solution `solution_code` for an item of `category` (refurbished or not)
    /// selling for `price_cents`: one per cover length of the item's price band; none when the
    /// solution is unknown, or does not cover the item or its price.
    pub fn offers(
        &self,
        solution_code: &str,
        category: &str,
        refurbished: bool,
        price_cents: i64,
    ) -> Vec<InsuranceOffer> {
        self.solution(solution_code)
            .map(|s| s.offers(category, refurbished, price_cents))
            .unwrap_or_default()
    }

    /// Checks every solution; the message names the first wrong one.
    pub fn check(&self) -> Result<(), String> {
        let mut seen = std::collections::HashSet::new();
        for solution in &self.solutions {
            solution
                .check()
                .map_err(|e| format!("{}: {e}", solution.solution_code))?;
            if !seen.insert(solution.solution_code.as_str()) {
                return Err(format!("{} is listed twice", solution.solution_code));
            }
        }
        Ok(())
    }
}

impl InsuranceSolution {
    /// A solution sold in `country` whose offer ids start with `offer_prefix`, covering no
    /// category and no price until [`categories`](Self::categories) and
    /// [`band`](Self::band) add some.
    pub fn new(solution_code: &str, country: &str, offer_prefix: &str) -> InsuranceSolution {
        InsuranceSolution {
            solution_code: solution_code.into(),
            country: country.into(),
            categories: Vec::new(),
            refurbished: false,
            commission_percent: 0.0,
            offer_prefix: offer_prefix.into(),
            offer_label: "Cover for {years} year(s)".into(),
            title: solution_code.into(),
            description: String::new(),
            bands: Vec::new(),
        }
    }

    /// Adds item categories it covers.
    pub fn categories(mut self, categories: &[&str]) -> InsuranceSolution {
        self.categories
            .extend(categories.iter().map(|c| c.to_string()));
        self
    }

    /// Whether refurbished items are covered (default: no).
    pub fn refurbished(mut self, covered: bool) -> InsuranceSolution {
        self.refurbished = covered;
        self
    }

    /// The merchant's commission, in percent of the policy price.
    pub fn commission(mut self, percent: f64) -> InsuranceSolution {
        self.commission_percent = percent;
        self
    }

    /// The offer label; `{years}` stands for the cover length.
    pub fn label(mut self, label: &str) -> InsuranceSolution {
        self.offer_label = label.into();
        self
    }

    /// The merchant kit's headline and description.
    pub fn kit(mut self, title: &str, description: &str) -> InsuranceSolution {
        self.title = title.into();
        self.description = description.into();
        self
    }

    /// Adds a band of item prices, `from` to `to` EUR both included, with its cover lengths
    /// (years) and prices.
    pub fn band(self, from: Amount, to: Amount, covers: &[(u32, Amount)]) -> InsuranceSolution {
        let covers = covers
            .iter()
            .map(|&(years, price)| CoverPrice { years, price })
            .collect();
        self.band_of(from, to, covers)
    }

    fn band_of(mut self, from: Amount, to: Amount, covers: Vec<CoverPrice>) -> InsuranceSolution {
        self.bands.push(PriceBand { from, to, covers });
        self.bands.sort_by_key(|band| band.from);
        self
    }

    /// Whether the solution covers items of `category` (refurbished or not).
    pub fn covers(&self, category: &str, refurbished: bool) -> bool {
        let category = category.trim().to_lowercase();
        (self.refurbished || !refurbished)
            && self
                .categories
                .iter()
                .any(|c| c.trim().to_lowercase() == category)
    }

    /// The offers for an item of `category` selling for `price_cents` (see
    /// [`InsuranceRules::offers`]).
    pub fn offers(
        &self,
        category: &str,
        refurbished: bool,
        price_cents: i64,
    ) -> Vec<InsuranceOffer> {
        if !self.covers(category, refurbished) {
            return Vec::new();
        }
        let Some((number, band)) = self.bands.iter().enumerate().find(|(_, band)| {
            let range = simulation::cents(band.from).zip(simulation::cents(band.to));
            range.is_some_and(|(from, to)| (from..=to).contains(&price_cents))
        }) else {
            return Vec::new();
        };
        band.covers
            .iter()
            .filter_map(|cover| {
                Some(InsuranceOffer {
                    id: format!("{}-{}M-{}", self.offer_prefix, cover.years * 12, number + 1),
                    years: cover.years,
                    price: simulation::cents(cover.price)?,
                    label: self
                        .offer_label
                        .replace("{years}", &cover.years.to_string()),
                })
            })
            .collect()
    }

    /// The merchant's commission on a policy of `price_cents`, in cents.
    pub fn commission_on(&self, price_cents: i64) -> i64 {
        simulation::fee(price_cents, self.commission_percent)
    }

    /// The pricing condition eligibility reports: what follows the dash (`DXCO`).
    pub fn conditions(&self) -> String {
        self.solution_code
            .rsplit('-')
            .next()
            .unwrap_or_default()
            .to_string()
    }

    fn check(&self) -> Result<(), String> {
        let code_ok = self.solution_code.len() == 11
            && self.solution_code.starts_with("CI")
            && self.solution_code.as_bytes().get(6) == Some(&b'-')
            && self
                .solution_code
                .char_indices()
                .all(|(i, c)| i == 6 || c.is_ascii_alphanumeric() || c == '_');
        if !code_ok {
            return Err(
                "a solution code is CI, four letters or digits, a dash and four more".into(),
            );
        }
        if self.country.len() != 2 || !self.country.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(format!(
                "country {:?} is not ISO 3166-1 alpha-2",
                self.country
            ));
        }
        if self.offer_prefix.is_empty()
            || !self.offer_prefix.bytes().all(|b| b.is_ascii_alphanumeric())
        {
            return Err("the offer prefix is one or more ASCII letters or digits".into());
        }
        if !self.commission_percent.is_finite() || !(0.0..=100.0).contains(&self.commission_percent)
        {
            return Err("the commission is 0 to 100 percent".into());
        }
        if self.categories.iter().any(|c| c.trim().is_empty()) {
            return Err("an empty category".into());
        }
        let mut previous_to = None;
        for band in &self.bands {
            let (Some(from), Some(to)) = (simulation::cents(band.from), simulation::cents(band.to))
            else {
                return Err(
                    "band limits must be positive, in EUR with at most two decimals".into(),
                );
            };
            if from > to {
                return Err(format!(
                    "band {}–{} ends before it starts",
                    band.from, band.to
                ));
            }
            if previous_to.is_some_and(|end| from <= end) {
                return Err(format!(
                    "band {}–{} overlaps the one before",
                    band.from, band.to
                ));
            }
            previous_to = Some(to);
            if band.covers.is_empty() {
                return Err(format!("band {}–{} offers no cover", band.from, band.to));
            }
            let mut years = std::collections::HashSet::new();
            for cover in &band.covers {
                if !(1..=10).contains(&cover.years) || !years.insert(cover.years) {
                    return Err(format!(
                        "band {}–{}: cover lengths are 1 to 10 years, each once",
                        band.from, band.to
                    ));
                }
                if simulation::cents(cover.price).is_none() {
                    return Err(format!(
                        "band {}–{}: prices must be positive, in EUR with at most two decimals",
                        band.from, band.to
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(offers: &[InsuranceOffer]) -> Vec<(&str, i64)> {
        offers.iter().map(|o| (o.id.as_str(), o.price)).collect()
    }

    #[test]
    fn the_spec_example_prices_come_out_as_documented() {
        let rules = InsuranceRules::standard();
        assert!(rules.check().is_ok());
        let offers = rules.offers("CIFRWE-DXCO", "Gros électroménager", false, 64_999);
        assert_eq!(ids(&offers), [("WEX-24M-2", 5_990), ("WEX-36M-2", 8_490)]);
        assert_eq!(
            offers[1].label,
            "Garantie prolongée 3 ans, au-delà de la garantie constructeur"
        );
        let warranty = rules.solution("CIFRWE-DXCO").expect("listed");
        assert_eq!(
            warranty.commission_on(8_490),
            2_123,
            "21.225 rounds half up"
        );
        assert_eq!(warranty.conditions(), "DXCO");
    }

    #[test]
    fn bands_include_both_ends_and_nothing_outside() {
        let rules = InsuranceRules::standard();
        let at = |cents| {
            ids(&rules.offers("CIFRWE-DXCO", "bikes", false, cents))
                .first()
                .map(|o| o.0.to_string())
        };
        assert_eq!(at(4_999), None);
        assert_eq!(at(5_000).as_deref(), Some("WEX-24M-1"));
        assert_eq!(at(30_000).as_deref(), Some("WEX-24M-1"));
        assert_eq!(at(30_001).as_deref(), Some("WEX-24M-2"));
        assert_eq!(at(150_000).as_deref(), Some("WEX-24M-3"));
        assert_eq!(at(300_000).as_deref(), Some("WEX-24M-4"));
        assert_eq!(at(300_001), None);
    }

    #[test]
    fn categories_and_refurbished_items() {
        let rules = InsuranceRules::standard();
        assert!(rules
            .offers("CIFRWE-DXCO", "Livres", false, 64_999)
            .is_empty());
        assert!(rules
            .offers("CIFRWE-DXCO", "Bikes", true, 64_999)
            .is_empty());
        assert_eq!(
            ids(&rules.offers("CIFRBS-DXCO", "smartphones", true, 64_999)),
            [("BSC-12M-2", 5_990), ("BSC-24M-2", 9_990)]
        );
        assert!(rules
            .offers("CIXXXX-DXCO", "Bikes", false, 64_999)
            .is_empty());
        let countries: Vec<_> = rules
            .eligible("FR")
            .map(|s| s.solution_code.as_str())
            .collect();
        assert_eq!(countries, ["CIFRWE-DXCO", "CIFRBS-DXCO"]);
        assert_eq!(rules.eligible("DE").count(), 0);
    }

    #[test]
    fn json_round_trip_and_checks() {
        let rules = InsuranceRules::standard();
        let text = serde_json::to_string(&rules).expect("serialises");
        assert_eq!(InsuranceRules::from_json(&text).expect("reads back"), rules);
        let eur = |text: &str| text.parse::<Amount>().expect("amount");
        let bad_code = InsuranceRules::empty().with(InsuranceSolution::new("WARRANTY", "FR", "W"));
        assert!(bad_code.check().unwrap_err().contains("solution code"));
        let overlapping = InsuranceRules::empty().with(
            InsuranceSolution::new("CIFRWE-DXCO", "FR", "W")
                .band(eur("1"), eur("100"), &[(1, eur("5"))])
                .band(eur("100"), eur("200"), &[(1, eur("9"))]),
        );
        assert!(overlapping.check().unwrap_err().contains("overlaps"));
        let twice = InsuranceRules {
            solutions: vec![
                InsuranceSolution::new("CIFRWE-DXCO", "FR", "W"),
                InsuranceSolution::new("CIFRWE-DXCO", "FR", "X"),
            ],
        };
        assert!(twice.check().unwrap_err().contains("twice"));
        assert!(InsuranceRules::from_json("{\"solutions\": 1}").is_err());
        let cents = r#"{"solutions":[{"solutionCode":"CIFRWE-DXCO","country":"FR","categories":[],
            "offerPrefix":"W","offerLabel":"x","title":"t","description":"d",
            "bands":[{"from":1,"to":2,"covers":[{"years":1,"price":1.005}]}]}]}"#;
        assert!(InsuranceRules::from_json(cents)
            .unwrap_err()
            .contains("two decimals"));
    }

    #[test]
    fn with_replaces_and_without_removes() {
        let rules = InsuranceRules::standard()
            .without("CIFRBS-DXCO")
            .with(InsuranceSolution::new("CIFRWE-DXCO", "FR", "W"));
        assert_eq!(rules.solutions.len(), 1);
        assert!(rules
            .solution("CIFRWE-DXCO")
            .expect("listed")
            .bands
            .is_empty());
    }
}
