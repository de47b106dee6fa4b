//! The document port: listing, order and favourite documents, keyed by id, with projection
//! checkpoints, and the member's own pages over them (a seller's listings, a member's orders and
//! favourites, newest first).

use crate::ReadModel;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use jangteo_domain::{
    AccountId, CategoryId, ListingId, Money, OrderId,
    escrow::EscrowStatus,
    listing::{GeoPoint, ImageDigest, ListingImage, ListingStatus},
    moderation::ReviewReason,
    order::{OrderItem, OrderStatus},
};
use serde::{Deserialize, Serialize};

use crate::ReadModelError;

/// A listing's status as queries see it (the domain's status without its payload).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListingStatusView {
    Draft,
    PendingReview,
    Rejected,
    OnSale,
    Reserved,
    Sold,
    Withdrawn,
}

impl ListingStatusView {
    pub const ALL: [ListingStatusView; 7] = [
        ListingStatusView::Draft,
        ListingStatusView::PendingReview,
        ListingStatusView::Rejected,
        ListingStatusView::OnSale,
        ListingStatusView::Reserved,
        ListingStatusView::Sold,
        ListingStatusView::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ListingStatusView::Draft => "draft",
            ListingStatusView::PendingReview => "pending_review",
            ListingStatusView::Rejected => "rejected",
            ListingStatusView::OnSale => "on_sale",
            ListingStatusView::Reserved => "reserved",
            ListingStatusView::Sold => "sold",
            ListingStatusView::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == name)
    }

    /// Whether anyone (not only the seller) may see a listing in this status. A listing waiting
    /// for review or rejected is its seller's and the admins' only.
    pub fn is_public(self) -> bool {
        matches!(self, ListingStatusView::OnSale | ListingStatusView::Reserved | ListingStatusView::Sold)
    }
}

impl From<&ListingStatus> for ListingStatusView {
    fn from(status: &ListingStatus) -> Self {
        match status {
            ListingStatus::Draft => ListingStatusView::Draft,
            ListingStatus::PendingReview => ListingStatusView::PendingReview,
            ListingStatus::Rejected => ListingStatusView::Rejected,
            ListingStatus::OnSale => ListingStatusView::OnSale,
            ListingStatus::Reserved => ListingStatusView::Reserved,
            ListingStatus::Sold => ListingStatusView::Sold,
            ListingStatus::Withdrawn => ListingStatusView::Withdrawn,
        }
    }
}

/// A listing as the query API serves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingDocument {
    pub listing_id: ListingId,
    pub seller_id: AccountId,
    pub title: String,
    pub description: String,
    pub price: Money,
    pub category_id: Option<CategoryId>,
    pub status: ListingStatusView,
    /// The listing stream's version this document reflects.
    pub version: u64,
    /// Global position of the listing's creation: a stable "newest first" sort key.
    pub created_position: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Units put up (documents projected before quantities offered one).
    #[serde(default = "one_unit")]
    pub quantity: u32,
    /// Units any buyer may still order.
    #[serde(default = "one_unit")]
    pub available: u32,
    /// The photos, cover first.
    #[serde(default)]
    pub images: Vec<ListingImage>,
    /// On the privacy grid of 0.001°.
    #[serde(default)]
    pub location: Option<GeoPoint>,
    #[serde(default)]
    pub neighbourhood: Option<String>,
    /// The last bump (끌올), and its global position: the listing sorts as new from there.
    #[serde(default)]
    pub bumped_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub bumped_position: Option<u64>,
    /// Why it waits for review, or why an admin rejected it; `None` once on sale.
    #[serde(default)]
    pub review: Option<ListingReview>,
}

fn one_unit() -> u32 {
    1
}

impl ListingDocument {
    /// Where the listing sorts in "newest first": its creation, or its last bump.
    pub fn listed_position(&self) -> u64 {
        self.bumped_position.unwrap_or(self.created_position).max(self.created_position)
    }
}

/// What moderation said of a listing that is not on sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListingReview {
    /// Why the automatic rules sent it to review.
    pub reasons: Vec<ReviewReason>,
    /// The admin's reason, once rejected.
    pub rejection_reason: Option<String>,
}

/// An order, with the status of the escrow holding its money.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderDocument {
    pub order_id: OrderId,
    /// The order's first listing (its only one, unless it bundles several).
    pub listing_id: ListingId,
    /// Every listing of the order, at the price it was ordered for.
    #[serde(default)]
    pub items: Vec<OrderItem>,
    pub buyer_id: AccountId,
    pub seller_id: AccountId,
    #[serde(default = "no_fee")]
    pub shipping_fee: Money,
    /// What the buyer pays: items and shipping.
    pub price: Money,
    pub status: OrderStatus,
    /// `None` until the order is paid.
    pub escrow_status: Option<EscrowStatus>,
    /// Paid back to the buyer from the escrow so far.
    #[serde(default = "no_fee")]
    pub escrow_refunded: Money,
    /// Paid out to the seller from the escrow so far.
    #[serde(default = "no_fee")]
    pub escrow_released: Money,
    /// The order stream's version this document reflects.
    pub version: u64,
    /// The escrow stream's version this document reflects (0 before payment).
    pub escrow_version: u64,
    /// Global position of the order's placement: the "newest first" sort key of a member's
    /// orders. 0 in documents projected before it was kept (a rebuild fills it in).
    #[serde(default)]
    pub created_position: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn no_fee() -> Money {
    Money::ZERO
}

