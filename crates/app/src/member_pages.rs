//! The member's own pages (their listings, their orders as buyer or seller, their favourites)
//! and what anyone may see of a member's trading record, all from the read models.
//!
//! Pages are newest first; a page's `next_cursor` is the sort position of its last item, and the
//! next page is what lies below it, so items added meanwhile never shift a page already read.

use jangteo_domain::{AccountId, Money, order::OrderStatus};
use jangteo_read_models::{
    ListingDocument, ListingStatusView, OrderDocument, OrderParty, PageRequest, ReadModel,
};

use crate::{AppError, Queries};

/// The most items one page holds.
pub const MAX_PAGE: u32 = 100;

/// One page of a member's documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberPage<T> {
    pub items: Vec<T>,
    /// Where the next page starts, if there is one.
    pub next_cursor: Option<u64>,
}

/// A listing among a member's favourites, with its price when they favourited it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FavouriteListing {
    pub listing: ListingDocument,
    /// `None` for favourites recorded before prices were.
    pub favourited_price: Option<Money>,
}

impl FavouriteListing {
    /// How much less the listing costs now than when it was favourited (zero when it costs the
    /// same or more); `None` when the price then is not known.
    pub fn price_drop(&self) -> Option<Money> {
        self.favourited_price.map(|then| then.checked_sub(self.listing.price).unwrap_or(Money::ZERO))
    }
}

/// What anyone may see of a member's trading record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TradeRecord {
    pub completed_sales: u64,
    pub completed_purchases: u64,
}

/// Asks for one more than the page holds, to learn whether another follows.
fn probe(before: Option<u64>, limit: u32) -> PageRequest {
    PageRequest { before, limit: limit.clamp(1, MAX_PAGE) + 1 }
}

/// Cuts the probe's extra item off and names the next page's start.
fn page_of<T>(mut items: Vec<T>, limit: u32, position: impl Fn(&T) -> u64) -> MemberPage<T> {
    let limit = usize::try_from(limit.clamp(1, MAX_PAGE)).unwrap_or(usize::MAX);
    let more = items.len() > limit;
    items.truncate(limit);
    let next_cursor = if more { items.last().map(position) } else { None };
    MemberPage { items, next_cursor }
}

impl Queries {
    /// The seller's own listings in `statuses` (all when empty), drafts and withdrawn ones too.
    pub async fn my_listings(
        &self,
        seller: AccountId,
        statuses: &[ListingStatusView],
        cursor: Option<u64>,
        limit: u32,
        position: Option<u64>,
    ) -> Result<MemberPage<ListingDocument>, AppError> {
        self.catch_up(&[ReadModel::ListingDocuments], position).await?;
        let found = self.documents().listings_of_seller(seller, statuses, probe(cursor, limit)).await?;
        Ok(page_of(found, limit, |listing| listing.created_position))
    }

    /// The member's orders as `party`, in `statuses` (all when empty).
    pub async fn my_orders(
        &self,
        member: AccountId,
        party: OrderParty,
        statuses: &[OrderStatus],
        cursor: Option<u64>,
        limit: u32,
        position: Option<u64>,
    ) -> Result<MemberPage<OrderDocument>, AppError> {
        self.catch_up(&[ReadModel::OrderDocuments], position).await?;
        let found = self.documents().orders_of(member, party, statuses, probe(cursor, limit)).await?;
        Ok(page_of(found, limit, |order| order.created_position))
    }

    /// The listings the member favourited, newest favourite first, as anyone sees them: a
    /// favourite whose listing was withdrawn since is left out.
    pub async fn my_favourites(
        &self,
        member: AccountId,
        cursor: Option<u64>,
        limit: u32,
        position: Option<u64>,
    ) -> Result<MemberPage<FavouriteListing>, AppError> {
        self.catch_up(&[ReadModel::FavouriteDocuments, ReadModel::ListingDocuments], position).await?;
        let favourites = self.documents().favourites_of(member, probe(cursor, limit)).await?;
        let page = page_of(favourites, limit, |favourite| favourite.position);
        let mut listings = Vec::with_capacity(page.items.len());
        for favourite in &page.items {
            if let Some(listing) = self.documents().listing(favourite.listing_id).await?
                && listing.status.is_public()
            {
                listings.push(FavouriteListing { listing, favourited_price: favourite.favourited_price });
            }
        }
        Ok(MemberPage { items: listings, next_cursor: page.next_cursor })
    }

    /// How many sales and purchases the member completed.
    pub async fn trade_record(&self, member: AccountId) -> Result<TradeRecord, AppError> {
        let documents = self.documents();
        Ok(TradeRecord {
            completed_sales: documents
                .count_orders(member, OrderParty::Seller, OrderStatus::Completed)
                .await?,
            completed_purchases: documents
                .count_orders(member, OrderParty::Buyer, OrderStatus::Completed)
                .await?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_holds_its_limit_and_names_the_next_only_when_there_is_one() {
        let full = page_of(vec![9_u64, 8, 7], 2, |n| *n);
        assert_eq!(full, MemberPage { items: vec![9, 8], next_cursor: Some(8) });
        let last = page_of(vec![9_u64, 8], 2, |n| *n);
        assert_eq!(last, MemberPage { items: vec![9, 8], next_cursor: None });
        assert_eq!(probe(None, 0).limit, 2, "at least one item a page");
        assert_eq!(probe(Some(5), 1_000).limit, MAX_PAGE + 1);
    }
}
