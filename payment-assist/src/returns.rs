//! Verifying the URL a customer comes back to after the lender's pages.
//!
//! Payment Assist sends the customer back to the `success_url` or `failure_url` given to
//! `begin`, with parameters appended (the token, the outcome, a signature). Only the appended
//! parameters are signed: the query parameters the merchant's own URL already had are taken
//! out first, so the verifier needs that configured URL too.

use crate::credentials::Credentials;
use crate::signature;
use crate::v1::types::{ReturnParameters, ReturnParametersStatus};
use crate::verify::VerifyError;
use serde_json::{Map, Value};

/// What a verified return URL says.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReturnedCustomer {
    /// The application's token.
    pub token: uuid::Uuid,
    /// Whether the customer came back from a success or a failure.
    pub status: ReturnParametersStatus,
}

/// Verifies `returned_url` (absolute, or the path and query a web framework hands over)
/// against the dealer's secret; `configured_url` is the `success_url` or `failure_url` given
/// to `begin`, whose own query parameters are not signed.
///
/// Each parameter of the configured URL is removed once (name and value) before the rest is
/// verified; the signature is compared in constant time. A verified return is a hint for the
/// page to show: the application's state comes from `status` (or the webhook).
///
/// ```
/// use payment_assist::{returns::verify_return, v1::types::ReturnParametersStatus, Credentials};
/// let dealer = Credentials::new("216299fc4cc950da", "demo_secret");
/// let configured = "https://shop.example/checkout/done?order=42";
/// // printf '%s' 'STATUS=success&TOKEN=b1e45648-f369-11ea-8ed1-2cfda158243b&' | openssl dgst -sha256 -hmac demo_secret
/// let back = "/checkout/done?order=42&token=b1e45648-f369-11ea-8ed1-2cfda158243b&status=success\
///     &signature=62912a02dbef0839b73ef3bc1e128442d3dc8e90fe16842dddfa57ba1d4693f5";
/// let customer = verify_return(&dealer, back, configured).expect("signed by the lender");
/// assert_eq!(customer.status, ReturnParametersStatus::Success);
///
/// let forged = back.replace("status=success", "status=failed");
/// assert!(verify_return(&dealer, &forged, configured).is_err());
/// ```
pub fn verify_return(
    credentials: &Credentials,
    returned_url: &str,
    configured_url: &str,
) -> Result<ReturnedCustomer, VerifyError> {
    let mut appended = query_pairs(returned_url);
    for own in query_pairs(configured_url) {
        let Some(at) = appended.iter().position(|pair| *pair == own) else {
            return Err(VerifyError::OwnParameterMissing(own.0));
        };
        appended.remove(at);
    }
    let mut signatures = appended
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case(crate::v1::SIGNATURE_PARAMETER));
    let given = match (signatures.next(), signatures.next()) {
        (Some((_, given)), None) => given.clone(),
        (None, _) => return Err(VerifyError::Unsigned("the return URL has no signature")),
        (Some(_), Some(_)) => {
            return Err(VerifyError::Unsigned(
                "the return URL has more than one signature",
            ))
        }
    };
    if !signature::matches(credentials, signature::pairs(&appended), &given) {
        return Err(VerifyError::Mismatch);
    }
    let mut fields = Map::new();
    for (name, value) in appended {
        if fields.insert(name, Value::String(value)).is_some() {
            return Err(VerifyError::Malformed(
                "a parameter appears twice in the return URL".into(),
            ));
        }
    }
    let read: ReturnParameters = serde_json::from_value(Value::Object(fields)).map_err(|_| {
        VerifyError::Malformed("the appended parameters are not a token and a status".into())
    })?;
    Ok(ReturnedCustomer {
        token: read.token,
        status: read.status,
    })
}

/// The decoded query parameters of a URL (after the first `?`, before any `#`), in order.
fn query_pairs(url: &str) -> Vec<(String, String)> {
    let without_fragment = url.split('#').next().unwrap_or_default();
    let query = without_fragment
        .split_once('?')
        .map_or("", |(_, query)| query);
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}
