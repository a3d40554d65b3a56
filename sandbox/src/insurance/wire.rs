//! The insurance records as the spec's response types, so every answer has the spec's shape.

use super::rules::{InsuranceOffer, InsuranceSolution};
use super::store::Policy;
use crate::served::insurance_types as types;
use crate::simulation;
use scalexpert::OpenEnum;
use std::str::FromStr;

/// A spec enum from its wire value; a value the spec lacks stays as text.
fn open<T: FromStr>(value: &str) -> OpenEnum<T> {
    value
        .parse()
        .map_or_else(|_| OpenEnum::Unknown(value.to_string()), OpenEnum::Known)
}

/// An eligible solution with its merchant kit, linking to the sandbox's placeholder assets.
pub(crate) fn solution(
    solution: &InsuranceSolution,
    base_url: &str,
) -> types::ProductsAndServicesResponse {
    let code = &solution.solution_code;
    let link = |file: &str| format!("{base_url}/sandbox/kit/{code}/{file}");
    types::ProductsAndServicesResponse {
        communication_kit: types::CommunicationKit {
            solution_code: code.clone(),
            visual_additional_information:
                "Offre d'assurance de démonstration du bac à sable, sans valeur contractuelle."
                    .into(),
            visual_description: Some(solution.description.clone()),
            visual_information_icon: link("info.svg"),
            visual_information_notice_url: Some(link("notice")),
            visual_legal_text: Some(
                "Contrat d'assurance fictif : rien n'est souscrit auprès d'un assureur.".into(),
            ),
            visual_logo: Some(link("logo.svg")),
            visual_product_terms_url: Some(link("terms")),
            visual_table_image: None,
            visual_title: Some(solution.title.clone()),
        },
        conditions: solution.conditions(),
        family_code: "CI".into(),
        market_code: solution.country.clone(),
        solution_code: code.clone(),
    }
}

/// One offer of an item search.
pub(crate) fn offer(offer: &InsuranceOffer) -> types::ItemInsurance {
    types::ItemInsurance {
        description: offer.label.clone(),
        id: offer.id.clone(),
        price: simulation::eur(offer.price),
    }
}

/// A list entry.
pub(crate) fn summary(p: &Policy) -> types::InsuranceSubscription {
    types::InsuranceSubscription {
        consolidated_status: open(p.status.as_str()),
        duration: i32::try_from(p.years).unwrap_or(i32::MAX),
        insurance_subscription_id: p.id,
        insured_item_category: p.item_category.clone(),
        insured_item_price: simulation::eur(p.item_price),
        last_update_timestamp: p.updated,
        market_type_code: p.market.clone(),
        merchant_basket_id: p.merchant_basket_id.clone(),
        merchant_commission: Some(simulation::eur(p.commission)),
        merchant_global_order_id: p.merchant_global_order_id.clone(),
        producer_quote_insurance_price: simulation::eur(p.price),
        registration_timestamp: p.registered,
        solution_code: p.solution_code.clone(),
    }
}

/// The full record; `None` if the stored buyer or item does not fit the response's types,
/// which creation checks so that it never happens afterwards.
pub(crate) fn detail(p: &Policy) -> Option<types::InsuranceSubscriptionResponse> {
    Some(types::InsuranceSubscriptionResponse {
        buyer: serde_json::from_value(p.buyer.clone()).ok()?,
        client_id: p.account.0,
        consolidated_status: open(p.status.as_str()),
        duration: i32::try_from(p.years).unwrap_or(i32::MAX),
        family_code: "CI".into(),
        insurance_subscription_id: p.id,
        insured_item: serde_json::from_value(p.insured_item.clone()).ok()?,
        last_update_timestamp: p.updated,
        market_type_code: p.market.clone(),
        merchant_basket_id: p.merchant_basket_id.clone(),
        merchant_buyer_id: p.merchant_buyer_id.clone(),
        merchant_commission: Some(simulation::eur(p.commission)),
        merchant_global_order_id: p.merchant_global_order_id.clone(),
        producer_quote_insurance_price: simulation::eur(p.price),
        registration_timestamp: p.registered,
        solution_code: p.solution_code.clone(),
        third_party_reference_id: p.account.1,
    })
}
