//! The signing scheme Payment Assist uses in both directions.
//!
//! Every parameter but the API key and the signature, sorted by name as sent, written
//! `NAME=value&` with the name upper-cased (ASCII) and the value as sent, the trailing `&`
//! kept; HMAC-SHA256 of those UTF-8 bytes under the dealer's secret, as lowercase hex. The
//! transport signs every request so; Payment Assist signs the parameters it appends to the
//! return URL and its webhook payloads so.
//!
//! The names of the two excluded parameters come from the spec's security schemes
//! ([`crate::v1::API_KEY_PARAMETER`], [`crate::v1::SIGNATURE_PARAMETER`]); `build.rs` refuses
//! a spec whose `x-hmac-signature` describes any other scheme than this one.

use crate::credentials::Credentials;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// Whether `name` is one of the two parameters a signature never covers. Compared without
/// regard to case, as the names are upper-cased before they are compared by the vendor.
pub fn is_excluded(name: &str) -> bool {
    name.eq_ignore_ascii_case(crate::v1::API_KEY_PARAMETER)
        || name.eq_ignore_ascii_case(crate::v1::SIGNATURE_PARAMETER)
}

/// The text that is signed for `parameters` (decoded names and values, as sent).
///
/// Sorting is by the name as sent, byte by byte, before upper-casing: `s_name` comes before
/// `send_email` although `SEND_EMAIL` sorts before `S_NAME`. Repeated names keep their order.
///
/// ```
/// let text = payment_assist::signature::canonical_string([
///     ("token", "b1e45648-f369-11ea-8ed1-2cfda158243b"),
///     ("api_key", "216299fc4cc950da"),
///     ("send_sms", "false"),
///     ("s_name", "Smith"),
/// ]);
/// assert_eq!(text, "S_NAME=Smith&SEND_SMS=false&TOKEN=b1e45648-f369-11ea-8ed1-2cfda158243b&");
/// ```
pub fn canonical_string<I, K, V>(parameters: I) -> String
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut kept: Vec<(K, V)> = parameters
        .into_iter()
        .filter(|(name, _)| !is_excluded(name.as_ref()))
        .collect();
    kept.sort_by(|a, b| a.0.as_ref().as_bytes().cmp(b.0.as_ref().as_bytes()));
    let mut text = String::new();
    for (name, value) in &kept {
        text.push_str(&name.as_ref().to_ascii_uppercase());
        text.push('=');
        text.push_str(value.as_ref());
        text.push('&');
    }
    text
}

/// The signature of `parameters` under the dealer's secret, as lowercase hex.
///
/// ```
/// use payment_assist::{signature, Credentials};
/// let dealer = Credentials::new("216299fc4cc950da", "demo_secret");
/// // echo -n 'TOKEN=b1e45648-f369-11ea-8ed1-2cfda158243b&' | openssl dgst -sha256 -hmac demo_secret
/// assert_eq!(
///     signature::sign(&dealer, [("token", "b1e45648-f369-11ea-8ed1-2cfda158243b")]),
///     "fceec9d69b86a7aef38fd955b1df6a81ebbb79d1791d3ef5ccfdfff6c6fbef00"
/// );
/// ```
pub fn sign<I, K, V>(credentials: &Credentials, parameters: I) -> String
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    hex::encode(mac(credentials, &canonical_string(parameters)))
}

/// Whether `given` (hex, either case) is the signature of `parameters`, compared in constant
/// time so the comparison leaks nothing about the expected value.
pub fn matches<I, K, V>(credentials: &Credentials, parameters: I, given: &str) -> bool
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let Ok(given) = hex::decode(given.trim()) else {
        return false;
    };
    let expected = mac(credentials, &canonical_string(parameters));
    expected.as_slice().ct_eq(given.as_slice()).into()
}

fn mac(credentials: &Credentials, text: &str) -> Vec<u8> {
    // HMAC takes keys of any length: this cannot fail.
    let mut mac = match HmacSha256::new_from_slice(credentials.secret_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of every length"),
    };
    mac.update(text.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// Borrowed pairs, as the signing functions take them.
pub(crate) fn pairs(parameters: &[(String, String)]) -> impl Iterator<Item = (&str, &str)> {
    parameters.iter().map(|(k, v)| (k.as_str(), v.as_str()))
}
