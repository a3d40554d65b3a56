//! Verifying deliveries: signatures against values computed by openssl, every rejection
//! reason, the three authentication methods, PSP dispatch, and that secrets never show.
#![cfg(feature = "webhooks")]

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use scalexpert::webhooks::{
    sign, ConfigError, Event, ReceiverSecrets, Rejection, SecretsProvider, Verifier,
};
use std::borrow::Cow;
use std::collections::HashMap;
use std::time::Duration;

/// An SC_SUBSCRIPTION delivery built from our spec's "get one event" example.
const BODY: &str = r#"{"timestamp":"2024-03-18T14:27:45.612Z","id":"3e8b5f21-7c0d-4a96-b1e4-9f62d0a8c573","correlationId":"6a2d9c47-1f85-4e3b-a0d7-c5b8e2f19046","eventTypeCode":"SC_SUBSCRIPTION","eventCode":"SC_SUBSCRIPTION_ACCEPTED","data":{"eventTypeCode":"SC_SUBSCRIPTION","eventCode":"SC_SUBSCRIPTION_ACCEPTED","merchantGlobalOrderId":"CMD-2024-009347","financedAmount":1249.9,"consolidatedStatus":"ACCEPTED"}}"#;
/// The signature key of our spec's configuration example.
const KEY: &str = "9f2c41d07be85a36c1e04f7d2a9b6e13580cd4fa72e19b0d3c6a8f5e41b72d09";
const TS: &str = "2024-03-18T14:27:46.080Z";
// printf '%s' "2024-03-18T14:27:46.080Z.$BODY" | openssl dgst -sha256 -hmac '9f2c41d07be85a36c1e04f7d2a9b6e13580cd4fa72e19b0d3c6a8f5e41b72d09'
// (with BODY set to the `BODY` constant above, in single quotes)
const SIG: &str = "48fef56d6a9b20f814800d6ad5a4d7c8096dba0e8353124a64ccbc2be32fd7c7";

/// A HELLO_WORLD delivery built from our spec's "list events" example.
const HELLO: &str = r#"{"timestamp":"2024-03-12T16:02:55.004Z","id":"a7f30c18-94e2-4b6d-8c0a-3e5b7d91f426","eventTypeCode":"HELLO_WORLD","eventCode":"HELLO_WORLD","data":{"eventTypeCode":"HELLO_WORLD","eventCode":"HELLO_WORLD","helloWorldMessage":"Connectivity check from Scalexpert"}}"#;
const HELLO_TS: &str = "2024-03-12T16:02:55.391Z";
// printf '%s' '2024-03-12T16:02:55.391Z.<HELLO>' | openssl dgst -sha256 -hmac 'hook-signing-key'
const HELLO_SIG: &str = "4578a0f3adaca538f4cb25106e4eae966ec6c2fc05056d3973596aaa43d879b3";

fn at(ts: &str) -> DateTime<Utc> {
    ts.parse().unwrap()
}

/// One minute after `TS`: well within the default skew.
fn now() -> DateTime<Utc> {
    at(TS) + ChronoDuration::minutes(1)
}

fn signed_only() -> Verifier {
    Verifier::new(ReceiverSecrets::unauthenticated().with_signature_key(KEY))
}

fn signed(sig: &str, ts: &str) -> Vec<(&'static str, String)> {
    vec![
        ("X-BAAS-SIGNATURE", sig.to_string()),
        ("X-BAAS-SIGNATURE-TIMESTAMP", ts.to_string()),
    ]
}

fn reject(verifier: &Verifier, headers: &[(&str, String)], body: &str) -> Rejection {
    verifier
        .verify_at(headers, body.as_bytes(), now())
        .expect_err("must be rejected")
}

#[test]
fn our_hmac_equals_openssl() {
    assert_eq!(sign(KEY.as_bytes(), TS, BODY.as_bytes()), SIG);
    assert_eq!(
        sign(b"hook-signing-key", HELLO_TS, HELLO.as_bytes()),
        HELLO_SIG
    );
    // printf '%s' 'ts.' | openssl dgst -sha256 -hmac 'k'   (empty body)
    assert_eq!(
        sign(b"k", "ts", b""),
        "e8f047856eb10d3337decdac2b05dc280e6e15b3770ad868df9868e5dd0304c6"
    );
}

