//! The insurance records, partitioned by tenant like the credit subscriptions: catalogue items,
//! quotations and subscriptions. Each kind is capped ([`MAX_RECORDS`]) so a long run or a flood
//! cannot grow the process without bound.

use super::events;
use super::lifecycle::InsuranceStatus;
use super::rules::InsuranceOffer;
use crate::lifecycle::Tenant;
use crate::webhooks::Hub;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use uuid::Uuid;

/// At most this many items, quotations and subscriptions each (over all tenants). Expired
/// quotations make room for new ones; beyond that, registrations are refused.
pub const MAX_RECORDS: usize = 50_000;

/// A registered catalogue item.
#[derive(Clone, Debug)]
pub(crate) struct Item {
    pub(crate) id: String,
    pub(crate) tenant: Tenant,
    pub(crate) solution_code: String,
    pub(crate) category: String,
    pub(crate) refurbished: bool,
}

/// An issued quotation.
#[derive(Clone, Debug)]
pub(crate) struct Quote {
    pub(crate) id: Uuid,
    pub(crate) tenant: Tenant,
    pub(crate) solution_code: String,
    pub(crate) offer: InsuranceOffer,
    /// The item price it was quoted for, in cents.
    pub(crate) item_price: i64,
    pub(crate) expires: DateTime<Utc>,
    /// Whether a subscription was made with it (a quotation buys one policy).
    pub(crate) used: bool,
}

impl Quote {
    /// Whether it can no longer be subscribed at `now` (its expiry instant included).
    pub(crate) fn expired_at(&self, now: DateTime<Utc>) -> bool {
        now >= self.expires
    }
}

/// A subscribed policy.
#[derive(Clone, Debug)]
pub(crate) struct Policy {
    pub(crate) id: Uuid,
    pub(crate) tenant: Tenant,
    pub(crate) registered: DateTime<Utc>,
    pub(crate) updated: DateTime<Utc>,
    pub(crate) solution_code: String,
    pub(crate) market: String,
    pub(crate) years: u32,
    pub(crate) merchant_basket_id: String,
    pub(crate) merchant_global_order_id: String,
    pub(crate) merchant_buyer_id: String,
    pub(crate) status: InsuranceStatus,
    /// Every status it took, in order, the current one last (kept by the store: the life
    /// cycle has no loop, so at most four).
    pub(crate) history: Vec<InsuranceStatus>,
    /// Cents.
    pub(crate) item_price: i64,
    pub(crate) item_category: String,
    /// What the buyer pays, in cents.
    pub(crate) price: i64,
    /// The merchant's commission, in cents.
    pub(crate) commission: i64,
    /// The buyer and the insured item as received (the response types read them back).
    pub(crate) buyer: serde_json::Value,
    pub(crate) insured_item: serde_json::Value,
    /// The ids the detail answer gives for the tenant's account (`clientId`,
    /// `thirdPartyReferenceId`).
    pub(crate) account: (Uuid, Uuid),
}

/// The store holds [`MAX_RECORDS`] of that kind already.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Full;

/// Why a subscription could not be made with a quotation.
#[derive(Debug)]
pub(crate) enum Subscribe<E> {
    /// The tenant has no quotation with this id.
    UnknownQuote,
    /// The quotation expired at that instant.
    Expired(DateTime<Utc>),
    /// A policy was already subscribed with it.
    AlreadyUsed,
    Full,
    /// The request does not match the quotation.
    Refused(E),
}

/// Filters and page of a list call.
pub(crate) struct ListQuery<'a> {
    pub(crate) order: Option<&'a str>,
    pub(crate) basket: Option<&'a str>,
    pub(crate) solution: Option<&'a str>,
    /// From 1.
    pub(crate) page: u64,
    pub(crate) page_size: u64,
}

#[derive(Default)]
struct Inner {
    items: HashMap<String, Item>,
    /// (tenant, the registration body in canonical form) → item id: registering the same item
    /// again gives the same id.
    item_keys: HashMap<(Tenant, String), String>,
    quotes: HashMap<Uuid, Quote>,
    policies: Vec<Policy>,
    by_id: HashMap<Uuid, usize>,
    accounts: HashMap<Tenant, (Uuid, Uuid)>,
}

#[derive(Default)]
pub(crate) struct Store {
    inner: Mutex<Inner>,
}

