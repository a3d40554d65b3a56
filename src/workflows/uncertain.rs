//! What a failed create, cancel or confirmation says about the gateway's state: nothing was
//! sent, it was refused, it may have been applied, or (for a create) the order id was taken;
//! and whether a refusal may have met a change already made.

use crate::error::Step;
use crate::Error;
use reqwest::StatusCode;

/// Where a failed state-changing call leaves the gateway.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Standing {
    /// Nothing reached the API: the token step failed, no connection opened, or the request
    /// was refused before sending.
    NotSent,
    /// The gateway answered and refused: nothing was applied.
    Refused,
    /// A create refused the way Scalexpert refuses a `merchantGlobalOrderId` already used
    /// (400 `BAD_REQUEST`, or 409): a subscription may exist for the order, this call made none.
    OrderIdTaken,
    /// The call may have been applied: a timeout or a broken connection after the request
    /// may have arrived, a 5xx from the gateway or a proxy, or a success whose body could not
    /// be read.
    Uncertain,
}

/// The 400 code the gateway gives a create whose `merchantGlobalOrderId` is taken; it also
/// gives it for other refusals, so a lookup decides.
const DUPLICATE_ORDER_CODE: &str = "BAD_REQUEST";
/// The 400 code of a request breaking the spec's constraints: never a duplicate.
const VALIDATION_CODE: &str = "REQUEST_VALIDATION_ERROR";

/// How a failed call stands; `creating` for `POST /subscriptions`, the one call refused for a
/// taken order id.
pub(crate) fn standing(error: &Error, creating: bool) -> Standing {
    match error {
        Error::Timeout(network) | Error::Transport(network) => {
            if network.step() == Step::TokenRequest || !network.may_have_arrived() {
                Standing::NotSent
            } else {
                Standing::Uncertain
            }
        }
        // A success status whose body did not decode: the call was applied, its answer lost.
        Error::Decode { .. } => Standing::Uncertain,
        // The quota governor refused the slot: nothing left the client.
        Error::Auth(_)
        | Error::InvalidRequest(_)
        | Error::Configuration(_)
        | Error::Throttled(_) => Standing::NotSent,
        other => match other.api_error() {
            Some(api) if api.status.is_server_error() => Standing::Uncertain,
            Some(api)
                if creating
                    && (api.status == StatusCode::CONFLICT
                        || (api.status == StatusCode::BAD_REQUEST
                            && !api.has_code(VALIDATION_CODE)
                            && (api.has_code(DUPLICATE_ORDER_CODE) || api.codes().is_empty()))) =>
            {
                Standing::OrderIdTaken
            }
            Some(_) => Standing::Refused,
            // `Error` is non-exhaustive: a kind added later is not known to be harmless.
            None => Standing::Uncertain,
        },
    }
}

/// Whether a refused change may have met a subscription already changed: a 400 that is no
/// validation error, or a 409. Scalexpert refuses a `_cancel` of a policy that is no longer
/// SUBSCRIBED (a cancelled one included) with 400, so such a refusal is worth a read.
pub(crate) fn refused_for_state(error: &Error) -> bool {
    error.api_error().is_some_and(|api| {
        api.status == StatusCode::CONFLICT
            || (api.status == StatusCode::BAD_REQUEST && !api.has_code(VALIDATION_CODE))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ApiError, ErrorBody, NetworkError};
    use std::time::Duration;

    fn answered(status: u16, body: &str) -> Error {
        Error::from_api(ApiError {
            status: StatusCode::from_u16(status).expect("a status"),
            operation_id: "initiate_credit_subscription",
            request: "POST /subscriptions".into(),
            body: ErrorBody::parse(body.as_bytes()),
            retry_after: None,
        })
    }

    #[test]
    fn lost_answers_are_uncertain() {
        let timeout = NetworkError::deadline_passed(Step::Call, Duration::from_secs(1));
        assert_eq!(standing(&timeout.into_error(), true), Standing::Uncertain);
        for status in [500, 502, 503, 504] {
            assert_eq!(standing(&answered(status, ""), true), Standing::Uncertain);
        }
        let unreadable = Error::Decode {
            status: None,
            message: "missing field `id`".into(),
            excerpt: String::new(),
        };
        assert_eq!(standing(&unreadable, false), Standing::Uncertain);
    }

    #[test]
    fn a_token_step_that_failed_sent_nothing() {
        let token = NetworkError::deadline_passed(Step::TokenRequest, Duration::from_secs(1));
        assert_eq!(standing(&token.into_error(), true), Standing::NotSent);
        let invalid = Error::InvalidRequest("financedAmount".into());
        assert_eq!(standing(&invalid, true), Standing::NotSent);
    }

    #[test]
    fn only_a_create_can_find_its_order_id_taken() {
        let duplicate = answered(400, r#"{"errorCode":"BAD_REQUEST","errorMessage":"taken"}"#);
        assert_eq!(standing(&duplicate, true), Standing::OrderIdTaken);
        assert_eq!(standing(&duplicate, false), Standing::Refused);
        assert_eq!(standing(&answered(409, ""), true), Standing::OrderIdTaken);
        let invalid = answered(
            400,
            r#"{"errorCode":"REQUEST_VALIDATION_ERROR","errors":[{"code":"BAD_REQUEST"}]}"#,
        );
        assert_eq!(standing(&invalid, true), Standing::Refused);
        let forbidden = answered(403, r#"{"errorCode":"FORBIDDEN"}"#);
        assert_eq!(standing(&forbidden, true), Standing::Refused);
        assert_eq!(standing(&answered(429, ""), true), Standing::Refused);
    }

    #[test]
    fn only_a_refusal_for_the_state_may_hide_a_change_already_made() {
        let refused = answered(
            400,
            r#"{"errorCode":"BAD_REQUEST","errorMessage":"CANCELLED"}"#,
        );
        assert!(refused_for_state(&refused));
        assert!(refused_for_state(&answered(400, "")));
        assert!(refused_for_state(&answered(409, "")));
        let invalid = answered(400, r#"{"errorCode":"REQUEST_VALIDATION_ERROR"}"#);
        assert!(!refused_for_state(&invalid));
        for status in [403, 404, 429, 503] {
            assert!(!refused_for_state(&answered(status, "")), "{status}");
        }
        let timeout = NetworkError::deadline_passed(Step::Call, Duration::from_secs(1));
        assert!(!refused_for_state(&timeout.into_error()));
    }
}
