//! Tenancy: subscriptions belong to the credentials that created them and, for a PSP, to the
//! merchant named in `X-BAAS-CLIENT-REF-FOR-PROXI-ID`. Others get 404 and never see them listed.

use scalexpert::e_financing::v1_7_1::types::{ConfirmDeliveryRequest, CreditCancellationDto};
use scalexpert::{Client, Credentials, Error};
use scalexpert_sandbox::{sample_application, JourneyOutcome, Sandbox};
use uuid::Uuid;

async fn open(client: &Client, order: &str) -> Result<Uuid, Error> {
    Ok(client
        .e_financing_v1_7_1()
        .initiate_credit_subscription()
        .language("fr-FR")
        .body(sample_application("SCFRLT-TXNO", order, 1500.0)?)
        .send()
        .await?
        .into_inner()
        .id)
}

async fn listed(client: &Client) -> Vec<Uuid> {
    client
        .e_financing_v1_7_1()
        .retrieve_credit_subscription_for_specific_merchant()
        .page_size(100)
        .send()
        .await
        .expect("listed")
        .into_inner()
        .subscriptions
        .into_iter()
        .map(|s| s.credit_subscription_id)
        .collect()
}

/// Every way `outsider` could reach `id` answers 404 `ENTITY_NOT_FOUND`.
async fn hidden_from(outsider: &Client, id: Uuid) {
    let api = outsider.e_financing_v1_7_1();
    let results: Vec<Result<(), Error>> = vec![
        api.retrieve_credit_subscription()
            .credit_subscription_id(id)
            .send()
            .await
            .map(drop)
            .map_err(Error::from),
        api.do_confirm_delivery()
            .credit_subscription_id(id)
            .body(ConfirmDeliveryRequest {
                is_delivered: true,
                operator: None,
                tracking_number: None,
            })
            .send()
            .await
            .map(drop)
            .map_err(Error::from),
        api.cancel_credit_subscription()
            .credit_subscription_id(id)
            .body(CreditCancellationDto::default())
            .send()
            .await
            .map(drop)
            .map_err(Error::from),
    ];
    for result in results {
        let error = result.expect_err("hidden");
        assert!(matches!(error, Error::NotFound(_)), "{error:?}");
        assert!(error
            .api_error()
            .is_some_and(|e| e.has_code("ENTITY_NOT_FOUND")));
    }
    assert!(!listed(outsider).await.contains(&id));
}

#[tokio::test]
async fn psp_merchants_only_see_their_own_subscriptions() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let psp = sandbox.psp_client().expect("psp");
    let shop_a = psp.for_merchant("SHOP-A").expect("view");
    let shop_b = psp.for_merchant("SHOP-B").expect("view");

    let a = open(&shop_a, "ORDER-1").await.expect("created for A");
    // The same order reference is free for another merchant of the same PSP.
    let b = open(&shop_b, "ORDER-1").await.expect("created for B");
    sandbox
        .complete_journey(a, JourneyOutcome::Accepted)
        .expect("accepted");

    assert_eq!(listed(&shop_a).await, [a]);
    assert_eq!(listed(&shop_b).await, [b]);
    hidden_from(&shop_b, a).await;
    hidden_from(&shop_a, b).await;

    // A's subscription is untouched by B's attempts.
    let record = shop_a
        .e_financing_v1_7_1()
        .retrieve_credit_subscription()
        .credit_subscription_id(a)
        .send()
        .await
        .expect("A sees it")
        .into_inner();
    assert_eq!(record.consolidated_status.to_string(), "ACCEPTED");
    assert_eq!(record.is_delivered, Some(false));
    assert!(!record.cancellation_already_made);

    // Order filters stay within the merchant too.
    let by_order = shop_b
        .e_financing_v1_7_1()
        .retrieve_credit_subscription_for_specific_merchant()
        .merchant_global_order_id("ORDER-1")
        .send()
        .await
        .expect("listed")
        .into_inner();
    assert_eq!(by_order.total_item_count, 1);
    assert_eq!(by_order.subscriptions[0].credit_subscription_id, b);
}

#[tokio::test]
async fn credentials_are_tenants_too() {
    let sandbox = Sandbox::builder()
        .merchant_client("second-shop", "second-secret")
        .start()
        .await
        .expect("sandbox");
    let first = sandbox.client().expect("client");
    let second = Client::builder()
        .environment(sandbox.environment())
        .credentials(Credentials::new("second-shop", "second-secret"))
        .build()
        .expect("client");
    let psp_shop = sandbox
        .psp_client()
        .expect("psp")
        .for_merchant("SHOP-A")
        .expect("view");

    let mine = open(&first, "ORDER-9").await.expect("created");
    hidden_from(&second, mine).await;
    hidden_from(&psp_shop, mine).await;
    let theirs = open(&psp_shop, "ORDER-9").await.expect("created");
    hidden_from(&first, theirs).await;
    assert_eq!(listed(&first).await, [mine]);
}

#[tokio::test]
async fn the_merchant_header_is_for_psps_and_required_of_them() {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let psp = sandbox.psp_client().expect("psp");
    let error = open(&psp, "ORDER-1").await.expect_err("no merchant named");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    assert!(
        error.to_string().contains("X-BAAS-CLIENT-REF-FOR-PROXI-ID"),
        "{error}"
    );

    let merchant = sandbox.client().expect("client");
    let posing = merchant.for_merchant("SHOP-A").expect("view");
    let error = open(&posing, "ORDER-1").await.expect_err("not a PSP");
    assert!(matches!(error, Error::Forbidden(_)), "{error:?}");
    assert!(listed(&merchant).await.is_empty());
}

#[tokio::test]
async fn subscriptions_opened_by_the_library_belong_to_the_tenant_named_and_keep_order_ids_unique()
{
    let sandbox = Sandbox::start().await.expect("sandbox");
    let merchant = sandbox.client().expect("client");
    let psp = sandbox.psp_client().expect("PSP client");
    let psp_id = sandbox.psp_credentials().expect("PSP credentials");
    let request = sample_application("SCFRLT-TXNO", "ORDER-SEEDED", 1500.0).expect("sample");

    let own = sandbox
        .open_subscription(scalexpert_sandbox::DEFAULT_CLIENT_ID, None, request.clone())
        .expect("opened");
    assert_eq!(listed(&merchant).await, [own]);
    // A used order id is refused as the API refuses it, and nothing is stored.
    match sandbox.open_subscription(scalexpert_sandbox::DEFAULT_CLIENT_ID, None, request.clone()) {
        Err(scalexpert_sandbox::SandboxError::NotAllowed(message)) => {
            assert!(message.contains("merchantGlobalOrderId"), "{message}")
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert_eq!(listed(&merchant).await.len(), 1);

    // In a PSP's merchant's name: that merchant's view lists it, nobody else sees it.
    let shop = sandbox
        .open_subscription(psp_id.client_id(), Some("SHOP-A"), request)
        .expect("the same order id in another tenant");
    assert_eq!(
        listed(&psp.for_merchant("SHOP-A").expect("view")).await,
        [shop]
    );
    hidden_from(&merchant, shop).await;
    hidden_from(&psp.for_merchant("SHOP-B").expect("view"), shop).await;
}
