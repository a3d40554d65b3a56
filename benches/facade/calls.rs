//! The two calls on each side, and running them at a given concurrency.

use crate::fixtures::Fixtures;
use crate::handwritten::{self, Handwritten};
use crate::server::{Answers, Server};
use scalexpert::e_financing::v1_6_6::types;
use scalexpert::quota::Quota;
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

/// A new facade client of the benchmark server: its own pool, no token yet, and no quota
/// governor (the facade as the hand-written side is: the governor has rows of its own).
pub fn facade_client() -> Client {
    facade_builder()
        .no_quota()
        .build()
        .expect("valid configuration")
}

fn facade_builder() -> scalexpert::ClientBuilder {
    Client::builder()
        .environment(Environment::custom(setup().server.root.clone()).expect("loopback URL"))
        .credentials(Credentials::new("bench-client", "bench-secret"))
}

/// A quota no benchmark exhausts: every call takes a slot and none waits.
fn never_waiting() -> Quota {
    Quota::new(1_000_000_000, Duration::from_secs(1)).burst(1_000_000)
}

/// A facade client whose calls take a slot of the in-process quota governor.
pub fn facade_local_quota_client() -> Client {
    facade_builder()
        .quota(never_waiting())
        .build()
        .expect("valid configuration")
}

/// A facade client whose calls take a slot of a quota shared on Redis (one round trip each).
#[cfg(feature = "redis")]
pub fn facade_shared_quota_client() -> Client {
    let store = scalexpert::RedisStore::open(&bench_redis()).expect("Redis URL");
    let shared = scalexpert::quota::SharedBudget::new(store)
        .key_prefix(format!("bench:{}:", std::process::id()));
    facade_builder()
        .quota(never_waiting().shared(shared))
        .build()
        .expect("valid configuration")
}

/// `SCALEXPERT_BENCH_REDIS_URL`, else a redis-server of this process on a free loopback port
/// (it dies with the process).
#[cfg(feature = "redis")]
fn bench_redis() -> String {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("SCALEXPERT_BENCH_REDIS_URL") {
            return url;
        }
        use std::os::unix::process::CommandExt;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut command = std::process::Command::new("redis-server");
        command
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--dir", "/tmp"])
            .stdout(std::process::Stdio::null());
        // SAFETY: prctl in the child before exec, async-signal-safe, touches no memory.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let server = command.spawn().expect(
            "redis-server (apt-get install redis-server, or set SCALEXPERT_BENCH_REDIS_URL)",
        );
        // Kept for the process's life; the kernel ends it with the process (PDEATHSIG).
        static SERVER: OnceLock<std::sync::Mutex<std::process::Child>> = OnceLock::new();
        let _ = SERVER.set(std::sync::Mutex::new(server));
        let url = format!("redis://127.0.0.1:{port}");
        for _ in 0..200 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return url;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        panic!("redis-server did not start on {url}");
    })
    .clone()
}

/// Which implementation makes the call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Facade,
    /// The facade with the in-process quota governor on (a quota it never exhausts).
    FacadeLocalQuota,
    /// The facade with the quota shared on Redis (feature `redis`).
    FacadeSharedQuota,
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
            Side::FacadeLocalQuota => "facade-local-quota",
            Side::FacadeSharedQuota => "facade-shared-quota",
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
    pub facade_local_quota: Client,
    #[cfg(feature = "redis")]
    pub facade_shared_quota: Client,
    pub handwritten: Arc<Handwritten>,
}

impl Clients {
    pub async fn new() -> Clients {
        let clients = Clients {
            facade: facade_client(),
            facade_local_quota: facade_local_quota_client(),
            #[cfg(feature = "redis")]
            facade_shared_quota: facade_shared_quota_client(),
            handwritten: Arc::new(Handwritten::connect(&setup().server.root).await),
        };
        for side in [
            Side::Facade,
            Side::FacadeLocalQuota,
            #[cfg(feature = "redis")]
            Side::FacadeSharedQuota,
            Side::Handwritten,
        ] {
            for call in [Call::Eligible, Call::Subscribe] {
                clients.call(side, call).await;
            }
        }
        clients
    }

    /// The facade client of `side`.
    fn facade_of(&self, side: Side) -> &Client {
        match side {
            Side::FacadeLocalQuota => &self.facade_local_quota,
            #[cfg(feature = "redis")]
            Side::FacadeSharedQuota => &self.facade_shared_quota,
            #[cfg(not(feature = "redis"))]
            Side::FacadeSharedQuota => panic!("the shared quota needs the `redis` feature"),
            _ => &self.facade,
        }
    }

    /// One call; panics on failure, which would make the numbers meaningless.
    pub async fn call(&self, side: Side, call: Call) {
        match (side, call) {
            (Side::Facade | Side::FacadeLocalQuota | Side::FacadeSharedQuota, Call::Eligible) => {
                let answer = self
                    .facade_of(side)
                    .e_financing_v1_6_6()
                    .get_eligible_product_services()
                    .buyer_billing_country("FR")
                    .financed_amount(1500.0)
                    .send()
                    .await
                    .expect("eligible solutions");
                assert_eq!(answer.solutions.len(), 3);
            }
            (Side::Facade | Side::FacadeLocalQuota | Side::FacadeSharedQuota, Call::Subscribe) => {
                // Each call sends a new subscription: both sides build its body (here: clone
                // the spec's example) per call.
                let answer = self
                    .facade_of(side)
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

/// Decodes the list page into the hand-written struct with typed ids and timestamps and `f64`
/// amounts.
pub fn decode_handwritten_typed(bytes: &[u8]) -> handwritten::TypedSubscriptionPage<f64> {
    serde_json::from_slice(bytes).expect("typed hand-written struct decodes the page")
}

/// The same with [`scalexpert::Amount`] amounts: the money type's share of decoding.
pub fn decode_handwritten_typed_decimal(
    bytes: &[u8],
) -> handwritten::TypedSubscriptionPage<scalexpert::Amount> {
    serde_json::from_slice(bytes).expect("typed hand-written struct decodes the page")
}

/// Decodes the page's amounts alone (a JSON array) as `f64`.
pub fn decode_amounts_f64(bytes: &[u8]) -> Vec<f64> {
    serde_json::from_slice(bytes).expect("amounts decode as f64")
}

/// Decodes the page's amounts alone (a JSON array) as [`scalexpert::Amount`].
pub fn decode_amounts_decimal(bytes: &[u8]) -> Vec<scalexpert::Amount> {
    serde_json::from_slice(bytes).expect("amounts decode as Amount")
}
