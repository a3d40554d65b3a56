//! A local stand-in for the Scalexpert gateway (httpmock), a facade client pointed at it, and
//! what reached it.

use httpmock::{HttpMockRequest, Mock, MockServer};
use serde_json::Value;
use std::sync::{Arc, Mutex};

/// Path of the OAuth2 token endpoint below any root.
pub const TOKEN_PATH: &str = "/auth-server/api/v1/oauth2/token";
/// The token the mock gateway issues.
pub const ACCESS_TOKEN: &str = "t";

/// Requests a mock saw, in arrival order.
type Log = Arc<Mutex<Vec<Recorded>>>;

/// A local stand-in for the Scalexpert gateway.
pub struct Gateway {
    /// The mock server; its base URL is the client's custom environment root.
    server: MockServer,
    /// Every token request, when this gateway issues tokens.
    token_requests: Log,
    /// Mock id of the catch-all of a gateway that must receive nothing.
    everything_mock: Option<usize>,
}

impl Gateway {
    /// A gateway that issues tokens; API answers are set per test with [`Gateway::answer`].
    pub fn start() -> Gateway {
        let server = MockServer::start();
        let token_requests = Log::default();
        let sink = Arc::clone(&token_requests);
        server.mock(move |when, then| {
            when.is_true(move |request: &HttpMockRequest| {
                let is_token_request =
                    request.method() == "POST" && request.uri().path() == TOKEN_PATH;
                if is_token_request {
                    sink.lock()
                        .expect("token log lock")
                        .push(Recorded::from(request));
                }
                is_token_request
            });
            then.status(200)
                .header("content-type", "application/json")
                .json_body(serde_json::json!({
                    "access_token": ACCESS_TOKEN,
                    "token_type": "Bearer",
                    "expires_in": 900
                }));
        });
        Gateway {
            server,
            token_requests,
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
            token_requests: Log::default(),
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
        let seen = Log::default();
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
        Recorder {
            mock,
            seen,
            token_requests: Arc::clone(&self.token_requests),
        }
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

/// The API requests a [`Gateway::answer`] mock received, and the token requests before them.
pub struct Recorder<'a> {
    mock: Mock<'a>,
    seen: Log,
    token_requests: Log,
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

    /// The `scope` of each token request the gateway received, in order.
    pub fn token_scopes(&self) -> Vec<String> {
        self.token_requests
            .lock()
            .expect("token log lock")
            .iter()
            .map(|request| {
                form_urlencoded::parse(&request.body)
                    .find(|(name, _)| name == "scope")
                    .map(|(_, scope)| scope.into_owned())
                    .unwrap_or_default()
            })
            .collect()
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
