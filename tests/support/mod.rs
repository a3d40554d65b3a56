//! Shared harness of the `operations_v*` tests: a mock Scalexpert gateway, a facade client
//! pointed at it, the vendored specs (to read methods, paths, parameters and examples from), and
//! request/JSON assertions.
//!
//! Every `operations_v*` file is its own test crate and uses a different part of this module.
#![allow(dead_code)]

use httpmock::{HttpMockRequest, Mock, MockServer};
use serde_json::Value;
use std::sync::{Arc, Mutex};

/// Path of the e-financing API below a custom root (the UATC server URL minus the UATC root).
pub const API_ROOT: &str = "/e-financing/api/v1";
/// Path of the OAuth2 token endpoint below any root.
pub const TOKEN_PATH: &str = "/auth-server/api/v1/oauth2/token";
/// The token the mock gateway issues.
pub const ACCESS_TOKEN: &str = "t";
/// The subscription id our spec examples use.
pub const SUBSCRIPTION_ID: &str = "73a91eda-b559-46d1-b2a3-2eb77b281077";

// ---------------------------------------------------------------------------------------------
// The mock gateway
// ---------------------------------------------------------------------------------------------

/// A local stand-in for the Scalexpert gateway.
pub struct Gateway {
    /// The mock server; its base URL is the client's custom environment root.
    pub server: MockServer,
    /// Mock id of the token endpoint, when this gateway issues tokens.
    token_mock: Option<usize>,
    /// Mock id of the catch-all of a gateway that must receive nothing.
    everything_mock: Option<usize>,
}

impl Gateway {
    /// A gateway that issues tokens; API answers are set per test with [`Gateway::answer`].
    pub fn start() -> Gateway {
        let server = MockServer::start();
        let token = server.mock(|when, then| {
            when.method("POST").path(TOKEN_PATH);
            then.status(200)
                .header("content-type", "application/json")
                .json_body(serde_json::json!({
                    "access_token": ACCESS_TOKEN,
                    "token_type": "Bearer",
                    "expires_in": 900
                }));
        });
        let token_mock = Some(token.id);
        Gateway {
            server,
            token_mock,
            everything_mock: None,
        }
    }

    /// A gateway whose every route, the token endpoint included, is one catch-all mock: for
    /// requests that must be refused before anything leaves the client.
    pub fn expecting_nothing() -> Gateway {
        let server = MockServer::start();
        let everything = server.mock(|when, then| {
            when.any_request();
            then.status(500)
                .body("this request should never have been sent");
        });
        let everything_mock = Some(everything.id);
        Gateway {
            server,
            token_mock: None,
            everything_mock,
        }
    }

    /// A facade client pointed at this gateway, without retries so every call is one request.
    pub fn client(&self) -> scalexpert::Client {
        scalexpert::Client::builder()
            .environment(
                scalexpert::Environment::custom(self.server.base_url()).expect("mock URL is valid"),
            )
            .credentials(scalexpert::Credentials::new(
                "merchant-client-id",
                "merchant-client-secret",
            ))
            .retry_policy(scalexpert::RetryPolicy::none())
            .build()
            .expect("client builds")
    }

    /// Makes every API call (anything but the token endpoint) answer `status` with `body` as
    /// JSON, and records what reached it.
    pub fn answer(&self, status: u16, body: Option<Value>) -> Recorder<'_> {
        let seen: Arc<Mutex<Vec<Recorded>>> = Arc::default();
        let sink = Arc::clone(&seen);
        let mock = self.server.mock(move |when, then| {
            // The matcher runs once per request that got past the token mock (created first),
            // so recording from it sees each API request once.
            when.is_true(move |request: &HttpMockRequest| {
                sink.lock()
                    .expect("recorder lock")
                    .push(Recorded::from(request));
                true
            });
            let then = then.status(status);
            if let Some(body) = body {
                then.header("content-type", "application/json")
                    .json_body(body);
            }
        });
        Recorder { mock, seen }
    }

    /// How many times the token endpoint was called.
    pub fn token_calls(&self) -> usize {
        self.token_mock
            .map_or(0, |id| Mock::new(id, &self.server).calls())
    }

    /// Asserts that no request at all reached the gateway (see [`Gateway::expecting_nothing`]).
    pub fn assert_nothing_received(&self) {
        let id = self
            .everything_mock
            .expect("only a gateway started with `expecting_nothing` counts every request");
        assert_eq!(
            Mock::new(id, &self.server).calls(),
            0,
            "a request reached the gateway although the input broke the spec"
        );
    }
}

/// The API requests a [`Gateway::answer`] mock received.
pub struct Recorder<'a> {
    mock: Mock<'a>,
    seen: Arc<Mutex<Vec<Recorded>>>,
}

impl Recorder<'_> {
    /// The one API request of the test.
    pub fn only_request(&self) -> Recorded {
        let seen = self.seen.lock().expect("recorder lock");
        assert_eq!(
            seen.len(),
            1,
            "expected exactly one API request, got {:#?}",
            *seen
        );
        assert_eq!(self.mock.calls(), 1, "the recording mock answered once");
        seen[0].clone()
    }
}

/// One request as the gateway received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    /// Upper case (`POST`).
    pub method: String,
    /// Still percent-encoded, as on the wire.
    pub path: String,
    /// Decoded query pairs, in the order sent.
    pub query: Vec<(String, String)>,
    /// Names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl From<&HttpMockRequest> for Recorded {
    fn from(request: &HttpMockRequest) -> Self {
        Recorded {
            method: request.method().to_string(),
            path: request.uri().path().to_string(),
            query: request.query_params(),
            headers: request
                .headers_vec()
                .iter()
                .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                .collect(),
            body: request.body_vec(),
        }
    }
}

impl Recorded {
    /// The value of a header (names are compared case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body, parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "request body is not JSON ({e}): {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

// ---------------------------------------------------------------------------------------------
// The vendored specs
// ---------------------------------------------------------------------------------------------

/// One version's UATC spec, read at test time so the tests follow the file.
pub struct Spec {
    /// `1.6.6`, as the folder under `specs/e-financing/`.
    pub version: &'static str,
    doc: Value,
}

/// One operation of a spec.
pub struct Operation<'a> {
    /// The operationId.
    pub id: &'a str,
    /// Upper case, as sent (`POST`).
    pub method: String,
    /// As the spec writes it, relative to the server URL (`/subscriptions/{creditSubscriptionId}`).
    pub path: &'a str,
    /// The operation object itself.
    pub node: &'a Value,
}

impl Spec {
    /// `specs/e-financing/<version>/uatc.yaml`.
    pub fn load(version: &'static str) -> Spec {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("specs/e-financing")
            .join(version)
            .join("uatc.yaml");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let doc: Value = serde_yaml_ng::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not valid YAML: {e}", path.display()));
        Spec { version, doc }
    }

    /// Every operationId of the spec, in file order.
    pub fn operation_ids(&self) -> Vec<String> {
        let mut ids = Vec::new();
        for item in self.paths().values() {
            for (_, operation) in operations_of(item) {
                if let Some(id) = operation["operationId"].as_str() {
                    ids.push(id.to_string());
                }
            }
        }
        ids
    }

    /// The operation with this operationId.
    pub fn operation<'a>(&'a self, id: &'a str) -> Operation<'a> {
        for (path, item) in self.paths() {
            for (method, operation) in operations_of(item) {
                if operation["operationId"].as_str() == Some(id) {
                    return Operation {
                        id,
                        method: method.to_ascii_uppercase(),
                        path,
                        node: operation,
                    };
                }
            }
        }
        panic!("{} has no operation {id}", self.version)
    }

    /// The `example` of the JSON request body of an operation.
    pub fn request_example(&self, id: &str) -> Value {
        let operation = self.operation(id);
        let example = &operation.node["requestBody"]["content"]["application/json"]["example"];
        assert!(
            !example.is_null(),
            "{} {id}: the request body has no example",
            self.version
        );
        example.clone()
    }

    /// The `example` of the JSON response of an operation for a status (`"200"`, `"201"`).
    pub fn response_example(&self, id: &str, status: &str) -> Value {
        let operation = self.operation(id);
        let example =
            &operation.node["responses"][status]["content"]["application/json"]["example"];
        assert!(
            !example.is_null(),
            "{} {id}: response {status} has no example",
            self.version
        );
        example.clone()
    }

    fn paths(&self) -> &serde_json::Map<String, Value> {
        self.doc["paths"].as_object().expect("the spec has paths")
    }
}

fn operations_of(item: &Value) -> impl Iterator<Item = (&str, &Value)> {
    ["get", "put", "post", "delete", "patch"]
        .into_iter()
        .filter_map(move |method| item.get(method).map(|operation| (method, operation)))
}

