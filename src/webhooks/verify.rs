//! Authentication and signature checks of a delivery, before its body is trusted.

use super::dedupe::DedupeError;
use super::event::{Event, ParseError};
use crate::merchant_webhooks::v1_0_6::types::{
    MerchantWebhookConfigRequest, MerchantWebhookConfigResponse,
};
use crate::OpenEnum;
use base64::Engine as _;
use chrono::{DateTime, SecondsFormat, Utc};
use hmac::{Hmac, Mac};
use http::header::{
    HeaderMap, HeaderName, HeaderValue, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE,
};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use subtle::ConstantTimeEq;

/// Header carrying the configured secret when the receiver's method is `NONE` or `BASIC_AUTH`.
pub const SECRET_HEADER: HeaderName = HeaderName::from_static("x-baas-secret");
/// Header carrying the hex HMAC-SHA256 signature of a delivery.
pub const SIGNATURE_HEADER: HeaderName = HeaderName::from_static("x-baas-signature");
/// Header carrying the signing instant (ISO-8601), part of the signed bytes.
pub const SIGNATURE_TIMESTAMP_HEADER: HeaderName =
    HeaderName::from_static("x-baas-signature-timestamp");

/// How far a signature timestamp may be from the receiver's clock by default.
pub const DEFAULT_MAX_CLOCK_SKEW: Duration = Duration::from_secs(5 * 60);

/// The largest delivery body accepted by default: 32 KiB. Scalexpert's events are small (the
/// largest in our spec and Scalexpert's event documentation, a `SC_CANCEL_REQUEST` with every
/// field, is about 650 bytes with its delivery state; pushed bodies are smaller), so this
/// leaves room for fields added later while bounding what an unauthenticated sender can make
/// a receiver hold.
pub const DEFAULT_MAX_BODY_BYTES: usize = 32 * 1024;

/// The length of a hex HMAC-SHA256, the only shape `X-BAAS-SIGNATURE` can have.
const SIGNATURE_HEX_LEN: usize = 64;

/// Read access to the headers of a delivery, whatever HTTP library received it.
///
/// Implemented for [`http::HeaderMap`] (axum, hyper, reqwest...) and for slices of name/value
/// pairs, which any framework can produce.
pub trait Headers {
    /// The first value of the header `name` (given in lower case; lookups ignore case).
    fn header(&self, name: &str) -> Option<&[u8]>;
}

impl Headers for HeaderMap {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.get(name).map(HeaderValue::as_bytes)
    }
}

impl<K: AsRef<str>, V: AsRef<[u8]>> Headers for [(K, V)] {
    fn header(&self, name: &str) -> Option<&[u8]> {
        self.iter()
            .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

/// How Scalexpert authenticates to the receiver: the `authMethod` of the webhook configuration.
#[derive(Clone)]
#[non_exhaustive]
pub enum ReceiverAuth {
    /// `NONE`: only the shared secret, if one is configured, in `X-BAAS-SECRET`.
    None,
    /// `API_KEY`: the shared secret is the whole `Authorization` header value.
    ApiKey,
    /// `BASIC_AUTH`: `Authorization: Basic` with this login and password.
    Basic {
        /// The configured `authLogin`.
        login: String,
        /// The configured `authPassword`.
        password: SecretString,
    },
}

impl fmt::Debug for ReceiverAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReceiverAuth::None => f.write_str("None"),
            ReceiverAuth::ApiKey => f.write_str("ApiKey"),
            ReceiverAuth::Basic { login, .. } => f
                .debug_struct("Basic")
                .field("login", login)
                .field("password", &"[redacted]")
                .finish(),
        }
    }
}

/// What a receiver must check on every delivery: a mirror of the webhook configuration
/// (method, secret, signature key) stored at Scalexpert for one merchant.
///
/// `Debug` never shows secrets:
/// ```
/// use scalexpert::webhooks::ReceiverSecrets;
/// let secrets = ReceiverSecrets::api_key("k-123").with_signature_key("sig-key");
/// let shown = format!("{secrets:?}");
/// assert!(!shown.contains("k-123") && !shown.contains("sig-key"));
/// ```
#[derive(Clone)]
pub struct ReceiverSecrets {
    auth: ReceiverAuth,
    secret: Option<SecretString>,
    signature_key: Option<SecretString>,
}

