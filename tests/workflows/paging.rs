//! Paging: each page read once, in order, and the stream stops where it should.

use crate::*;
use futures_util::StreamExt;
use scalexpert::workflows::paging::{every_merchant, PageError, PageSize};

/// A listed subscription numbered `n`.
fn numbered(n: usize) -> Value {
    let mut item = listed("ACCEPTED");
    item["merchantGlobalOrderId"] = json!(format!("ORD-{n:05}"));
    item["creditSubscriptionId"] = json!(format!("00000000-0000-4000-8000-{n:012}"));
    item
}

/// `GET /subscriptions?page=<page>&pageSize=2` answering `items` of `total`.
fn page_mock(
    server: &MockServer,
    number: u32,
    items: Vec<Value>,
    total: usize,
) -> httpmock::Mock<'_> {
    server.mock(|when, then| {
        when.method(GET)
            .path(SUBSCRIPTIONS_PATH)
            .query_param("page", number.to_string())
            .query_param("pageSize", "2");
        then.status(200)
            .header("content-type", "application/json")
            .json_body(page(items, total));
    })
}

fn orders<T>(items: &[Result<types::CreditSubscriptionDto, T>]) -> Vec<String> {
    items
        .iter()
        .filter_map(|item| item.as_ref().ok())
        .map(|s| s.merchant_global_order_id.clone())
        .collect()
}

#[tokio::test]
async fn every_page_is_read_once_and_the_total_ends_the_stream() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    let pages = [
        page_mock(&server, 1, vec![numbered(1), numbered(2)], 4),
        page_mock(&server, 2, vec![numbered(3), numbered(4)], 4),
        page_mock(&server, 3, vec![], 4),
    ];
    let all: Vec<_> = subscriptions(&server)
        .all(PageSize::new(2).expect("valid"))
        .collect()
        .await;
    assert_eq!(
        orders(&all),
        ["ORD-00001", "ORD-00002", "ORD-00003", "ORD-00004"]
    );
    pages[0].assert_calls(1);
    pages[1].assert_calls(1);
    // The total was reached with page 2: page 3 is never asked for.
    pages[2].assert_calls(0);
}

#[tokio::test]
async fn a_short_page_ends_the_stream() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    // The total says more, but page 2 is short: it is the last.
    let pages = [
        page_mock(&server, 1, vec![numbered(1), numbered(2)], 10),
        page_mock(&server, 2, vec![numbered(3)], 10),
        page_mock(&server, 3, vec![numbered(4), numbered(5)], 10),
    ];
    let all: Vec<_> = subscriptions(&server)
        .all(PageSize::new(2).expect("valid"))
        .collect()
        .await;
    assert_eq!(orders(&all), ["ORD-00001", "ORD-00002", "ORD-00003"]);
    pages[2].assert_calls(0);
}

#[tokio::test]
async fn an_error_page_ends_the_stream_with_its_error() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    page_mock(&server, 1, vec![numbered(1), numbered(2)], 6);
    let failing = server.mock(|when, then| {
        when.method(GET)
            .path(SUBSCRIPTIONS_PATH)
            .query_param("page", "2");
        then.status(400)
            .header("content-type", "application/json")
            .json_body(json!({"errorCode": "INVALID_PAGE_INDEX"}));
    });
    let third = page_mock(&server, 3, vec![numbered(5), numbered(6)], 6);
    let all: Vec<_> = subscriptions(&server)
        .all(PageSize::new(2).expect("valid"))
        .collect()
        .await;
    assert_eq!(all.len(), 3, "two items, then the error");
    assert_eq!(orders(&all), ["ORD-00001", "ORD-00002"]);
    match &all[2] {
        Err(PageError {
            merchant: None,
            page: 2,
            error,
        }) => assert!(error
            .api_error()
            .is_some_and(|e| e.has_code("INVALID_PAGE_INDEX"))),
        other => panic!("expected the error of page 2, got {other:?}"),
    }
    failing.assert_calls(1);
    third.assert_calls(0);
}

#[tokio::test]
async fn a_psp_lists_each_merchant_through_its_own_view() {
    let server = MockServer::start_async().await;
    token_mock(&server);
    for (merchant, first) in [("SHOP-A", 1), ("SHOP-B", 3)] {
        server.mock(|when, then| {
            when.method(GET)
                .path(SUBSCRIPTIONS_PATH)
                .header("x-baas-client-ref-for-proxi-id", merchant)
                .query_param("page", "1");
            then.status(200)
                .header("content-type", "application/json")
                .json_body(page(vec![numbered(first), numbered(first + 1)], 2));
        });
    }
    let psp = client_at(&server.base_url());
    let merchants = ["SHOP-A", "bad\nreference", "SHOP-B"].map(String::from);
    let all: Vec<_> =
        every_merchant::<v1_7_1::Client, _>(&psp, merchants, PageSize::new(2).expect("valid"))
            .collect()
            .await;
    let listed: Vec<(String, String)> = all
        .iter()
        .filter_map(|item| item.as_ref().ok())
        .map(|item| {
            (
                item.merchant.clone(),
                item.subscription.merchant_global_order_id.clone(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = [
        ("SHOP-A", "ORD-00001"),
        ("SHOP-A", "ORD-00002"),
        ("SHOP-B", "ORD-00003"),
        ("SHOP-B", "ORD-00004"),
    ]
    .iter()
    .map(|(m, o)| (m.to_string(), o.to_string()))
    .collect();
    assert_eq!(listed, expected);
    let refused: Vec<&PageError> = all.iter().filter_map(|item| item.as_ref().err()).collect();
    assert_eq!(refused.len(), 1);
    assert_eq!(refused[0].merchant.as_deref(), Some("bad\nreference"));
}

#[test]
fn page_sizes_are_bounded() {
    assert!(PageSize::new(0).is_err());
    assert!(PageSize::new(101).is_err());
    assert_eq!(PageSize::new(100).map(PageSize::get).ok(), Some(100));
}
