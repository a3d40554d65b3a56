//! `report`: the numbers `benches/run.sh` puts in BENCHMARKS.md, one `key value` line each.
//! `count`: runs one case a given number of times, for instruction counts under callgrind.

use crate::calls::{self, client_runtime, setup, thread_cpu, Call, Clients, Side};
use crate::counting;
use std::time::{Duration, Instant};

/// Concurrencies of the per-call comparison.
pub const CONCURRENCIES: [usize; 2] = [1, 32];

/// `count <eligible|subscribe> <facade|handwritten> <concurrency> <calls>` or
/// `count decode <decoder> <times>`: a decoder of the page (`generated`, `handwritten`,
/// `handwritten-typed`, `handwritten-typed-decimal`) or of its amounts alone (`amounts-f64`,
/// `amounts-decimal`).
pub fn count(args: &[String]) {
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or_default();
    let number = |i: usize| -> usize { arg(i).parse().expect("a number") };
    let side = |name: &str| match name {
        "facade" | "generated" => Side::Facade,
        "facade-local-quota" => Side::FacadeLocalQuota,
        "facade-shared-quota" => Side::FacadeSharedQuota,
        "handwritten" => Side::Handwritten,
        "handwritten-borrowed" => Side::HandwrittenBorrowed,
        other => panic!("unknown side {other:?}"),
    };
    match arg(0) {
        "decode" => {
            let fixtures = &setup().fixtures;
            let (bytes, decode): (&[u8], fn(&[u8])) = match arg(1) {
                "amounts-f64" => (&fixtures.page_amounts, decode_amounts_f64),
                "amounts-decimal" => (&fixtures.page_amounts, decode_amounts_decimal),
                name => match PAGE_DECODERS.iter().find(|(known, _)| *known == name) {
                    Some((_, decode)) => (&fixtures.list_page, *decode),
                    None => panic!("unknown decoder {name:?}"),
                },
            };
            for _ in 0..number(2) {
                decode(bytes);
            }
        }
        call => {
            let call = match call {
                "eligible" => Call::Eligible,
                "subscribe" => Call::Subscribe,
                other => panic!("unknown call {other:?}"),
            };
            let (side, concurrency, calls) = (side(arg(1)), number(2), number(3));
            let runtime = client_runtime();
            runtime.block_on(async {
                let clients = Clients::new().await;
                clients.run(side, call, concurrency, concurrency).await;
                let before = counting::snapshot();
                clients.run(side, call, concurrency, calls).await;
                let cost = counting::snapshot() - before;
                // The server's thread allocates too, but only for new connections.
                eprintln!(
                    "allocations_per_call {:.2} bytes_per_call {:.0}",
                    cost.allocations as f64 / calls as f64,
                    cost.bytes as f64 / calls as f64
                );
            });
        }
    }
}

pub fn report() {
    let started = Instant::now();
    per_call();
    decode();
    cold_start();
    psp();
    in_flight();
    println!("report_seconds {:.1}", started.elapsed().as_secs_f64());
}

/// Median of a few numbers.
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len().is_multiple_of(2) {
        (values[mid - 1] + values[mid]) / 2.0
    } else {
        values[mid]
    }
}

