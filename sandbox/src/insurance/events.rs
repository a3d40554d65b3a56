//! `CI_SUBSCRIPTION` webhook events: one per status an insurance subscription takes, built
//! with the SDK's own event type so the receiver reads exactly what the sandbox meant.

use super::lifecycle::InsuranceStatus;
use crate::lifecycle::Tenant;
use crate::webhooks::Hub;
use chrono::Utc;
use scalexpert::merchant_webhooks::v1_0_6::types::{
    CiSubscriptionPayload, CiSubscriptionPayloadEventTypeCode,
};
use scalexpert::webhooks::{Event, EventCode, EventData, EventType};
use scalexpert::OpenEnum;

/// What an event says of the subscription whose status changed; the store fills it from its
/// record, so this module needs nothing of the store.
pub(crate) struct StatusChange<'a> {
    pub(crate) id: uuid::Uuid,
    pub(crate) tenant: &'a Tenant,
    pub(crate) merchant_global_order_id: &'a str,
    pub(crate) status: InsuranceStatus,
}

/// Queues the event of a subscription's new status (`CI_SUBSCRIPTION_<consolidatedStatus>`)
/// for its tenant's endpoint, if it has one. Called with the store's lock held, so events queue
/// in the order the changes happened.
pub(crate) fn status_changed(hub: &Hub, policy: StatusChange<'_>) {
    let status = policy.status.as_str();
    let Some(code) = EventCode::of(EventType::CiSubscription, status) else {
        // Every status of the life cycle has its code in the SDK (a unit test checks it).
        tracing::warn!(
            status,
            "sandbox webhook: no CI_SUBSCRIPTION code for this status"
        );
        return;
    };
    hub.queue(
        policy.tenant.merchant.clone(),
        policy.id,
        code.as_str(),
        |correlation| {
            let data = EventData::CiSubscription(CiSubscriptionPayload {
                event_type_code: CiSubscriptionPayloadEventTypeCode::CiSubscription,
                event_code: None, // filled from the code
                merchant_global_order_id: Some(policy.merchant_global_order_id.to_string()),
                insurance_subscription_id: Some(policy.id.to_string()),
                consolidated_status: Some(
                    status
                        .parse()
                        .map_or_else(|_| OpenEnum::Unknown(status.to_string()), OpenEnum::Known),
                ),
            });
            match Event::new(
                uuid::Uuid::new_v4(),
                Utc::now(),
                Some(correlation),
                code,
                data,
            ) {
                Ok(event) => Some(event.raw_json().as_bytes().to_vec()),
                Err(error) => {
                    tracing::warn!(%error, "sandbox webhook: CI_SUBSCRIPTION event not built");
                    None
                }
            }
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_its_event_code() {
        for status in InsuranceStatus::ALL {
            let code = EventCode::of(EventType::CiSubscription, status.as_str())
                .unwrap_or_else(|| panic!("no code for {status}"));
            assert_eq!(code.as_str(), format!("CI_SUBSCRIPTION_{status}"));
        }
    }
}