impl Operation<'_> {
    /// The names of the query parameters the spec declares, and which of them are required.
    fn query_parameters(&self) -> Vec<(String, bool)> {
        self.node["parameters"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter(|p| p["in"] == "query")
            .map(|p| {
                (
                    p["name"].as_str().unwrap_or_default().to_string(),
                    p["required"].as_bool().unwrap_or(false),
                )
            })
            .collect()
    }

    /// Whether the spec declares a request body.
    fn has_body(&self) -> bool {
        !self.node["requestBody"].is_null()
    }
}

/// What a call must have put on the wire.
pub struct Expected<'a> {
    /// Values of the path parameters, by name.
    pub path_params: &'a [(&'a str, &'a str)],
    /// The whole query, in any order.
    pub query: &'a [(&'a str, &'a str)],
    /// The JSON body (numbers compared by value: `2400` equals `2400.0`).
    pub body: Option<&'a Value>,
}

impl Expected<'static> {
    /// No path parameter, no query, no body.
    pub const NOTHING: Expected<'static> = Expected {
        path_params: &[],
        query: &[],
        body: None,
    };
}

/// Asserts that `sent` is exactly the request `operation_id` of `spec` describes: its method,
/// its path (under [`API_ROOT`]) with `expected.path_params` filled in, the query `expected`
/// lists and nothing else (each name declared by the spec, every required one present), the
/// JSON body `expected` gives (or none), and our bearer token.
pub fn assert_request(spec: &Spec, operation_id: &str, sent: &Recorded, expected: Expected<'_>) {
    let operation = spec.operation(operation_id);
    let context = format!("{} {operation_id}", spec.version);

    assert_eq!(sent.method, operation.method, "{context}: method");

    let mut path = format!("{API_ROOT}{}", operation.path);
    for (name, value) in expected.path_params {
        let placeholder = format!("{{{name}}}");
        assert!(
            path.contains(&placeholder),
            "{context}: the spec path {} has no parameter {name}",
            operation.path
        );
        path = path.replace(&placeholder, value);
    }
    assert!(
        !path.contains('{'),
        "{context}: path parameters left unfilled in {path}"
    );
    assert_eq!(sent.path, path, "{context}: path");

    let declared = operation.query_parameters();
    for (name, _) in &sent.query {
        assert!(
            declared.iter().any(|(d, _)| d == name),
            "{context}: query parameter {name} is not in the spec ({declared:?})"
        );
    }
    for (name, required) in &declared {
        if *required {
            assert!(
                sent.query.iter().any(|(n, _)| n == name),
                "{context}: required query parameter {name} was not sent"
            );
        }
    }
    let mut sent_query = sent.query.clone();
    sent_query.sort();
    let mut expected_query: Vec<(String, String)> = expected
        .query
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    expected_query.sort();
    assert_eq!(sent_query, expected_query, "{context}: query");

    match expected.body {
        Some(body) => {
            assert!(operation.has_body(), "{context}: the spec declares no body");
            assert_eq!(
                sent.header("content-type"),
                Some("application/json"),
                "{context}: content type"
            );
            assert_json_equivalent(&sent.json(), body, &format!("{context}: request body"));
        }
        None => {
            assert!(
                !operation.has_body(),
                "{context}: the spec declares a body; the test must say which"
            );
            assert!(
                sent.body.is_empty(),
                "{context}: unexpected body {:?}",
                String::from_utf8_lossy(&sent.body)
            );
        }
    }

    assert_eq!(
        sent.header("authorization"),
        Some(format!("Bearer {ACCESS_TOKEN}").as_str()),
        "{context}: bearer token"
    );
}

// ---------------------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------------------

/// Asserts two JSON documents are equal, numbers compared by value (the generated types hold
/// amounts as `f64`, so an example's `2400` comes back as `2400.0`). Names the first difference.
pub fn assert_json_equivalent(actual: &Value, expected: &Value, context: &str) {
    if let Some(difference) = first_difference(actual, expected, String::new()) {
        panic!(
            "{context}: {difference}\nactual:   {}\nexpected: {}",
            serde_json::to_string_pretty(actual).unwrap_or_default(),
            serde_json::to_string_pretty(expected).unwrap_or_default()
        );
    }
}

/// Asserts that a decoded value, encoded again, is the JSON it was decoded from: no field
/// dropped, renamed or altered on the way.
pub fn assert_round_trips<T: serde::Serialize>(decoded: &T, source: &Value, context: &str) {
    let encoded = serde_json::to_value(decoded).expect("generated types encode");
    assert_json_equivalent(&encoded, source, context);
}

fn first_difference(actual: &Value, expected: &Value, at: String) -> Option<String> {
    let at_or_root = || {
        if at.is_empty() {
            "/".to_string()
        } else {
            at.clone()
        }
    };
    match (actual, expected) {
        (Value::Number(a), Value::Number(e)) => {
            (a.as_f64() != e.as_f64()).then(|| format!("at {}: {a} != {e}", at_or_root()))
        }
        (Value::Object(a), Value::Object(e)) => {
            for key in e.keys() {
                if !a.contains_key(key) {
                    return Some(format!("at {}: missing {key:?}", at_or_root()));
                }
            }
            for key in a.keys() {
                if !e.contains_key(key) {
                    return Some(format!("at {}: unexpected {key:?}", at_or_root()));
                }
            }
            e.iter()
                .find_map(|(key, value)| first_difference(&a[key], value, format!("{at}/{key}")))
        }
        (Value::Array(a), Value::Array(e)) => {
            if a.len() != e.len() {
                return Some(format!(
                    "at {}: {} items != {} items",
                    at_or_root(),
                    a.len(),
                    e.len()
                ));
            }
            a.iter()
                .zip(e)
                .enumerate()
                .find_map(|(i, (a, e))| first_difference(a, e, format!("{at}/{i}")))
        }
        (a, e) => (a != e).then(|| format!("at {}: {a} != {e}", at_or_root())),
    }
}

/// `document` with the value at JSON `pointer` set (an object member is added if missing).
pub fn with(mut document: Value, pointer: &str, value: impl Into<Value>) -> Value {
    let (parent, key) = pointer.rsplit_once('/').expect("a JSON pointer");
    match document.pointer_mut(parent) {
        Some(Value::Object(object)) => {
            object.insert(key.to_string(), value.into());
        }
        Some(Value::Array(items)) => {
            let index: usize = key.parse().expect("an array index");
            items[index] = value.into();
        }
        _ => panic!("no object or array at {parent} in the document"),
    }
    document
}

/// `document` with the member at JSON `pointer` removed.
pub fn without(mut document: Value, pointer: &str) -> Value {
    let (parent, key) = pointer.rsplit_once('/').expect("a JSON pointer");
    let removed = document
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .and_then(|object| object.remove(key));
    assert!(removed.is_some(), "no {pointer} in the document");
    document
}

// ---------------------------------------------------------------------------------------------
// Refusals
// ---------------------------------------------------------------------------------------------

/// A request body given as JSON: the generated builder takes it through the generated type's
/// validating `Deserialize`, so a value that breaks the spec fails inside `send()` — as an
/// `Error::InvalidRequest` — before any request is made. `json_bodies!` wires it to the types.
pub struct JsonBody(pub Value);

/// Lets [`JsonBody`] stand for a body of the listed generated types.
#[macro_export]
macro_rules! json_bodies {
    ($($body:ty),+ $(,)?) => {
        $(
            impl ::std::convert::TryFrom<$crate::support::JsonBody> for $body {
                type Error = ::std::string::String;
                fn try_from(
                    body: $crate::support::JsonBody,
                ) -> ::std::result::Result<Self, Self::Error> {
                    ::serde_json::from_value(body.0).map_err(|e| e.to_string())
                }
            }
        )+
    };
}

/// Asserts a call was refused as `scalexpert::Error::InvalidRequest` whose message mentions
/// every one of `mentions`; returns the message.
pub fn assert_invalid_request<T, E>(result: Result<T, E>, mentions: &[&str]) -> String
where
    T: std::fmt::Debug,
    E: Into<scalexpert::Error>,
{
    let error: scalexpert::Error = match result {
        Ok(value) => panic!("the call should have been refused, it returned {value:?}"),
        Err(error) => error.into(),
    };
    let scalexpert::Error::InvalidRequest(message) = &error else {
        panic!("expected Error::InvalidRequest, got {error:?}");
    };
    for mention in mentions {
        assert!(
            message.contains(mention),
            "the refusal should mention {mention:?}: {message}"
        );
    }
    message.clone()
}

// ---------------------------------------------------------------------------------------------
// Tests every e-financing version shares
// ---------------------------------------------------------------------------------------------

