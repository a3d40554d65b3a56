//! The insurance half of the checkout: a warranty extension (`CIFRWE-DXCO`) on one basket
//! line. At checkout the line's item is registered, its offers searched and the buyer's pick
//! quoted; once the credit is accepted (the buyer has paid) the policy is subscribed with the
//! quotation, quoted again first if it expired in between.

use scalexpert::e_financing::v1_7_1::types::{BasketItem, Buyer as CreditBuyer};
use scalexpert::insurance::v1_7_1::types::{
    Address, Buyer, Contact, CreateInsuranceSubscriptionRequest, CreateItemRequest,
    InsuranceQuotationRequest, InsuredItem, ItemInsurance, SearchItemInsuranceRequest,
};
use scalexpert::insurance::v1_7_1::Client as Insurance;
use scalexpert::{Amount, Error, QuoteExpiry};
use std::fmt::Display;
use std::time::Duration;

/// The warranty extension of Scalexpert's French market.
pub const SOLUTION: &str = "CIFRWE-DXCO";

/// A quotation this close to its expiry is quoted again: the subscription must arrive in time.
const MARGIN: Duration = Duration::from_secs(60);

/// The buyer's choice, quoted: what the subscription repeats.
pub struct Quoted {
    line: BasketItem,
    item_id: String,
    offer: ItemInsurance,
    quote_id: String,
    price: Amount,
    expiry: QuoteExpiry,
}

/// A subscribed policy.
pub struct Subscribed {
    pub id: String,
    pub status: String,
}

/// A value the generated types refuse, as the error `send` would have given.
fn invalid<E: Display>(what: &'static str) -> impl FnOnce(E) -> Error {
    move |e| Error::InvalidRequest(format!("{what}: {e}"))
}

/// Whether the warranty is sold to buyers billed in France, and the offers for `line`; the
/// buyer takes the longest cover (the dearest offer), which is then quoted. `None` when the
/// merchant cannot sell one for this line.
pub async fn quote_for(api: &Insurance, line: &BasketItem) -> Result<Option<Quoted>, Error> {
    let eligible = api
        .get_eligible_product_services()
        .buyer_billing_country("FR")
        .send()
        .await?
        .into_inner();
    if !eligible
        .solutions
        .iter()
        .any(|s| s.solution_code == SOLUTION)
    {
        println!("   {SOLUTION} is not offered to this merchant: no warranty");
        return Ok(None);
    }
    // Registering the same item again gives the same id: no need to remember it.
    let item = api
        .create_item_request()
        .body(CreateItemRequest {
            solution_code: SOLUTION.into(),
            sku: line.sku.clone().unwrap_or_else(|| line.id.clone()),
            merchant_item_id: line.id.clone(),
            brand: line.brand_name.clone(),
            model: line.model.clone(),
            title: line.label.clone(),
            description: line.description.clone(),
            characteristics: line.specifications.clone(),
            category: line.category.clone(),
            is_refurbished: false,
        })
        .send()
        .await?
        .into_inner();
    let Some(found) = api
        .search_item_insurance_request()
        .body(SearchItemInsuranceRequest {
            solution_code: SOLUTION.into(),
            item_id: item.id.clone(),
            price: line.price,
        })
        .send()
        .await?
        .into_inner()
    else {
        println!("   no warranty offer for {} (answer 204)", line.label);
        return Ok(None);
    };
    for offer in &found.insurances {
        println!(
            "   {:<10} {:>7} EUR  {}",
            offer.id, offer.price, offer.description
        );
    }
    let Some(offer) = found.insurances.into_iter().max_by_key(|offer| offer.price) else {
        println!("   no warranty offer for {}", line.label);
        return Ok(None);
    };
    let (quote_id, price, expiry) = quotation(api, &item.id, line.price, &offer).await?;
    let quoted = Quoted {
        line: line.clone(),
        item_id: item.id,
        offer,
        quote_id,
        price,
        expiry,
    };
    println!(
        "   the buyer adds {} for {} EUR (quotation {}, valid until {})",
        quoted.offer.id, quoted.price, quoted.quote_id, quoted.expiry
    );
    Ok(Some(quoted))
}

/// A quotation of `offer` for the item at `item_price`: its id, firm price and expiry.
async fn quotation(
    api: &Insurance,
    item_id: &str,
    item_price: Amount,
    offer: &ItemInsurance,
) -> Result<(String, Amount, QuoteExpiry), Error> {
    let quotation = api
        .create_insurance_quotation()
        .body(InsuranceQuotationRequest {
            solution_code: SOLUTION.try_into().map_err(invalid("solution code"))?,
            item_id: item_id.into(),
            item_price,
            insurance_id: offer.id.clone(),
        })
        .send()
        .await?
        .into_inner();
    let expiry = QuoteExpiry::of(&quotation)?;
    let id = quotation.quote_id.ok_or_else(|| Error::Decode {
        status: None,
        message: "the quotation has no quoteId".into(),
        excerpt: String::new(),
    })?;
    let price = quotation.insurance_price.unwrap_or(offer.price);
    Ok((id.to_string(), price, expiry))
}