impl fmt::Debug for ReceiverSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let set = |s: &Option<SecretString>| if s.is_some() { "[set]" } else { "[none]" };
        f.debug_struct("ReceiverSecrets")
            .field("auth", &self.auth)
            .field("secret", &set(&self.secret))
            .field("signature_key", &set(&self.signature_key))
            .finish()
    }
}

/// Why a webhook configuration read from the management API cannot be turned into
/// [`ReceiverSecrets`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// `API_KEY` without a `secret`: nothing to check `Authorization` against.
    #[error("authMethod API_KEY needs a secret")]
    ApiKeyWithoutSecret,
    /// `BASIC_AUTH` without `authLogin` or `authPassword`.
    #[error("authMethod BASIC_AUTH needs authLogin and authPassword")]
    BasicWithoutCredentials,
    /// An `authMethod` this crate does not know.
    #[error("unknown authMethod {0:?}")]
    UnknownAuthMethod(String),
}

impl ReceiverSecrets {
    /// Method `NONE` without a secret: deliveries are not authenticated, except by the
    /// signature if [`with_signature_key`](Self::with_signature_key) is added. Anyone who
    /// knows the URL can post events to such a receiver.
    pub fn unauthenticated() -> Self {
        ReceiverSecrets {
            auth: ReceiverAuth::None,
            secret: None,
            signature_key: None,
        }
    }

    /// Method `NONE` with a secret: every delivery must carry it in `X-BAAS-SECRET`.
    pub fn secret_header(secret: impl Into<String>) -> Self {
        ReceiverSecrets::unauthenticated().with_secret(secret)
    }

    /// Method `API_KEY`: every delivery's `Authorization` header must be this secret.
    pub fn api_key(secret: impl Into<String>) -> Self {
        ReceiverSecrets {
            auth: ReceiverAuth::ApiKey,
            secret: Some(SecretString::from(secret.into())),
            signature_key: None,
        }
    }

    /// Method `BASIC_AUTH`: every delivery must carry `Authorization: Basic` with these.
    pub fn basic_auth(login: impl Into<String>, password: impl Into<String>) -> Self {
        ReceiverSecrets {
            auth: ReceiverAuth::Basic {
                login: login.into(),
                password: SecretString::from(password.into()),
            },
            secret: None,
            signature_key: None,
        }
    }

    /// Sets the shared secret (`secret` of the configuration). With `NONE` and `BASIC_AUTH`
    /// it is expected in `X-BAAS-SECRET`; with `API_KEY` it is the `Authorization` value.
    pub fn with_secret(mut self, secret: impl Into<String>) -> Self {
        self.secret = Some(SecretString::from(secret.into()));
        self
    }

    /// Sets the signature key (`keyForSignature`): every delivery must then be signed, and
    /// unsigned ones are rejected. The key is used as the UTF-8 bytes of the string, exactly
    /// as configured (a hex-looking key is not hex-decoded).
    pub fn with_signature_key(mut self, key: impl Into<String>) -> Self {
        self.signature_key = Some(SecretString::from(key.into()));
        self
    }

    /// The secrets of a configuration read with the management API
    /// (`find_merchant_webhook_config`), so the receiver checks what Scalexpert sends.
    pub fn from_config(config: &MerchantWebhookConfigResponse) -> Result<Self, ConfigError> {
        let method = match &config.auth_method {
            None => None,
            Some(OpenEnum::Known(method)) => Some(method.to_string()),
            Some(OpenEnum::Unknown(other)) => Some(other.clone()),
        };
        ReceiverSecrets::from_parts(
            method.as_deref(),
            config.secret.as_deref(),
            config.auth_login.as_deref(),
            config.auth_password.as_deref(),
            config.key_for_signature.as_deref(),
        )
    }

    /// The secrets of a configuration as sent to the management API
    /// (`set_merchant_web_config`): what a simulator of Scalexpert signs deliveries with.
    pub fn from_request(config: &MerchantWebhookConfigRequest) -> Result<Self, ConfigError> {
        let method = config.auth_method.map(|m| m.to_string());
        ReceiverSecrets::from_parts(
            method.as_deref(),
            config.secret.as_deref(),
            config.auth_login.as_deref(),
            config.auth_password.as_deref(),
            config.key_for_signature.as_deref(),
        )
    }