/// Client CPU and wall time per call, both sides measured in alternating rounds so that load
/// from other processes falls on both alike.
fn per_call() {
    const ROUNDS: usize = 15;
    let runtime = client_runtime();
    let clients = runtime.block_on(Clients::new());
    for call in [Call::Eligible, Call::Subscribe] {
        for concurrency in CONCURRENCIES {
            let calls = 8 * concurrency.max(16);
            runtime.block_on(async {
                for side in [Side::Facade, Side::Handwritten] {
                    clients.run(side, call, concurrency, concurrency).await;
                }
            });
            let mut cpu = [Vec::new(), Vec::new()];
            let mut wall = [Vec::new(), Vec::new()];
            for round in 0..ROUNDS {
                let order = if round.is_multiple_of(2) {
                    [Side::Facade, Side::Handwritten]
                } else {
                    [Side::Handwritten, Side::Facade]
                };
                for side in order {
                    let index = usize::from(side == Side::Handwritten);
                    let cpu_before = thread_cpu();
                    let wall_before = Instant::now();
                    runtime.block_on(clients.run(side, call, concurrency, calls));
                    let per_call = |d: Duration| d.as_nanos() as f64 / calls as f64;
                    wall[index].push(per_call(wall_before.elapsed()));
                    cpu[index].push(per_call(thread_cpu() - cpu_before));
                }
            }
            for (index, side) in [Side::Facade, Side::Handwritten].iter().enumerate() {
                let key = format!("{}.{}.c{concurrency}", call.name(), side.name());
                println!("cpu_ns.{key} {:.0}", median(cpu[index].clone()));
                println!("wall_ns.{key} {:.0}", median(wall[index].clone()));
            }
        }
    }
}

fn decode_generated(bytes: &[u8]) {
    drop(std::hint::black_box(calls::decode_generated(bytes)));
}

fn decode_handwritten(bytes: &[u8]) {
    drop(std::hint::black_box(calls::decode_handwritten(bytes)));
}

fn decode_handwritten_typed(bytes: &[u8]) {
    drop(std::hint::black_box(calls::decode_handwritten_typed(bytes)));
}

fn decode_handwritten_typed_decimal(bytes: &[u8]) {
    drop(std::hint::black_box(
        calls::decode_handwritten_typed_decimal(bytes),
    ));
}

fn decode_amounts_f64(bytes: &[u8]) {
    drop(std::hint::black_box(calls::decode_amounts_f64(bytes)));
}

fn decode_amounts_decimal(bytes: &[u8]) {
    drop(std::hint::black_box(calls::decode_amounts_decimal(bytes)));
}

