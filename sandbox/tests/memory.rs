//! Bounded memory: tokens are purged and capped per client, subscriptions capped per tenant and
//! in all (refused with 507, nothing dropped), pages bounded. The flood itself (1 M token
//! requests, 60 k subscriptions, RSS of the binary) is `flood_stays_under_the_memory_ceiling`,
//! ignored by default: `cargo test -p scalexpert-sandbox --release -- --ignored flood --nocapture`.

use scalexpert::{Client, Error};
use scalexpert_sandbox::{sample_application, Limits, Sandbox, MAX_PAGE_SIZE};
use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

async fn create(client: &Client, order: &str) -> Result<(), Error> {
    client
        .e_financing_v1_7_1()
        .initiate_credit_subscription()
        .language("fr-FR")
        .body(sample_application("SCFRSP-4XTS", order, 300.0)?)
        .send()
        .await?;
    Ok(())
}

#[tokio::test]
async fn page_sizes_are_bounded() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    create(&client, "ORDER-1").await.expect("created");
    let api = client.e_financing_v1_7_1();
    let list = |size: i32| {
        api.retrieve_credit_subscription_for_specific_merchant()
            .page_size(size)
            .send()
    };
    let page = list(MAX_PAGE_SIZE as i32).await.expect("the largest page");
    assert_eq!(page.into_inner().total_item_count, 1);
    for size in [MAX_PAGE_SIZE as i32 + 1, 20_000, i32::MAX] {
        let error = Error::from(list(size).await.expect_err("too large"));
        let api = error.api_error().expect("an API error");
        assert_eq!(api.status.as_u16(), 400, "{size}");
        assert!(api.has_code("REQUEST_VALIDATION_ERROR"), "{api:?}");
        assert!(api.has_code("INVALID_VALUE"), "{api:?}");
    }
}

#[tokio::test]
async fn creations_past_the_tenant_limit_are_refused_and_nothing_is_dropped() {
    let sandbox = Sandbox::builder()
        .limits(Limits::default().max_subscriptions_per_tenant(3))
        .start()
        .await
        .expect("sandbox");
    let client = sandbox.client().expect("client");
    for i in 0..3 {
        create(&client, &format!("ORDER-{i}"))
            .await
            .expect("under the limit");
    }
    let error = create(&client, "ORDER-3").await.expect_err("full");
    let api = error.api_error().expect("an API error");
    assert_eq!(api.status.as_u16(), 507);
    assert!(api.has_code("SANDBOX_STORAGE_FULL"), "{api:?}");
    let listed = client
        .e_financing_v1_7_1()
        .retrieve_credit_subscription_for_specific_merchant()
        .send()
        .await
        .expect("listed")
        .into_inner();
    let orders: Vec<_> = listed
        .subscriptions
        .iter()
        .map(|s| s.merchant_global_order_id.as_str())
        .collect();
    assert_eq!(orders, ["ORDER-0", "ORDER-1", "ORDER-2"]);
    // Another tenant has a limit of its own.
    let shop = sandbox
        .psp_client()
        .expect("psp")
        .for_merchant("SHOP-A")
        .expect("view");
    create(&shop, "ORDER-3").await.expect("another tenant");
}

#[tokio::test]
async fn past_the_token_cap_the_oldest_token_is_revoked() {
    let sandbox = Sandbox::builder()
        .limits(Limits::default().max_tokens_per_client(2))
        .start()
        .await
        .expect("sandbox");
    let http = reqwest::Client::new();
    let mut tokens = Vec::new();
    for _ in 0..3 {
        let answer: Value = http
            .post(format!(
                "{}/auth-server/api/v1/oauth2/token",
                sandbox.base_url()
            ))
            .basic_auth(
                scalexpert_sandbox::DEFAULT_CLIENT_ID,
                Some(scalexpert_sandbox::DEFAULT_CLIENT_SECRET),
            )
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("json");
        tokens.push(answer["access_token"].as_str().expect("token").to_string());
    }
    let mut statuses = Vec::new();
    for token in &tokens {
        let answer = http
            .get(format!(
                "{}/e-financing/api/v1/subscriptions",
                sandbox.base_url()
            ))
            .bearer_auth(token)
            .send()
            .await
            .expect("answer");
        statuses.push(answer.status().as_u16());
    }
    assert_eq!(statuses, [401, 200, 200]);
    // A client holding a revoked token fetches a new one, as after an expiry.
    create(&sandbox.client().expect("client"), "ORDER-1")
        .await
        .expect("created");
}