impl Store {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere must not make every later call fail.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The id of the tenant's item registered with this canonical body, registering it with
    /// `make` (given the new id) when it is new.
    pub(crate) fn register_item(
        &self,
        tenant: &Tenant,
        key: String,
        make: impl FnOnce(String) -> Item,
    ) -> Result<String, Full> {
        let mut inner = self.lock();
        let key = (tenant.clone(), key);
        if let Some(id) = inner.item_keys.get(&key) {
            return Ok(id.clone());
        }
        if inner.items.len() >= MAX_RECORDS {
            return Err(Full);
        }
        let item = make(Uuid::new_v4().to_string());
        let id = item.id.clone();
        inner.items.insert(id.clone(), item);
        inner.item_keys.insert(key, id.clone());
        Ok(id)
    }

    /// A copy of the tenant's item `id`.
    pub(crate) fn item(&self, tenant: &Tenant, id: &str) -> Option<Item> {
        self.lock()
            .items
            .get(id)
            .filter(|item| &item.tenant == tenant)
            .cloned()
    }

    /// Keeps a new quotation, dropping expired ones first when the store is full.
    pub(crate) fn insert_quote(&self, quote: Quote) -> Result<(), Full> {
        let mut inner = self.lock();
        if inner.quotes.len() >= MAX_RECORDS {
            let now = Utc::now();
            inner.quotes.retain(|_, q| !q.expired_at(now));
        }
        if inner.quotes.len() >= MAX_RECORDS {
            return Err(Full);
        }
        inner.quotes.insert(quote.id, quote);
        Ok(())
    }

    /// Makes every quotation expire now.
    pub(crate) fn expire_quotes(&self, now: DateTime<Utc>) {
        for quote in self.lock().quotes.values_mut() {
            quote.expires = quote.expires.min(now);
        }
    }

    /// Subscribes a policy with the tenant's quotation `quote_id`, in one step so a
    /// quotation buys one policy only: `build` checks the request against the quotation and
    /// makes the policy (given its id and the tenant's account ids); the policy is then
    /// subscribed or rejected (`rejected`), and its events are queued on `hub`.
    pub(crate) fn subscribe<E>(
        &self,
        hub: &Hub,
        tenant: &Tenant,
        quote_id: Uuid,
        now: DateTime<Utc>,
        build: impl FnOnce(&Quote, Uuid, (Uuid, Uuid)) -> Result<(Policy, bool), E>,
    ) -> Result<Policy, Subscribe<E>> {
        let mut inner = self.lock();
        let quote = inner
            .quotes
            .get(&quote_id)
            .filter(|quote| &quote.tenant == tenant)
            .ok_or(Subscribe::UnknownQuote)?;
        if quote.expired_at(now) {
            return Err(Subscribe::Expired(quote.expires));
        }
        if quote.used {
            return Err(Subscribe::AlreadyUsed);
        }
        if inner.policies.len() >= MAX_RECORDS {
            return Err(Subscribe::Full);
        }
        let account = *inner
            .accounts
            .entry(tenant.clone())
            .or_insert_with(|| (Uuid::new_v4(), Uuid::new_v4()));
        let quote = inner.quotes.get(&quote_id).ok_or(Subscribe::UnknownQuote)?;
        let (mut policy, rejected) =
            build(quote, Uuid::new_v4(), account).map_err(Subscribe::Refused)?;
        if let Some(quote) = inner.quotes.get_mut(&quote_id) {
            quote.used = true;
        }
        policy.history.clear();
        policy.enter(hub, InsuranceStatus::Initialized);
        policy.enter(
            hub,
            if rejected {
                InsuranceStatus::Rejected
            } else {
                InsuranceStatus::Subscribed
            },
        );
        let index = inner.policies.len();
        inner.by_id.insert(policy.id, index);
        inner.policies.push(policy.clone());
        Ok(policy)
    }

    /// A copy of the tenant's policy `id`.
    pub(crate) fn policy(&self, tenant: &Tenant, id: Uuid) -> Option<Policy> {
        let inner = self.lock();
        let index = *inner.by_id.get(&id)?;
        inner
            .policies
            .get(index)
            .filter(|policy| &policy.tenant == tenant)
            .cloned()
    }

    /// Moves policy `id` (the tenant's, or anyone's for `None`) to `next` if the life cycle
    /// allows it, queuing its event; `None` when there is no such policy, `Some(Err(current))`
    /// when the change is not allowed.
    pub(crate) fn change_status(
        &self,
        hub: &Hub,
        tenant: Option<&Tenant>,
        id: Uuid,
        next: InsuranceStatus,
    ) -> Option<Result<Policy, InsuranceStatus>> {
        let mut inner = self.lock();
        let index = *inner.by_id.get(&id)?;
        let policy = inner
            .policies
            .get_mut(index)
            .filter(|policy| tenant.is_none_or(|t| &policy.tenant == t))?;
        if !policy.status.can_become(next) {
            return Some(Err(policy.status));
        }
        policy.updated = Utc::now();
        policy.enter(hub, next);
        Some(Ok(policy.clone()))
    }