/// The tests of the operations whose request and response shapes every e-financing version
/// shares: listing, reading, eligibility, simulation, delivery, cancellation and opening a
/// subscription. Each version's file invokes it once; version-specific constraints live in the
/// files themselves.
///
/// - `api`: the version's accessor on `scalexpert::Client` (`e_financing_v1_6_6`);
/// - `module`: the generated module under `scalexpert::e_financing` (`v1_6_6`);
/// - `simulate`: the simulation method and its operationId, renamed between versions;
/// - `language`: the `language` query value `initiateCreditSubscription` requires, or nothing
///   for versions without that parameter;
/// - `pending_cancellation_statuses_known`: whether the cancellation answer lists
///   `REQUEST_CANCELLATION` (added in 1.5.2).
#[macro_export]
macro_rules! shared_operation_tests {
    (
        version: $version:literal,
        api: $api:ident,
        module: $module:ident,
        simulate: $simulate:ident = $simulate_op:literal,
        language: [$($language:literal)?],
        pending_cancellation_statuses_known: $pending_known:literal $(,)?
    ) => {
        use $crate::support::{
            assert_invalid_request, assert_request, assert_round_trips, with, without, Expected,
            Gateway, JsonBody, Spec, SUBSCRIPTION_ID,
        };
        use scalexpert::e_financing::$module::types;
        use serde_json::json;

        $crate::json_bodies!(
            scalexpert::e_financing::$module::types::InitiateCreditSubscriptionRequest,
            scalexpert::e_financing::$module::types::SolutionSimulationRequest,
            scalexpert::e_financing::$module::types::ConfirmDeliveryRequest,
            scalexpert::e_financing::$module::types::CreditCancellationDto,
        );

        fn spec() -> Spec {
            Spec::load($version)
        }

        /// `initiateCreditSubscription`, with `language` set when the version requires it.
        fn initiate_call(
            api: &scalexpert::e_financing::$module::Client,
        ) -> scalexpert::e_financing::$module::builder::InitiateCreditSubscription<'_> {
            let call = api.initiate_credit_subscription();
            $(let call = call.language($language);)?
            call
        }

        fn timestamp(value: &serde_json::Value) -> chrono::DateTime<chrono::Utc> {
            value
                .as_str()
                .and_then(|text| text.parse().ok())
                .unwrap_or_else(|| panic!("not a date-time: {value}"))
        }

        // --- retrieveCreditSubscriptionForSpecificMerchant: GET /subscriptions ---------------

        #[tokio::test]
        async fn list_subscriptions_sends_filters_and_paging_and_decodes_the_spec_example() {
            let spec = spec();
            let op = "retrieveCreditSubscriptionForSpecificMerchant";
            let example = spec.response_example(op, "200");
            let gateway = Gateway::start();
            let recorder = gateway.answer(200, Some(example.clone()));

            let page = gateway
                .client()
                .$api()
                .retrieve_credit_subscription_for_specific_merchant()
                .merchant_global_order_id("ORD-2024-000871")
                .merchant_basket_id("BSK-55120")
                .page(1)
                .page_size(20)
                .send()
                .await
                .expect("the spec example decodes")
                .into_inner();

            assert_request(
                &spec,
                op,
                &recorder.only_request(),
                Expected {
                    query: &[
                        ("merchantGlobalOrderId", "ORD-2024-000871"),
                        ("merchantBasketId", "BSK-55120"),
                        ("page", "1"),
                        ("pageSize", "20"),
                    ],
                    ..Expected::NOTHING
                },
            );
            assert_eq!(page.total_item_count, example["totalItemCount"]);
            assert_eq!(page.subscriptions.len(), 1);
            let (item, expected) = (&page.subscriptions[0], &example["subscriptions"][0]);
            assert_eq!(
                item.credit_subscription_id.to_string(),
                expected["creditSubscriptionId"]
            );
            assert_eq!(
                item.registration_timestamp,
                timestamp(&expected["registrationTimestamp"])
            );
            assert_eq!(
                item.last_update_timestamp,
                timestamp(&expected["lastUpdateTimestamp"])
            );
            assert_eq!(item.solution_code, expected["solutionCode"]);
            assert_eq!(
                item.implementation_code.as_deref(),
                expected["implementationCode"].as_str()
            );
            assert_eq!(
                item.merchant_global_order_id,
                expected["merchantGlobalOrderId"]
            );
            assert_eq!(item.buyer_financed_amount, expected["buyerFinancedAmount"]);
            assert_eq!(
                item.consolidated_status.to_string(),
                expected["consolidatedStatus"]
            );
            assert!(
                item.consolidated_status.known().is_some(),
                "ACCEPTED is a listed status"
            );
            assert_eq!(item.is_delivered, expected["isDelivered"].as_bool());
            assert_round_trips(&page, &example, "list example");
        }

        #[tokio::test]
        async fn list_subscriptions_without_filters_sends_an_empty_query() {
            let spec = spec();
            let gateway = Gateway::start();
            let recorder =
                gateway.answer(200, Some(json!({"totalItemCount": 0, "subscriptions": []})));

            let page = gateway
                .client()
                .$api()
                .retrieve_credit_subscription_for_specific_merchant()
                .send()
                .await
                .expect("an empty page decodes")
                .into_inner();

            assert_request(
                &spec,
                "retrieveCreditSubscriptionForSpecificMerchant",
                &recorder.only_request(),
                Expected::NOTHING,
            );
            assert_eq!(page.total_item_count, 0);
            assert!(page.subscriptions.is_empty());
        }

        #[tokio::test]
        async fn list_subscriptions_decodes_a_later_page_with_cancellation_state() {
            // A second page of three matches, two per page: the shape the live API sends once a
            // subscription was delivered, returned and partly cancelled.
            let body = json!({
                "totalItemCount": 3,
                "subscriptions": [{
                    "creditSubscriptionId": "123e4567-e89b-12d3-a456-426614174000",
                    "registrationTimestamp": "2024-04-22T10:00:19.077Z",
                    "lastUpdateTimestamp": "2024-04-23T08:15:00Z",
                    "solutionCode": "SCFRSP-4XPS",
                    "marketTypeCode": "FR",
                    "implementationCode": "4X",
                    "merchantBasketId": "061be358-acb1-11ed-afa1-0242ac120002",
                    "merchantGlobalOrderId": "0c34ab62-acb1-11ed-afa1-0242ac120002",
                    "buyerFinancedAmount": 1199.99,
                    "consolidatedStatus": "ACCEPTED",
                    "cancellationStatus": "REQUEST_FOR_PARTIAL_CANCELLATION",
                    "cancellationAlreadyMade": false,
                    "consolidatedSubstatus": "SUBSCRIPTION APPROVED BY PRODUCER",
                    "isDelivered": true,
                    "isReturned": true
                }]
            });
            let gateway = Gateway::start();
            let recorder = gateway.answer(200, Some(body));

            let page = gateway
                .client()
                .$api()
                .retrieve_credit_subscription_for_specific_merchant()
                .merchant_global_order_id("0c34ab62-acb1-11ed-afa1-0242ac120002")
                .page(2)
                .page_size(2)
                .send()
                .await
                .expect("a later page decodes")
                .into_inner();

            assert_eq!(
                recorder.only_request().query,
                [
                    (
                        "merchantGlobalOrderId".to_string(),
                        "0c34ab62-acb1-11ed-afa1-0242ac120002".to_string()
                    ),
                    ("page".to_string(), "2".to_string()),
                    ("pageSize".to_string(), "2".to_string()),
                ]
            );
            assert_eq!(page.total_item_count, 3, "the total counts every page");
            assert_eq!(
                page.subscriptions.len(),
                1,
                "this page holds the third match only"
            );
            let item = &page.subscriptions[0];
            assert_eq!(item.buyer_financed_amount, 1199.99);
            assert_eq!(
                item.cancellation_status
                    .as_ref()
                    .map(ToString::to_string)
                    .as_deref(),
                Some("REQUEST_FOR_PARTIAL_CANCELLATION")
            );
            assert!(item
                .cancellation_status
                .as_ref()
                .and_then(|s| s.known())
                .is_some());
            assert_eq!(
                (item.is_delivered, item.is_returned),
                (Some(true), Some(true))
            );
            assert_eq!(
                item.last_update_timestamp.to_rfc3339(),
                "2024-04-23T08:15:00+00:00"
            );
        }

        #[tokio::test]
        async fn list_subscriptions_keeps_statuses_the_spec_does_not_list_as_unknown() {
            let spec = spec();
            let example =
                spec.response_example("retrieveCreditSubscriptionForSpecificMerchant", "200");
            let example = with(
                example,
                "/subscriptions/0/consolidatedStatus",
                "AWAITING_LENDER_REVIEW",
            );
            let example = with(
                example,
                "/subscriptions/0/cancellationStatus",
                "CANCELLATION_ON_HOLD",
            );
            let gateway = Gateway::start();
            let _recorder = gateway.answer(200, Some(example));

            let page = gateway
                .client()
                .$api()
                .retrieve_credit_subscription_for_specific_merchant()
                .send()
                .await
                .expect("an unlisted status must not fail the whole page")
                .into_inner();

            let item = &page.subscriptions[0];
            assert_eq!(
                item.consolidated_status.as_unknown(),
                Some("AWAITING_LENDER_REVIEW")
            );
            assert_eq!(
                item.cancellation_status
                    .as_ref()
                    .and_then(|s| s.as_unknown()),
                Some("CANCELLATION_ON_HOLD")
            );
        }

        // --- retrieveCreditSubscription: GET /subscriptions/{creditSubscriptionId} -----------

        #[tokio::test]
        async fn retrieve_subscription_puts_the_id_in_the_path_and_decodes_the_spec_example() {
            let spec = spec();
            let op = "retrieveCreditSubscription";
            let example = spec.response_example(op, "200");
            let gateway = Gateway::start();
            let recorder = gateway.answer(200, Some(example.clone()));

            let subscription = gateway
                .client()
                .$api()
                .retrieve_credit_subscription()
                .credit_subscription_id(SUBSCRIPTION_ID)
                .send()
                .await
                .expect("the spec example decodes")
                .into_inner();

            assert_request(
                &spec,
                op,
                &recorder.only_request(),
                Expected {
                    path_params: &[("creditSubscriptionId", SUBSCRIPTION_ID)],
                    ..Expected::NOTHING
                },
            );
            assert_eq!(
                subscription.credit_subscription_id.to_string(),
                example["creditSubscriptionId"]
            );
            assert_eq!(subscription.financed_amount, example["financedAmount"]);
            assert_eq!(subscription.family_code, example["familyCode"]);
            assert_eq!(subscription.merchant_buyer_id, example["merchantBuyerId"]);
            assert_eq!(subscription.basket_details, example["basketDetails"]);
            assert_eq!(
                subscription.consolidated_status.to_string(),
                example["consolidatedStatus"]
            );
            let (buyer, expected) = (&subscription.buyer, &example["buyer"]);
            assert_eq!(buyer.birth_name.as_deref(), expected["birthName"].as_str());
            assert_eq!(
                buyer.contact.first_name.as_str(),
                expected["contact"]["firstName"]
            );
            assert_eq!(buyer.contact.email.as_str(), expected["contact"]["email"]);
            // `commonTitle` is optional in 1.5.2 and 1.6.0, required elsewhere: compare encoded.
            assert_eq!(
                serde_json::to_value(&buyer.contact.common_title).expect("encodes"),
                expected["contact"]["commonTitle"]
            );
            assert_eq!(
                buyer.contact_address.city_name.as_str(),
                expected["contactAddress"]["cityName"]
            );
            assert_eq!(
                buyer.contact_address.street_number.map(i64::from),
                expected["contactAddress"]["streetNumber"].as_i64()
            );
            assert_eq!(
                buyer.delivery_address.location_type.to_string(),
                expected["deliveryAddress"]["locationType"]
            );
            assert_round_trips(&subscription, &example, "subscription example");
        }

        #[tokio::test]
        async fn retrieve_subscription_decodes_a_returned_subscription_with_its_full_buyer() {
            // The live shape: every optional buyer field present, a pending partial
            // cancellation, and basketDetails reduced to a plain string.
            let contact = json!({
                "firstName": "Paul", "lastName": "Dupont", "commonTitle": "MR",
                "email": "paul.dupont@example.com", "mobilePhoneNumber": "+33723456789",
                "phoneNumber": "+33123456789", "professionalTitle": "Professor"
            });
            let address = json!({
                "locationType": "BILLING_ADDRESS", "streetNumber": 147, "streetNumberSuffix": "B",
                "streetName": "main street", "streetNameComplement": "block 47",
                "zipCode": "92060", "cityName": "Paris", "regionName": "Île-de-France",
                "countryCode": "FR"
            });
            let body = json!({
                "creditSubscriptionId": "123e4567-e89b-12d3-a456-426614174000",
                "registrationTimestamp": "2024-04-22T10:00:19.077Z",
                "lastUpdateTimestamp": "2024-04-22T10:00:19.077Z",
                "clientId": "44f5060e-a89c-11ed-afa1-0242ac120002",
                "merchantId": "647aeb24-a89c-11ed-afa1-0242ac120002",
                "solutionCode": "SCFRSP-4XPS", "familyCode": "SC", "marketTypeCode": "FR",
                "implementationCode": "4X",
                "merchantBasketId": "647aeb24-a89c-11ed-afa1-0242ac120002",
                "merchantGlobalOrderId": "3e46d670-aca7-11ed-afa1-0242ac120002",
                "merchantBuyerId": "44226c6c-aca7-11ed-afa1-0242ac120002",
                "financedAmount": 119.9,
                "consolidatedStatus": "ACCEPTED",
                "cancellationStatus": "REQUEST_FOR_PARTIAL_CANCELLATION",
                "cancellationAlreadyMade": false,
                "buyer": {
                    "birthName": "Dupont", "birthDate": "1975-02-01T00:00:00.000Z",
                    "birthCityName": "Montpellier", "birthCountryName": "FR",
                    "deliveryMethod": "Click & Collect",
                    "lastDatePurchase": "2020-02-01T00:00:00.000Z", "vip": false,
                    "contact": contact, "contactAddress": address,
                    "billingContact": contact, "billingAddress": address,
                    "deliveryContact": contact, "deliveryAddress": address
                },
                "basketDetails": "FR",
                "consolidatedSubstatus": "SUBSCRIPTION APPROVED BY PRODUCER",
                "isReturned": true,
                "isDelivered": true
            });
            let gateway = Gateway::start();
            let _recorder = gateway.answer(200, Some(body));

            let subscription = gateway
                .client()
                .$api()
                .retrieve_credit_subscription()
                .credit_subscription_id("123e4567-e89b-12d3-a456-426614174000")
                .send()
                .await
                .expect("the live shape decodes")
                .into_inner();

            assert_eq!(subscription.financed_amount, 119.9);
            assert_eq!(
                subscription
                    .cancellation_status
                    .as_ref()
                    .map(ToString::to_string)
                    .as_deref(),
                Some("REQUEST_FOR_PARTIAL_CANCELLATION")
            );
            assert_eq!(subscription.basket_details, "FR");
            let buyer = &subscription.buyer;
            assert_eq!(buyer.delivery_method.as_deref(), Some("Click & Collect"));
            assert_eq!(buyer.vip, Some(false));
            assert_eq!(
                buyer.billing_contact.professional_title.as_deref(),
                Some("Professor")
            );
            assert_eq!(buyer.delivery_address.region_name.as_str(), "Île-de-France");
            assert_eq!(buyer.delivery_address.street_number, Some(147));
            assert_eq!(
                buyer.delivery_address.street_name_complement.as_deref(),
                Some("block 47")
            );
        }

        #[tokio::test]
        async fn retrieve_subscription_keeps_an_unlisted_consolidated_status_as_unknown() {
            let example = spec().response_example("retrieveCreditSubscription", "200");
            let gateway = Gateway::start();
            let _recorder =
                gateway.answer(200, Some(with(example, "/consolidatedStatus", "SUSPENDED")));

            let subscription = gateway
                .client()
                .$api()
                .retrieve_credit_subscription()
                .credit_subscription_id(SUBSCRIPTION_ID)
                .send()
                .await
                .expect("an unlisted status must not fail decoding")
                .into_inner();

            assert_eq!(
                subscription.consolidated_status.as_unknown(),
                Some("SUSPENDED")
            );
        }

        #[tokio::test]
        async fn retrieve_subscription_refuses_an_id_that_is_not_a_uuid_before_sending() {
            let gateway = Gateway::expecting_nothing();

            let result = gateway
                .client()
                .$api()
                .retrieve_credit_subscription()
                .credit_subscription_id("ORD-2024-000871")
                .send()
                .await;

            assert_invalid_request(result, &["credit_subscription_id", "Uuid"]);
            gateway.assert_nothing_received();
        }

        // --- getEligibleProductServices: GET /eligible-solutions ------------------------------

        #[tokio::test]
        async fn eligible_solutions_send_country_and_amount_as_query_and_decode_the_spec_example() {
            let spec = spec();
            let op = "getEligibleProductServices";
            let example = spec.response_example(op, "200");
            let gateway = Gateway::start();
            let recorder = gateway.answer(200, Some(example.clone()));

            let eligible = gateway
                .client()
                .$api()
                .get_eligible_product_services()
                .buyer_billing_country("FR")
                .financed_amount(1249.9)
                .send()
                .await
                .expect("the spec example decodes")
                .into_inner();

            assert_request(
                &spec,
                op,
                &recorder.only_request(),
                Expected {
                    query: &[("buyerBillingCountry", "FR"), ("financedAmount", "1249.9")],
                    ..Expected::NOTHING
                },
            );
            assert_eq!(eligible.solutions.len(), 1);
            let (solution, expected) = (&eligible.solutions[0], &example["solutions"][0]);
            assert_eq!(solution.solution_code, expected["solutionCode"]);
            assert_eq!(solution.family_code, expected["familyCode"]);
            assert_eq!(solution.conditions, expected["conditions"]);
            let (kit, expected_kit) = (&solution.communication_kit, &expected["communicationKit"]);
            assert_eq!(
                kit.visual_title.as_deref(),
                expected_kit["visualTitle"].as_str()
            );
            assert_eq!(
                kit.visual_information_icon,
                expected_kit["visualInformationIcon"]
            );
            assert_eq!(
                kit.visual_product_terms_url.as_deref(),
                expected_kit["visualProductTermsURL"].as_str()
            );
            assert_round_trips(&eligible, &example, "eligibility example");
        }

        #[tokio::test]
        async fn eligible_solutions_accept_a_null_or_missing_visual_description() {
            // The live API sends `"visualDescription": null` for kits without a description,
            // although the spec neither marks it nullable nor (in 1.4.0) defines it at all.
            let kit = |code: &str| {
                json!({
                    "solutionCode": code,
                    "visualTitle": "Payez en 3 ou 4 fois",
                    "visualInformationIcon": "https://merchant.kit/uri/info.ico",
                    "visualAdditionalInformation": "xxx",
                    "visualLegalText": "xxx",
                    "visualTableImage": "https://merchant.kit/uri/table.png",
                    "visualLogo": "https://merchant.kit/uri/logo.ico",
                    "visualInformationNoticeURL": "https://merchant.kit/uri/notice.pdf",
                    "visualProductTermsURL": "https://merchant.kit/uri/productTerms.pdf"
                })
            };
            let with_null = {
                let mut kit = kit("SCFRSP-3XTS");
                kit["visualDescription"] = serde_json::Value::Null;
                kit
            };
            let body = json!({"solutions": [
                {"solutionCode": "SCFRSP-3XTS", "familyCode": "SC", "marketCode": "FR",
                 "conditions": "PS", "communicationKit": with_null},
                {"solutionCode": "SCFRSP-4XTS", "familyCode": "SC", "marketCode": "FR",
                 "conditions": "TS", "communicationKit": kit("SCFRSP-4XTS")}
            ]});
            let gateway = Gateway::start();
            let _recorder = gateway.answer(200, Some(body));

            let eligible = gateway
                .client()
                .$api()
                .get_eligible_product_services()
                .buyer_billing_country("FR")
                .financed_amount(500.0)
                .send()
                .await
                .expect("a null visualDescription must decode")
                .into_inner();

            let codes: Vec<&str> = eligible
                .solutions
                .iter()
                .map(|s| s.solution_code.as_str())
                .collect();
            assert_eq!(codes, ["SCFRSP-3XTS", "SCFRSP-4XTS"]);
            assert_eq!(
                eligible.solutions[0]
                    .communication_kit
                    .visual_title
                    .as_deref(),
                Some("Payez en 3 ou 4 fois")
            );
            // Encoded again, neither kit has a description: null decoded as "none".
            let encoded = serde_json::to_value(&eligible).expect("encodes");
            for solution in encoded["solutions"].as_array().expect("solutions") {
                assert!(
                    solution["communicationKit"]
                        .get("visualDescription")
                        .is_none(),
                    "{solution}"
                );
            }
        }

        #[tokio::test]
        async fn eligible_solutions_decode_the_empty_object_sent_when_nothing_is_eligible() {
            let gateway = Gateway::start();
            let _recorder = gateway.answer(200, Some(json!({})));

            let eligible = gateway
                .client()
                .$api()
                .get_eligible_product_services()
                .buyer_billing_country("DE")
                .financed_amount(25.5)
                .send()
                .await
                .expect("{} means no solution")
                .into_inner();

            assert!(eligible.solutions.is_empty());
        }

        #[tokio::test]
        async fn eligible_solutions_refuse_a_missing_required_amount_before_sending() {
            let gateway = Gateway::expecting_nothing();

            let result = gateway
                .client()
                .$api()
                .get_eligible_product_services()
                .buyer_billing_country("FR")
                .send()
                .await;

            assert_invalid_request(result, &["financed_amount"]);
            gateway.assert_nothing_received();
        }

        // --- simulateSolution / creditSimulation: POST /_simulate-solutions -------------------

        #[tokio::test]
        async fn simulation_posts_the_spec_example_and_decodes_the_spec_response() {
            let spec = spec();
            let request = spec.request_example($simulate_op);
            let example = spec.response_example($simulate_op, "200");
            let gateway = Gateway::start();
            let recorder = gateway.answer(200, Some(example.clone()));

            let simulation = gateway
                .client()
                .$api()
                .$simulate()
                .body(JsonBody(request.clone()))
                .send()
                .await
                .expect("the spec example decodes")
                .into_inner();

            assert_request(
                &spec,
                $simulate_op,
                &recorder.only_request(),
                Expected {
                    body: Some(&request),
                    ..Expected::NOTHING
                },
            );
            assert_eq!(simulation.financed_amount, example["financedAmount"]);
            assert_eq!(
                simulation.buyer_billing_country.to_string(),
                example["buyerBillingCountry"]
            );
            let expected_items = example["solutionSimulations"]
                .as_array()
                .expect("solutions");
            assert_eq!(simulation.solution_simulations.len(), expected_items.len());
            for (item, expected) in simulation.solution_simulations.iter().zip(expected_items) {
                assert_eq!(item.solution_code, expected["solutionCode"]);
                let durations: Vec<i32> = item.simulations.iter().map(|s| s.duration).collect();
                let expected_durations: Vec<i64> = expected["simulations"]
                    .as_array()
                    .expect("simulations")
                    .iter()
                    .filter_map(|s| s["duration"].as_i64())
                    .collect();
                assert_eq!(
                    durations.iter().map(|d| i64::from(*d)).collect::<Vec<_>>(),
                    expected_durations
                );
                let first = &item.simulations[0];
                assert_eq!(
                    first.effective_annual_percentage_rate,
                    expected["simulations"][0]["effectiveAnnualPercentageRate"]
                );
                assert_eq!(
                    first.due_total_amount,
                    expected["simulations"][0]["dueTotalAmount"]
                );
                assert_eq!(
                    first.installments[0].amount,
                    expected["simulations"][0]["installments"][0]["amount"]
                );
            }
            assert_round_trips(&simulation, &example, "simulation example");
        }

        #[tokio::test]
        async fn simulation_built_with_the_typed_builder_sends_only_what_was_set() {
            let spec = spec();
            let gateway = Gateway::start();
            let recorder = gateway.answer(
                200,
                Some(json!({
                    "financedAmount": 1500.25,
                    "buyerBillingCountry": "DE",
                    "solutionSimulations": []
                })),
            );

            let simulation = gateway
                .client()
                .$api()
                .$simulate()
                .body_map(|body| {
                    body.financed_amount(1500.25).buyer_billing_country(
                        types::SolutionSimulationRequestBuyerBillingCountry::De,
                    )
                })
                .send()
                .await
                .expect("no eligible solution is an empty list")
                .into_inner();

            // solutionCodes left out: "simulate every eligible solution".
            assert_request(
                &spec,
                $simulate_op,
                &recorder.only_request(),
                Expected {
                    body: Some(&json!({"financedAmount": 1500.25, "buyerBillingCountry": "DE"})),
                    ..Expected::NOTHING
                },
            );
            assert!(simulation.solution_simulations.is_empty());
        }

        #[tokio::test]
        async fn simulation_decodes_several_solutions_with_several_durations_each() {
            // What the live API answers for 1500 EUR without solutionCodes: split payment with
            // every instalment listed, long-term credit with one plan per duration and only its
            // first instalment.
            let plan = |duration: i32, total_cost: f64, first: f64| {
                json!({
                    "duration": duration,
                    "effectiveAnnualPercentageRate": 9.9,
                    "nominalPercentageRate": 9.477,
                    "totalCost": total_cost,
                    "dueTotalAmount": 1500.0 + total_cost,
                    "feesAmount": 0.0,
                    "installments": [{"number": 1, "amount": first}]
                })
            };
            let body = json!({
                "financedAmount": 1500.0,
                "buyerBillingCountry": "FR",
                "solutionSimulations": [
                    {"solutionCode": "SCFRSP-4XTS", "simulations": [{
                        "duration": 4, "effectiveAnnualPercentageRate": 0.0,
                        "nominalPercentageRate": 0.0, "totalCost": 0.0,
                        "dueTotalAmount": 1500.0, "feesAmount": 0.0,
                        "installments": [
                            {"number": 1, "amount": 375.0}, {"number": 2, "amount": 375.0},
                            {"number": 3, "amount": 375.0}, {"number": 4, "amount": 375.0}
                        ]
                    }]},
                    {"solutionCode": "SCFRLT-TXPS", "simulations": [
                        plan(6, 41.7, 256.95), plan(12, 78.0, 131.5),
                        plan(18, 114.96, 89.72), plan(24, 152.4, 68.85)
                    ]},
                    {"solutionCode": "SCFRSP-4XPS", "simulations": [{
                        "duration": 4, "effectiveAnnualPercentageRate": 12.584,
                        "nominalPercentageRate": 0.0, "totalCost": 20.0,
                        "dueTotalAmount": 1520.0, "feesAmount": 20.0,
                        "installments": [
                            {"number": 1, "amount": 395.0}, {"number": 2, "amount": 375.0},
                            {"number": 3, "amount": 375.0}, {"number": 4, "amount": 375.0}
                        ]
                    }]}
                ]
            });
            let gateway = Gateway::start();
            let _recorder = gateway.answer(200, Some(body.clone()));

            let simulation = gateway
                .client()
                .$api()
                .$simulate()
                .body_map(|b| {
                    b.financed_amount(1500.0).buyer_billing_country(
                        types::SolutionSimulationRequestBuyerBillingCountry::Fr,
                    )
                })
                .send()
                .await
                .expect("several solutions and durations decode")
                .into_inner();

            let codes: Vec<&str> = simulation
                .solution_simulations
                .iter()
                .map(|s| s.solution_code.as_str())
                .collect();
            assert_eq!(codes, ["SCFRSP-4XTS", "SCFRLT-TXPS", "SCFRSP-4XPS"]);
            let long_term = &simulation.solution_simulations[1];
            let durations: Vec<i32> = long_term.simulations.iter().map(|s| s.duration).collect();
            assert_eq!(durations, [6, 12, 18, 24]);
            let firsts: Vec<f64> = long_term
                .simulations
                .iter()
                .map(|s| s.installments[0].amount)
                .collect();
            assert_eq!(firsts, [256.95, 131.5, 89.72, 68.85]);
            assert_eq!(long_term.simulations[3].due_total_amount, 1652.4);
            let split = &simulation.solution_simulations[0].simulations[0];
            assert_eq!(
                split
                    .installments
                    .iter()
                    .map(|i| i.number)
                    .collect::<Vec<_>>(),
                [1, 2, 3, 4]
            );
            let with_fees = &simulation.solution_simulations[2].simulations[0];
            assert_eq!(
                (with_fees.fees_amount, with_fees.installments[0].amount),
                (20.0, 395.0)
            );
            assert_round_trips(&simulation, &body, "several durations");
        }

        #[tokio::test]
        async fn simulation_keeps_a_billing_country_the_spec_does_not_list_as_unknown() {
            let example = spec().response_example($simulate_op, "200");
            let gateway = Gateway::start();
            let _recorder = gateway.answer(200, Some(with(example, "/buyerBillingCountry", "BE")));

            let simulation = gateway
                .client()
                .$api()
                .$simulate()
                .body(JsonBody(spec().request_example($simulate_op)))
                .send()
                .await
                .expect("a new market must not fail decoding")
                .into_inner();

            assert_eq!(simulation.buyer_billing_country.as_unknown(), Some("BE"));
        }

        #[tokio::test]
        async fn simulation_refuses_a_billing_country_outside_the_enum_before_sending() {
            let gateway = Gateway::expecting_nothing();
            let request = with(
                spec().request_example($simulate_op),
                "/buyerBillingCountry",
                "IT",
            );

            let result = gateway
                .client()
                .$api()
                .$simulate()
                .body(JsonBody(request))
                .send()
                .await;

            assert_invalid_request(result, &["SolutionSimulationRequest", "IT"]);
            gateway.assert_nothing_received();
        }

        #[tokio::test]
        async fn simulation_refuses_a_missing_required_amount_before_sending() {
            let gateway = Gateway::expecting_nothing();

            let built = gateway
                .client()
                .$api()
                .$simulate()
                .body_map(|b| {
                    b.buyer_billing_country(types::SolutionSimulationRequestBuyerBillingCountry::Fr)
                })
                .send()
                .await;
            assert_invalid_request(built, &["financed_amount"]);

            let request = without(
                spec().request_example($simulate_op),
                "/financedAmount",
            );
            let from_json = gateway
                .client()
                .$api()
                .$simulate()
                .body(JsonBody(request))
                .send()
                .await;
            assert_invalid_request(from_json, &["financedAmount"]);

            gateway.assert_nothing_received();
        }

        // --- doConfirmDelivery: POST /subscriptions/{id}/_confirmDelivery ---------------------

        #[tokio::test]
        async fn confirm_delivery_posts_the_spec_example_to_the_subscription_and_accepts_204() {
            let spec = spec();
            let op = "doConfirmDelivery";
            let request = spec.request_example(op);
            let gateway = Gateway::start();
            let recorder = gateway.answer(204, None);

            let response = gateway
                .client()
                .$api()
                .do_confirm_delivery()
                .credit_subscription_id(SUBSCRIPTION_ID)
                .body(JsonBody(request.clone()))
                .send()
                .await
                .expect("204 without a body is success");

            assert_eq!(response.status(), 204);
            assert_request(
                &spec,
                op,
                &recorder.only_request(),
                Expected {
                    path_params: &[("creditSubscriptionId", SUBSCRIPTION_ID)],
                    body: Some(&request),
                    ..Expected::NOTHING
                },
            );
        }

        #[tokio::test]
        async fn confirm_delivery_built_with_the_typed_builder_sends_only_the_flag() {
            let spec = spec();
            let gateway = Gateway::start();
            let recorder = gateway.answer(204, None);

            gateway
                .client()
                .$api()
                .do_confirm_delivery()
                .credit_subscription_id(SUBSCRIPTION_ID)
                .body_map(|b| b.is_delivered(true))
                .send()
                .await
                .expect("delivery confirmed");

            assert_request(
                &spec,
                "doConfirmDelivery",
                &recorder.only_request(),
                Expected {
                    path_params: &[("creditSubscriptionId", SUBSCRIPTION_ID)],
                    body: Some(&json!({"isDelivered": true})),
                    ..Expected::NOTHING
                },
            );
        }

        #[tokio::test]
        async fn confirm_delivery_refuses_tracking_numbers_outside_1_to_100_chars_before_sending() {
            use types::ConfirmDeliveryRequestTrackingNumber as TrackingNumber;
            // The typed value cannot even be built...
            assert!(TrackingNumber::try_from("6".repeat(101)).is_err());
            assert!(TrackingNumber::try_from("").is_err());
            assert!(TrackingNumber::try_from("6".repeat(100)).is_ok());

            // ...and a body carrying one is refused inside `send()`.
            let gateway = Gateway::expecting_nothing();
            let example = spec().request_example("doConfirmDelivery");
            for (tracking, complaint) in [
                ("6".repeat(101), "longer than 100"),
                (String::new(), "shorter than 1"),
            ] {
                let result = gateway
                    .client()
                    .$api()
                    .do_confirm_delivery()
                    .credit_subscription_id(SUBSCRIPTION_ID)
                    .body(JsonBody(with(example.clone(), "/trackingNumber", tracking)))
                    .send()
                    .await;
                assert_invalid_request(result, &["ConfirmDeliveryRequest", complaint]);
            }
            gateway.assert_nothing_received();
        }

        #[tokio::test]
        async fn confirm_delivery_refuses_a_carrier_outside_the_enum_before_sending() {
            use types::ConfirmDeliveryRequestOperator as Operator;
            assert!(Operator::try_from("POSTNL").is_err());
            assert_eq!(Operator::try_from("LA_POSTE").ok(), Some(Operator::LaPoste));

            let gateway = Gateway::expecting_nothing();
            let request = with(
                spec().request_example("doConfirmDelivery"),
                "/operator",
                "POSTNL",
            );
            let result = gateway
                .client()
                .$api()
                .do_confirm_delivery()
                .credit_subscription_id(SUBSCRIPTION_ID)
                .body(JsonBody(request))
                .send()
                .await;

            assert_invalid_request(result, &["ConfirmDeliveryRequest", "POSTNL"]);
            gateway.assert_nothing_received();
        }

        #[tokio::test]
        async fn confirm_delivery_refuses_a_missing_delivered_flag_before_sending() {
            let gateway = Gateway::expecting_nothing();

            let result = gateway
                .client()
                .$api()
                .do_confirm_delivery()
                .credit_subscription_id(SUBSCRIPTION_ID)
                .body_map(|b| b.operator(types::ConfirmDeliveryRequestOperator::Dhl))
                .send()
                .await;

            assert_invalid_request(result, &["is_delivered"]);
            gateway.assert_nothing_received();
        }

        // --- cancelCreditSubscription: POST /subscriptions/{id}/_cancel -----------------------

        #[tokio::test]
        async fn cancel_posts_the_spec_example_and_decodes_the_lender_answer() {
            let spec = spec();
            let op = "cancelCreditSubscription";
            let request = spec.request_example(op);
            let example = spec.response_example(op, "200");
            let gateway = Gateway::start();
            let recorder = gateway.answer(200, Some(example.clone()));

            let answer = gateway
                .client()
                .$api()
                .cancel_credit_subscription()
                .credit_subscription_id(SUBSCRIPTION_ID)
                .body(JsonBody(request.clone()))
                .send()
                .await
                .expect("the spec example decodes")
                .into_inner();

            assert_request(
                &spec,
                op,
                &recorder.only_request(),
                Expected {
                    path_params: &[("creditSubscriptionId", SUBSCRIPTION_ID)],
                    body: Some(&request),
                    ..Expected::NOTHING
                },
            );
            assert_eq!(answer.financed_amount, example["financedAmount"].as_f64());
            assert_eq!(
                answer.status.as_ref().map(ToString::to_string).as_deref(),
                example["status"].as_str()
            );
            assert!(answer.status.as_ref().and_then(|s| s.known()).is_some());
            assert_round_trips(&answer, &example, "cancellation example");
        }

        #[tokio::test]
        async fn cancel_for_a_partial_amount_built_with_the_typed_builder_sends_only_what_was_set()
        {
            let spec = spec();
            let gateway = Gateway::start();
            let recorder = gateway.answer(
                200,
                Some(json!({"financedAmount": 999.9, "status": "ACCEPTED"})),
            );

            let answer = gateway
                .client()
                .$api()
                .cancel_credit_subscription()
                .credit_subscription_id(SUBSCRIPTION_ID)
                .body_map(|b| {
                    b.cancelled_amount(250.0)
                        .cancellation_reason("Damaged on arrival".to_string())
                })
                .send()
                .await
                .expect("partial cancellation accepted")
                .into_inner();

            assert_request(
                &spec,
                "cancelCreditSubscription",
                &recorder.only_request(),
                Expected {
                    path_params: &[("creditSubscriptionId", SUBSCRIPTION_ID)],
                    body: Some(&json!({
                        "cancelledAmount": 250.0,
                        "cancellationReason": "Damaged on arrival"
                    })),
                    ..Expected::NOTHING
                },
            );
            assert_eq!(answer.financed_amount, Some(999.9));
        }

        #[tokio::test]
        async fn cancel_keeps_a_status_the_spec_does_not_list_as_unknown() {
            let gateway = Gateway::start();
            let _recorder = gateway.answer(
                200,
                Some(json!({"financedAmount": 0, "status": "CANCEL_UNDER_REVIEW"})),
            );

            let answer = gateway
                .client()
                .$api()
                .cancel_credit_subscription()
                .credit_subscription_id(SUBSCRIPTION_ID)
                .body(JsonBody(spec().request_example("cancelCreditSubscription")))
                .send()
                .await
                .expect("an unlisted status must not fail decoding")
                .into_inner();

            assert_eq!(
                answer.status.as_ref().and_then(|s| s.as_unknown()),
                Some("CANCEL_UNDER_REVIEW")
            );
        }

        #[tokio::test]
        async fn cancel_decodes_request_cancellation_as_known_exactly_from_1_5_2_on() {
            // Lenders that decide later first answer REQUEST_CANCELLATION, which 1.5.2 added to
            // the enum: known from then on, and still decodable (as unknown) with 1.4.0.
            let gateway = Gateway::start();
            let _recorder = gateway.answer(
                200,
                Some(json!({"financedAmount": 1249.9, "status": "REQUEST_CANCELLATION"})),
            );

            let answer = gateway
                .client()
                .$api()
                .cancel_credit_subscription()
                .credit_subscription_id(SUBSCRIPTION_ID)
                .body(JsonBody(spec().request_example("cancelCreditSubscription")))
                .send()
                .await
                .expect("a pending answer decodes")
                .into_inner();

            let status = answer.status.expect("status");
            assert_eq!(status.to_string(), "REQUEST_CANCELLATION");
            assert_eq!(
                status.known().is_some(),
                $pending_known,
                "{}",
                $version
            );
        }

        #[tokio::test]
        async fn cancel_refuses_an_id_that_is_not_a_uuid_before_sending() {
            let gateway = Gateway::expecting_nothing();

            let result = gateway
                .client()
                .$api()
                .cancel_credit_subscription()
                .credit_subscription_id("73a91eda-b559-46d1-b2a3")
                .body(JsonBody(spec().request_example("cancelCreditSubscription")))
                .send()
                .await;

            assert_invalid_request(result, &["credit_subscription_id"]);
            gateway.assert_nothing_received();
        }

        // --- initiateCreditSubscription: POST /subscriptions ----------------------------------

        #[tokio::test]
        async fn initiate_posts_the_spec_example_and_decodes_the_created_subscription() {
            let spec = spec();
            let op = "initiateCreditSubscription";
            let request = spec.request_example(op);
            let example = spec.response_example(op, "201");
            let gateway = Gateway::start();
            let recorder = gateway.answer(201, Some(example.clone()));

            let api = gateway.client().$api();
            let created = initiate_call(&api)
                .body(JsonBody(request.clone()))
                .send()
                .await
                .expect("the spec example decodes")
                .into_inner();

            assert_request(
                &spec,
                op,
                &recorder.only_request(),
                Expected {
                    query: &[$(("language", $language))?],
                    body: Some(&request),
                    ..Expected::NOTHING
                },
            );
            assert_eq!(created.id.to_string(), example["id"]);
            let redirect = created
                .redirect
                .as_ref()
                .expect("the example has a redirect");
            assert_eq!(
                redirect.type_.as_ref().map(ToString::to_string).as_deref(),
                example["redirect"]["type"].as_str()
            );
            assert_eq!(
                redirect.value.as_deref(),
                example["redirect"]["value"].as_str()
            );
            assert_round_trips(&created, &example, "creation example");
        }

        #[tokio::test]
        async fn initiate_keeps_a_redirect_type_the_spec_does_not_list_as_unknown() {
            let example = spec().response_example("initiateCreditSubscription", "201");
            let gateway = Gateway::start();
            let _recorder = gateway.answer(201, Some(with(example, "/redirect/type", "iframe")));

            let api = gateway.client().$api();
            let created = initiate_call(&api)
                .body(JsonBody(
                    spec().request_example("initiateCreditSubscription"),
                ))
                .send()
                .await
                .expect("a new redirect kind must not fail decoding")
                .into_inner();

            let redirect = created.redirect.expect("redirect");
            assert_eq!(
                redirect.type_.as_ref().and_then(|t| t.as_unknown()),
                Some("iframe")
            );
        }

        #[tokio::test]
        async fn initiate_refuses_a_body_missing_required_members_before_sending() {
            let gateway = Gateway::expecting_nothing();
            let example = spec().request_example("initiateCreditSubscription");
            for (pointer, member) in [
                ("/merchantUrls", "merchantUrls"),
                ("/solutionCode", "solutionCode"),
                ("/buyers/0/billingAddress", "billingAddress"),
                ("/basketDetails/basketItems/0/price", "price"),
            ] {
                let api = gateway.client().$api();
                let result = initiate_call(&api)
                    .body(JsonBody(without(example.clone(), pointer)))
                    .send()
                    .await;
                assert_invalid_request(result, &["InitiateCreditSubscriptionRequest", member]);
            }

            // With the typed builder, leaving out a required member is refused the same way.
            let api = gateway.client().$api();
            let result = initiate_call(&api)
                .body_map(|b| b.solution_code("SCFRSP-4XTS").financed_amount(1249.9))
                .send()
                .await;
            assert_invalid_request(result, &["no value supplied for basket_details"]);

            gateway.assert_nothing_received();
        }

        $(
            #[tokio::test]
            async fn initiate_refuses_a_missing_language_before_sending() {
                let _required_since_1_5_2 = $language;
                let gateway = Gateway::expecting_nothing();

                let result = gateway
                    .client()
                    .$api()
                    .initiate_credit_subscription()
                    .body(JsonBody(spec().request_example("initiateCreditSubscription")))
                    .send()
                    .await;

                assert_invalid_request(result, &["language"]);
                gateway.assert_nothing_received();
            }
        )?

        #[tokio::test]
        async fn initiate_refuses_a_title_outside_the_enum_before_sending() {
            let gateway = Gateway::expecting_nothing();
            let example = spec().request_example("initiateCreditSubscription");
            let request = with(example, "/buyers/0/contact/commonTitle", "MS");

            let api = gateway.client().$api();
            let result = initiate_call(&api).body(JsonBody(request)).send().await;

            assert_invalid_request(result, &["InitiateCreditSubscriptionRequest", "MS"]);
            gateway.assert_nothing_received();
        }
    };
}