/// RSS and peak RSS of process `pid`, in KiB, from `/proc/<pid>/status`.
fn memory_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or_else(|| panic!("no {name} in /proc/{pid}/status"))
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// The documented ceiling (`docs/sandbox.md`, "Limits") for this flood, in MiB.
const FLOOD_CEILING_MIB: u64 = 256;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a flood of the binary: 1 M token requests and 60 k subscriptions, minutes in release"]
async fn flood_stays_under_the_memory_ceiling() {
    let (running, url) = crate::binary::start(&["--quota", "0", "--log-level", "warn"]);
    let pid = running.id();
    let (rss, _) = memory_kib(pid);
    println!("started: RSS {} MiB", rss / 1024);
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .build()
        .expect("client");

    // 1 M token requests, 64 at a time: the default token lifetime, so none expires.
    let token_url = format!("{url}/auth-server/api/v1/oauth2/token");
    let left = Arc::new(AtomicUsize::new(1_000_000));
    let workers: Vec<_> = (0..64)
        .map(|_| {
            let (http, token_url, left) = (http.clone(), token_url.clone(), Arc::clone(&left));
            tokio::spawn(async move {
                while left
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                    .is_ok()
                {
                    let answer = http
                        .post(&token_url)
                        .basic_auth(
                            scalexpert_sandbox::DEFAULT_PSP_CLIENT_ID,
                            Some(scalexpert_sandbox::DEFAULT_PSP_CLIENT_SECRET),
                        )
                        .body("grant_type=client_credentials")
                        .header("content-type", "application/x-www-form-urlencoded")
                        .send()
                        .await
                        .expect("token");
                    assert_eq!(answer.status(), 200);
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("worker");
    }
    let (rss, peak) = memory_kib(pid);
    println!(
        "after 1 M tokens: RSS {} MiB, peak {} MiB",
        rss / 1024,
        peak / 1024
    );

    // 60 k subscriptions: 20 k for each of three merchants of the PSP.
    let token: Value = http
        .post(&token_url)
        .basic_auth(
            scalexpert_sandbox::DEFAULT_PSP_CLIENT_ID,
            Some(scalexpert_sandbox::DEFAULT_PSP_CLIENT_SECRET),
        )
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("json");
    let bearer = token["access_token"].as_str().expect("token").to_string();
    let next = Arc::new(AtomicUsize::new(0));
    let create_url = format!("{url}/e-financing/api/v1/subscriptions?language=fr-FR");
    let workers: Vec<_> = (0..32)
        .map(|_| {
            let (http, create_url, bearer, next) = (
                http.clone(),
                create_url.clone(),
                bearer.clone(),
                Arc::clone(&next),
            );
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= 60_000 {
                        return;
                    }
                    let body = sample_application("SCFRSP-4XTS", &format!("ORDER-{i}"), 300.0)
                        .expect("sample");
                    let answer = http
                        .post(&create_url)
                        .bearer_auth(&bearer)
                        .header("X-BAAS-CLIENT-REF-FOR-PROXI-ID", format!("SHOP-{}", i % 3))
                        .json(&body)
                        .send()
                        .await
                        .expect("created");
                    assert_eq!(answer.status(), 201, "{i}");
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.expect("worker");
    }
    let (rss, peak) = memory_kib(pid);
    println!(
        "after 60 k subscriptions: RSS {} MiB, peak {} MiB",
        rss / 1024,
        peak / 1024
    );
    assert!(
        peak / 1024 < FLOOD_CEILING_MIB,
        "peak RSS {} MiB over the documented {FLOOD_CEILING_MIB} MiB",
        peak / 1024
    );
    // Still answering.
    let health = http
        .get(format!("{url}/sandbox/health"))
        .send()
        .await
        .expect("health");
    assert_eq!(health.status(), 200);
}
