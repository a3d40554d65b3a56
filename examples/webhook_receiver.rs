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
//! `127.0.0.1:8090`: loopback, for a TLS-terminating proxy on the same host, and not the
//! sandbox's 8080; port 0 picks a free one). Without a secret it runs with demo values and
//! prints a `curl` command that delivers a signed test event to it.
//!
//! It serves with the crate's limits: headers checked before the body is read, 32 KiB bodies
//! (`SCALEXPERT_WEBHOOK_MAX_BODY_BYTES` to change), 10 s to send the head and the body, 64
//! deliveries handled at once, 1024 connections.

use axum::Router;
use scalexpert::webhooks::axum::{route, serve, ServeLimits};
use scalexpert::webhooks::{Event, EventData, Receiver, ReceiverSecrets};
use std::convert::Infallible;

/// Loopback, and another port than the sandbox binary's default (8080).
const DEFAULT_ADDRESS: &str = "127.0.0.1:8090";

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
            "insurance {} for order {order}: subscription {:?} now {:?}",
            event.event_code,
            data.insurance_subscription_id,
            data.consolidated_status.as_ref().map(ToString::to_string)
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
    let address = var("SCALEXPERT_WEBHOOK_ADDR").unwrap_or_else(|| DEFAULT_ADDRESS.into());
    let mut receiver = Receiver::new(secrets.clone());
    if let Some(limit) = var("SCALEXPERT_WEBHOOK_MAX_BODY_BYTES") {
        let limit = limit
            .parse()
            .map_err(|_| "SCALEXPERT_WEBHOOK_MAX_BODY_BYTES is not a number of bytes")?;
        receiver = receiver.max_body_bytes(limit);
    }

    let app = Router::new().route("/hooks/scalexpert", route(receiver, on_event));
    println!("binding {address}");
    let listener = tokio::net::TcpListener::bind(&address)
        .await
        .map_err(|e| format!("cannot listen on {address}: {e}"))?;
    let bound = listener.local_addr()?;
    println!("listening on http://{bound}/hooks/scalexpert");
    if demo {
        print_demo_delivery(&secrets, &bound.to_string())?;
    }
    serve(listener, app, ServeLimits::default()).await?;
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