#[test]
fn a_delivery_signed_as_openssl_computes_it_is_accepted_in_lower_and_upper_case() {
    for sig in [SIG.to_string(), SIG.to_uppercase()] {
        let event = signed_only()
            .verify_at(&signed(&sig, TS)[..], BODY.as_bytes(), now())
            .unwrap();
        assert_eq!(event.id.to_string(), "3e8b5f21-7c0d-4a96-b1e4-9f62d0a8c573");
        assert_eq!(event.merchant_global_order_id(), Some("CMD-2024-009347"));
    }
    let hello =
        Verifier::new(ReceiverSecrets::unauthenticated().with_signature_key("hook-signing-key"));
    let mut headers = http::HeaderMap::new();
    headers.insert("x-baas-signature", HELLO_SIG.parse().unwrap());
    headers.insert("x-baas-signature-timestamp", HELLO_TS.parse().unwrap());
    let event = hello
        .verify_at(&headers, HELLO.as_bytes(), at(HELLO_TS))
        .unwrap();
    assert_eq!(event.event_code.to_string(), "HELLO_WORLD");
}

#[test]
fn a_tampered_body_is_a_bad_signature() {
    let tampered = BODY.replace("1249.9", "12499.0");
    assert_eq!(
        reject(&signed_only(), &signed(SIG, TS), &tampered),
        Rejection::BadSignature
    );
    // One extra byte at the end.
    assert_eq!(
        reject(&signed_only(), &signed(SIG, TS), &format!("{BODY} ")),
        Rejection::BadSignature
    );
}

#[test]
fn a_tampered_timestamp_is_a_bad_signature() {
    // Still fresh, so only the signature can catch it.
    let moved = "2024-03-18T14:27:47.080Z";
    assert_eq!(
        reject(&signed_only(), &signed(SIG, moved), BODY),
        Rejection::BadSignature
    );
    // Same instant, different text: the text is what is signed.
    assert_eq!(
        reject(
            &signed_only(),
            &signed(SIG, "2024-03-18T15:27:46.080+01:00"),
            BODY
        ),
        Rejection::BadSignature
    );
}

#[test]
fn a_signature_under_another_key_or_not_hex_is_bad() {
    let other = sign(b"another-key", TS, BODY.as_bytes());
    assert_eq!(
        reject(&signed_only(), &signed(&other, TS), BODY),
        Rejection::BadSignature
    );
    assert_eq!(
        reject(&signed_only(), &signed("not-hex", TS), BODY),
        Rejection::BadSignature
    );
    assert_eq!(
        reject(&signed_only(), &signed(&SIG[..62], TS), BODY),
        Rejection::BadSignature
    );
}

#[test]
fn stale_and_future_timestamps_are_refused_beyond_the_skew() {
    let verifier = signed_only();
    let headers = signed(SIG, TS);
    let check = |now: DateTime<Utc>| verifier.verify_at(&headers[..], BODY.as_bytes(), now);
    let five = Duration::from_secs(300);

    assert!(check(at(TS) + ChronoDuration::seconds(299)).is_ok());
    assert!(check(at(TS) + ChronoDuration::seconds(300)).is_ok());
    assert_eq!(
        check(at(TS) + ChronoDuration::seconds(301)).unwrap_err(),
        Rejection::StaleTimestamp {
            age: Duration::from_secs(301),
            max_skew: five
        }
    );
    assert!(check(at(TS) - ChronoDuration::seconds(300)).is_ok());
    assert_eq!(
        check(at(TS) - ChronoDuration::seconds(360)).unwrap_err(),
        Rejection::FutureTimestamp {
            ahead: Duration::from_secs(360),
            max_skew: five
        }
    );

    // The skew is configurable.
    let lenient = signed_only().max_clock_skew(Duration::from_secs(600));
    assert!(lenient
        .verify_at(
            &headers[..],
            BODY.as_bytes(),
            at(TS) + ChronoDuration::seconds(599)
        )
        .is_ok());
    let strict = signed_only().max_clock_skew(Duration::from_secs(30));
    assert!(matches!(
        strict.verify_at(&headers[..], BODY.as_bytes(), now()),
        Err(Rejection::StaleTimestamp { .. })
    ));
}

