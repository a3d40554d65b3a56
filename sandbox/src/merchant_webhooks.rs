//! The merchant-webhooks API, as far as a merchant's own set-up goes: the merchant (or its PSP,
//! naming it in `X-BAAS-CLIENT-REF-FOR-PROXI-ID`) stores where its events go with
//! `setMerchantWebConfig`, reads it back with `findMerchantWebhookConfig`, fires a test event
//! with `triggerEventHelloWorldForMerchant` and reads the event catalogue with
//! `findWebhooksEventTypes`, behind the same gate as every API call (bearer token carrying
//! `common-services:rw`, tenancy, injected faults).
//!
//! A stored configuration becomes the tenant's endpoint exactly as the admin endpoint's does:
//! one per tenant, receiving every event type (the last configuration stored wins). The
//! sandbox keeps no log of its deliveries, so the event log operations
//! (`findWebhookEventsForMerchant`, `findWebhookEventForMerchant`) answer 501, saying so.

use crate::api::{checked_body, checked_query, reject_if_any, serve, Ctx, OperationRoute, Serve};
use crate::errors::{json_response, Failure};
use crate::lifecycle::Tenant;
use crate::random;
use crate::served::{self, merchant_webhooks_types as types};
use crate::state::State;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{SecondsFormat, Utc};
use scalexpert::webhooks::{EventCode, EventType, ReceiverSecrets};
use scalexpert::Operation;

/// The sandbox's merchant-webhooks behaviour per operation of the served spec.
const HANDLERS: &[(&str, Serve)] = &[
    serve!("findMerchantWebhookConfig" => find_config),
    serve!("setMerchantWebConfig" => set_config, body: Bytes),
    serve!("triggerEventHelloWorldForMerchant" => trigger_hello_world),
    serve!("findWebhookEventsForMerchant" => no_event_log),
    serve!("findWebhookEventForMerchant" => no_event_log),
    serve!("findWebhooksEventTypes" => event_types),
];

/// The merchant-webhooks routes, one per operation of its table.
pub(crate) fn routes() -> Result<Vec<OperationRoute>, String> {
    crate::api::api_routes(&served::MERCHANT_WEBHOOKS, HANDLERS)
}

async fn set_config(
    state: &State,
    _ctx: &Ctx,
    tenant: &Tenant,
    body: Bytes,
    operation: &'static Operation,
) -> Result<Response, Failure> {
    let (body, violations) = checked_body(state, &body, operation)?;
    reject_if_any(violations)?;
    let config: types::MerchantWebhookConfigRequest = serde_json::from_value(body)
        .map_err(|e| Failure::bad_request(format!("not a webhook configuration: {e}")))?;
    let url = config
        .url
        .as_deref()
        .filter(|url| !url.trim().is_empty())
        .ok_or_else(|| Failure::bad_request("url is required"))?;
    let secrets =
        ReceiverSecrets::from_request(&config).map_err(|e| Failure::bad_request(e.to_string()))?;
    let endpoint = crate::webhook_endpoint(tenant.merchant.as_deref(), url, secrets)
        .map_err(|e| Failure::bad_request(e.to_string()))?;
    state
        .store
        .webhooks
        .configure(tenant.merchant.clone(), config, endpoint);
    // The spec documents no body for the 200: an empty object.
    Ok(json_response(StatusCode::OK, &serde_json::json!({})))
}

async fn find_config(
    state: &State,
    ctx: &Ctx,
    tenant: &Tenant,
    operation: &'static Operation,
) -> Result<Response, Failure> {
    let (query, violations) = checked_query(state, ctx, operation);
    reject_if_any(violations)?;
    let type_code = query
        .iter()
        .find(|(name, _)| name == "eventTypeCode")
        .map(|(_, value)| value.as_str())
        .unwrap_or_default();
    let config = state
        .store
        .webhooks
        .config(tenant.merchant.as_deref(), type_code)
        .ok_or_else(|| {
            Failure::status(
                StatusCode::NOT_FOUND,
                format!("no webhook is configured for {type_code} events"),
            )
        })?;
    // Secrets go one way: stored, never shown again.
    let answer = types::MerchantWebhookConfigResponse {
        active: config.active,
        active_event_codes: config.active_event_codes,
        auth_login: config.auth_login,
        auth_method: config
            .auth_method
            .and_then(|method| serde_json::to_value(method).ok())
            .and_then(|method| serde_json::from_value(method).ok()),
        auth_password: None,
        auth_scope: config.auth_scope,
        email_for_alerts: config.email_for_alerts,
        event_type_code: config.event_type_code,
        key_for_signature: None,
        secret: None,
        url: config.url,
    };
    Ok(json_response(StatusCode::OK, &answer))
}

async fn trigger_hello_world(
    state: &State,
    _ctx: &Ctx,
    tenant: &Tenant,
    _operation: &'static Operation,
) -> Result<Response, Failure> {
    let id = random::uuid().map_err(|_| Failure::internal("no randomness to make an id from"))?;
    let code = EventCode::HelloWorld.as_str();
    let event = serde_json::json!({
        "timestamp": Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
        "id": id,
        "eventTypeCode": EventType::HelloWorld.as_str(),
        "eventCode": code,
        "data": {
            "eventTypeCode": EventType::HelloWorld.as_str(),
            "eventCode": code,
            "helloWorldMessage": "Test event from the scalexpert sandbox",
        },
    });
    let body = serde_json::to_vec(&event)
        .map_err(|e| Failure::internal(format!("test event not serialisable: {e}")))?;
    if !state
        .store
        .webhooks
        .send(tenant.merchant.clone(), code, body)
    {
        return Err(Failure::status(
            StatusCode::NOT_FOUND,
            "no webhook is configured: store one with PUT /webhooks first",
        ));
    }
    let answer = types::TriggerHelloWorldEventResponse { event_id: id };
    Ok(json_response(StatusCode::OK, &answer))
}

async fn event_types(
    _state: &State,
    _ctx: &Ctx,
    _tenant: &Tenant,
    _operation: &'static Operation,
) -> Result<Response, Failure> {
    let answer = types::GetWebhookEventTypesResponse {
        event_types: EventType::ALL
            .iter()
            .map(|event_type| types::WebhookEventType {
                description: None,
                event_codes: EventCode::ALL
                    .iter()
                    .filter(|code| code.event_type() == *event_type)
                    .map(|code| types::WebhookEventCode {
                        description: None,
                        event_code: Some(code.as_str().to_owned()),
                    })
                    .collect(),
                event_type_code: Some(event_type.as_str().to_owned()),
            })
            .collect(),
    };
    Ok(json_response(StatusCode::OK, &answer))
}

async fn no_event_log(
    _state: &State,
    _ctx: &Ctx,
    _tenant: &Tenant,
    _operation: &'static Operation,
) -> Result<Response, Failure> {
    Err(Failure::status(
        StatusCode::NOT_IMPLEMENTED,
        "the sandbox keeps no event log: events go to the configured webhook only",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_operation_table_and_the_handlers_agree() {
        let routes = routes().expect("every operation has a handler, every handler an operation");
        assert_eq!(routes.len(), HANDLERS.len());
        assert!(routes
            .iter()
            .any(|(_, path, _)| path == "/merchant-webhooks/api/v1/webhooks"));
    }
}