    /// Every status policy `id` (anyone's) took, in order; `None` when there is no such policy.
    pub(crate) fn history(&self, id: Uuid) -> Option<Vec<InsuranceStatus>> {
        let inner = self.lock();
        let index = *inner.by_id.get(&id)?;
        inner
            .policies
            .get(index)
            .map(|policy| policy.history.clone())
    }

    /// One page of the tenant's policies matching the filters, and how many match in all.
    pub(crate) fn list(&self, tenant: &Tenant, query: &ListQuery<'_>) -> (usize, Vec<Policy>) {
        let inner = self.lock();
        let matching = inner.policies.iter().filter(|p| {
            &p.tenant == tenant
                && query.order.is_none_or(|o| p.merchant_global_order_id == o)
                && query.basket.is_none_or(|b| p.merchant_basket_id == b)
                && query.solution.is_none_or(|s| p.solution_code == s)
        });
        let skip = query.page.saturating_sub(1).saturating_mul(query.page_size);
        let mut total = 0;
        let mut page = Vec::new();
        for policy in matching {
            if (total as u64) >= skip && (page.len() as u64) < query.page_size {
                page.push(policy.clone());
            }
            total += 1;
        }
        (total, page)
    }
}

impl Policy {
    /// Takes `status`: current, last in the history, and its event queued on `hub`.
    fn enter(&mut self, hub: &Hub, status: InsuranceStatus) {
        self.status = status;
        self.history.push(status);
        events::status_changed(hub, self.status_change());
    }

    /// What the `CI_SUBSCRIPTION` event of this policy's current status says.
    fn status_change(&self) -> events::StatusChange<'_> {
        events::StatusChange {
            id: self.id,
            tenant: &self.tenant,
            merchant_global_order_id: &self.merchant_global_order_id,
            status: self.status,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn tenant(merchant: Option<&str>) -> Tenant {
        Tenant {
            client_id: "c".into(),
            merchant: merchant.map(String::from),
        }
    }

    fn item(tenant: &Tenant) -> impl FnOnce(String) -> Item + '_ {
        move |id| Item {
            id,
            tenant: tenant.clone(),
            solution_code: "CIFRWE-DXCO".into(),
            category: "Bikes".into(),
            refurbished: false,
        }
    }

    pub(crate) fn quote(tenant: &Tenant, expires: DateTime<Utc>) -> Quote {
        Quote {
            id: Uuid::new_v4(),
            tenant: tenant.clone(),
            solution_code: "CIFRWE-DXCO".into(),
            offer: InsuranceOffer {
                id: "WEX-36M-3".into(),
                years: 3,
                price: 13_990,
                label: "x".into(),
            },
            item_price: 150_000,
            expires,
            used: false,
        }
    }

    fn policy(quote: &Quote, id: Uuid, account: (Uuid, Uuid)) -> Policy {
        Policy {
            id,
            tenant: quote.tenant.clone(),
            registered: Utc::now(),
            updated: Utc::now(),
            solution_code: quote.solution_code.clone(),
            market: "FR".into(),
            years: quote.offer.years,
            merchant_basket_id: "b".into(),
            merchant_global_order_id: "o".into(),
            merchant_buyer_id: "u".into(),
            status: InsuranceStatus::Initialized,
            history: Vec::new(),
            item_price: quote.item_price,
            item_category: "Bikes".into(),
            price: quote.offer.price,
            commission: 0,
            buyer: serde_json::json!({}),
            insured_item: serde_json::json!({}),
            account,
        }
    }

    #[test]
    fn the_same_item_gets_the_same_id_per_tenant() {
        let store = Store::default();
        let (mine, theirs) = (tenant(None), tenant(Some("SHOP-B")));
        let first = store
            .register_item(&mine, "k".into(), item(&mine))
            .expect("room");
        let again = store
            .register_item(&mine, "k".into(), item(&mine))
            .expect("room");
        let other = store
            .register_item(&mine, "k2".into(), item(&mine))
            .expect("room");
        let elsewhere = store
            .register_item(&theirs, "k".into(), item(&theirs))
            .expect("room");
        assert_eq!(first, again);
        assert_ne!(first, other);
        assert_ne!(first, elsewhere);
        assert!(store.item(&mine, &first).is_some());
        assert!(
            store.item(&theirs, &first).is_none(),
            "another tenant's item"
        );
    }