    fn from_parts(
        method: Option<&str>,
        secret: Option<&str>,
        login: Option<&str>,
        password: Option<&str>,
        key: Option<&str>,
    ) -> Result<Self, ConfigError> {
        let mut secrets = match method {
            None | Some("NONE") => ReceiverSecrets::unauthenticated(),
            Some("API_KEY") => {
                ReceiverSecrets::api_key(secret.ok_or(ConfigError::ApiKeyWithoutSecret)?)
            }
            Some("BASIC_AUTH") => match (login, password) {
                (Some(login), Some(password)) => ReceiverSecrets::basic_auth(login, password),
                _ => return Err(ConfigError::BasicWithoutCredentials),
            },
            Some(other) => return Err(ConfigError::UnknownAuthMethod(other.to_owned())),
        };
        if !matches!(secrets.auth, ReceiverAuth::ApiKey) {
            if let Some(secret) = secret {
                secrets = secrets.with_secret(secret);
            }
        }
        if let Some(key) = key {
            secrets = secrets.with_signature_key(key);
        }
        Ok(secrets)
    }

    /// The authentication method.
    pub fn auth(&self) -> &ReceiverAuth {
        &self.auth
    }

    /// Whether deliveries must be signed.
    pub fn requires_signature(&self) -> bool {
        self.signature_key.is_some()
    }

    /// The headers Scalexpert sends with `body` for this configuration, signed at `at`
    /// (and the merchant header for a PSP). For tests of a receiver and for simulators that
    /// deliver events; a real receiver never needs it.
    ///
    /// Fails when a secret or the merchant cannot be a header value.
    pub fn delivery_headers(
        &self,
        merchant: Option<&str>,
        body: &[u8],
        at: DateTime<Utc>,
    ) -> Result<HeaderMap, http::header::InvalidHeaderValue> {
        let sensitive = |value: &str| {
            HeaderValue::from_str(value).map(|mut v| {
                v.set_sensitive(true);
                v
            })
        };
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        match (&self.auth, &self.secret) {
            (ReceiverAuth::ApiKey, Some(secret)) => {
                headers.insert(AUTHORIZATION, sensitive(secret.expose_secret())?);
            }
            (ReceiverAuth::ApiKey, None) => {}
            (_, secret) => {
                if let Some(secret) = secret {
                    headers.insert(SECRET_HEADER, sensitive(secret.expose_secret())?);
                }
                if let ReceiverAuth::Basic { login, password } = &self.auth {
                    let pair = format!("{login}:{}", password.expose_secret());
                    let encoded = base64::engine::general_purpose::STANDARD.encode(pair);
                    headers.insert(AUTHORIZATION, sensitive(&format!("Basic {encoded}"))?);
                }
            }
        }
        if let Some(key) = &self.signature_key {
            let timestamp = at.to_rfc3339_opts(SecondsFormat::Millis, true);
            let signature = sign(key.expose_secret().as_bytes(), &timestamp, body);
            headers.insert(SIGNATURE_HEADER, HeaderValue::from_str(&signature)?);
            headers.insert(
                SIGNATURE_TIMESTAMP_HEADER,
                HeaderValue::from_str(&timestamp)?,
            );
        }
        if let Some(merchant) = merchant {
            headers.insert(crate::MERCHANT_HEADER, HeaderValue::from_str(merchant)?);
        }
        Ok(headers)
    }
}

/// The lower-case hex HMAC-SHA256 of `timestamp + "." + body` under `key`: the value of
/// `X-BAAS-SIGNATURE`.
///
/// ```
/// let sig = scalexpert::webhooks::sign(b"key", "2024-03-18T14:27:45.612Z", b"{}");
/// assert_eq!(sig.len(), 64);
/// ```
pub fn sign(key: &[u8], timestamp: &str, body: &[u8]) -> String {
    hex::encode(signing_mac(key, timestamp, body).finalize().into_bytes())
}

