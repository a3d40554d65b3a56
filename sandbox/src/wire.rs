//! The sandbox's state as the spec's response types, so every answer has the spec's shape.

use super::lifecycle::Subscription;
use super::rules::{Offer, Product};
use super::simulation::{self, Plan};
use crate::served::types;
use scalexpert::OpenEnum;
use std::str::FromStr;

/// A spec enum from its wire value; a value the spec lacks stays as text.
fn open<T: FromStr>(value: &str) -> OpenEnum<T> {
    value
        .parse()
        .map_or_else(|_| OpenEnum::Unknown(value.to_string()), OpenEnum::Known)
}

/// A list entry.
pub(crate) fn summary(s: &Subscription) -> types::CreditSubscriptionDto {
    types::CreditSubscriptionDto {
        buyer_financed_amount: simulation::eur(s.financed),
        cancellation_already_made: s.cancellation_already_made(),
        cancellation_status: s.cancellation.map(|c| open(c.as_str())),
        consolidated_status: open(s.status.as_str()),
        consolidated_substatus: Some(s.status.substatus().to_string()),
        credit_subscription_id: s.id,
        implementation_code: s.implementation_code.clone(),
        is_delivered: Some(s.delivered),
        is_returned: Some(s.returned),
        last_update_timestamp: s.updated,
        market_type_code: s.market.clone(),
        merchant_basket_id: s.merchant_basket_id.clone(),
        merchant_global_order_id: s.merchant_global_order_id.clone(),
        registration_timestamp: s.registered,
        solution_code: s.solution_code.clone(),
    }
}

/// The full record; `None` if the stored buyer does not fit the response's buyer type, which
/// creation checks so that it never happens afterwards.
pub(crate) fn detail(s: &Subscription) -> Option<types::CreditSubscriptionDtoResponse> {
    Some(types::CreditSubscriptionDtoResponse {
        basket_details: s.basket_summary.clone(),
        buyer: serde_json::from_str(&s.buyer).ok()?,
        cancellation_already_made: s.cancellation_already_made(),
        cancellation_status: s.cancellation.map(|c| open(c.as_str())),
        consolidated_status: open(s.status.as_str()),
        consolidated_substatus: Some(s.status.substatus().to_string()),
        credit_subscription_id: s.id,
        family_code: "SC".into(),
        financed_amount: simulation::eur(s.financed),
        implementation_code: s.implementation_code.clone(),
        is_delivered: Some(s.delivered),
        is_returned: Some(s.returned),
        last_update_timestamp: s.updated,
        market_type_code: s.market.clone(),
        merchant_basket_id: s.merchant_basket_id.clone(),
        merchant_buyer_id: s.merchant_buyer_id.clone(),
        merchant_global_order_id: s.merchant_global_order_id.clone(),
        registration_timestamp: s.registered,
        solution_code: s.solution_code.clone(),
    })
}

/// One simulated plan.
pub(crate) fn simulation(plan: &Plan) -> types::Simulation {
    types::Simulation {
        due_total_amount: simulation::eur(plan.due_total),
        duration: i32::try_from(plan.duration).unwrap_or(i32::MAX),
        effective_annual_percentage_rate: simulation::rate(plan.annual_percentage_rate),
        fees_amount: simulation::eur(plan.fees),
        installments: plan
            .installments
            .iter()
            .enumerate()
            .map(|(i, &amount)| types::Installment {
                amount: simulation::eur(amount),
                number: i32::try_from(i + 1).unwrap_or(i32::MAX),
            })
            .collect(),
        nominal_percentage_rate: simulation::rate(plan.nominal_rate),
        total_cost: simulation::eur(plan.total_cost),
    }
}

/// An eligible solution with its display kit.
pub(crate) fn solution(product: &Product, base_url: &str) -> types::ProductsAndServicesResponse {
    types::ProductsAndServicesResponse {
        communication_kit: kit(product, base_url),
        conditions: product.conditions(),
        family_code: "SC".into(),
        market_code: product.country.clone(),
        solution_code: product.solution_code.clone(),
    }
}

