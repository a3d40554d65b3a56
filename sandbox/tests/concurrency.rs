//! The store loses nothing under concurrency: 200 parallel creations all appear, exactly once.

use scalexpert::Error;
use scalexpert_sandbox::{sample_application, Sandbox};
use std::collections::HashSet;
use uuid::Uuid;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_hundred_parallel_creations_are_all_listed_once() {
    const COUNT: usize = 200;
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let tasks: Vec<_> = (0..COUNT)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                let request = sample_application("SCFRSP-4XTS", &format!("ORDER-{i:03}"), 100.0)?;
                let created = client
                    .e_financing_v1_7_1()
                    .initiate_credit_subscription()
                    .language("fr-FR")
                    .body(request)
                    .send()
                    .await
                    .map_err(Error::from)?;
                Ok::<Uuid, Error>(created.into_inner().id)
            })
        })
        .collect();
    let mut created = HashSet::new();
    for task in tasks {
        let id = task.await.expect("task").expect("created");
        assert!(created.insert(id), "id {id} handed out twice");
    }
    assert_eq!(created.len(), COUNT);

    // Page through everything, 30 at a time: every id once, nothing else.
    let api = client.e_financing_v1_7_1();
    let mut listed = Vec::new();
    let mut orders = HashSet::new();
    for page in 1.. {
        let answer = api
            .retrieve_credit_subscription_for_specific_merchant()
            .page(page)
            .page_size(30)
            .send()
            .await
            .expect("listed")
            .into_inner();
        assert_eq!(answer.total_item_count, COUNT as i32);
        if answer.subscriptions.is_empty() {
            break;
        }
        for entry in answer.subscriptions {
            orders.insert(entry.merchant_global_order_id);
            listed.push(entry.credit_subscription_id);
        }
    }
    assert_eq!(listed.len(), COUNT);
    assert_eq!(listed.iter().copied().collect::<HashSet<_>>(), created);
    assert_eq!(orders.len(), COUNT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_duplicates_let_exactly_one_through() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = sandbox.client().expect("client");
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move {
                let request = sample_application("SCFRSP-4XTS", "ORDER-SAME", 100.0)?;
                client
                    .e_financing_v1_7_1()
                    .initiate_credit_subscription()
                    .language("fr-FR")
                    .body(request)
                    .send()
                    .await
                    .map(|created| created.into_inner().id)
                    .map_err(Error::from)
            })
        })
        .collect();
    let mut accepted = 0;
    for task in tasks {
        match task.await.expect("task") {
            Ok(_) => accepted += 1,
            Err(error) => assert!(
                error.api_error().is_some_and(|e| e.has_code("BAD_REQUEST")),
                "{error:?}"
            ),
        }
    }
    assert_eq!(accepted, 1);
}