/// The tests of `doConfirmReturn`, added in 1.6.0 and unchanged since. Invoke after
/// `shared_operation_tests!` (it uses that macro's imports and `spec()`).
#[macro_export]
macro_rules! confirm_return_tests {
    (version: $version:literal, api: $api:ident, module: $module:ident $(,)?) => {
        $crate::json_bodies!(
            scalexpert::e_financing::$module::types::ConfirmReturnRequest
        );

        #[tokio::test]
        async fn confirm_return_posts_the_spec_example_to_the_subscription_and_accepts_204() {
            let spec = spec();
            let op = "doConfirmReturn";
            let request = spec.request_example(op);
            let gateway = Gateway::start();
            let recorder = gateway.answer(204, None);

            let response = gateway
                .client()
                .$api()
                .do_confirm_return()
                .credit_subscription_id(SUBSCRIPTION_ID)
                .body(JsonBody(request.clone()))
                .send()
                .await
                .expect("204 without a body is success");

            assert_eq!(response.status(), 204);
            assert_request(
                &spec,
                op,
                &recorder.only_request(),
                Expected {
                    path_params: &[("creditSubscriptionId", SUBSCRIPTION_ID)],
                    body: Some(&request),
                    ..Expected::NOTHING
                },
            );
        }

        #[tokio::test]
        async fn confirm_return_built_with_the_typed_builder_sends_the_flag_it_was_given() {
            let spec = spec();
            let gateway = Gateway::start();
            let recorder = gateway.answer(204, None);

            gateway
                .client()
                .$api()
                .do_confirm_return()
                .credit_subscription_id(SUBSCRIPTION_ID)
                .body_map(|b| b.is_returned(false))
                .send()
                .await
                .expect("return reported");

            assert_request(
                &spec,
                "doConfirmReturn",
                &recorder.only_request(),
                Expected {
                    path_params: &[("creditSubscriptionId", SUBSCRIPTION_ID)],
                    body: Some(&json!({"isReturned": false})),
                    ..Expected::NOTHING
                },
            );
        }

        #[tokio::test]
        async fn confirm_return_refuses_a_missing_returned_flag_before_sending() {
            let gateway = Gateway::expecting_nothing();

            let built = gateway
                .client()
                .$api()
                .do_confirm_return()
                .credit_subscription_id(SUBSCRIPTION_ID)
                .send()
                .await;
            assert_invalid_request(built, &["is_returned"]);

            let from_json = gateway
                .client()
                .$api()
                .do_confirm_return()
                .credit_subscription_id(SUBSCRIPTION_ID)
                .body(JsonBody(json!({})))
                .send()
                .await;
            assert_invalid_request(from_json, &["isReturned"]);

            gateway.assert_nothing_received();
        }

        #[tokio::test]
        async fn confirm_return_refuses_an_id_that_is_not_a_uuid_before_sending() {
            let gateway = Gateway::expecting_nothing();

            let result = gateway
                .client()
                .$api()
                .do_confirm_return()
                .credit_subscription_id("not-a-subscription")
                .body_map(|b| b.is_returned(true))
                .send()
                .await;

            assert_invalid_request(result, &["credit_subscription_id"]);
            gateway.assert_nothing_received();
        }
    };
}