#[test]
fn with_a_key_configured_unsigned_or_half_signed_requests_are_refused() {
    let verifier = signed_only();
    assert_eq!(reject(&verifier, &[], BODY), Rejection::MissingSignature);
    assert_eq!(
        reject(
            &verifier,
            &[("X-BAAS-SIGNATURE-TIMESTAMP", TS.into())],
            BODY
        ),
        Rejection::MissingSignature
    );
    assert_eq!(
        reject(&verifier, &[("X-BAAS-SIGNATURE", SIG.into())], BODY),
        Rejection::MissingSignatureTimestamp
    );
    assert_eq!(
        reject(&verifier, &signed(SIG, "18/03/2024 14:27"), BODY),
        Rejection::InvalidSignatureTimestamp
    );
}

#[test]
fn without_a_key_signatures_are_not_required() {
    let verifier = Verifier::new(ReceiverSecrets::secret_header("s3"));
    let headers = [("X-BAAS-SECRET", "s3".to_string())];
    assert!(verifier
        .verify_at(&headers[..], BODY.as_bytes(), now())
        .is_ok());
    // A stale timestamp is not judged either: there is no key to trust it by.
    assert!(verifier
        .verify_at(
            &headers[..],
            BODY.as_bytes(),
            now() + ChronoDuration::days(3)
        )
        .is_ok());
}

#[test]
fn method_none_checks_the_secret_header() {
    let verifier = Verifier::new(ReceiverSecrets::secret_header("hook-shared-secret-51c8"));
    assert_eq!(
        reject(&verifier, &[], BODY),
        Rejection::MissingSecret {
            header: "X-BAAS-SECRET"
        }
    );
    for wrong in ["hook-shared-secret-51c9", "hook-shared-secret-51c", ""] {
        assert_eq!(
            reject(&verifier, &[("X-BAAS-SECRET", wrong.into())], BODY),
            Rejection::WrongSecret {
                header: "X-BAAS-SECRET"
            }
        );
    }
    // Header names are case-insensitive.
    assert!(verifier
        .verify_at(
            &[("x-baas-secret", "hook-shared-secret-51c8")][..],
            BODY.as_bytes(),
            now()
        )
        .is_ok());
    // The secret is not accepted in Authorization instead.
    assert_eq!(
        reject(
            &verifier,
            &[("Authorization", "hook-shared-secret-51c8".into())],
            BODY
        ),
        Rejection::MissingSecret {
            header: "X-BAAS-SECRET"
        }
    );
}

#[test]
fn method_api_key_checks_authorization() {
    let verifier = Verifier::new(ReceiverSecrets::api_key("sx-live-api-key-7f31c2"));
    assert_eq!(
        reject(&verifier, &[], BODY),
        Rejection::MissingSecret {
            header: "Authorization"
        }
    );
    for wrong in ["sx-live-api-key-7f31c3", "Bearer sx-live-api-key-7f31c2"] {
        assert_eq!(
            reject(&verifier, &[("Authorization", wrong.into())], BODY),
            Rejection::WrongSecret {
                header: "Authorization"
            }
        );
    }
    // In X-BAAS-SECRET it does not count.
    assert_eq!(
        reject(
            &verifier,
            &[("X-BAAS-SECRET", "sx-live-api-key-7f31c2".into())],
            BODY
        ),
        Rejection::MissingSecret {
            header: "Authorization"
        }
    );
    assert!(verifier
        .verify_at(
            &[("Authorization", "sx-live-api-key-7f31c2")][..],
            BODY.as_bytes(),
            now()
        )
        .is_ok());
}

// printf '%s' 'scalexpert-notifier:Xq7!vR2p#Lm9' | base64
const BASIC_OK: &str = "Basic c2NhbGV4cGVydC1ub3RpZmllcjpYcTchdlIycCNMbTk=";
// printf '%s' 'scalexpert-notifier:wrong' | base64
const BASIC_WRONG_PASSWORD: &str = "Basic c2NhbGV4cGVydC1ub3RpZmllcjp3cm9uZw==";
// printf '%s' 'intruder:Xq7!vR2p#Lm9' | base64
const BASIC_WRONG_LOGIN: &str = "Basic aW50cnVkZXI6WHE3IXZSMnAjTG05";

