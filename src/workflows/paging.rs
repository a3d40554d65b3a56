//! Every subscription of a merchant, or of every merchant of a PSP, as a stream read page by
//! page (`page`, `pageSize`, `totalItemCount` of `GET /subscriptions`): one page in memory at
//! a time, however many there are.
//!
//! A stream ends after the last page: one shorter than the page size, an empty one, or the
//! one that reaches `totalItemCount`. A page that fails (after the client's own retries) is
//! yielded as a [`PageError`] naming the page, and ends the stream (for a PSP, that
//! merchant's part of it). Pages are offsets: subscriptions created while a stream runs may
//! show up in it or not, and the gateway's order decides which.

use super::credit::CreditApi;
use crate::{Client, Error};
use futures_core::Stream;
use futures_util::stream::{self, StreamExt};
use std::fmt;

/// The number of subscriptions asked for per page: 1 to [`PageSize::MAX`], 100 by default.
///
/// ```
/// use scalexpert::workflows::paging::PageSize;
///
/// assert_eq!(PageSize::default().get(), 100);
/// assert_eq!(PageSize::new(25)?.get(), 25);
/// assert!(PageSize::new(0).is_err());
/// assert!(PageSize::new(1_000).is_err());
/// # Ok::<(), scalexpert::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PageSize(u32);

impl PageSize {
    /// The largest page asked for: a page is held in memory whole, and the gateway's sandbox
    /// takes no more.
    pub const MAX: PageSize = PageSize(100);

    /// A page size of `size` subscriptions; [`Error::InvalidRequest`] outside 1 to 100.
    pub fn new(size: u32) -> Result<PageSize, Error> {
        if (1..=Self::MAX.0).contains(&size) {
            Ok(PageSize(size))
        } else {
            Err(Error::InvalidRequest(format!(
                "page size {size} is outside 1 to {}",
                Self::MAX.0
            )))
        }
    }

    /// The number of subscriptions per page.
    pub fn get(self) -> u32 {
        self.0
    }
}

impl Default for PageSize {
    fn default() -> Self {
        PageSize::MAX
    }
}

/// A page of a listing that could not be read; the stream it ends yields nothing after it
/// (for [`every_merchant`], nothing more of that merchant).
#[derive(Debug, thiserror::Error)]
pub struct PageError {
    /// The merchant whose listing failed, for [`every_merchant`].
    pub merchant: Option<String>,
    /// The page, counting from 1.
    pub page: u32,
    /// Why it failed.
    #[source]
    pub error: Error,
}

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "page {} ", self.page)?;
        if let Some(merchant) = &self.merchant {
            write!(f, "of merchant {merchant:?} ")?;
        }
        write!(f, "could not be read: {}", self.error)
    }
}

/// A subscription listed for one of a PSP's merchants.
#[derive(Clone, Debug, PartialEq)]
pub struct MerchantSubscription<S> {
    /// The merchant reference it was listed for.
    pub merchant: String,
    /// The listed subscription.
    pub subscription: S,
}

/// Where a listing stands between two items.
struct Listing<A: CreditApi> {
    api: A,
    merchant: Option<String>,
    page_size: u32,
    /// The page to read next; `None` once the last one was read or one failed.
    next_page: Option<u32>,
    /// What is left of the page read last.
    buffer: std::vec::IntoIter<A::Summary>,
}

/// Every subscription `api` can list (its merchant's, for a PSP view), page by page.
///
/// ```no_run
/// # async fn run(client: scalexpert::Client) -> Result<(), scalexpert::workflows::paging::PageError> {
/// use futures_util::StreamExt;
/// use scalexpert::workflows::paging::{subscriptions, PageSize};
///
/// let mut all = std::pin::pin!(subscriptions(client.e_financing_v1_7_1(), PageSize::default()));
/// while let Some(subscription) = all.next().await {
///     let subscription = subscription?;
///     println!("{} {}", subscription.merchant_global_order_id, subscription.consolidated_status);
/// }
/// # Ok(()) }
/// ```
pub fn subscriptions<A: CreditApi>(
    api: A,
    page_size: PageSize,
) -> impl Stream<Item = Result<A::Summary, PageError>> + Send + 'static {
    listing(api, None, page_size)
}

fn listing<A: CreditApi>(
    api: A,
    merchant: Option<String>,
    page_size: PageSize,
) -> impl Stream<Item = Result<A::Summary, PageError>> + Send + 'static {
    let start = Listing {
        api,
        merchant,
        page_size: page_size.get(),
        next_page: Some(1),
        buffer: Vec::new().into_iter(),
    };
    stream::unfold(start, |mut listing| async move {
        loop {
            if let Some(item) = listing.buffer.next() {
                return Some((Ok(item), listing));
            }
            let page = listing.next_page.take()?;
            match listing.api.list(None, page, listing.page_size).await {
                Ok(read) => {
                    let size = u64::from(listing.page_size);
                    let got = read.items.len() as u64;
                    let through = u64::from(page - 1) * size + got;
                    let last = got < size || through >= read.total_item_count;
                    if !last {
                        listing.next_page = page.checked_add(1);
                    }
                    listing.buffer = read.items.into_iter();
                }
                Err(error) => {
                    let failed = PageError {
                        merchant: listing.merchant.clone(),
                        page,
                        error,
                    };
                    return Some((Err(failed), listing));
                }
            }
        }
    })
}

/// Every subscription of every merchant in `merchants`, for a PSP: each merchant's listing
/// through its own view of `psp` (`X-BAAS-CLIENT-REF-FOR-PROXI-ID`), one after the other, one
/// page in memory at a time. A merchant reference that is no valid header, or a page that
/// fails, is yielded as a [`PageError`] naming the merchant; the next merchant follows.
///
/// ```no_run
/// # async fn run(psp: scalexpert::Client) {
/// use futures_util::StreamExt;
/// use scalexpert::e_financing::v1_7_1;
/// use scalexpert::workflows::paging::{every_merchant, PageSize};
///
/// let merchants = ["SHOP-0001", "SHOP-0002"].map(String::from);
/// let all = every_merchant::<v1_7_1::Client, _>(&psp, merchants, PageSize::default());
/// let mut all = std::pin::pin!(all);
/// while let Some(item) = all.next().await {
///     match item {
///         Ok(listed) => println!("{}: {}", listed.merchant, listed.subscription.credit_subscription_id),
///         Err(failed) => eprintln!("{failed}"),
///     }
/// }
/// # }
/// ```
pub fn every_merchant<A, I>(
    psp: &Client,
    merchants: I,
    page_size: PageSize,
) -> impl Stream<Item = Result<MerchantSubscription<A::Summary>, PageError>> + Send + 'static
where
    A: CreditApi,
    I: IntoIterator<Item = String>,
    I::IntoIter: Send + 'static,
{
    let psp = psp.clone();
    stream::iter(merchants).flat_map(move |merchant| match psp.for_merchant(&merchant) {
        Ok(view) => {
            let tag = merchant.clone();
            listing(view.api::<A>(), Some(merchant), page_size)
                .map(move |item| {
                    item.map(|subscription| MerchantSubscription {
                        merchant: tag.clone(),
                        subscription,
                    })
                })
                .left_stream()
        }
        Err(error) => stream::once(async move {
            Err(PageError {
                merchant: Some(merchant),
                page: 1,
                error,
            })
        })
        .right_stream(),
    })
}