/// One member's favourite of one listing. Turned off it stays, `favourited: false`, so that a
/// replayed older write cannot turn it on again (the version guard keeps the newest).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FavouriteDocument {
    pub account_id: AccountId,
    pub listing_id: ListingId,
    pub favourited: bool,
    /// The favourite stream's version this document reflects.
    pub version: u64,
    /// Global position of the event this document reflects: the "newest first" sort key.
    pub position: u64,
    pub at: DateTime<Utc>,
    /// The listing's price (of one unit) when it was favourited, for the price drop shown in the
    /// member's list; `None` for favourites recorded before prices were (and once turned off).
    #[serde(default)]
    pub favourited_price: Option<Money>,
}

/// Which side of its orders a member is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderParty {
    Buyer,
    Seller,
}

/// A page of one member's documents, newest first: at most `limit` of those whose sort position
/// is below `before` (the last position of the previous page; `None` for the first page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub before: Option<u64>,
    pub limit: u32,
}

/// One document write of a projection batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentWrite {
    PutListing(ListingDocument),
    PutOrder(OrderDocument),
    PutFavourite(FavouriteDocument),
}

/// The checkpoint name of the projection that owns the listing documents (in every document store).
pub const LISTING_DOCUMENTS: &str = ReadModel::ListingDocuments.name();
/// The checkpoint name of the projection that owns the order documents.
pub const ORDER_DOCUMENTS: &str = ReadModel::OrderDocuments.name();
/// The checkpoint name of the projection that owns the favourite documents.
pub const FAVOURITE_DOCUMENTS: &str = ReadModel::FavouriteDocuments.name();

/// The document store. Reads are for queries and for projections computing their next write;
/// [`DocumentStore::commit`] is for projections only.
#[async_trait]
pub trait DocumentStore: Send + Sync + 'static {
    async fn listing(&self, listing_id: ListingId) -> Result<Option<ListingDocument>, ReadModelError>;

    async fn order(&self, order_id: OrderId) -> Result<Option<OrderDocument>, ReadModelError>;

    async fn favourite(
        &self,
        account_id: AccountId,
        listing_id: ListingId,
    ) -> Result<Option<FavouriteDocument>, ReadModelError>;

    /// The seller's listings in `statuses` (every status when empty), newest first by
    /// `created_position`.
    async fn listings_of_seller(
        &self,
        seller_id: AccountId,
        statuses: &[ListingStatusView],
        page: PageRequest,
    ) -> Result<Vec<ListingDocument>, ReadModelError>;

    /// The listings (any status) carrying a photo whose SHA-256 is `sha256`, newest first by
    /// `created_position`, at most `limit`.
    async fn listings_with_photo(
        &self,
        sha256: &ImageDigest,
        limit: u32,
    ) -> Result<Vec<ListingDocument>, ReadModelError>;

    /// The member's orders as `party`, in `statuses` (every status when empty), newest first by
    /// `created_position`.
    async fn orders_of(
        &self,
        member: AccountId,
        party: OrderParty,
        statuses: &[OrderStatus],
        page: PageRequest,
    ) -> Result<Vec<OrderDocument>, ReadModelError>;

    /// How many of the member's orders as `party` are in `status`.
    async fn count_orders(
        &self,
        member: AccountId,
        party: OrderParty,
        status: OrderStatus,
    ) -> Result<u64, ReadModelError>;

    /// The member's favourites that are on, newest first by `position`.
    async fn favourites_of(
        &self,
        member: AccountId,
        page: PageRequest,
    ) -> Result<Vec<FavouriteDocument>, ReadModelError>;

    /// The global position up to which `projection` has applied the log (0 = nothing yet).
    async fn checkpoint(&self, projection: &str) -> Result<u64, ReadModelError>;

    /// Writes `writes` and moves `projection`'s checkpoint to `checkpoint`. A write is
    /// version-guarded: it replaces a stored document only if it is newer (a listing's or a
    /// favourite's `version`; an order's `(version, escrow_version)`), so a replayed write never
    /// rolls a document back.
    /// Stores with transactions commit documents and checkpoint atomically; others write the
    /// documents first, so a crash in between only means a replay the guard absorbs.
    async fn commit(
        &self,
        projection: &str,
        writes: Vec<DocumentWrite>,
        checkpoint: u64,
    ) -> Result<(), ReadModelError>;

    /// Deletes everything `model` wrote here and its checkpoint, so it can be rebuilt from 0.
    async fn reset(&self, model: ReadModel) -> Result<(), ReadModelError>;
}