/// The request constraints 1.5.2 introduced and 1.6.0 kept (1.6.6 replaced them): phone number
/// and email patterns, 32-character cities, 3-character street number suffixes, a single buyer,
/// and an optional `commonTitle`. Invoke after `shared_operation_tests!`.
#[macro_export]
macro_rules! contact_patterns_of_1_5_2_and_1_6_0_tests {
    (version: $version:literal, api: $api:ident, module: $module:ident $(,)?) => {
        /// `initiateCreditSubscription` with `language=fr-FR` and `body` as the JSON body.
        async fn initiate(
            gateway: &Gateway,
            body: serde_json::Value,
        ) -> Result<types::InitiateCreditSubscriptionResponse, scalexpert::Error> {
            let api = gateway.client().$api();
            Ok(initiate_call(&api)
                .body(JsonBody(body))
                .send()
                .await?
                .into_inner())
        }

        #[tokio::test]
        async fn initiate_refuses_phone_numbers_without_international_prefix_before_sending() {
            use types::{ContactMobilePhoneNumber, ContactPhoneNumber};
            // `^\+(?:[0-9] ?){6,14}[0-9]$`: a plus, then 7 to 15 digits, single spaces allowed.
            assert!(ContactMobilePhoneNumber::try_from("+33 6 12 34 56 78").is_ok());
            assert!(ContactMobilePhoneNumber::try_from("0612345678").is_err());
            assert!(ContactMobilePhoneNumber::try_from("+33  612345678").is_err());
            // The landline may also be an empty string (`^$|...`).
            assert!(ContactPhoneNumber::try_from("").is_ok());

            let gateway = Gateway::expecting_nothing();
            let example = spec().request_example("initiateCreditSubscription");
            for (pointer, value) in [
                ("/buyers/0/contact/mobilePhoneNumber", "0612345678"),
                (
                    "/buyers/0/billingContact/mobilePhoneNumber",
                    "+33-6-12-34-56-78",
                ),
                ("/buyers/0/contact/phoneNumber", "04 78 12 34 56"),
            ] {
                let result = initiate(&gateway, with(example.clone(), pointer, value)).await;
                assert_invalid_request(
                    result,
                    &["InitiateCreditSubscriptionRequest", "doesn't match pattern"],
                );
            }
            gateway.assert_nothing_received();
        }

        #[tokio::test]
        async fn initiate_refuses_an_email_without_a_dotted_domain_before_sending() {
            let gateway = Gateway::expecting_nothing();
            let example = spec().request_example("initiateCreditSubscription");

            let result = initiate(
                &gateway,
                with(
                    example,
                    "/buyers/0/deliveryContact/email",
                    "claire@localhost",
                ),
            )
            .await;

            assert_invalid_request(
                result,
                &["InitiateCreditSubscriptionRequest", "doesn't match pattern"],
            );
            gateway.assert_nothing_received();
        }

        #[tokio::test]
        async fn initiate_refuses_cities_over_32_and_suffixes_over_3_characters_before_sending() {
            use types::{AddressCityName, AddressStreetNumberSuffix};
            assert!(AddressCityName::try_from("L".repeat(32)).is_ok());
            assert!(AddressStreetNumberSuffix::try_from("ter").is_ok());

            let gateway = Gateway::expecting_nothing();
            let example = spec().request_example("initiateCreditSubscription");
            for (pointer, value, complaint) in [
                (
                    "/buyers/0/contactAddress/cityName",
                    "L".repeat(33),
                    "longer than 32",
                ),
                (
                    "/buyers/0/billingAddress/streetNumberSuffix",
                    "bis A".to_string(),
                    "longer than 3",
                ),
            ] {
                let result = initiate(&gateway, with(example.clone(), pointer, value)).await;
                assert_invalid_request(result, &["InitiateCreditSubscriptionRequest", complaint]);
            }
            gateway.assert_nothing_received();
        }

        #[tokio::test]
        async fn initiate_sends_contacts_without_the_title_this_version_makes_optional() {
            let spec = spec();
            let mut body = spec.request_example("initiateCreditSubscription");
            for contact in ["contact", "billingContact", "deliveryContact"] {
                body = without(body, &format!("/buyers/0/{contact}/commonTitle"));
            }
            let gateway = Gateway::start();
            let recorder = gateway.answer(
                201,
                Some(spec.response_example("initiateCreditSubscription", "201")),
            );

            initiate(&gateway, body.clone())
                .await
                .expect("no title is fine in this version");

            assert_request(
                &spec,
                "initiateCreditSubscription",
                &recorder.only_request(),
                Expected {
                    query: &[("language", "fr-FR")],
                    body: Some(&body),
                    ..Expected::NOTHING
                },
            );
        }

        #[tokio::test]
        // The spec's `Buyer` serves both directions; `lenient_response_schemas` keeps its
        // request patterns off the answer.
        async fn retrieve_subscription_decodes_a_stored_mobile_number_without_plus_prefix() {
            // A subscription whose buyer was stored before (or outside) today's pattern must
            // stay readable: the server, not the client, owns what it sends back.
            let example = spec().response_example("retrieveCreditSubscription", "200");
            let example = with(example, "/buyer/contact/mobilePhoneNumber", "0612345678");
            let gateway = Gateway::start();
            let _recorder = gateway.answer(200, Some(example));

            let subscription = gateway
                .client()
                .$api()
                .retrieve_credit_subscription()
                .credit_subscription_id(SUBSCRIPTION_ID)
                .send()
                .await
                .expect("a stored buyer must not make the subscription unreadable")
                .into_inner();

            assert_eq!(
                subscription.buyer.contact.mobile_phone_number.as_str(),
                "0612345678"
            );
        }
    };
}

/// Versions before 1.6.6 allow one buyer (`maxItems: 1`); `bounded_request_arrays` makes the
/// generated type refuse a second. Needs an `initiate(&Gateway, Value)` in scope.
#[macro_export]
macro_rules! one_buyer_only_tests {
    () => {
        #[tokio::test]
        // `bounded_request_arrays` makes the generated type check the spec's maxItems.
        async fn initiate_refuses_a_second_buyer_before_sending() {
            let gateway = Gateway::expecting_nothing();
            let mut body = spec().request_example("initiateCreditSubscription");
            let buyer = body["buyers"][0].clone();
            body["buyers"].as_array_mut().expect("buyers").push(buyer);

            let result = initiate(&gateway, body).await;

            assert_invalid_request(
                result,
                &[
                    "InitiateCreditSubscriptionRequest",
                    "2 items where the spec allows 0 to 1",
                ],
            );
            gateway.assert_nothing_received();
        }
    };
}