#[test]
fn method_basic_auth_checks_login_and_password() {
    let verifier = Verifier::new(ReceiverSecrets::basic_auth(
        "scalexpert-notifier",
        "Xq7!vR2p#Lm9",
    ));
    assert!(verifier
        .verify_at(&[("Authorization", BASIC_OK)][..], BODY.as_bytes(), now())
        .is_ok());
    // The scheme is case-insensitive.
    let lower = BASIC_OK.replace("Basic", "basic");
    assert!(verifier
        .verify_at(&[("Authorization", lower)][..], BODY.as_bytes(), now())
        .is_ok());

    assert_eq!(
        reject(&verifier, &[], BODY),
        Rejection::MissingBasicCredentials
    );
    for wrong in [
        BASIC_WRONG_PASSWORD,
        BASIC_WRONG_LOGIN,
        "Bearer c2NhbGV4cGVydC1ub3RpZmllcjpYcTchdlIycCNMbTk=",
        "Basic !!!not-base64!!!",
        "Basic",
        "Xq7!vR2p#Lm9",
    ] {
        assert_eq!(
            reject(&verifier, &[("Authorization", wrong.into())], BODY),
            Rejection::WrongBasicCredentials,
            "{wrong}"
        );
    }
}

#[test]
fn basic_auth_with_a_secret_also_needs_the_secret_header() {
    let verifier = Verifier::new(
        ReceiverSecrets::basic_auth("scalexpert-notifier", "Xq7!vR2p#Lm9")
            .with_secret("hook-shared-secret-51c8"),
    );
    assert_eq!(
        reject(&verifier, &[("Authorization", BASIC_OK.into())], BODY),
        Rejection::MissingSecret {
            header: "X-BAAS-SECRET"
        }
    );
    let both = [
        ("Authorization", BASIC_OK),
        ("X-BAAS-SECRET", "hook-shared-secret-51c8"),
    ];
    assert!(verifier
        .verify_at(&both[..], BODY.as_bytes(), now())
        .is_ok());
}

#[test]
fn authentication_is_checked_before_the_signature_and_the_body() {
    let verifier = Verifier::new(ReceiverSecrets::secret_header("s3").with_signature_key(KEY));
    let forged = [("X-BAAS-SECRET", "guess".to_string())];
    assert_eq!(
        reject(&verifier, &forged, "not json"),
        Rejection::WrongSecret {
            header: "X-BAAS-SECRET"
        }
    );
    // An unauthenticated body is never parsed: 401, not 400.
    assert_eq!(
        reject(&verifier, &forged, "not json").status(),
        http::StatusCode::UNAUTHORIZED
    );
}

#[test]
fn an_authentic_malformed_body_is_a_400() {
    let verifier = Verifier::new(ReceiverSecrets::secret_header("s3"));
    let headers = [("X-BAAS-SECRET", "s3".to_string())];
    let not_uuid = BODY.replace("3e8b5f21-7c0d-4a96-b1e4-9f62d0a8c573", "42");
    for body in [
        "",
        "not json",
        "[]",
        r#"{"id":"3e8b5f21-7c0d-4a96-b1e4-9f62d0a8c573"}"#,
        &not_uuid,
    ] {
        let rejection = reject(&verifier, &headers, body);
        assert!(
            matches!(rejection, Rejection::MalformedBody(_)),
            "{body}: {rejection:?}"
        );
        assert_eq!(rejection.status(), http::StatusCode::BAD_REQUEST);
    }
}

fn psp_map() -> HashMap<String, ReceiverSecrets> {
    HashMap::from([
        (
            "MERCHANT-A".to_string(),
            ReceiverSecrets::secret_header("secret-a").with_signature_key("key-of-merchant-a"),
        ),
        (
            "MERCHANT-B".to_string(),
            ReceiverSecrets::api_key("secret-b").with_signature_key("key-of-merchant-b"),
        ),
    ])
}

// printf '%s' "2024-03-18T14:27:46.080Z.$BODY" | openssl dgst -sha256 -hmac 'key-of-merchant-a'
const SIG_A: &str = "5e95454b3e83a650fb971c62ad22d8c8506ea68d508381cb5465034dda822b2c";
// printf '%s' "2024-03-18T14:27:46.080Z.$BODY" | openssl dgst -sha256 -hmac 'key-of-merchant-b'
const SIG_B: &str = "6107913e9a419587c516c12cf13962d4b3a35e55e831214a1a8f2662e5fd808b";

