//! A complete, valid financing application, for examples and tests.

use crate::served::types::InitiateCreditSubscriptionRequest;
use serde_json::json;

/// A valid application for `solution_code`: one buyer (French, or German for `SCDE` codes, so
/// phone prefixes match the market), one basket line priced at `financed_amount`.
///
/// ```
/// let request = scalexpert_sandbox::sample_application("SCFRSP-4XTS", "ORDER-1", 1249.9)?;
/// assert_eq!(request.buyers[0].contact.mobile_phone_number.as_str(), "+33612345678");
/// # Ok::<(), scalexpert::Error>(())
/// ```
///
/// `financed_amount` is an [`scalexpert::Amount`] or anything that converts into one (a float
/// literal, whole euros); fails when it does not (more than two decimals, not finite).
pub fn sample_application<A>(
    solution_code: &str,
    merchant_global_order_id: &str,
    financed_amount: A,
) -> scalexpert::Result<InitiateCreditSubscriptionRequest>
where
    A: TryInto<scalexpert::Amount>,
    A::Error: std::fmt::Display,
{
    let financed_amount = financed_amount
        .try_into()
        .map_err(|e| scalexpert::Error::InvalidRequest(format!("financed amount: {e}")))?;
    let german = solution_code.starts_with("SCDE");
    let (first, last, mobile, street, zip, city, region, country) = if german {
        (
            "Lena",
            "Schneider",
            "+4915112345678",
            "Torstraße",
            "10119",
            "Berlin",
            "Berlin",
            "DE",
        )
    } else {
        (
            "Claire",
            "Martin",
            "+33612345678",
            "rue de la République",
            "69002",
            "Lyon",
            "Auvergne-Rhône-Alpes",
            "FR",
        )
    };
    let contact = json!({
        "firstName": first,
        "lastName": last,
        "commonTitle": "MRS",
        "email": format!("{}.{}@example.com", first.to_lowercase(), last.to_lowercase()),
        "mobilePhoneNumber": mobile,
    });
    let address = |kind: &str| {
        json!({
            "locationType": kind,
            "streetNumber": 12,
            "streetName": street,
            "zipCode": zip,
            "cityName": city,
            "regionName": region,
            "countryCode": country,
        })
    };
    let body = json!({
        "solutionCode": solution_code,
        "merchantBasketId": format!("BASKET-{merchant_global_order_id}"),
        "merchantGlobalOrderId": merchant_global_order_id,
        "merchantBuyerId": "BUYER-0001",
        "financedAmount": financed_amount,
        "merchantUrls": { "confirmation": "https://shop.example.com/checkout/financing/return" },
        "buyers": [{
            "birthName": last,
            "birthDate": "1986-09-23",
            "birthCityName": city,
            "birthCountryName": country,
            "vip": false,
            "contact": contact,
            "contactAddress": address("MAIN_ADDRESS"),
            "billingContact": contact,
            "billingAddress": address("BILLING_ADDRESS"),
            "deliveryContact": contact,
            "deliveryAddress": address("DELIVERY_ADDRESS"),
        }],
        "basketDetails": { "basketItems": [{
            "id": "ITEM-0001",
            "quantity": 1,
            "model": "City E-500",
            "label": "Electric city bike",
            "price": financed_amount,
            "currencyCode": "EUR",
            "orderId": merchant_global_order_id,
            "brandName": "Rivelo",
            "description": "Electric city bike, aluminium frame",
            "specifications": "500 Wh battery, 250 W motor",
            "category": "Bikes",
            "sku": "RIV-CE500-M",
            "isFinanced": true,
        }]},
    });
    serde_json::from_value(body)
        .map_err(|e| scalexpert::Error::InvalidRequest(format!("sample application: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_codes_get_a_german_buyer() {
        let request = sample_application("SCDELT-DXTS", "O", 500.0).expect("valid");
        assert!(request.buyers[0]
            .contact
            .mobile_phone_number
            .starts_with("+49"));
        assert!(sample_application("SCFRSP-3XTS", "O", f64::NAN).is_err());
    }
}