fn signing_mac(key: &[u8], timestamp: &str, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length, so this cannot fail; the fallback keeps it panic-free.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key)
        .unwrap_or_else(|_| <Hmac<Sha256> as Mac>::new(&Default::default()));
    mac.update(timestamp.as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

/// Finds the secrets of the merchant a delivery is for: what a PSP implements over its
/// merchant database. [`ReceiverSecrets`] (one configuration for every delivery) and maps
/// from merchant reference to [`ReceiverSecrets`] implement it.
pub trait SecretsProvider: Send + Sync {
    /// The secrets for deliveries naming `merchant` in `X-BAAS-CLIENT-REF-FOR-PROXI-ID`
    /// (`None` when the header is absent: a merchant's own endpoint). `None` rejects the
    /// delivery as [`Rejection::UnknownMerchant`].
    fn secrets_for(&self, merchant: Option<&str>) -> Option<Cow<'_, ReceiverSecrets>>;
}

impl SecretsProvider for ReceiverSecrets {
    fn secrets_for(&self, _merchant: Option<&str>) -> Option<Cow<'_, ReceiverSecrets>> {
        Some(Cow::Borrowed(self))
    }
}

impl<S: std::hash::BuildHasher + Send + Sync> SecretsProvider
    for HashMap<String, ReceiverSecrets, S>
{
    fn secrets_for(&self, merchant: Option<&str>) -> Option<Cow<'_, ReceiverSecrets>> {
        merchant.and_then(|m| self.get(m)).map(Cow::Borrowed)
    }
}

impl SecretsProvider for BTreeMap<String, ReceiverSecrets> {
    fn secrets_for(&self, merchant: Option<&str>) -> Option<Cow<'_, ReceiverSecrets>> {
        merchant.and_then(|m| self.get(m)).map(Cow::Borrowed)
    }
}

impl<P: SecretsProvider + ?Sized> SecretsProvider for Arc<P> {
    fn secrets_for(&self, merchant: Option<&str>) -> Option<Cow<'_, ReceiverSecrets>> {
        (**self).secrets_for(merchant)
    }
}

