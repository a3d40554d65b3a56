//! A Scalexpert webhook receiver in a few lines of axum.
//!
//! ```sh
//! cargo run --example webhook_receiver --features webhooks-axum
//! ```
//!
//! Configure it like the webhook configuration stored at Scalexpert:
//! `SCALEXPERT_WEBHOOK_AUTH` (`NONE`, `API_KEY` or `BASIC_AUTH`; default `NONE`),
//! `SCALEXPERT_WEBHOOK_SECRET`, `SCALEXPERT_WEBHOOK_LOGIN`, `SCALEXPERT_WEBHOOK_PASSWORD`,
//! `SCALEXPERT_WEBHOOK_SIGNATURE_KEY`, and `SCALEXPERT_WEBHOOK_ADDR` (default
//! `127.0.0.1:8080`). Without a secret it runs with demo values and prints a `curl` command
//! that delivers a signed test event to it.

use axum::Router;
use scalexpert::webhooks::{axum::route, Event, EventData, Receiver, ReceiverSecrets};
use std::convert::Infallible;

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The receiver's secrets from the environment, or demo ones (and whether they are demo ones).
fn secrets() -> Result<(ReceiverSecrets, bool), String> {
    let Some(secret) = var("SCALEXPERT_WEBHOOK_SECRET") else {
        let demo = ReceiverSecrets::secret_header("demo-secret").with_signature_key("demo-key");
        return Ok((demo, true));
    };
    let auth = var("SCALEXPERT_WEBHOOK_AUTH").unwrap_or_else(|| "NONE".into());
    let mut secrets = match auth.to_ascii_uppercase().as_str() {
        "NONE" => ReceiverSecrets::secret_header(secret),
        "API_KEY" => ReceiverSecrets::api_key(secret),
        "BASIC_AUTH" => {
            let login =
                var("SCALEXPERT_WEBHOOK_LOGIN").ok_or("SCALEXPERT_WEBHOOK_LOGIN is not set")?;
            let password = var("SCALEXPERT_WEBHOOK_PASSWORD")
                .ok_or("SCALEXPERT_WEBHOOK_PASSWORD is not set")?;
            ReceiverSecrets::basic_auth(login, password).with_secret(secret)
        }
        other => return Err(format!("unknown SCALEXPERT_WEBHOOK_AUTH {other:?}")),
    };
    if let Some(key) = var("SCALEXPERT_WEBHOOK_SIGNATURE_KEY") {
        secrets = secrets.with_signature_key(key);
    }
    Ok((secrets, false))
}

/// What the shop does with an event: here, print it. Returning `Err` answers 500, and
/// Scalexpert delivers the event again later.
async fn on_event(event: Event) -> Result<(), Infallible> {
    let order = event.merchant_global_order_id().unwrap_or("-");
    match &event.data {
        EventData::ScSubscription(data) => println!(
            "credit {} for order {order}: financed {:?}",
            event.event_code, data.financed_amount
        ),
        EventData::ScCancelRequest(data) => println!(
            "cancellation {} for order {order}: {:?} cancelled",
            event.event_code, data.cancelled_amount
        ),
        EventData::CiSubscription(data) => println!(
            "insurance {} for order {order}: {:?}",
            event.event_code, data.insurance_subscription_id
        ),
        EventData::HelloWorld(data) => println!("test event: {}", data.hello_world_message),
        // A type this crate does not know yet: acknowledge it, keep the payload.
        _ => println!("unhandled {}: {}", event.event_type, event.raw_json()),
    }
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt().init();
    let (secrets, demo) = secrets()?;
    let address = var("SCALEXPERT_WEBHOOK_ADDR").unwrap_or_else(|| "127.0.0.1:8080".into());

    let app = Router::new().route(
        "/hooks/scalexpert",
        route(Receiver::new(secrets.clone()), on_event),
    );
    let listener = tokio::net::TcpListener::bind(&address).await?;
    println!("listening on http://{address}/hooks/scalexpert");
    if demo {
        print_demo_delivery(&secrets, &address)?;
    }
    axum::serve(listener, app).await?;
    Ok(())
}

/// A `curl` command delivering a signed HELLO_WORLD event, as Scalexpert would (demo values
/// only: real secrets are never printed).
fn print_demo_delivery(
    secrets: &ReceiverSecrets,
    address: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let body = serde_json::json!({
        "timestamp": chrono::Utc::now(),
        "id": uuid::Builder::from_random_bytes(fastrand::u128(..).to_le_bytes()).into_uuid(),
        "eventTypeCode": "HELLO_WORLD",
        "eventCode": "HELLO_WORLD",
        "data": {
            "eventTypeCode": "HELLO_WORLD",
            "eventCode": "HELLO_WORLD",
            "helloWorldMessage": "Hello from the demo"
        }
    })
    .to_string();
    let headers = secrets.delivery_headers(None, body.as_bytes(), chrono::Utc::now())?;
    let mut command = format!("curl -i http://{address}/hooks/scalexpert");
    for (name, value) in &headers {
        command.push_str(&format!(" -H '{name}: {}'", value.to_str()?));
    }
    command.push_str(&format!(" --data '{body}'"));
    println!("demo secrets; within 5 minutes, try:\n{command}");
    Ok(())
}
