//! What go-live knows about a solution from its code, and the test application it sends.
//!
//! Scalexpert's solution codes read `SC<market><family>-<variant>`: `SCFRSP-3XTS` is a French
//! split payment, `SCDELT-DXTS` a German long-term credit.

use scalexpert::Amount;
use serde_json::{json, Value};

/// The kind of financing a solution is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Paid in a few card instalments (`SP`).
    SplitPayment,
    /// Consumer credit over months (`LT`).
    LongTermCredit,
}

/// A solution code the merchant has, and the amount go-live tests it with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Solution {
    /// The code (`SCFRSP-3XTS`).
    pub code: String,
    /// Its kind.
    pub kind: Kind,
    /// The buyer's country (`FR`, `DE`).
    pub market: String,
    /// An amount the solution is eligible for.
    pub amount: Amount,
}

/// The kind and market a solution code says, if it follows the scheme.
pub fn classify(code: &str) -> Option<(Kind, String)> {
    let market = code.get(2..4)?;
    let kind = match code.get(4..6)? {
        "SP" => Kind::SplitPayment,
        "LT" => Kind::LongTermCredit,
        _ => return None,
    };
    (code.starts_with("SC") && market.chars().all(|c| c.is_ascii_uppercase()))
        .then(|| (kind, market.to_string()))
}

/// The journey's language for a market (the gateway checks that it matches the solution).
pub fn language(market: &str) -> &'static str {
    match market {
        "DE" => "de-DE",
        _ => "fr-FR",
    }
}

/// A complete application for `solution`, ordered as `order_id`: one test buyer living in the
/// solution's market (phone prefix, address and language match it), one basket line at the
/// tested amount.
pub fn application(solution: &Solution, order_id: &str) -> Value {
    let german = solution.market == "DE";
    let (first, last, phone, street, zip, city, region) = if german {
        (
            "Jonas",
            "Becker",
            "+4917612345678",
            "Kastanienallee",
            "10435",
            "Berlin",
            "Berlin",
        )
    } else {
        (
            "Camille",
            "Durand",
            "+33698765432",
            "avenue Jean Jaurès",
            "31000",
            "Toulouse",
            "Occitanie",
        )
    };
    let contact = json!({
        "firstName": first,
        "lastName": last,
        "commonTitle": "MR",
        "email": format!("{}.{}@example.org", first.to_lowercase(), last.to_lowercase()),
        "mobilePhoneNumber": phone,
    });
    let address = |location: &str| {
        json!({
            "locationType": location,
            "streetNumber": 7,
            "streetName": street,
            "zipCode": zip,
            "cityName": city,
            "regionName": region,
            "countryCode": solution.market,
        })
    };
    json!({
        "solutionCode": solution.code,
        "merchantBasketId": format!("{order_id}-BASKET"),
        "merchantGlobalOrderId": order_id,
        "merchantBuyerId": format!("{order_id}-BUYER"),
        "financedAmount": solution.amount,
        "merchantUrls": { "confirmation": "https://merchant.example.org/scalexpert/go-live/return" },
        "buyers": [{
            "birthName": last,
            "birthDate": "1984-03-14",
            "birthCityName": city,
            "birthCountryName": solution.market,
            "vip": false,
            "contact": contact,
            "contactAddress": address("MAIN_ADDRESS"),
            "billingContact": contact,
            "billingAddress": address("BILLING_ADDRESS"),
            "deliveryContact": contact,
            "deliveryAddress": address("DELIVERY_ADDRESS"),
        }],
        "basketDetails": { "basketItems": [{
            "id": "GO-LIVE-ITEM-1",
            "quantity": 1,
            "model": "Go-live test article",
            "label": "Acceptance test purchase",
            "price": solution.amount,
            "currencyCode": "EUR",
            "orderId": order_id,
            "brandName": "Go-live",
            "description": "An article bought to test the financing journey",
            "specifications": "none",
            "category": "Test",
            "isFinanced": true,
        }]},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_say_kind_and_market() {
        assert_eq!(
            classify("SCFRSP-3XTS"),
            Some((Kind::SplitPayment, "FR".to_string()))
        );
        assert_eq!(
            classify("SCDELT-DXTS"),
            Some((Kind::LongTermCredit, "DE".to_string()))
        );
        assert_eq!(classify("SCFRXX-1"), None);
        assert_eq!(classify("X"), None);
    }

    #[test]
    fn german_solutions_get_a_german_buyer_and_language() {
        let solution = Solution {
            code: "SCDELT-DXTS".into(),
            kind: Kind::LongTermCredit,
            market: "DE".into(),
            amount: Amount::from(500),
        };
        let app = application(&solution, "GL-1");
        let phone = app["buyers"][0]["contact"]["mobilePhoneNumber"]
            .as_str()
            .expect("phone");
        assert!(phone.starts_with("+49"));
        assert_eq!(app["financedAmount"].as_f64(), Some(500.0));
        assert_eq!(language("DE"), "de-DE");
    }
}
