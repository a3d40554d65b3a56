//! The signing scheme itself, against vectors computed independently with openssl.

use crate::*;
use payment_assist::signature::{canonical_string, matches, sign};

#[test]
fn no_parameters_sign_the_empty_string() {
    // printf '%s' '' | openssl dgst -sha256 -hmac demo_b7c2e91f4a6d3058
    let expected = "5d26405090a57c8823f231b164d56cd9b0e5be4e97a10829505757f761371c2d";
    let none: [(&str, &str); 0] = [];
    assert_eq!(canonical_string(none), "");
    assert_eq!(sign(&credentials(), none), expected);
}

#[test]
fn names_sort_as_sent_before_they_are_upper_cased() {
    let parameters = [("send_email", "true"), ("s_name", "Lovelace")];
    // Byte order of the names as sent: '_' (0x5F) < 'e' (0x65), so s_name first, although
    // SEND_EMAIL would sort before S_NAME once upper-cased.
    assert_eq!(
        canonical_string(parameters),
        "S_NAME=Lovelace&SEND_EMAIL=true&"
    );
    // printf '%s' 'S_NAME=Lovelace&SEND_EMAIL=true&' | openssl dgst -sha256 -hmac demo_b7c2e91f4a6d3058
    assert_eq!(
        sign(&credentials(), parameters),
        "ccee28c25acdf7691d80bbda6c2b436067594a5d52b05a9207dacf4fd638f8d5"
    );
    // printf '%s' 'SEND_EMAIL=true&S_NAME=Lovelace&' | openssl dgst -sha256 -hmac demo_b7c2e91f4a6d3058
    assert_ne!(
        sign(&credentials(), parameters),
        "5fba5bbf40de8f8a0f0066c46418e1db8c9ecb819e61bf89db2db286c1aa19ec"
    );
}

#[test]
fn the_key_and_the_signature_are_never_signed_whatever_their_case() {
    let with = [
        ("token", TOKEN),
        ("api_key", API_KEY),
        ("SIGNATURE", "ff"),
        ("Api_Key", "x"),
    ];
    assert_eq!(canonical_string(with), format!("TOKEN={TOKEN}&"));
    // printf '%s' 'TOKEN=3f2b8c1e-7d4a-4e59-9b06-1c8e2f7a5d30&' | openssl dgst -sha256 -hmac demo_b7c2e91f4a6d3058
    assert_eq!(
        sign(&credentials(), with),
        "50d2aa8b084b9df62ae41b1df2a7e28e1ce1d3cf892e9e54711bdbf638d0b7e1"
    );
}

#[test]
fn values_are_signed_as_utf8_and_unencoded() {
    let parameters = [
        ("postcode", "SW1Y 4LB"),
        ("s_name", "Lovelace"),
        ("addr1", "12 St James's Square"),
        ("f_name", "Ada"),
    ];
    assert_eq!(
        canonical_string(parameters),
        "ADDR1=12 St James's Square&F_NAME=Ada&POSTCODE=SW1Y 4LB&S_NAME=Lovelace&"
    );
    // printf '%s' "ADDR1=12 St James's Square&F_NAME=Ada&POSTCODE=SW1Y 4LB&S_NAME=Lovelace&" | openssl dgst -sha256 -hmac demo_b7c2e91f4a6d3058
    let expected = "c7cd84e722e11a794fce393b187157e9d5b63adcbac8fc1d02f0f2b6fd5fc4a6";
    assert_eq!(sign(&credentials(), parameters), expected);
    assert!(matches(&credentials(), parameters, expected));
    assert!(matches(
        &credentials(),
        parameters,
        &expected.to_uppercase()
    ));
    assert!(!matches(&credentials(), parameters, &expected[..62]));
    assert!(!matches(&credentials(), parameters, "not hex"));
    let other = Credentials::new(API_KEY, "demo_another-dealer");
    assert!(!matches(&other, parameters, expected));
}
