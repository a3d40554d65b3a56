//! The two calls on each side, and running them at a given concurrency.

use crate::fixtures::Fixtures;
use crate::handwritten::{self, Handwritten};
use crate::server::{Answers, Server};
use scalexpert::e_financing::v1_6_6::types;
use scalexpert::{Client, Credentials, Environment};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// What every benchmark shares: the fixtures, the server, the request on both sides.
pub struct Setup {
    pub fixtures: Fixtures,
    pub server: Server,
    pub generated_request: types::InitiateCreditSubscriptionRequest,
    pub handwritten_request: handwritten::SubscriptionRequest,
}

pub fn setup() -> &'static Setup {
    static SETUP: OnceLock<Setup> = OnceLock::new();
    SETUP.get_or_init(|| {
        let fixtures = Fixtures::load();
        let server = Server::start(Answers {
            token: fixtures.token.clone(),
            eligible: fixtures.eligible.clone(),
            created: fixtures.created.clone(),
            list: fixtures.list_page.clone(),
        });
        let generated_request = serde_json::from_value(fixtures.subscription_request.clone())
            .expect("the spec's example is a valid generated request");
        let handwritten_request = serde_json::from_value(fixtures.subscription_request.clone())
            .expect("the spec's example is a valid hand-written request");
        Setup {
            fixtures,
            server,
            generated_request,
            handwritten_request,
        }
    })
}

/// A new facade client of the benchmark server: its own pool, no token yet.
pub fn facade_client() -> Client {
    Client::builder()
        .environment(Environment::custom(setup().server.root.clone()).expect("loopback URL"))
        .credentials(Credentials::new("bench-client", "bench-secret"))
        .build()
        .expect("valid configuration")
}

/// Which implementation makes the call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Facade,
    Handwritten,
    /// Hand-written, serializing one prebuilt request by reference instead of building one per
    /// call (what the generated builder's by-value body cannot do); `count` only.
    HandwrittenBorrowed,
}

/// Which call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Call {
    /// `GET /eligible-solutions`
    Eligible,
    /// `POST /subscriptions` with a full buyer and basket.
    Subscribe,
}

impl Call {
    pub fn name(self) -> &'static str {
        match self {
            Call::Eligible => "eligible",
            Call::Subscribe => "subscribe",
        }
    }
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Facade => "facade",
            Side::Handwritten => "handwritten",
            Side::HandwrittenBorrowed => "handwritten-borrowed",
        }
    }
}

/// Both sides' clients, warmed up: token fetched, one connection open. Build inside the
/// runtime that will run the calls (pooled connections belong to it).
#[derive(Clone)]
pub struct Clients {
    pub facade: Client,
    pub handwritten: Arc<Handwritten>,
}

impl Clients {
    pub async fn new() -> Clients {
        let clients = Clients {
            facade: facade_client(),
            handwritten: Arc::new(Handwritten::connect(&setup().server.root).await),
        };
        for side in [Side::Facade, Side::Handwritten] {
            for call in [Call::Eligible, Call::Subscribe] {
                clients.call(side, call).await;
            }
        }
        clients
    }

    /// One call; panics on failure, which would make the numbers meaningless.
    pub async fn call(&self, side: Side, call: Call) {
        match (side, call) {
            (Side::Facade, Call::Eligible) => {
                let answer = self
                    .facade
                    .e_financing_v1_6_6()
                    .get_eligible_product_services()
                    .buyer_billing_country("FR")
                    .financed_amount(1500.0)
                    .send()
                    .await
                    .expect("eligible solutions");
                assert_eq!(answer.solutions.len(), 3);
            }
            (Side::Facade, Call::Subscribe) => {
                // Each call sends a new subscription: both sides build its body (here: clone
                // the spec's example) per call.
                let answer = self
                    .facade
                    .e_financing_v1_6_6()
                    .initiate_credit_subscription()
                    .language("fr")
                    .body(setup().generated_request.clone())
                    .send()
                    .await
                    .expect("subscription created");
                assert!(answer.redirect.is_some());
            }
            (Side::Handwritten | Side::HandwrittenBorrowed, Call::Eligible) => {
                let answer = self
                    .handwritten
                    .eligible()
                    .await
                    .expect("eligible solutions");
                assert_eq!(answer.solutions.len(), 3);
            }
            (Side::Handwritten, Call::Subscribe) => {
                let request = setup().handwritten_request.clone();
                let answer = self
                    .handwritten
                    .subscribe(&request)
                    .await
                    .expect("subscription created");
                assert!(answer.redirect.is_some());
            }
            (Side::HandwrittenBorrowed, Call::Subscribe) => {
                let answer = self
                    .handwritten
                    .subscribe(&setup().handwritten_request)
                    .await
                    .expect("subscription created");
                assert!(answer.redirect.is_some());
            }
        }
    }

    /// `calls` calls by `concurrency` tasks, each making its share one after the other.
    pub async fn run(&self, side: Side, call: Call, concurrency: usize, calls: usize) {
        if concurrency <= 1 {
            for _ in 0..calls {
                self.call(side, call).await;
            }
            return;
        }
        let mut tasks = tokio::task::JoinSet::new();
        for worker in 0..concurrency {
            let share = calls / concurrency + usize::from(worker < calls % concurrency);
            let clients = self.clone();
            tasks.spawn(async move {
                for _ in 0..share {
                    clients.call(side, call).await;
                }
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.expect("worker finished");
        }
    }
}

/// A single-threaded runtime: the client's work (including reqwest's connection tasks) stays
/// on the calling thread, whose CPU time is then the client's alone.
pub fn client_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime")
}

/// CPU time the calling thread has used (user and system).
pub fn thread_cpu() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid timespec to write to; the clock id is a constant of the platform.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    assert_eq!(status, 0, "clock_gettime");
    Duration::new(now.tv_sec as u64, now.tv_nsec as u32)
}

/// Decodes the list page into the generated types.
pub fn decode_generated(bytes: &[u8]) -> types::PaginationCreditSubscriptionsDtoResponse {
    serde_json::from_slice(bytes).expect("generated types decode the page")
}

/// Decodes the list page into the hand-written struct.
pub fn decode_handwritten(bytes: &[u8]) -> handwritten::SubscriptionPage {
    serde_json::from_slice(bytes).expect("hand-written struct decodes the page")
}

/// Decodes the list page into the hand-written struct with typed ids and timestamps.
pub fn decode_handwritten_typed(bytes: &[u8]) -> handwritten::TypedSubscriptionPage {
    serde_json::from_slice(bytes).expect("typed hand-written struct decodes the page")
}