/// Why a delivery was refused. The messages name headers and limits, never secret values.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Rejection {
    /// The secrets provider has nothing for this merchant (or for header-less deliveries).
    #[error("no webhook secrets for merchant {merchant:?}")]
    UnknownMerchant {
        /// The `X-BAAS-CLIENT-REF-FOR-PROXI-ID` value, if the request had one.
        merchant: Option<String>,
    },
    /// The header that must carry the shared secret is absent.
    #[error("the {header} header is missing")]
    MissingSecret {
        /// `X-BAAS-SECRET` or `Authorization`.
        header: &'static str,
    },
    /// The header that must carry the shared secret holds another value.
    #[error("the {header} header does not match the configured secret")]
    WrongSecret {
        /// `X-BAAS-SECRET` or `Authorization`.
        header: &'static str,
    },
    /// `BASIC_AUTH` is configured but `Authorization` is absent.
    #[error("Basic credentials are missing (no Authorization header)")]
    MissingBasicCredentials,
    /// `Authorization` is not Basic, not decodable, or not the configured login and password.
    #[error("the Basic credentials are wrong")]
    WrongBasicCredentials,
    /// A signature key is configured and the request carries no `X-BAAS-SIGNATURE`.
    #[error("the request is not signed but a signature key is configured")]
    MissingSignature,
    /// The request is signed but carries no `X-BAAS-SIGNATURE-TIMESTAMP`.
    #[error("the X-BAAS-SIGNATURE-TIMESTAMP header is missing")]
    MissingSignatureTimestamp,
    /// `X-BAAS-SIGNATURE-TIMESTAMP` is not an ISO-8601 instant.
    #[error("the X-BAAS-SIGNATURE-TIMESTAMP header is not an ISO-8601 instant")]
    InvalidSignatureTimestamp,
    /// The signature is not hex, or not the HMAC of this timestamp and body under the key:
    /// the body or the timestamp was changed, or the key differs.
    #[error("the signature does not match the body and timestamp")]
    BadSignature,
    /// Correctly signed, but longer ago than the allowed clock skew (a replay).
    #[error("the signature timestamp is {age:?} old, beyond the allowed {max_skew:?}")]
    StaleTimestamp {
        /// How old the signature timestamp is.
        age: Duration,
        /// The allowed skew.
        max_skew: Duration,
    },
    /// Correctly signed, but further in the future than the allowed clock skew.
    #[error("the signature timestamp is {ahead:?} in the future, beyond the allowed {max_skew:?}")]
    FutureTimestamp {
        /// How far ahead of the receiver's clock the signature timestamp is.
        ahead: Duration,
        /// The allowed skew.
        max_skew: Duration,
    },
    /// The body is declared as something else than JSON (a `Content-Type` that is neither
    /// `application/json` nor a `+json` type).
    #[error("the Content-Type is not JSON")]
    UnsupportedContentType,
    /// The body is (or is declared by `Content-Length` to be) longer than the limit.
    #[error("the body is over the {limit}-byte limit")]
    BodyTooLarge {
        /// The limit, in bytes ([`Verifier::max_body_bytes`]).
        limit: usize,
    },
    /// Authentic, but the body is not an event payload.
    #[error("malformed event body: {0}")]
    MalformedBody(#[from] ParseError),
    /// Authentic, but the deduplication store cannot say whether the event was handled: it is
    /// not handled now (it could be a second time), and Scalexpert delivers it again.
    #[error(transparent)]
    DeduplicatorUnavailable(#[from] DedupeError),
}

impl Rejection {
    /// The HTTP status to answer: `400 Bad Request` for a malformed body, `413 Payload Too
    /// Large`, `415 Unsupported Media Type`, `503 Service Unavailable` when the deduplication
    /// store is down, `401 Unauthorized` for everything else. Any status but 200/201 makes
    /// Scalexpert deliver again later.
    pub fn status(&self) -> http::StatusCode {
        match self {
            Rejection::MalformedBody(_) => http::StatusCode::BAD_REQUEST,
            Rejection::BodyTooLarge { .. } => http::StatusCode::PAYLOAD_TOO_LARGE,
            Rejection::UnsupportedContentType => http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Rejection::DeduplicatorUnavailable(_) => http::StatusCode::SERVICE_UNAVAILABLE,
            _ => http::StatusCode::UNAUTHORIZED,
        }
    }
}

/// Checks a delivery (headers and raw body bytes) and decodes it into an [`Event`].
///
/// In order, from the headers alone ([`check_headers`](Self::check_headers), which a server
/// runs before reading the body): find the merchant's secrets, check the authentication method
/// and the shared secret (constant time), the presence and shape of the signature headers when
/// a key is configured, a `Content-Type` (if any) that is JSON, and a `Content-Length` within
/// [`max_body_bytes`](Self::max_body_bytes). Then the body's length, the signature and the
/// freshness of its timestamp, and last the decoding. Nothing of the body is trusted or
/// decoded before that.
///
/// ```
/// use scalexpert::webhooks::{ReceiverSecrets, Verifier, Rejection};
/// use chrono::Utc;
///
/// let secrets = ReceiverSecrets::api_key("k-123").with_signature_key("sig-key");
/// let verifier = Verifier::new(secrets.clone());
/// let body = br#"{"id":"a7f30c18-94e2-4b6d-8c0a-3e5b7d91f426","timestamp":"2024-03-12T16:02:55.004Z",
///   "eventTypeCode":"HELLO_WORLD","eventCode":"HELLO_WORLD",
///   "data":{"eventTypeCode":"HELLO_WORLD","helloWorldMessage":"hi"}}"#;
/// let headers = secrets.delivery_headers(None, body, Utc::now()).unwrap();
/// let event = verifier.verify(&headers, body).unwrap();
/// assert_eq!(event.id.to_string(), "a7f30c18-94e2-4b6d-8c0a-3e5b7d91f426");
///
/// let unsigned = ReceiverSecrets::api_key("k-123").delivery_headers(None, body, Utc::now()).unwrap();
/// assert_eq!(verifier.verify(&unsigned, body).unwrap_err(), Rejection::MissingSignature);
/// ```
#[derive(Clone)]
pub struct Verifier {
    provider: Arc<dyn SecretsProvider>,
    max_skew: Duration,
    max_body: usize,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("max_skew", &self.max_skew)
            .field("max_body", &self.max_body)
            .finish_non_exhaustive()
    }
}

impl Verifier {
    /// A verifier over these secrets (one [`ReceiverSecrets`], a map of them per merchant, or
    /// your own [`SecretsProvider`]), allowing [`DEFAULT_MAX_CLOCK_SKEW`].
    pub fn new(secrets: impl SecretsProvider + 'static) -> Self {
        Verifier {
            provider: Arc::new(secrets),
            max_skew: DEFAULT_MAX_CLOCK_SKEW,
            max_body: DEFAULT_MAX_BODY_BYTES,
        }
    }

