//! The GraphQL types: each wraps the view its REST route serialises, so a field here is a field
//! there (in camelCase) with the same value. Statuses are the names REST uses; times are RFC 3339
//! as in REST; money is whole won.

use async_graphql::{ID, Object};
use chrono::{DateTime, SecondsFormat, Utc};
use jangteo_domain::order::OrderItem;
use jangteo_read_models::OrderDocument;

use crate::{
    listing_view::{ImageView, ListingView, ReviewView, ShownLocation},
    routes::{
        categories::CategoryNode,
        listings::{ListingBody, ListingPage},
        me::MemberCard,
        member_pages::MyOrderPage,
        neighbourhood_verification::NeighbourhoodBadge,
    },
};

/// A time as serde writes it in REST answers.
fn time(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn id(value: impl Copy + ToString) -> ID {
    ID(value.to_string())
}

/// A listing; its counters are there when it is asked for by id, `null` in a page of them.
pub(crate) struct ListingObject {
    view: ListingView,
    view_count: Option<u64>,
    favourite_count: Option<u64>,
    seller_neighbourhood: Option<NeighbourhoodBadge>,
}

impl From<ListingBody> for ListingObject {
    fn from(body: ListingBody) -> Self {
        Self {
            view: body.listing,
            view_count: body.view_count,
            favourite_count: body.favourite_count,
            seller_neighbourhood: body.seller_neighbourhood,
        }
    }
}

impl From<ListingView> for ListingObject {
    fn from(view: ListingView) -> Self {
        Self { view, view_count: None, favourite_count: None, seller_neighbourhood: None }
    }
}

#[Object(name = "Listing")]
impl ListingObject {
    async fn listing_id(&self) -> ID {
        id(self.view.listing_id)
    }
    async fn seller_id(&self) -> ID {
        id(self.view.seller_id)
    }
    async fn title(&self) -> &str {
        &self.view.title
    }
    async fn description(&self) -> &str {
        &self.view.description
    }
    /// Of one unit, in won.
    async fn price(&self) -> i64 {
        self.view.price.as_won()
    }
    /// A leaf of the category tree.
    async fn category_id(&self) -> Option<&str> {
        self.view.category_id.as_ref().map(jangteo_domain::CategoryId::as_str)
    }
    /// draft, pending_review, rejected, on_sale, reserved, sold or withdrawn.
    async fn status(&self) -> &'static str {
        self.view.status.as_str()
    }
    /// Units put up.
    async fn quantity(&self) -> u32 {
        self.view.quantity
    }
    /// Units any buyer may still order.
    async fn available(&self) -> u32 {
        self.view.available
    }
    /// Cover first.
    async fn images(&self) -> &[ImageView] {
        &self.view.images
    }
    /// Rounded to 0.01° (about a kilometre).
    async fn location(&self) -> Option<&ShownLocation> {
        self.view.location.as_ref()
    }
    /// The neighbourhood (동네) the listing is in.
    async fn neighbourhood(&self) -> Option<&str> {
        self.view.neighbourhood.as_deref()
    }
    /// The last bump (끌올).
    async fn bumped_at(&self) -> Option<String> {
        self.view.bumped_at.as_ref().map(time)
    }
    /// Why the listing waits for review or was rejected (its seller's and admins' eyes only).
    async fn review(&self) -> Option<&ReviewView> {
        self.view.review.as_ref()
    }
    /// From the point of a `near` search, in kilometres.
    async fn distance_km(&self) -> Option<f64> {
        self.view.distance_km
    }
    /// The listing stream's version this view reflects.
    async fn version(&self) -> u64 {
        self.view.version
    }
    async fn created_at(&self) -> String {
        time(&self.view.created_at)
    }
    async fn updated_at(&self) -> String {
        time(&self.view.updated_at)
    }
    /// Looks by others than the seller; only when asked for by id.
    async fn view_count(&self) -> Option<u64> {
        self.view_count
    }
    /// Members who favourited it; only when asked for by id.
    async fn favourite_count(&self) -> Option<u64> {
        self.favourite_count
    }
    /// The seller's 동네 인증 while it counts; only when asked for by id.
    async fn seller_neighbourhood(&self) -> Option<&NeighbourhoodBadge> {
        self.seller_neighbourhood.as_ref()
    }
}

/// A 동네 인증 while it counts (30 days).
#[Object(name = "NeighbourhoodBadge")]
impl NeighbourhoodBadge {
    /// "시/군/구 동".
    async fn name(&self) -> &str {
        &self.name
    }
    async fn verified_at(&self) -> String {
        time(&self.verified_at)
    }
    async fn valid_until(&self) -> String {
        time(&self.valid_until)
    }
}

/// A photo: the original and its thumbnail.
#[Object(name = "Image")]
impl ImageView {
    async fn image_id(&self) -> ID {
        id(self.image_id)
    }
    async fn url(&self) -> &str {
        &self.url
    }
    async fn thumbnail_url(&self) -> &str {
        &self.thumbnail_url
    }
    async fn width(&self) -> u32 {
        self.width
    }
    async fn height(&self) -> u32 {
        self.height
    }
}

#[Object(name = "Location")]
impl ShownLocation {
    async fn lat(&self) -> f64 {
        self.lat
    }
    async fn lng(&self) -> f64 {
        self.lng
    }
}

