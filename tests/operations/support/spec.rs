//! A version's spec, read from the text its generated module embeds (`SPEC`), and the assertion
//! that a request is exactly the one an operation of that spec describes.

use super::gateway::{Recorder, ACCESS_TOKEN};
use super::json::assert_json_equivalent;
use serde_json::Value;

/// What the tests expect of every version of one API family, written here rather than read
/// from the code under test.
pub struct Family {
    /// As in `specs/<family>/`.
    pub name: &'static str,
    /// Where the family's operations live below a gateway root.
    pub root: &'static str,
    /// The OAuth2 scope the family's token must be asked with.
    pub scope: &'static str,
}

/// The e-financing API.
pub const E_FINANCING: Family = Family {
    name: "e-financing",
    root: "/e-financing/api/v1",
    scope: "e-financing:rw",
};

/// The insurance API.
pub const INSURANCE: Family = Family {
    name: "insurance",
    root: "/insurance/api/v1",
    scope: "insurance:rw",
};

/// One version's UATC spec.
pub struct Spec {
    /// The API family.
    pub family: &'static Family,
    /// `1.6.6`, as the folder under `specs/<family>/`.
    pub version: &'static str,
    doc: Value,
}

/// One operation of a spec.
pub struct Operation<'a> {
    /// Upper case, as sent (`POST`).
    pub method: String,
    /// As the spec writes it, relative to the server URL (`/subscriptions/{creditSubscriptionId}`).
    pub path: &'a str,
    /// The operation object itself.
    pub node: &'a Value,
}

impl Spec {
    /// Parses `text`, the `SPEC` of the generated module of `family` `version`, and checks it is
    /// that version's file (its `info.version` and the server path of the family).
    pub fn new(family: &'static Family, version: &'static str, text: &str) -> Spec {
        let doc: Value = serde_yaml_ng::from_str(text)
            .unwrap_or_else(|e| panic!("{} {version}: not valid YAML: {e}", family.name));
        assert_eq!(
            doc["info"]["version"], version,
            "{} {version}: the embedded spec is another version",
            family.name
        );
        let server = doc["servers"][0]["url"].as_str().unwrap_or_default();
        assert!(
            server.ends_with(family.root),
            "{} {version}: server {server} is not below {}",
            family.name,
            family.root
        );
        Spec {
            family,
            version,
            doc,
        }
    }

    /// Every operationId of the spec, sorted.
    pub fn operation_ids(&self) -> Vec<String> {
        let mut ids = Vec::new();
        for item in self.paths().values() {
            for (_, operation) in operations_of(item) {
                if let Some(id) = operation["operationId"].as_str() {
                    ids.push(id.to_string());
                }
            }
        }
        ids.sort();
        ids
    }

    /// The operation with this operationId.
    pub fn operation<'a>(&'a self, id: &'a str) -> Operation<'a> {
        for (path, item) in self.paths() {
            for (method, operation) in operations_of(item) {
                if operation["operationId"].as_str() == Some(id) {
                    return Operation {
                        method: method.to_ascii_uppercase(),
                        path,
                        node: operation,
                    };
                }
            }
        }
        panic!("{} has no operation {id}", self.context())
    }

    /// The `example` of the JSON request body of an operation.
    pub fn request_example(&self, id: &str) -> Value {
        let operation = self.operation(id);
        let example = &operation.node["requestBody"]["content"]["application/json"]["example"];
        assert!(
            !example.is_null(),
            "{} {id}: the request body has no example",
            self.context()
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
            self.context()
        );
        example.clone()
    }

    fn paths(&self) -> &serde_json::Map<String, Value> {
        self.doc["paths"].as_object().expect("the spec has paths")
    }

    fn context(&self) -> String {
        format!("{} {}", self.family.name, self.version)
    }
}

/// Asserts that the generated module's operation table lists exactly the spec's operations, and
/// returns their ids, sorted: each version's `every_operation_of_the_spec_has_tests_here`
/// compares them with the operations it tests.
pub fn operation_ids_of(spec: &Spec, table: &[scalexpert::Operation]) -> Vec<String> {
    let ids = spec.operation_ids();
    let mut listed: Vec<String> = table.iter().map(|op| op.id.to_string()).collect();
    listed.sort();
    assert_eq!(
        listed,
        ids,
        "{}: OPERATIONS and the spec disagree",
        spec.context()
    );
    for op in table {
        let operation = spec.operation(op.id);
        assert_eq!(
            (op.method, op.path),
            (operation.method.as_str(), operation.path),
            "{} {}: the operation table's method and path",
            spec.context(),
            op.id
        );
    }
    ids
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

/// Headers the facade must never send to a merchant's own calls: progenitor's version header
/// (no Scalexpert spec declares it) and the PSP merchant header.
const UNDECLARED_HEADERS: [&str; 2] = ["api-version", "x-baas-client-ref-for-proxi-id"];

/// Asserts that the one request `recorder` saw is exactly the request `operation_id` of `spec`
/// describes: its method, its path (under the family's root) with `expected.path_params` filled
/// in, the query `expected` lists and nothing else (each name declared by the spec, every
/// required one present), the JSON body `expected` gives (or none), our bearer token, fetched
/// once with the family's scope, and no header the spec does not declare.
pub fn assert_request(
    spec: &Spec,
    operation_id: &str,
    recorder: &Recorder<'_>,
    expected: Expected<'_>,
) {
    let sent = recorder.only_request();
    let operation = spec.operation(operation_id);
    let context = format!("{} {operation_id}", spec.context());

    assert_eq!(sent.method, operation.method, "{context}: method");

    let mut path = format!("{}{}", spec.family.root, operation.path);
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
    assert_eq!(
        recorder.token_scopes(),
        [spec.family.scope],
        "{context}: one token, asked for the family's scope"
    );
    for header in UNDECLARED_HEADERS {
        assert_eq!(sent.header(header), None, "{context}: header {header}");
    }
}
