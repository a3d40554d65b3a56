//! What the facade and the generated client cost against hand-written reqwest + serde_json,
//! both measured in the same run against a loopback server with fixed answers.
//!
//! - `cargo bench --bench facade`: divan's table (time and allocations per call, decoding,
//!   cold start, merchant views).
//! - `<bench binary> report`: the numbers of BENCHMARKS.md, as `key value` lines.
//! - `<bench binary> count ...`: one case, for instruction counts under callgrind.
//!
//! `benches/run.sh` runs all three and writes BENCHMARKS.md.

// Counting allocations needs a global allocator and reading the thread CPU clock needs libc.
#![allow(unsafe_code)]

mod calls;
mod counting;
mod fixtures;
// The hand-written types hold every field a real integration decodes; the benchmarks read few.
#[allow(dead_code)]
mod handwritten;
mod report;
mod server;

use calls::{client_runtime, setup, Call, Clients, Side};
use divan::counter::{BytesCount, ItemsCount};
use divan::Bencher;

#[global_allocator]
static ALLOC: divan::AllocProfiler<counting::Counting> =
    divan::AllocProfiler::new(counting::Counting);

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("report") => report::report(),
        Some("count") => report::count(&args[1..]),
        _ => divan::main(),
    }
}

/// One round of `concurrency` concurrent calls per iteration, on a single-threaded runtime.
fn bench_call(bencher: Bencher<'_, '_>, side: Side, call: Call, concurrency: usize) {
    let runtime = client_runtime();
    let clients = runtime.block_on(Clients::new());
    // Opens the connections the round needs before timing.
    runtime.block_on(clients.run(side, call, concurrency, concurrency));
    bencher
        .counter(ItemsCount::new(concurrency))
        .bench_local(|| runtime.block_on(clients.run(side, call, concurrency, concurrency)));
}

/// `GET /eligible-solutions` through the quota governor: in process (`local`), and shared on
/// Redis on loopback (`shared`, feature `redis`: one round trip per call). Their difference to
/// `eligible::facade` is the governor's cost per call.
#[divan::bench_group(sample_count = 60, max_time = 3)]
mod quota {
    use super::*;

    #[divan::bench(args = report::CONCURRENCIES)]
    fn local(bencher: Bencher<'_, '_>, concurrency: usize) {
        bench_call(bencher, Side::FacadeLocalQuota, Call::Eligible, concurrency);
    }

    #[cfg(feature = "redis")]
    #[divan::bench(args = report::CONCURRENCIES)]
    fn shared(bencher: Bencher<'_, '_>, concurrency: usize) {
        bench_call(
            bencher,
            Side::FacadeSharedQuota,
            Call::Eligible,
            concurrency,
        );
    }
}

/// `GET /eligible-solutions`, 3 solutions answered.
#[divan::bench_group(sample_count = 60, max_time = 3)]
mod eligible {
    use super::*;

    #[divan::bench(args = report::CONCURRENCIES)]
    fn facade(bencher: Bencher<'_, '_>, concurrency: usize) {
        bench_call(bencher, Side::Facade, Call::Eligible, concurrency);
    }

    #[divan::bench(args = report::CONCURRENCIES)]
    fn handwritten(bencher: Bencher<'_, '_>, concurrency: usize) {
        bench_call(bencher, Side::Handwritten, Call::Eligible, concurrency);
    }
}

/// `POST /subscriptions` with the spec's full buyer and basket.
#[divan::bench_group(sample_count = 60, max_time = 3)]
mod subscribe {
    use super::*;

    #[divan::bench(args = report::CONCURRENCIES)]
    fn facade(bencher: Bencher<'_, '_>, concurrency: usize) {
        bench_call(bencher, Side::Facade, Call::Subscribe, concurrency);
    }

    #[divan::bench(args = report::CONCURRENCIES)]
    fn handwritten(bencher: Bencher<'_, '_>, concurrency: usize) {
        bench_call(bencher, Side::Handwritten, Call::Subscribe, concurrency);
    }
}

/// Decoding a page of 1 000 subscriptions.
#[divan::bench_group(sample_count = 60, max_time = 3)]
mod decode_page {
    use super::*;

    #[divan::bench]
    fn generated(bencher: Bencher<'_, '_>) {
        let bytes = &setup().fixtures.list_page;
        bencher
            .counter(BytesCount::of_slice(bytes))
            .bench(|| calls::decode_generated(divan::black_box(bytes)));
    }

    #[divan::bench]
    fn handwritten(bencher: Bencher<'_, '_>) {
        let bytes = &setup().fixtures.list_page;
        bencher
            .counter(BytesCount::of_slice(bytes))
            .bench(|| calls::decode_handwritten(divan::black_box(bytes)));
    }

    #[divan::bench]
    fn handwritten_typed(bencher: Bencher<'_, '_>) {
        let bytes = &setup().fixtures.list_page;
        bencher
            .counter(BytesCount::of_slice(bytes))
            .bench(|| calls::decode_handwritten_typed(divan::black_box(bytes)));
    }

    #[divan::bench]
    fn handwritten_typed_decimal(bencher: Bencher<'_, '_>) {
        let bytes = &setup().fixtures.list_page;
        bencher
            .counter(BytesCount::of_slice(bytes))
            .bench(|| calls::decode_handwritten_typed_decimal(divan::black_box(bytes)));
    }
}

/// 64 concurrent first calls of a new client (token fetch and 64 connections included).
#[divan::bench(sample_count = 10, sample_size = 1)]
fn cold_start(bencher: Bencher<'_, '_>) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    bencher
        .with_inputs(calls::facade_client)
        .bench_local_values(|client| {
            runtime.block_on(report::first_calls(&client, report::COLD_CALLS));
            client
        });
}

/// One merchant view of a PSP client (its allocations are the view's cost).
#[divan::bench]
fn merchant_view(bencher: Bencher<'_, '_>) {
    let client = calls::facade_client();
    bencher.bench_local(|| client.for_merchant(divan::black_box("MERCHANT-00042")));
}