    /// How far the signature timestamp may be from this machine's clock, either way.
    pub fn max_clock_skew(mut self, skew: Duration) -> Self {
        self.max_skew = skew;
        self
    }

    /// The largest body accepted, in bytes (default [`DEFAULT_MAX_BODY_BYTES`]); a longer
    /// one, or a `Content-Length` declaring one, is [`Rejection::BodyTooLarge`].
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body = limit;
        self
    }

    /// The body limit in force, in bytes: what a server reads at most.
    pub fn body_limit(&self) -> usize {
        self.max_body
    }

    /// Everything the headers alone allow checking, for a server to run before it reads the
    /// body: the merchant's secrets, the authentication, the presence and shape of the
    /// signature headers, a `Content-Type` (if any) that is JSON, and `Content-Length`
    /// against the body limit. [`verify`](Self::verify) runs the same checks again, so calling this is an
    /// optimisation, never a requirement.
    pub fn check_headers<H: Headers + ?Sized>(&self, headers: &H) -> Result<(), Rejection> {
        self.authenticate(headers).map(|_| ())
    }

    /// The header checks; gives the merchant and its secrets.
    fn authenticate<H: Headers + ?Sized>(
        &self,
        headers: &H,
    ) -> Result<(Option<String>, Cow<'_, ReceiverSecrets>), Rejection> {
        let merchant = match headers.header(crate::MERCHANT_HEADER.as_str()) {
            Some(raw) => Some(
                std::str::from_utf8(raw)
                    .map_err(|_| Rejection::UnknownMerchant { merchant: None })?
                    .to_owned(),
            ),
            None => None,
        };
        let secrets = self
            .provider
            .secrets_for(merchant.as_deref())
            .ok_or_else(|| Rejection::UnknownMerchant {
                merchant: merchant.clone(),
            })?;
        check_auth(&secrets, headers)?;
        if secrets.signature_key.is_some() {
            signature_headers(headers)?;
        }
        // Scalexpert sends `application/json`; a body declared as anything else is no event.
        // (No Content-Type at all is let through: the body's decoding judges it.)
        if headers
            .header(CONTENT_TYPE.as_str())
            .is_some_and(|content_type| !is_json(content_type))
        {
            return Err(Rejection::UnsupportedContentType);
        }
        let declared = headers
            .header(CONTENT_LENGTH.as_str())
            .and_then(|raw| std::str::from_utf8(raw).ok())
            .and_then(|text| text.trim().parse::<u64>().ok());
        if declared.is_some_and(|length| length > self.max_body as u64) {
            return Err(self.too_large());
        }
        Ok((merchant, secrets))
    }

    fn too_large(&self) -> Rejection {
        Rejection::BodyTooLarge {
            limit: self.max_body,
        }
    }

    /// Verifies and decodes a delivery received now.
    pub fn verify<H: Headers + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
    ) -> Result<Event, Rejection> {
        self.verify_at(headers, body, Utc::now())
    }

    /// Verifies and decodes a delivery as if received at `now`.
    pub fn verify_at<H: Headers + ?Sized>(
        &self,
        headers: &H,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Event, Rejection> {
        let (merchant, secrets) = self.authenticate(headers)?;
        if body.len() > self.max_body {
            return Err(self.too_large());
        }
        if let Some(key) = &secrets.signature_key {
            check_signature(key, headers, body, now, self.max_skew)?;
        }
        let mut event = Event::from_json(body)?;
        event.merchant = merchant;
        Ok(event)
    }
}

/// `application/json` or a `+json` media type, parameters (`charset`) allowed.
fn is_json(content_type: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(content_type) else {
        return false;
    };
    let media_type = text.split(';').next().unwrap_or("").trim();
    let Some((kind, subtype)) = media_type.split_once('/') else {
        return false;
    };
    let subtype = subtype.to_ascii_lowercase();
    kind.eq_ignore_ascii_case("application") && (subtype == "json" || subtype.ends_with("+json"))
}