#[test]
fn a_psp_checks_each_delivery_with_the_named_merchants_secrets() {
    let verifier = Verifier::new(psp_map());
    let for_a = |sig: &str| {
        let mut h = signed(sig, TS);
        h.push(("X-BAAS-CLIENT-REF-FOR-PROXI-ID", "MERCHANT-A".into()));
        h.push(("X-BAAS-SECRET", "secret-a".into()));
        h
    };
    let event = verifier
        .verify_at(&for_a(SIG_A)[..], BODY.as_bytes(), now())
        .unwrap();
    assert_eq!(event.merchant.as_deref(), Some("MERCHANT-A"));

    // B's signature on a delivery naming A: refused.
    assert_eq!(
        reject(&verifier, &for_a(SIG_B), BODY),
        Rejection::BadSignature
    );

    let mut for_b = signed(SIG_B, TS);
    for_b.push(("X-BAAS-CLIENT-REF-FOR-PROXI-ID", "MERCHANT-B".into()));
    for_b.push(("Authorization", "secret-b".into()));
    let event = verifier
        .verify_at(&for_b[..], BODY.as_bytes(), now())
        .unwrap();
    assert_eq!(event.merchant.as_deref(), Some("MERCHANT-B"));
    // A's secret header is not B's authentication.
    for_b.pop();
    for_b.push(("X-BAAS-SECRET", "secret-a".into()));
    assert_eq!(
        reject(&verifier, &for_b, BODY),
        Rejection::MissingSecret {
            header: "Authorization"
        }
    );

    let mut for_c = for_a(SIG_A);
    for_c[2].1 = "MERCHANT-C".into();
    assert_eq!(
        reject(&verifier, &for_c, BODY),
        Rejection::UnknownMerchant {
            merchant: Some("MERCHANT-C".into())
        }
    );
    assert_eq!(
        reject(&verifier, &signed(SIG_A, TS), BODY),
        Rejection::UnknownMerchant { merchant: None }
    );
}

/// A provider as a PSP might write it: secrets built on demand from its own records.
struct Database;

impl SecretsProvider for Database {
    fn secrets_for(&self, merchant: Option<&str>) -> Option<Cow<'_, ReceiverSecrets>> {
        let merchant = merchant?.strip_prefix("SHOP-")?;
        Some(Cow::Owned(ReceiverSecrets::secret_header(format!(
            "secret-{merchant}"
        ))))
    }
}

#[test]
fn a_user_written_provider_is_consulted() {
    let verifier = Verifier::new(Database);
    let headers = [
        ("X-BAAS-CLIENT-REF-FOR-PROXI-ID", "SHOP-7"),
        ("X-BAAS-SECRET", "secret-7"),
    ];
    assert!(verifier
        .verify_at(&headers[..], BODY.as_bytes(), now())
        .is_ok());
    let headers = [
        ("X-BAAS-CLIENT-REF-FOR-PROXI-ID", "SHOP-8"),
        ("X-BAAS-SECRET", "secret-7"),
    ];
    assert!(matches!(
        verifier.verify_at(&headers[..], BODY.as_bytes(), now()),
        Err(Rejection::WrongSecret { .. })
    ));
}

#[test]
fn delivery_headers_round_trip_for_every_method() {
    let all = [
        ReceiverSecrets::unauthenticated(),
        ReceiverSecrets::unauthenticated().with_signature_key(KEY),
        ReceiverSecrets::secret_header("s").with_signature_key(KEY),
        ReceiverSecrets::api_key("k").with_signature_key(KEY),
        ReceiverSecrets::basic_auth("l", "p").with_secret("s"),
    ];
    for secrets in all {
        let headers = secrets
            .delivery_headers(Some("MERCHANT-A"), BODY.as_bytes(), now())
            .unwrap();
        let event = Verifier::new(secrets.clone())
            .verify_at(&headers, BODY.as_bytes(), now())
            .unwrap_or_else(|r| panic!("{secrets:?}: {r}"));
        assert_eq!(event.merchant.as_deref(), Some("MERCHANT-A"));
    }
}

/// Our spec's example of a stored configuration (read config).
fn spec_config() -> scalexpert::merchant_webhooks::v1_0_6::types::MerchantWebhookConfigResponse {
    serde_json::from_value(serde_json::json!({
        "eventTypeCode": "SC_SUBSCRIPTION",
        "active": true,
        "url": "https://shop.example.fr/hooks/scalexpert/financing",
        "authMethod": "API_KEY",
        "authLogin": null,
        "authPassword": null,
        "authScope": null,
        "keyForSignature": KEY,
        "secret": "sx-live-api-key-7f31c2",
        "emailForAlerts": "ops-alerts@shop.example.fr",
        "activeEventCodes": ["SC_SUBSCRIPTION_ACCEPTED"]
    }))
    .unwrap()
}