/// Texts in the buyer's language (French, German, else English) and links to the sandbox's kit
/// pages.
fn kit(product: &Product, base_url: &str) -> types::CommunicationKit {
    let (title, description) = kit_texts(product);
    let legal = match product.country.as_str() {
        "FR" => {
            "Un crédit vous engage et doit être remboursé. Offre de démonstration du bac à sable."
        }
        "DE" => "Ein Kredit verpflichtet zur Rückzahlung. Demonstrationsangebot der Sandbox.",
        _ => "A credit commits you to repay it. Sandbox demonstration offer.",
    };
    let link = |file: &str| format!("{base_url}/sandbox/kit/{}/{file}", product.solution_code);
    types::CommunicationKit {
        solution_code: product.solution_code.clone(),
        visual_additional_information: "Offre soumise à l'acceptation du prêteur (simulation)."
            .to_string(),
        visual_description: Some(description),
        visual_information_icon: link("info.svg"),
        visual_information_notice_url: Some(link("notice")),
        visual_legal_text: Some(legal.to_string()),
        visual_logo: Some(link("logo.svg")),
        visual_product_terms_url: Some(link("terms")),
        visual_table_image: Some(link("table.svg")),
        visual_title: Some(title),
    }
}

fn kit_texts(product: &Product) -> (String, String) {
    let german = product.country == "DE";
    match &product.offer {
        Offer::SplitPayment {
            installments,
            fee_percent,
            ..
        } if *fee_percent > 0.0 => (
            format!("Payez en {installments} fois"),
            format!(
                "{installments} mensualités, la première à la commande avec des frais de {fee_percent:.2} %."
            ),
        ),
        Offer::SplitPayment { installments, .. } if german => (
            format!("In {installments} Raten zahlen"),
            format!("{installments} gleiche Monatsraten ohne Gebühren."),
        ),
        Offer::SplitPayment { installments, .. } => (
            format!("Payez en {installments} fois sans frais"),
            format!("{installments} mensualités égales, la première à la commande."),
        ),
        Offer::LongTermCredit {
            annual_percentage_rate,
            durations,
        } => {
            let months: Vec<u32> = durations.iter().flat_map(|t| t.months.clone()).collect();
            let shortest = months.iter().min().copied().unwrap_or(0);
            let longest = months.iter().max().copied().unwrap_or(0);
            if german {
                (
                    "Finanzierung in Monatsraten".to_string(),
                    format!(
                        "Von {shortest} bis {longest} Monate, effektiver Jahreszins {annual_percentage_rate} %."
                    ),
                )
            } else {
                (
                    "Financez votre achat sur plusieurs mois".to_string(),
                    format!(
                        "De {shortest} à {longest} mois, TAEG fixe de {annual_percentage_rate} %."
                    ),
                )
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::lifecycle::tests::subscription;
    use super::super::lifecycle::CancellationStatus;
    use super::*;

    #[test]
    fn records_serialise_with_the_spec_names() {
        let mut s = subscription(true);
        s.cancellation = Some(CancellationStatus::PartialCancellationAccepted);
        let value = serde_json::to_value(detail(&s).expect("fits")).expect("serialises");
        assert_eq!(value["consolidatedStatus"], "INITIALIZED");
        assert_eq!(value["cancellationStatus"], "PARTIAL_CANCELLATION_ACCEPTED");
        assert_eq!(value["cancellationAlreadyMade"], true);
        assert_eq!(value["financedAmount"], 1500.0);
        assert_eq!(value["familyCode"], "SC");
        let listed = serde_json::to_value(summary(&s)).expect("serialises");
        assert_eq!(listed["buyerFinancedAmount"], 1500.0);
        assert!(listed.get("buyer").is_none());
    }

    #[test]
    fn kits_name_their_solution() {
        let rules = super::super::rules::RuleTable::standard();
        for product in &rules.products {
            let listed = solution(product, "http://127.0.0.1:1");
            assert_eq!(
                listed.communication_kit.solution_code,
                product.solution_code
            );
            assert!(listed
                .communication_kit
                .visual_information_icon
                .starts_with("http://127.0.0.1:1/sandbox/kit/"));
        }
    }
}