/// A decoder's name and a function decoding the page with it.
type Decoder = (&'static str, fn(&[u8]));

/// The decoders of the list page, by the names `count decode` and `report` use.
const PAGE_DECODERS: [Decoder; 4] = [
    ("generated", decode_generated),
    ("handwritten", decode_handwritten),
    ("handwritten-typed", decode_handwritten_typed),
    (
        "handwritten-typed-decimal",
        decode_handwritten_typed_decimal,
    ),
];

/// Time to decode the 1 000-subscription page into each side's types, in alternating rounds.
fn decode() {
    const ROUNDS: usize = 15;
    const TIMES: usize = 20;
    let bytes = &setup().fixtures.list_page;
    println!("decode_bytes {}", bytes.len());
    let mut times = PAGE_DECODERS.map(|_| Vec::new());
    for _ in 0..ROUNDS {
        for (index, (_, decode)) in PAGE_DECODERS.iter().enumerate() {
            let before = thread_cpu();
            for _ in 0..TIMES {
                decode(bytes);
            }
            times[index].push((thread_cpu() - before).as_nanos() as f64 / TIMES as f64);
        }
    }
    for (index, (name, _)) in PAGE_DECODERS.iter().enumerate() {
        println!("decode_cpu_ns.{name} {:.0}", median(times[index].clone()));
    }
}

/// Many first calls at once on a new client: they must share one token request.
pub const COLD_CALLS: usize = 64;

/// 64 concurrent first calls of a new client, on a two-worker runtime so that they really
/// overlap: token requests, and time until all are answered.
fn cold_start() {
    const TRIALS: usize = 10;
    let server = &setup().server;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut most_tokens = 0;
    let mut times = Vec::new();
    for _ in 0..TRIALS {
        let client = calls::facade_client();
        let tokens_before = server.token_requests();
        let started = Instant::now();
        runtime.block_on(first_calls(&client, COLD_CALLS));
        times.push(started.elapsed().as_secs_f64() * 1e3);
        most_tokens = most_tokens.max(server.token_requests() - tokens_before);
    }
    println!("cold_start_calls {COLD_CALLS}");
    println!("cold_start_token_requests_max {most_tokens}");
    println!("cold_start_ms_median {:.2}", median(times));
}

/// `calls` concurrent eligibility calls from `client`, each from its own task.
pub async fn first_calls(client: &scalexpert::Client, calls: usize) {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..calls {
        let client = client.clone();
        tasks.spawn(async move {
            client
                .e_financing_v1_6_6()
                .get_eligible_product_services()
                .buyer_billing_country("FR")
                .financed_amount(1500.0)
                .send()
                .await
                .expect("eligible solutions")
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("call finished");
    }
}

/// Merchant views of one PSP client in the PSP benchmark.
pub const VIEWS: usize = 10_000;

/// 10 000 merchant views of one new client: heap bytes each view costs, then one call from
/// each view (32 at a time): token requests, and calls that carried the merchant header.
fn psp() {
    let server = &setup().server;
    let runtime = client_runtime();
    let client = calls::facade_client();
    let merchants: Vec<String> = (0..VIEWS).map(|i| format!("MERCHANT-{i:05}")).collect();
    let mut views = Vec::with_capacity(VIEWS);
    let before = counting::snapshot();
    for merchant in &merchants {
        views.push(client.for_merchant(merchant).expect("valid merchant"));
    }
    let cost = counting::snapshot() - before;
    println!("psp_views {VIEWS}");
    println!("psp_merchant_len {}", merchants[0].len());
    println!(
        "psp_heap_bytes_per_view {:.1}",
        cost.bytes as f64 / VIEWS as f64
    );
    println!(
        "psp_allocations_per_view {:.2}",
        cost.allocations as f64 / VIEWS as f64
    );
    println!("psp_client_size_bytes {}", size_of::<scalexpert::Client>());

    let tokens_before = server.token_requests();
    let tagged_before = server.merchant_requests();
    let started = Instant::now();
    runtime.block_on(async {
        let mut tasks = tokio::task::JoinSet::new();
        for chunk in views.chunks(VIEWS.div_ceil(32)) {
            let chunk = chunk.to_vec();
            tasks.spawn(async move {
                for view in chunk {
                    view.e_financing_v1_6_6()
                        .get_eligible_product_services()
                        .buyer_billing_country("FR")
                        .financed_amount(1500.0)
                        .send()
                        .await
                        .expect("eligible solutions");
                }
            });
        }
        while let Some(done) = tasks.join_next().await {
            done.expect("worker finished");
        }
    });
    println!("psp_calls_seconds {:.2}", started.elapsed().as_secs_f64());
    println!(
        "psp_token_requests {}",
        server.token_requests() - tokens_before
    );
    println!(
        "psp_merchant_tagged_requests {}",
        server.merchant_requests() - tagged_before
    );
}

/// What a task holds while a call is pending: the size of the call's future, made and dropped
/// unpolled (nothing is sent).
fn in_flight() {
    let runtime = client_runtime();
    let clients = runtime.block_on(Clients::new());
    let api = clients.facade.e_financing_v1_6_6();
    let eligible = api
        .get_eligible_product_services()
        .buyer_billing_country("FR")
        .financed_amount(1500.0)
        .send();
    println!("future_bytes.eligible.facade {}", size_of_val(&eligible));
    let subscribe = api
        .initiate_credit_subscription()
        .language("fr")
        .body(setup().generated_request.clone())
        .send();
    println!("future_bytes.subscribe.facade {}", size_of_val(&subscribe));
    let eligible = clients.handwritten.eligible();
    println!(
        "future_bytes.eligible.handwritten {}",
        size_of_val(&eligible)
    );
    let request = setup().handwritten_request.clone();
    let subscribe = clients.handwritten.subscribe(&request);
    println!(
        "future_bytes.subscribe.handwritten {}",
        size_of_val(&subscribe)
    );
}