/// The signature headers as they must be before the body is read: both present, the
/// timestamp an ISO-8601 instant, the signature 64 hex digits. Gives the signature bytes, the
/// timestamp text and the instant.
fn signature_headers<H: Headers + ?Sized>(
    headers: &H,
) -> Result<([u8; 32], &str, DateTime<Utc>), Rejection> {
    let signature = headers
        .header(SIGNATURE_HEADER.as_str())
        .ok_or(Rejection::MissingSignature)?;
    let timestamp = headers
        .header(SIGNATURE_TIMESTAMP_HEADER.as_str())
        .ok_or(Rejection::MissingSignatureTimestamp)?;
    let timestamp =
        std::str::from_utf8(timestamp).map_err(|_| Rejection::InvalidSignatureTimestamp)?;
    let signed_at = DateTime::parse_from_rfc3339(timestamp)
        .map_err(|_| Rejection::InvalidSignatureTimestamp)?
        .with_timezone(&Utc);
    let signature = signature.trim_ascii();
    if signature.len() != SIGNATURE_HEX_LEN {
        return Err(Rejection::BadSignature);
    }
    let mut bytes = [0u8; 32];
    // `hex` accepts upper- and lower-case digits alike.
    hex::decode_to_slice(signature, &mut bytes).map_err(|_| Rejection::BadSignature)?;
    Ok((bytes, timestamp, signed_at))
}

fn equal(given: &[u8], expected: &str) -> bool {
    given.ct_eq(expected.as_bytes()).into()
}

fn check_auth<H: Headers + ?Sized>(
    secrets: &ReceiverSecrets,
    headers: &H,
) -> Result<(), Rejection> {
    let authorization = headers.header(AUTHORIZATION.as_str());
    match &secrets.auth {
        ReceiverAuth::ApiKey => {
            // `api_key` always sets the secret; a missing one cannot match anything.
            let expected = secrets.secret.as_ref().map(ExposeSecret::expose_secret);
            let given = authorization.ok_or(Rejection::MissingSecret {
                header: "Authorization",
            })?;
            if !expected.is_some_and(|expected| equal(given, expected)) {
                return Err(Rejection::WrongSecret {
                    header: "Authorization",
                });
            }
            return Ok(());
        }
        ReceiverAuth::Basic { login, password } => {
            let given = authorization.ok_or(Rejection::MissingBasicCredentials)?;
            if !basic_matches(given, login, password.expose_secret()) {
                return Err(Rejection::WrongBasicCredentials);
            }
        }
        ReceiverAuth::None => {}
    }
    if let Some(secret) = &secrets.secret {
        let given = headers
            .header(SECRET_HEADER.as_str())
            .ok_or(Rejection::MissingSecret {
                header: "X-BAAS-SECRET",
            })?;
        if !equal(given, secret.expose_secret()) {
            return Err(Rejection::WrongSecret {
                header: "X-BAAS-SECRET",
            });
        }
    }
    Ok(())
}

fn basic_matches(header: &[u8], login: &str, password: &str) -> bool {
    let Some((scheme, encoded)) = std::str::from_utf8(header)
        .ok()
        .and_then(|h| h.trim().split_once(' '))
    else {
        return false;
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return false;
    }
    let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(encoded.trim()) else {
        return false;
    };
    // The login cannot hold ':' (RFC 7617), so the first one separates it from the password.
    let (given_login, given_password) = match decoded.iter().position(|&b| b == b':') {
        Some(at) => (&decoded[..at], &decoded[at + 1..]),
        None => return false,
    };
    // Both compared, whatever the first gives, so timing tells nothing about which differs.
    let login_ok = given_login.ct_eq(login.as_bytes());
    let password_ok = given_password.ct_eq(password.as_bytes());
    (login_ok & password_ok).into()
}

fn check_signature<H: Headers + ?Sized>(
    key: &SecretString,
    headers: &H,
    body: &[u8],
    now: DateTime<Utc>,
    max_skew: Duration,
) -> Result<(), Rejection> {
    let (signature, timestamp, signed_at) = signature_headers(headers)?;
    // The exact header text is what was signed, so it is used as received, not re-formatted.
    signing_mac(key.expose_secret().as_bytes(), timestamp, body)
        .verify_slice(&signature)
        .map_err(|_| Rejection::BadSignature)?;

    // Only an authentic timestamp is judged for freshness: a forged one is a bad signature.
    let skew = now.signed_duration_since(signed_at);
    if let Ok(age) = skew.to_std() {
        if age > max_skew {
            return Err(Rejection::StaleTimestamp { age, max_skew });
        }
    } else if let Ok(ahead) = (-skew).to_std() {
        if ahead > max_skew {
            return Err(Rejection::FutureTimestamp { ahead, max_skew });
        }
    }
    Ok(())
}