#[test]
fn secrets_follow_a_configuration_read_with_the_management_api() {
    let secrets = ReceiverSecrets::from_config(&spec_config()).unwrap();
    assert!(secrets.requires_signature());
    let verifier = Verifier::new(secrets);
    let mut headers = signed(SIG, TS);
    headers.push(("Authorization", "sx-live-api-key-7f31c2".into()));
    assert!(verifier
        .verify_at(&headers[..], BODY.as_bytes(), now())
        .is_ok());

    let mut no_secret = spec_config();
    no_secret.secret = None;
    assert_eq!(
        ReceiverSecrets::from_config(&no_secret).unwrap_err(),
        ConfigError::ApiKeyWithoutSecret
    );
}

#[test]
fn secrets_never_appear_in_debug_or_rejections() {
    let secrets = [
        "hook-shared-secret-51c8",
        "Xq7!vR2p#Lm9",
        KEY,
        "sx-live-api-key-7f31c2",
    ];
    let config = ReceiverSecrets::basic_auth("scalexpert-notifier", secrets[1])
        .with_secret(secrets[0])
        .with_signature_key(secrets[2]);
    let api = ReceiverSecrets::api_key(secrets[3]);
    let headers = config
        .delivery_headers(None, BODY.as_bytes(), now())
        .unwrap();
    let verifier = Verifier::new(config.clone());
    let receiver = scalexpert::webhooks::Receiver::from_verifier(verifier.clone());

    let mut shown = vec![
        format!("{config:?}"),
        format!("{api:?}"),
        format!("{verifier:?}"),
        format!("{receiver:?}"),
        format!("{headers:?}"),
        format!("{:?}", ReceiverSecrets::from_config(&spec_config())),
    ];
    for wrong in [
        vec![("Authorization", "Basic x".to_string())],
        vec![
            ("Authorization", BASIC_OK.to_string()),
            ("X-BAAS-SECRET", "nope".into()),
        ],
    ] {
        let rejection = reject(&verifier, &wrong, BODY);
        shown.push(rejection.to_string());
        shown.push(format!("{rejection:?}"));
    }
    let event: Event = verifier
        .verify_at(&headers, BODY.as_bytes(), now())
        .unwrap();
    shown.push(format!("{event:?}"));
    for text in shown {
        for secret in secrets {
            assert!(!text.contains(secret), "{secret} shown in {text}");
        }
    }
}

#[test]
fn a_simulator_signs_with_the_configuration_it_was_sent() {
    // Our spec's example of the upsert body: BASIC_AUTH, a secret and a signature key.
    let request: scalexpert::merchant_webhooks::v1_0_6::types::MerchantWebhookConfigRequest =
        serde_json::from_value(serde_json::json!({
            "eventTypeCode": "SC_SUBSCRIPTION",
            "active": true,
            "url": "https://shop.example.fr/hooks/scalexpert/financing",
            "authMethod": "BASIC_AUTH",
            "authLogin": "scalexpert-notifier",
            "authPassword": "Xq7!vR2p#Lm9",
            "keyForSignature": KEY,
            "secret": "hook-shared-secret-51c8",
            "emailForAlerts": "ops-alerts@shop.example.fr",
            "activeEventCodes": ["SC_SUBSCRIPTION_ACCEPTED", "SC_SUBSCRIPTION_REJECTED"]
        }))
        .unwrap();
    let sender = ReceiverSecrets::from_request(&request).unwrap();
    let headers = sender
        .delivery_headers(None, BODY.as_bytes(), at(TS))
        .unwrap();
    assert_eq!(headers["authorization"], BASIC_OK);
    assert_eq!(headers["x-baas-secret"], "hook-shared-secret-51c8");
    assert_eq!(headers["x-baas-signature"], SIG);
    assert_eq!(headers["x-baas-signature-timestamp"], TS);

    // The receiver, configured by hand with the same values, accepts it.
    let receiver = Verifier::new(
        ReceiverSecrets::basic_auth("scalexpert-notifier", "Xq7!vR2p#Lm9")
            .with_secret("hook-shared-secret-51c8")
            .with_signature_key(KEY),
    );
    assert!(receiver.verify_at(&headers, BODY.as_bytes(), now()).is_ok());

    let mut odd = spec_config();
    odd.auth_method = Some(scalexpert::OpenEnum::Unknown("OAUTH2".into()));
    assert_eq!(
        ReceiverSecrets::from_config(&odd).unwrap_err(),
        ConfigError::UnknownAuthMethod("OAUTH2".into())
    );
}