    #[test]
    fn a_quote_buys_one_policy_before_it_expires() {
        let store = Store::default();
        let hub = Hub::default();
        let me = tenant(None);
        let now = Utc::now();
        let fresh = quote(&me, now + chrono::Duration::seconds(60));
        let stale = quote(&me, now);
        let (fresh_id, stale_id) = (fresh.id, stale.id);
        store.insert_quote(fresh).expect("room");
        store.insert_quote(stale).expect("room");
        let build = |q: &Quote, id, account| Ok::<_, ()>((policy(q, id, account), false));
        let made = store
            .subscribe(&hub, &me, fresh_id, now, build)
            .expect("subscribed");
        assert_eq!(made.status, InsuranceStatus::Subscribed);
        assert!(matches!(
            store.subscribe(&hub, &me, fresh_id, now, build),
            Err(Subscribe::AlreadyUsed)
        ));
        assert!(matches!(
            store.subscribe(&hub, &me, stale_id, now, build),
            Err(Subscribe::Expired(_))
        ));
        assert!(matches!(
            store.subscribe(&hub, &tenant(Some("X")), fresh_id, now, build),
            Err(Subscribe::UnknownQuote)
        ));
        assert!(store.policy(&me, made.id).is_some());
        assert!(store.policy(&tenant(Some("X")), made.id).is_none());
    }

    #[test]
    fn expire_quotes_makes_every_quote_unusable() {
        let store = Store::default();
        let hub = Hub::default();
        let me = tenant(None);
        let later = quote(&me, Utc::now() + chrono::Duration::hours(48));
        let id = later.id;
        store.insert_quote(later).expect("room");
        store.expire_quotes(Utc::now());
        let build = |q: &Quote, id, account| Ok::<_, ()>((policy(q, id, account), false));
        assert!(matches!(
            store.subscribe(&hub, &me, id, Utc::now(), build),
            Err(Subscribe::Expired(_))
        ));
    }

    #[test]
    fn status_changes_follow_the_life_cycle() {
        let store = Store::default();
        let hub = Hub::default();
        let me = tenant(None);
        let q = quote(&me, Utc::now() + chrono::Duration::hours(1));
        let id = q.id;
        store.insert_quote(q).expect("room");
        let build = |q: &Quote, id, account| Ok::<_, ()>((policy(q, id, account), false));
        let made = store
            .subscribe(&hub, &me, id, Utc::now(), build)
            .expect("made");
        let change = |next| store.change_status(&hub, Some(&me), made.id, next);
        assert!(matches!(
            change(InsuranceStatus::Terminated),
            Some(Err(InsuranceStatus::Subscribed))
        ));
        assert!(matches!(change(InsuranceStatus::Activated), Some(Ok(_))));
        assert!(matches!(
            change(InsuranceStatus::Cancelled),
            Some(Err(InsuranceStatus::Activated))
        ));
        assert!(store
            .change_status(
                &hub,
                Some(&tenant(Some("X"))),
                made.id,
                InsuranceStatus::Terminated
            )
            .is_none());
        assert!(matches!(
            store.change_status(&hub, None, made.id, InsuranceStatus::Terminated),
            Some(Ok(_))
        ));
        // The refused changes left no trace.
        assert_eq!(
            store.history(made.id),
            Some(vec![
                InsuranceStatus::Initialized,
                InsuranceStatus::Subscribed,
                InsuranceStatus::Activated,
                InsuranceStatus::Terminated,
            ])
        );
        assert_eq!(store.history(Uuid::new_v4()), None);
    }

    #[test]
    fn a_policy_is_cancelled_once_and_a_second_cancellation_is_refused() {
        let store = Store::default();
        let hub = Hub::default();
        let me = tenant(None);
        let q = quote(&me, Utc::now() + chrono::Duration::hours(1));
        let id = q.id;
        store.insert_quote(q).expect("room");
        let build = |q: &Quote, id, account| Ok::<_, ()>((policy(q, id, account), false));
        let made = store
            .subscribe(&hub, &me, id, Utc::now(), build)
            .expect("made");
        let cancel = || store.change_status(&hub, Some(&me), made.id, InsuranceStatus::Cancelled);
        assert!(matches!(cancel(), Some(Ok(_))));
        assert!(matches!(cancel(), Some(Err(InsuranceStatus::Cancelled))));
        assert_eq!(
            store.history(made.id),
            Some(vec![
                InsuranceStatus::Initialized,
                InsuranceStatus::Subscribed,
                InsuranceStatus::Cancelled,
            ])
        );
    }
}
