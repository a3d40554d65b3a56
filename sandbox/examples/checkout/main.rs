//! A whole checkout with Scalexpert: eligibility, simulation, a warranty extension on the
//! basket's bike (item, offers, quotation), the credit subscription, the buyer's journey,
//! status, the warranty subscribed once the credit is accepted, delivery, then a partial
//! cancellation.
//!
//! ```sh
//! cargo run -p scalexpert-sandbox --example checkout
//! ```
//!
//! The README's first command. It compiles the sandbox library and what it needs, nothing more:
//! the crate's dev-dependencies (which cargo builds for examples) only turn on features of
//! crates already in that tree.
//!
//! Without credentials it runs against an offline sandbox started in this process, where the
//! buyer's journey is accepted by the program. With `SCALEXPERT_CLIENT_ID` and
//! `SCALEXPERT_CLIENT_SECRET` set it calls UATC (or `SCALEXPERT_ENVIRONMENT` /
//! `SCALEXPERT_BASE_URL`), and the journey is a real page to complete in a browser.

mod warranty;

use scalexpert::e_financing::v1_7_1::types::{
    ConfirmDeliveryRequest, ConfirmDeliveryRequestOperator, ConfirmReturnRequest,
    CreditCancellationDto, CreditSubscriptionDtoConsolidatedStatus as ListedStatus,
    SolutionSimulationRequest, SolutionSimulationRequestBuyerBillingCountry as Country,
};
use scalexpert::{Amount, Client, Error};
use scalexpert_sandbox::{sample_application, JourneyOutcome, Sandbox};
use std::process::ExitCode;
use std::time::Duration;

/// The basket, in whole euros.
const AMOUNT: u32 = 1500;
/// Long-term credit: the solution for which delivery and returns matter.
const PREFERRED: &str = "SCFRLT-TXNO";
/// What the buyer sends back, and so what is cancelled.
const RETURNED: u32 = 250;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("\ncheckout failed: {error}");
            ExitCode::FAILURE
        }
    }
}

/// Where the calls go: the offline sandbox (kept alive here) or a real gateway.
enum Gateway {
    Sandbox(Sandbox),
    Real,
}