/// The credit applicant as the insurer's buyer: billing contact and address.
fn insured_buyer(buyer: &CreditBuyer) -> Result<Buyer, Error> {
    let contact = &buyer.billing_contact;
    let address = &buyer.billing_address;
    Ok(Buyer {
        contact: Some(Contact {
            email: contact
                .email
                .as_str()
                .try_into()
                .map_err(invalid("email"))?,
            first_name: contact.first_name.to_string(),
            last_name: contact.last_name.to_string(),
            mobile_phone_number: contact
                .mobile_phone_number
                .as_str()
                .try_into()
                .map_err(invalid("mobile phone number"))?,
            phone_number: None,
        }),
        address: Some(Address {
            street_number: address.street_number.ok_or_else(|| {
                Error::InvalidRequest(
                    "the insurer needs the billing address's street number".into(),
                )
            })?,
            street_number_suffix: address.street_number_suffix.as_deref().map(String::from),
            street_name: address.street_name.to_string(),
            street_name_complement: address.street_name_complement.as_deref().map(String::from),
            zip_code: address.zip_code.to_string(),
            city_name: address.city_name.to_string(),
            region_name: address.region_name.to_string(),
            country_code: address.country_code.to_string(),
        }),
    })
}

/// The order's identifiers the policy is filed under.
pub struct Order<'a> {
    pub global_order_id: &'a str,
    pub basket_id: &'a str,
    pub buyer_id: &'a str,
    pub buyer: &'a CreditBuyer,
}

/// Subscribes the quoted warranty now that the buyer has paid, quoting again first when the
/// quotation expired (or is about to) while the credit was being decided.
pub async fn subscribe(
    api: &Insurance,
    mut quoted: Quoted,
    order: Order<'_>,
) -> Result<Subscribed, Error> {
    if quoted.expiry.expires_within(chrono::Utc::now(), MARGIN) {
        println!("   the quotation expired before the buyer paid: quoting again");
        let (quote_id, price, expiry) =
            quotation(api, &quoted.item_id, quoted.line.price, &quoted.offer).await?;
        (quoted.quote_id, quoted.price, quoted.expiry) = (quote_id, price, expiry);
    }
    let line = &quoted.line;
    let created = api
        .create_insurance_subscription()
        .body(CreateInsuranceSubscriptionRequest {
            solution_code: SOLUTION.try_into().map_err(invalid("solution code"))?,
            quote_id: quoted.quote_id.clone(),
            insurance_id: quoted.offer.id.clone(),
            merchant_basket_id: order.basket_id.into(),
            merchant_buyer_id: order.buyer_id.into(),
            merchant_global_order_id: order
                .global_order_id
                .try_into()
                .map_err(invalid("order reference"))?,
            // The quotation says when as a timestamp; the subscription wants its date.
            producer_quote_expiration_date: quoted.expiry.date(),
            producer_quote_insurance_price: quoted.price,
            buyer: insured_buyer(order.buyer)?,
            insured_item: InsuredItem {
                id: line.id.clone(),
                label: line.label.clone(),
                brand_name: line.brand_name.clone(),
                price: line.price,
                currency_code: line.currency_code.clone(),
                category: line.category.clone(),
                sku: line.sku.clone(),
                insurance_price: quoted.price,
                is_refurbished: false,
            },
        })
        .send()
        .await?
        .into_inner();
    let id: uuid::Uuid = created
        .insurance_subscription_id
        .parse()
        .map_err(|e| Error::InvalidRequest(format!("insurance subscription id: {e}")))?;
    let policy = api
        .retrieve_specific_insurance_subscription()
        .insurance_subscription_id(id)
        .send()
        .await?
        .into_inner();
    println!(
        "   warranty {} subscribed: {}, status {}, {} years on {} ({} EUR), {} EUR paid by the buyer, merchant commission {} EUR",
        policy.solution_code,
        policy.insurance_subscription_id,
        policy.consolidated_status,
        policy.duration,
        policy.insured_item.label,
        policy.insured_item.price,
        policy.producer_quote_insurance_price,
        policy
            .merchant_commission
            .map_or_else(|| "-".to_string(), |c| c.to_string()),
    );
    Ok(Subscribed {
        id: policy.insurance_subscription_id.to_string(),
        status: policy.consolidated_status.to_string(),
    })
}