#[Object(name = "Review")]
impl ReviewView {
    /// banned_words, phone_not_verified, reused_photo.
    async fn reasons(&self) -> Vec<&'static str> {
        self.reasons.iter().map(|reason| reason.name()).collect()
    }
    /// The admin's reason, once rejected.
    async fn rejection_reason(&self) -> Option<&str> {
        self.rejection_reason.as_deref()
    }
}

/// A page of listings.
pub(crate) struct ListingPageObject {
    items: Vec<ListingObject>,
    next_cursor: Option<String>,
}

impl From<ListingPage> for ListingPageObject {
    fn from(page: ListingPage) -> Self {
        Self {
            items: page.items.into_iter().map(ListingObject::from).collect(),
            next_cursor: page.next_cursor,
        }
    }
}

#[Object(name = "ListingPage")]
impl ListingPageObject {
    async fn items(&self) -> &[ListingObject] {
        &self.items
    }
    /// Pass it as `cursor` for the next page; `null` on the last one.
    async fn next_cursor(&self) -> Option<&str> {
        self.next_cursor.as_deref()
    }
}

/// A category and the live categories under it.
#[Object(name = "Category")]
impl CategoryNode {
    async fn category_id(&self) -> &str {
        &self.category_id
    }
    /// In the answer's language.
    async fn name(&self) -> &str {
        &self.name
    }
    /// Empty for a leaf: listings go in leaves.
    async fn children(&self) -> &[CategoryNode] {
        &self.children
    }
}

/// What anyone sees of a member.
#[Object(name = "Member")]
impl MemberCard {
    async fn account_id(&self) -> ID {
        id(self.account_id)
    }
    /// `null` once the member closed their account.
    async fn nickname(&self) -> Option<&str> {
        self.nickname.as_deref()
    }
    async fn joined_at(&self) -> String {
        time(&self.joined_at)
    }
    async fn completed_sales(&self) -> u64 {
        self.completed_sales
    }
    async fn completed_purchases(&self) -> u64 {
        self.completed_purchases
    }
    async fn phone_verified(&self) -> bool {
        self.phone_verified
    }
    /// Their 동네 인증 while it counts.
    async fn neighbourhood(&self) -> Option<&NeighbourhoodBadge> {
        self.neighbourhood.as_ref()
    }
    async fn erased(&self) -> bool {
        self.erased
    }
}

/// An order, for its buyer and seller.
pub(crate) struct OrderObject {
    order: OrderDocument,
    items: Vec<OrderItemObject>,
}

impl From<OrderDocument> for OrderObject {
    fn from(order: OrderDocument) -> Self {
        Self { items: order.items.iter().copied().map(OrderItemObject).collect(), order }
    }
}

#[Object(name = "Order")]
impl OrderObject {
    async fn order_id(&self) -> ID {
        id(self.order.order_id)
    }
    async fn listing_id(&self) -> ID {
        id(self.order.listing_id)
    }
    /// Every listing of the order, at the price it was ordered for.
    async fn items(&self) -> &[OrderItemObject] {
        &self.items
    }
    async fn buyer_id(&self) -> ID {
        id(self.order.buyer_id)
    }
    async fn seller_id(&self) -> ID {
        id(self.order.seller_id)
    }
    async fn shipping_fee(&self) -> i64 {
        self.order.shipping_fee.as_won()
    }
    /// What the buyer pays: items and shipping, in won.
    async fn price(&self) -> i64 {
        self.order.price.as_won()
    }
    /// placed, paid, shipped, delivered, completed, cancelled, return_requested, disputed, refunded.
    async fn status(&self) -> &'static str {
        self.order.status.name()
    }
    /// held, frozen, released, refunded, split; `null` until paid.
    async fn escrow_status(&self) -> Option<&'static str> {
        self.order.escrow_status.map(jangteo_domain::escrow::EscrowStatus::name)
    }
    async fn escrow_refunded(&self) -> i64 {
        self.order.escrow_refunded.as_won()
    }
    async fn escrow_released(&self) -> i64 {
        self.order.escrow_released.as_won()
    }
    async fn version(&self) -> u64 {
        self.order.version
    }
    async fn created_at(&self) -> String {
        time(&self.order.created_at)
    }
    async fn updated_at(&self) -> String {
        time(&self.order.updated_at)
    }
}

/// One listing of an order.
pub(crate) struct OrderItemObject(OrderItem);

#[Object(name = "OrderItem")]
impl OrderItemObject {
    async fn listing_id(&self) -> ID {
        id(self.0.listing_id)
    }
    /// Of one unit, in won.
    async fn price(&self) -> i64 {
        self.0.price.as_won()
    }
    async fn units(&self) -> u32 {
        self.0.units
    }
}

/// A page of the caller's orders.
pub(crate) struct OrderPageObject {
    items: Vec<OrderObject>,
    next_cursor: Option<String>,
}

impl From<MyOrderPage> for OrderPageObject {
    fn from(page: MyOrderPage) -> Self {
        Self { items: page.items.into_iter().map(OrderObject::from).collect(), next_cursor: page.next_cursor }
    }
}

#[Object(name = "OrderPage")]
impl OrderPageObject {
    async fn items(&self) -> &[OrderObject] {
        &self.items
    }
    /// Pass it as `cursor` for the next page; `null` on the last one.
    async fn next_cursor(&self) -> Option<&str> {
        self.next_cursor.as_deref()
    }
}