async fn run() -> Result<(), Error> {
    let has_credentials = ["SCALEXPERT_CLIENT_ID", "SCALEXPERT_CLIENT_SECRET"]
        .iter()
        .all(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()));
    let (gateway, client) = if has_credentials {
        let client = Client::from_env()?;
        println!("Scalexpert checkout against {:?}\n", client.environment());
        (Gateway::Real, client)
    } else {
        let sandbox = Sandbox::start().await?;
        let client = sandbox.client()?;
        println!(
            "Scalexpert checkout against the offline sandbox at {}",
            sandbox.base_url()
        );
        println!("(set SCALEXPERT_CLIENT_ID and SCALEXPERT_CLIENT_SECRET to use UATC instead)\n");
        (Gateway::Sandbox(sandbox), client)
    };
    let api = client.e_financing_v1_7_1();

    // 1. Which solutions can the checkout page offer?
    println!(
        "1. Eligible solutions for {} EUR, billing country FR",
        Amount::from(AMOUNT)
    );
    let eligible = api
        .get_eligible_product_services()
        .buyer_billing_country("FR")
        .financed_amount(AMOUNT)
        .send()
        .await?
        .into_inner();
    for solution in &eligible.solutions {
        let title = solution
            .communication_kit
            .visual_title
            .as_deref()
            .unwrap_or("");
        println!("   {:<12} {title}", solution.solution_code);
    }
    let Some(code) = eligible
        .solutions
        .iter()
        .map(|s| s.solution_code.as_str())
        .find(|c| *c == PREFERRED)
        .or_else(|| eligible.solutions.first().map(|s| s.solution_code.as_str()))
    else {
        println!("   nothing is eligible: the checkout offers no financing");
        return Ok(());
    };
    let code = code.to_string();

    // 2. What would the buyer pay?
    println!("\n2. Simulation of {code}");
    let simulated = api
        .credit_simulation()
        .body(SolutionSimulationRequest {
            buyer_billing_country: Country::Fr,
            financed_amount: Amount::from(AMOUNT),
            solution_codes: Some(
                vec![code.clone()]
                    .try_into()
                    .map_err(|e| Error::InvalidRequest(format!("solution codes: {e}")))?,
            ),
        })
        .send()
        .await?
        .into_inner();
    println!(
        "   {:>9}  {:>12}  {:>10}  {:>10}  {:>7}  {:>8}",
        "months", "instalment", "cost", "total due", "APR", "nominal"
    );
    for plan in simulated
        .solution_simulations
        .iter()
        .flat_map(|s| &s.simulations)
    {
        let first = plan.installments.first().map_or(Amount::ZERO, |i| i.amount);
        println!(
            "   {:>9}  {:>8.2} EUR  {:>10.2}  {:>10.2}  {:>6.3}%  {:>7.3}%",
            plan.duration,
            first,
            plan.total_cost,
            plan.due_total_amount,
            plan.effective_annual_percentage_rate,
            plan.nominal_percentage_rate
        );
    }

    // 3. The basket's bike can get a warranty extension: the buyer picks one, it is quoted.
    let order = format!("ORDER-{}", chrono::Utc::now().format("%Y%m%d-%H%M%S%3f"));
    let application = sample_application(&code, &order, Amount::from(AMOUNT))?;
    let insurance = client.insurance_v1_7_1();
    println!(
        "\n3. Warranty extension ({}) for the basket's bike",
        warranty::SOLUTION
    );
    let quoted = match application.basket_details.basket_items.first() {
        // An insurance failure (an account without the insurance scope, say) costs the
        // warranty, not the sale.
        Some(line) => warranty::quote_for(&insurance, line)
            .await
            .unwrap_or_else(|error| {
                println!("   no warranty: {error}");
                None
            }),
        None => None,
    };

    // 4. The buyer chose the financing: open the subscription.
    let created = api
        .initiate_credit_subscription()
        .language("fr-FR")
        .body(application.clone())
        .send()
        .await?
        .into_inner();
    let id = created.id;
    let journey = created
        .redirect
        .and_then(|r| r.value)
        .unwrap_or_else(|| "(no redirect given)".into());
    let opened = api
        .retrieve_credit_subscription()
        .credit_subscription_id(id)
        .send()
        .await?
        .into_inner();
    println!("\n4. Subscription {id} opened for order {order}");
    println!(
        "   status {} ({})",
        opened.consolidated_status,
        opened.consolidated_substatus.as_deref().unwrap_or("")
    );
    println!("   the buyer is sent to {journey}");

    // 5. The buyer goes through the lender's journey.
    println!("\n5. Buyer's journey");
    match &gateway {
        Gateway::Sandbox(sandbox) => {
            // What the journey page's Accept button does.
            sandbox.complete_journey(id, JourneyOutcome::Accepted)?;
            println!("   the buyer accepts the offer (clicked for you by the sandbox)");
        }
        Gateway::Real => {
            println!("   open the link above in a browser and complete the journey;");
            println!("   this program polls the status for up to 15 minutes");
        }
    }

    // 6. Poll the status by order reference, as a merchant's back office does.
    println!("\n6. Status of order {order}");
    let mut accepted = false;
    let mut last_seen = String::new();
    for _ in 0..180 {
        let page = api
            .retrieve_credit_subscription_for_specific_merchant()
            .merchant_global_order_id(order.clone())
            .send()
            .await?
            .into_inner();
        if let Some(listed) = page.subscriptions.first() {
            let seen = format!(
                "{} ({})",
                listed.consolidated_status,
                listed.consolidated_substatus.as_deref().unwrap_or("")
            );
            if seen != last_seen {
                println!("   {seen}");
                last_seen = seen;
            }
            match listed.consolidated_status.known() {
                Some(ListedStatus::Accepted) => {
                    accepted = true;
                    break;
                }
                Some(ListedStatus::Rejected | ListedStatus::Aborted | ListedStatus::Cancelled) => {
                    break
                }
                _ => {}
            }
        }
        if matches!(gateway, Gateway::Sandbox(_)) {
            break;
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
    if !accepted {
        println!("\nThe financing was not granted: nothing to deliver or cancel, no warranty.");
        return Ok(());
    }

    // 7. The buyer has paid: subscribe the warranty with its quotation.
    println!("\n7. Warranty");
    let mut policy = None;
    match quoted {
        Some(quoted) => {
            let buyer = application
                .buyers
                .first()
                .ok_or_else(|| Error::InvalidRequest("the application has no buyer".into()))?;
            let order = warranty::Order {
                global_order_id: &order,
                basket_id: &application.merchant_basket_id,
                buyer_id: &application.merchant_buyer_id,
                buyer,
            };
            match warranty::subscribe(&insurance, quoted, order).await {
                Ok(subscribed) => policy = Some(subscribed),
                Err(error) => println!("   the warranty could not be subscribed: {error}"),
            }
        }
        None => println!("   none chosen"),
    }

    // 8. The goods are shipped and delivered.
    api.do_confirm_delivery()
        .credit_subscription_id(id)
        .body(ConfirmDeliveryRequest {
            is_delivered: true,
            operator: Some(ConfirmDeliveryRequestOperator::LaPoste),
            tracking_number: Some(
                "6A20419387552"
                    .try_into()
                    .map_err(|e| Error::InvalidRequest(format!("tracking number: {e}")))?,
            ),
        })
        .send()
        .await?;
    println!("\n8. Delivery confirmed (La Poste, tracking 6A20419387552)");

    // 9. The buyer sends part of the order back: report the return, cancel that part.
    api.do_confirm_return()
        .credit_subscription_id(id)
        .body(ConfirmReturnRequest { is_returned: true })
        .send()
        .await?;
    let cancelled = api
        .cancel_credit_subscription()
        .credit_subscription_id(id)
        .body(CreditCancellationDto {
            cancelled_amount: Some(Amount::from(RETURNED)),
            cancelled_item: Some("ITEM-0001".into()),
            cancellation_reason: Some("Accessories sent back by the buyer".into()),
            cancellation_contact: None,
        })
        .send()
        .await?
        .into_inner();
    println!(
        "\n9. Return reported; partial cancellation of {} EUR",
        Amount::from(RETURNED)
    );
    println!(
        "   lender's answer: {}, still financed: {} EUR",
        cancelled
            .status
            .map_or_else(|| "-".to_string(), |s| s.to_string()),
        cancelled
            .financed_amount
            .map_or_else(|| "-".to_string(), |a| a.to_string())
    );

    let record = api
        .retrieve_credit_subscription()
        .credit_subscription_id(id)
        .send()
        .await?
        .into_inner();
    println!(
        "\nSubscription {id}: {} / {}, financed {:.2} EUR, delivered {}, returned {}, cancellation {}",
        record.consolidated_status,
        record.cancellation_status.map_or_else(|| "-".to_string(), |s| s.to_string()),
        record.financed_amount,
        record.is_delivered.unwrap_or(false),
        record.is_returned.unwrap_or(false),
        if record.cancellation_already_made { "made" } else { "none" },
    );
    match &policy {
        Some(policy) => println!("Warranty {}: {}", policy.id, policy.status),
        None => println!("Warranty: none"),
    }
    println!("Checkout complete.");
    Ok(())
}
