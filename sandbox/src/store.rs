//! The in-memory store, partitioned by tenant: a tenant reads and changes only its own
//! subscriptions, and finds nothing where another tenant's are.
//!
//! It holds a bounded number of subscriptions, per tenant and in all
//! ([`Limits`](crate::Limits)): past either, a creation is refused rather than an older
//! subscription dropped, since a test that reconciles or pages must find every record it made.

use super::lifecycle::{Subscription, Tenant};
use super::limits::Limits;
use super::webhooks::{Hub, Snapshot};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use uuid::Uuid;

/// Every subscription of a sandbox, in creation order.
#[derive(Default)]
pub(crate) struct Store {
    inner: Mutex<Inner>,
    max_per_tenant: Option<usize>,
    max_total: Option<usize>,
    /// Told of every creation and change while the lock is held, so events queue in the
    /// order the changes happened.
    pub(crate) webhooks: Hub,
}

#[derive(Default)]
struct Inner {
    records: Vec<Subscription>,
    by_id: HashMap<Uuid, usize>,
    by_journey: HashMap<String, Uuid>,
    /// Per tenant: how many subscriptions it has, and the `merchantGlobalOrderId`s in use.
    tenants: HashMap<Tenant, TenantRecords>,
}

#[derive(Default)]
struct TenantRecords {
    count: usize,
    orders: std::collections::HashSet<String>,
}

/// Why a subscription was not stored.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Full {
    /// The tenant already used this `merchantGlobalOrderId`.
    DuplicateOrder,
    /// The tenant holds this many subscriptions, its limit.
    Tenant(usize),
    /// The sandbox holds this many subscriptions, its limit.
    Sandbox(usize),
}

/// Filters and page of a list call.
pub(crate) struct ListQuery<'a> {
    pub(crate) order: Option<&'a str>,
    pub(crate) basket: Option<&'a str>,
    /// From 1.
    pub(crate) page: u64,
    pub(crate) page_size: u64,
}

impl Store {
    pub(crate) fn new(limits: &Limits) -> Store {
        Store {
            max_per_tenant: Some(limits.max_subscriptions_per_tenant),
            max_total: Some(limits.max_subscriptions),
            ..Store::default()
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere must not make every later call fail.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds a subscription unless its tenant already used its `merchantGlobalOrderId` or a
    /// limit is reached; the checks and the insertion are one step, so concurrent duplicates
    /// cannot both get in.
    pub(crate) fn insert(&self, record: Subscription) -> Result<(), Full> {
        let mut inner = self.lock();
        let held = inner.tenants.get(&record.tenant);
        if held.is_some_and(|held| held.orders.contains(&record.merchant_global_order_id)) {
            return Err(Full::DuplicateOrder);
        }
        let count = held.map_or(0, |held| held.count);
        if let Some(max) = self.max_per_tenant.filter(|max| count >= *max) {
            return Err(Full::Tenant(max));
        }
        if let Some(max) = self.max_total.filter(|max| inner.records.len() >= *max) {
            return Err(Full::Sandbox(max));
        }
        // Only a stored subscription makes an entry: refused ones leave nothing behind.
        let held = inner.tenants.entry(record.tenant.clone()).or_default();
        held.count += 1;
        held.orders.insert(record.merchant_global_order_id.clone());
        let index = inner.records.len();
        inner.by_id.insert(record.id, index);
        inner.by_journey.insert(record.journey.clone(), record.id);
        self.webhooks.created(&record);
        inner.records.push(record);
        Ok(())
    }

    /// A copy of the tenant's subscription `id`.
    pub(crate) fn get(&self, tenant: &Tenant, id: Uuid) -> Option<Subscription> {
        self.update(tenant, id, |record| record.clone())
    }

    /// Runs `change` on the tenant's subscription `id`; `None` when the tenant has no such one.
    pub(crate) fn update<R>(
        &self,
        tenant: &Tenant,
        id: Uuid,
        change: impl FnOnce(&mut Subscription) -> R,
    ) -> Option<R> {
        let mut inner = self.lock();
        let index = *inner.by_id.get(&id)?;
        let record = inner.records.get_mut(index)?;
        if &record.tenant != tenant {
            return None;
        }
        let before = Snapshot::of(record);
        let result = change(record);
        self.webhooks.changed(&before, record);
        Some(result)
    }

    /// Runs `change` on subscription `id`, whoever owns it (the journey and the library API).
    pub(crate) fn update_any<R>(
        &self,
        id: Uuid,
        change: impl FnOnce(&mut Subscription) -> R,
    ) -> Option<R> {
        let mut inner = self.lock();
        let index = *inner.by_id.get(&id)?;
        let record = inner.records.get_mut(index)?;
        let before = Snapshot::of(record);
        let result = change(record);
        self.webhooks.changed(&before, record);
        Some(result)
    }

    /// The subscription whose journey token is `token`.
    pub(crate) fn by_journey(&self, token: &str) -> Option<Uuid> {
        self.lock().by_journey.get(token).copied()
    }

    /// One page of the tenant's subscriptions matching the filters, and how many match in all.
    pub(crate) fn list(
        &self,
        tenant: &Tenant,
        query: &ListQuery<'_>,
    ) -> (usize, Vec<Subscription>) {
        let inner = self.lock();
        let matching = inner.records.iter().filter(|r| {
            &r.tenant == tenant
                && query.order.is_none_or(|o| r.merchant_global_order_id == o)
                && query.basket.is_none_or(|b| r.merchant_basket_id == b)
        });
        let skip = query.page.saturating_sub(1).saturating_mul(query.page_size);
        let mut total = 0;
        let mut page = Vec::new();
        for record in matching {
            if (total as u64) >= skip && (page.len() as u64) < query.page_size {
                page.push(record.clone());
            }
            total += 1;
        }
        (total, page)
    }
}

#[cfg(test)]
mod tests {
    use super::super::lifecycle::tests::subscription;
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    static NEXT: AtomicU64 = AtomicU64::new(1);

    fn record(client: &str, merchant: Option<&str>, order: &str) -> Subscription {
        let mut s = subscription(false);
        s.id = Uuid::from_u128(u128::from(NEXT.fetch_add(1, Ordering::Relaxed)));
        s.journey = s.id.to_string();
        s.tenant = Tenant {
            client_id: client.into(),
            merchant: merchant.map(String::from),
        };
        s.merchant_global_order_id = order.into();
        s
    }

    #[test]
    fn tenants_are_isolated() {
        let store = Store::default();
        let mine = record("a", None, "o1");
        let id = mine.id;
        store.insert(mine).expect("new");
        let me = Tenant {
            client_id: "a".into(),
            merchant: None,
        };
        let other = Tenant {
            client_id: "a".into(),
            merchant: Some("m".into()),
        };
        assert!(store.get(&me, id).is_some());
        assert!(store.get(&other, id).is_none());
        let all = ListQuery {
            order: None,
            basket: None,
            page: 1,
            page_size: 20,
        };
        assert_eq!(store.list(&other, &all).0, 0);
        assert_eq!(store.list(&me, &all).0, 1);
        // The same order id is free for another tenant, taken for the same one.
        store
            .insert(record("a", Some("m"), "o1"))
            .expect("other tenant");
        assert!(store.insert(record("a", None, "o1")).is_err());
    }

    #[test]
    fn creations_past_a_limit_are_refused_and_nothing_is_dropped() {
        let store = Store::new(
            &Limits::default()
                .max_subscriptions_per_tenant(2)
                .max_subscriptions(3),
        );
        store.insert(record("a", None, "o1")).expect("first");
        store.insert(record("a", None, "o2")).expect("second");
        assert_eq!(store.insert(record("a", None, "o3")), Err(Full::Tenant(2)));
        // A duplicate is still told as one.
        assert_eq!(
            store.insert(record("a", None, "o1")),
            Err(Full::DuplicateOrder)
        );
        store
            .insert(record("a", Some("m"), "o1"))
            .expect("another tenant");
        assert_eq!(
            store.insert(record("a", Some("n"), "o1")),
            Err(Full::Sandbox(3))
        );
        let tenant = Tenant {
            client_id: "a".into(),
            merchant: None,
        };
        let all = ListQuery {
            order: None,
            basket: None,
            page: 1,
            page_size: 20,
        };
        assert_eq!(store.list(&tenant, &all).0, 2);
    }

    #[test]
    fn pages_cover_everything_once() {
        let store = Store::default();
        for i in 0..7 {
            store
                .insert(record("a", None, &format!("o{i}")))
                .expect("new");
        }
        let tenant = Tenant {
            client_id: "a".into(),
            merchant: None,
        };
        let mut seen = Vec::new();
        for page in 1..=4 {
            let (total, items) = store.list(
                &tenant,
                &ListQuery {
                    order: None,
                    basket: None,
                    page,
                    page_size: 3,
                },
            );
            assert_eq!(total, 7);
            assert_eq!(items.len(), [3, 3, 1, 0][page as usize - 1]);
            seen.extend(items.into_iter().map(|s| s.merchant_global_order_id));
        }
        let expected: Vec<String> = (0..7).map(|i| format!("o{i}")).collect();
        assert_eq!(seen, expected);
        let (total, items) = store.list(
            &tenant,
            &ListQuery {
                order: Some("o3"),
                basket: None,
                page: 1,
                page_size: u64::MAX,
            },
        );
        assert_eq!((total, items.len()), (1, 1));
    }
}
