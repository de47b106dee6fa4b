//! The Listing aggregate: a thing put up for sale, from draft to sold.
//!
//! ```text
//!                 +--(rules pass)--------------------------+
//!                 |                                        v
//! Draft --publish-+--> PendingReview --approve--> OnSale --(every unit held)--> Reserved
//!   ^                    |                        |  ^                            |
//!   |                    +--reject--> Rejected    |  +--(a hold released)---------+
//!   |                                 | publish   |                               |
//!   |                                 +-(again)---+       (every unit sold) --> Sold
//!   +-- withdraw from any state before a hold --> Withdrawn
//! ```
//! A listing offers one unit or several (`quantity`); each order holds some units, and the units
//! held plus sold never exceed the quantity: that is what prevents a double sale.

mod media;
mod place;
mod stock;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use self::{
    media::{ImageDigest, ImageKind, ListingImage, MAX_IMAGES},
    place::GeoPoint,
    stock::{Hold, MAX_QUANTITY, Quantity, Stock},
};
use crate::{
    AccountId, Aggregate, AreaName, CategoryId, Description, DomainError, DomainEvent, EventCodecError,
    Forbidden, ImageId, Kind, ListingId, Money, OrderId, RejectionReason, Title, ValidationError,
    moderation::{ReviewReason, Screening},
};

/// How long after a bump (끌올) the next one may follow.
pub const BUMP_INTERVAL_HOURS: i64 = 24;

/// Where a listing is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ListingStatus {
    Draft,
    /// Published, waiting for an admin: the automatic rules did not approve it.
    PendingReview,
    /// An admin turned it down; the seller may edit it and publish it again.
    Rejected,
    OnSale,
    /// Orders hold every unit left.
    Reserved,
    /// Every unit is sold.
    Sold,
    Withdrawn,
}

impl ListingStatus {
    /// The public name of the status, as the API and read models spell it.
    pub fn name(&self) -> &'static str {
        match self {
            ListingStatus::Draft => "draft",
            ListingStatus::PendingReview => "pending_review",
            ListingStatus::Rejected => "rejected",
            ListingStatus::OnSale => "on_sale",
            ListingStatus::Reserved => "reserved",
            ListingStatus::Sold => "sold",
            ListingStatus::Withdrawn => "withdrawn",
        }
    }

    /// Whether its seller may still change it (text, price, photos, place, units).
    fn editable(self) -> bool {
        matches!(
            self,
            ListingStatus::Draft
                | ListingStatus::PendingReview
                | ListingStatus::Rejected
                | ListingStatus::OnSale
        )
    }
}

/// A listing that exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    pub listing_id: ListingId,
    pub seller_id: AccountId,
    pub title: Title,
    pub description: Description,
    /// The price of one unit.
    pub price: Money,
    pub category_id: Option<CategoryId>,
    pub status: ListingStatus,
    pub stock: Stock,
    /// The orders holding units now.
    pub holds: Vec<Hold>,
    /// The orders that bought units.
    pub sales: Vec<Hold>,
    /// In the order the seller gave them; the first is the cover.
    pub images: Vec<ListingImage>,
    pub location: Option<GeoPoint>,
    pub neighbourhood: Option<AreaName>,
    pub last_bumped_at: Option<DateTime<Utc>>,
}

impl Listing {
    /// The units `order_id` holds, if it holds any.
    pub fn hold_of(&self, order_id: OrderId) -> Option<&Hold> {
        self.holds.iter().find(|hold| hold.order_id == order_id)
    }
}

/// The state of a listing stream: nothing yet, or a listing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "listing", rename_all = "snake_case")]
pub enum ListingState {
    #[default]
    Absent,
    Present(Box<Listing>),
}

/// A listing to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListingDraft {
    pub listing_id: ListingId,
    pub seller_id: AccountId,
    pub title: Title,
    pub description: Description,
    pub price: Money,
    pub category_id: Option<CategoryId>,
    pub quantity: Quantity,
    pub location: Option<GeoPoint>,
    pub neighbourhood: Option<AreaName>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListingCommand {
    Create(Box<ListingDraft>),
    /// Publishes a draft, or publishes a rejected listing again, with the automatic rules'
    /// verdict on it.
    Publish {
        actor: AccountId,
        screening: Screening,
    },
    /// Changes what is given; unchanged fields produce no event.
    Edit {
        actor: AccountId,
        title: Option<Title>,
        description: Option<Description>,
        price: Option<Money>,
        category_id: Option<CategoryId>,
        quantity: Option<Quantity>,
        /// The point and the neighbourhood found for it.
        location: Option<(GeoPoint, Option<AreaName>)>,
    },
    /// An admin approves a listing waiting for review (the role is the application's check).
    Approve {
        admin: AccountId,
    },
    Reject {
        admin: AccountId,
        reason: RejectionReason,
    },
    /// Holds `units` for an order being placed.
    Reserve {
        order_id: OrderId,
        buyer_id: AccountId,
        units: u32,
    },
    /// Gives back the units of an order that was cancelled.
    ReleaseReservation {
        order_id: OrderId,
    },
    /// Sells the units of an order that completed.
    MarkSold {
        order_id: OrderId,
    },
    Withdraw {
        actor: AccountId,
    },
    /// 끌올: moves an on-sale listing to the top of the newest-first order.
    Bump {
        actor: AccountId,
        at: DateTime<Utc>,
    },
    AddImage {
        actor: AccountId,
        image: ListingImage,
    },
    RemoveImage {
        actor: AccountId,
        image_id: ImageId,
    },
    /// The listing's photos in a new order: every photo it has, once each.
    ReorderImages {
        actor: AccountId,
        image_ids: Vec<ImageId>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
pub enum ListingEvent {
    ListingCreated {
        listing_id: ListingId,
        seller_id: AccountId,
        title: Title,
        description: Description,
        price: Money,
        category_id: Option<CategoryId>,
        quantity: Quantity,
        location: Option<GeoPoint>,
        neighbourhood: Option<AreaName>,
    },
    /// Published and approved by the automatic rules: on sale.
    ListingPublished {},
    ListingSubmittedForReview {
        reasons: Vec<ReviewReason>,
    },
    ListingApproved {
        admin_id: AccountId,
    },
    ListingRejected {
        admin_id: AccountId,
        reason: RejectionReason,
    },
    ListingDetailsChanged {
        title: Option<Title>,
        description: Option<Description>,
    },
    ListingPriceChanged {
        old_price: Money,
        new_price: Money,
    },
    ListingRecategorised {
        category_id: CategoryId,
    },
    ListingQuantityChanged {
        stock: Stock,
    },
    ListingRelocated {
        location: GeoPoint,
        neighbourhood: Option<AreaName>,
    },
    ListingReserved {
        order_id: OrderId,
        buyer_id: AccountId,
        units: u32,
        stock: Stock,
    },
    ListingReservationReleased {
        order_id: OrderId,
        units: u32,
        stock: Stock,
    },
    ListingSold {
        order_id: OrderId,
        buyer_id: AccountId,
        units: u32,
        stock: Stock,
    },
    ListingWithdrawn {},
    ListingBumped {
        at: DateTime<Utc>,
    },
    ListingImageAdded {
        image: ListingImage,
    },
    ListingImageRemoved {
        image_id: ImageId,
    },
    ListingImagesReordered {
        image_ids: Vec<ImageId>,
    },
}

/// The event types whose payload changed shape with quantities and places (version 2).
const VERSION_2: [&str; 4] =
    ["ListingCreated", "ListingReserved", "ListingReservationReleased", "ListingSold"];

impl DomainEvent for ListingEvent {
    fn event_type(&self) -> &'static str {
        match self {
            ListingEvent::ListingCreated { .. } => "ListingCreated",
            ListingEvent::ListingPublished {} => "ListingPublished",
            ListingEvent::ListingSubmittedForReview { .. } => "ListingSubmittedForReview",
            ListingEvent::ListingApproved { .. } => "ListingApproved",
            ListingEvent::ListingRejected { .. } => "ListingRejected",
            ListingEvent::ListingDetailsChanged { .. } => "ListingDetailsChanged",
            ListingEvent::ListingPriceChanged { .. } => "ListingPriceChanged",
            ListingEvent::ListingRecategorised { .. } => "ListingRecategorised",
            ListingEvent::ListingQuantityChanged { .. } => "ListingQuantityChanged",
            ListingEvent::ListingRelocated { .. } => "ListingRelocated",
            ListingEvent::ListingReserved { .. } => "ListingReserved",
            ListingEvent::ListingReservationReleased { .. } => "ListingReservationReleased",
            ListingEvent::ListingSold { .. } => "ListingSold",
            ListingEvent::ListingWithdrawn {} => "ListingWithdrawn",
            ListingEvent::ListingBumped { .. } => "ListingBumped",
            ListingEvent::ListingImageAdded { .. } => "ListingImageAdded",
            ListingEvent::ListingImageRemoved { .. } => "ListingImageRemoved",
            ListingEvent::ListingImagesReordered { .. } => "ListingImagesReordered",
        }
    }

    fn schema_version(&self) -> u32 {
        if VERSION_2.contains(&self.event_type()) { 2 } else { 1 }
    }

    /// Version 1 listings offered one unit and had no place: a v1 creation is a quantity of 1
    /// with no location, a v1 reservation holds that unit (none left), a v1 release gives it
    /// back, a v1 sale sells it.
    fn upcast(event_type: &str, schema_version: u32, payload: Value) -> Result<Value, EventCodecError> {
        let one_unit = |available: u32, held: u32, sold: u32| serde_json::json!({ "quantity": 1, "available": available, "held": held, "sold": sold });
        let with = |payload: Value, fields: Vec<(&str, Value)>| match payload {
            Value::Object(mut object) => {
                for (name, value) in fields {
                    object.insert(name.to_owned(), value);
                }
                Ok(Value::Object(object))
            }
            _ => Err(EventCodecError::NotAnObject),
        };
        match (event_type, schema_version) {
            ("ListingCreated", 1) => with(
                payload,
                vec![("quantity", Value::from(1)), ("location", Value::Null), ("neighbourhood", Value::Null)],
            ),
            ("ListingReserved", 1) => {
                with(payload, vec![("units", Value::from(1)), ("stock", one_unit(0, 1, 0))])
            }
            ("ListingReservationReleased", 1) => {
                with(payload, vec![("units", Value::from(1)), ("stock", one_unit(1, 0, 0))])
            }
            ("ListingSold", 1) => {
                with(payload, vec![("units", Value::from(1)), ("stock", one_unit(0, 0, 1))])
            }
            (event_type, 2) if VERSION_2.contains(&event_type) => Ok(payload),
            (event_type, 1) if !VERSION_2.contains(&event_type) => Ok(payload),
            _ => Err(EventCodecError::UnknownSchemaVersion {
                event_type: event_type.to_owned(),
                schema_version,
            }),
        }
    }
}

fn transition(action: &'static str, status: ListingStatus) -> DomainError {
    DomainError::InvalidTransition { kind: Kind::Listing, action, status: status.name() }
}

fn require_seller(listing: &Listing, actor: AccountId) -> Result<(), DomainError> {
    if listing.seller_id == actor { Ok(()) } else { Err(DomainError::Forbidden(Forbidden::NotSeller)) }
}

impl Aggregate for ListingState {
    type Command = ListingCommand;
    type Event = ListingEvent;

    const STREAM_TYPE: &'static str = "listing";

    fn decide(&self, command: ListingCommand) -> Result<Vec<ListingEvent>, DomainError> {
        match (self, command) {
            (ListingState::Absent, ListingCommand::Create(draft)) => {
                let ListingDraft {
                    listing_id,
                    seller_id,
                    title,
                    description,
                    price,
                    category_id,
                    quantity,
                    location,
                    neighbourhood,
                } = *draft;
                Ok(vec![ListingEvent::ListingCreated {
                    listing_id,
                    seller_id,
                    title,
                    description,
                    price,
                    category_id,
                    quantity,
                    location,
                    neighbourhood,
                }])
            }
            (ListingState::Absent, _) => Err(DomainError::NotFound(Kind::Listing)),
            (ListingState::Present(listing), command) => decide_existing(listing, command),
        }
    }

    fn evolve(self, event: &ListingEvent) -> Self {
        let mut listing = match (self, event) {
            (
                _,
                ListingEvent::ListingCreated {
                    listing_id,
                    seller_id,
                    title,
                    description,
                    price,
                    category_id,
                    quantity,
                    location,
                    neighbourhood,
                },
            ) => {
                return ListingState::Present(Box::new(Listing {
                    listing_id: *listing_id,
                    seller_id: *seller_id,
                    title: title.clone(),
                    description: description.clone(),
                    price: *price,
                    category_id: category_id.clone(),
                    status: ListingStatus::Draft,
                    stock: Stock::fresh(*quantity),
                    holds: Vec::new(),
                    sales: Vec::new(),
                    images: Vec::new(),
                    location: *location,
                    neighbourhood: neighbourhood.clone(),
                    last_bumped_at: None,
                }));
            }
            // Events only ever follow a creation; an orphan event leaves an absent state absent.
            (ListingState::Absent, _) => return ListingState::Absent,
            (ListingState::Present(listing), _) => listing,
        };
        if let Some(status) = status_after(event) {
            listing.status = status;
        }
        if let Some(stock) = stock_after(event) {
            listing.stock = stock;
        }
        match event {
            ListingEvent::ListingDetailsChanged { title, description } => {
                if let Some(title) = title {
                    listing.title = title.clone();
                }
                if let Some(description) = description {
                    listing.description = description.clone();
                }
            }
            ListingEvent::ListingPriceChanged { new_price, .. } => listing.price = *new_price,
            ListingEvent::ListingRecategorised { category_id } => {
                listing.category_id = Some(category_id.clone());
            }
            ListingEvent::ListingRelocated { location, neighbourhood } => {
                listing.location = Some(*location);
                listing.neighbourhood.clone_from(neighbourhood);
            }
            ListingEvent::ListingReserved { order_id, buyer_id, units, .. } => {
                listing.holds.push(Hold { order_id: *order_id, buyer_id: *buyer_id, units: *units });
            }
            ListingEvent::ListingReservationReleased { order_id, .. } => {
                listing.holds.retain(|hold| hold.order_id != *order_id);
            }
            ListingEvent::ListingSold { order_id, buyer_id, units, .. } => {
                listing.holds.retain(|hold| hold.order_id != *order_id);
                listing.sales.push(Hold { order_id: *order_id, buyer_id: *buyer_id, units: *units });
            }
            ListingEvent::ListingBumped { at } => listing.last_bumped_at = Some(*at),
            ListingEvent::ListingImageAdded { image } => listing.images.push(image.clone()),
            ListingEvent::ListingImageRemoved { image_id } => {
                listing.images.retain(|image| image.image_id != *image_id);
            }
            ListingEvent::ListingImagesReordered { image_ids } => {
                listing.images.sort_by_key(|image| {
                    image_ids.iter().position(|id| *id == image.image_id).unwrap_or(usize::MAX)
                });
            }
            ListingEvent::ListingCreated { .. }
            | ListingEvent::ListingPublished {}
            | ListingEvent::ListingSubmittedForReview { .. }
            | ListingEvent::ListingApproved { .. }
            | ListingEvent::ListingRejected { .. }
            | ListingEvent::ListingQuantityChanged { .. }
            | ListingEvent::ListingWithdrawn {} => {}
        }
        ListingState::Present(listing)
    }
}

/// The one table of listing statuses: the status a listing has after `event`, or `None` when the
/// event leaves it as it was. `evolve` and every projection of listings take it from here. The
/// events that move units carry the stock after them, and the status follows from it.
pub fn status_after(event: &ListingEvent) -> Option<ListingStatus> {
    match event {
        ListingEvent::ListingCreated { .. } => Some(ListingStatus::Draft),
        ListingEvent::ListingPublished {} | ListingEvent::ListingApproved { .. } => {
            Some(ListingStatus::OnSale)
        }
        ListingEvent::ListingSubmittedForReview { .. } => Some(ListingStatus::PendingReview),
        ListingEvent::ListingRejected { .. } => Some(ListingStatus::Rejected),
        ListingEvent::ListingReserved { stock, .. }
        | ListingEvent::ListingReservationReleased { stock, .. }
        | ListingEvent::ListingSold { stock, .. } => Some(stock.status()),
        ListingEvent::ListingWithdrawn {} => Some(ListingStatus::Withdrawn),
        ListingEvent::ListingDetailsChanged { .. }
        | ListingEvent::ListingPriceChanged { .. }
        | ListingEvent::ListingRecategorised { .. }
        | ListingEvent::ListingQuantityChanged { .. }
        | ListingEvent::ListingRelocated { .. }
        | ListingEvent::ListingBumped { .. }
        | ListingEvent::ListingImageAdded { .. }
        | ListingEvent::ListingImageRemoved { .. }
        | ListingEvent::ListingImagesReordered { .. } => None,
    }
}

/// The stock after `event`, for the events that change it (creation starts it).
pub fn stock_after(event: &ListingEvent) -> Option<Stock> {
    match event {
        ListingEvent::ListingCreated { quantity, .. } => Some(Stock::fresh(*quantity)),
        ListingEvent::ListingQuantityChanged { stock }
        | ListingEvent::ListingReserved { stock, .. }
        | ListingEvent::ListingReservationReleased { stock, .. }
        | ListingEvent::ListingSold { stock, .. } => Some(*stock),
        _ => None,
    }
}

#[allow(clippy::too_many_lines, reason = "one short arm per command: the table reads best whole")]
fn decide_existing(listing: &Listing, command: ListingCommand) -> Result<Vec<ListingEvent>, DomainError> {
    let status = listing.status;
    match command {
        ListingCommand::Create(_) => Err(DomainError::AlreadyExists(Kind::Listing)),
        ListingCommand::Publish { actor, screening } => {
            require_seller(listing, actor)?;
            match status {
                ListingStatus::Draft | ListingStatus::Rejected => Ok(vec![match screening {
                    Screening::Approved => ListingEvent::ListingPublished {},
                    Screening::NeedsReview(reasons) => ListingEvent::ListingSubmittedForReview { reasons },
                }]),
                _ => Err(transition("publish", status)),
            }
        }
        ListingCommand::Approve { admin } => match status {
            ListingStatus::PendingReview => Ok(vec![ListingEvent::ListingApproved { admin_id: admin }]),
            _ => Err(transition("approve", status)),
        },
        ListingCommand::Reject { admin, reason } => match status {
            ListingStatus::PendingReview => {
                Ok(vec![ListingEvent::ListingRejected { admin_id: admin, reason }])
            }
            _ => Err(transition("reject", status)),
        },
        ListingCommand::Edit { actor, title, description, price, category_id, quantity, location } => {
            require_seller(listing, actor)?;
            if !status.editable() {
                return Err(transition("edit", status));
            }
            decide_edit(listing, Changes { title, description, price, category_id, quantity, location })
        }
        ListingCommand::Reserve { order_id, buyer_id, units } => {
            decide_reserve(listing, order_id, buyer_id, units)
        }
        ListingCommand::ReleaseReservation { order_id } => match listing.hold_of(order_id) {
            Some(hold) => {
                let stock = Stock {
                    available: listing.stock.available + hold.units,
                    held: listing.stock.held - hold.units,
                    ..listing.stock
                };
                Ok(vec![ListingEvent::ListingReservationReleased { order_id, units: hold.units, stock }])
            }
            None => Err(transition("release the reservation of", status)),
        },
        ListingCommand::MarkSold { order_id } => {
            if let Some(hold) = listing.hold_of(order_id) {
                let stock = Stock {
                    held: listing.stock.held - hold.units,
                    sold: listing.stock.sold + hold.units,
                    ..listing.stock
                };
                return Ok(vec![ListingEvent::ListingSold {
                    order_id,
                    buyer_id: hold.buyer_id,
                    units: hold.units,
                    stock,
                }]);
            }
            if listing.sales.iter().any(|sale| sale.order_id == order_id) {
                return Ok(vec![]);
            }
            Err(transition("mark sold", status))
        }
        ListingCommand::Withdraw { actor } => {
            require_seller(listing, actor)?;
            // Units held by an order in progress are that buyer's: the order must end first.
            if status.editable() && listing.holds.is_empty() {
                Ok(vec![ListingEvent::ListingWithdrawn {}])
            } else {
                Err(transition("withdraw", status))
            }
        }
        ListingCommand::Bump { actor, at } => {
            require_seller(listing, actor)?;
            if status != ListingStatus::OnSale {
                return Err(transition("bump", status));
            }
            if let Some(last) = listing.last_bumped_at {
                let next_at = last + Duration::hours(BUMP_INTERVAL_HOURS);
                if at < next_at {
                    return Err(DomainError::BumpTooSoon { next_at });
                }
            }
            Ok(vec![ListingEvent::ListingBumped { at }])
        }
        ListingCommand::AddImage { actor, image } => {
            require_seller(listing, actor)?;
            if !status.editable() {
                return Err(transition("add a photo to", status));
            }
            if listing.images.iter().any(|existing| existing.image_id == image.image_id) {
                return Ok(vec![]);
            }
            if listing.images.len() >= MAX_IMAGES {
                return Err(ValidationError::new("images", "a listing has at most 10 photos").into());
            }
            Ok(vec![ListingEvent::ListingImageAdded { image }])
        }
        ListingCommand::RemoveImage { actor, image_id } => {
            require_seller(listing, actor)?;
            if !status.editable() {
                return Err(transition("remove a photo of", status));
            }
            if listing.images.iter().any(|image| image.image_id == image_id) {
                Ok(vec![ListingEvent::ListingImageRemoved { image_id }])
            } else {
                Err(DomainError::NotFound(Kind::Image))
            }
        }
        ListingCommand::ReorderImages { actor, image_ids } => {
            require_seller(listing, actor)?;
            if !status.editable() {
                return Err(transition("reorder the photos of", status));
            }
            let mut given = image_ids.clone();
            given.sort();
            let mut held: Vec<ImageId> = listing.images.iter().map(|image| image.image_id).collect();
            let current = held.clone();
            held.sort();
            if given != held {
                return Err(
                    ValidationError::new("image_ids", "must name every photo of the listing once").into()
                );
            }
            if image_ids == current {
                return Ok(vec![]);
            }
            Ok(vec![ListingEvent::ListingImagesReordered { image_ids }])
        }
    }
}

/// What an edit asks for.
struct Changes {
    title: Option<Title>,
    description: Option<Description>,
    price: Option<Money>,
    category_id: Option<CategoryId>,
    quantity: Option<Quantity>,
    location: Option<(GeoPoint, Option<AreaName>)>,
}

fn decide_edit(listing: &Listing, changes: Changes) -> Result<Vec<ListingEvent>, DomainError> {
    let title = changes.title.filter(|t| *t != listing.title);
    let description = changes.description.filter(|d| *d != listing.description);
    let mut events = Vec::new();
    if title.is_some() || description.is_some() {
        events.push(ListingEvent::ListingDetailsChanged { title, description });
    }
    if let Some(new_price) = changes.price.filter(|p| *p != listing.price) {
        events.push(ListingEvent::ListingPriceChanged { old_price: listing.price, new_price });
    }
    if let Some(category_id) = changes.category_id.filter(|c| listing.category_id.as_ref() != Some(c)) {
        events.push(ListingEvent::ListingRecategorised { category_id });
    }
    if let Some(quantity) = changes.quantity.filter(|q| q.get() != listing.stock.quantity) {
        // Units held or sold stay so; at least one must be left to sell, or the change would
        // end the sale by the back door.
        let committed = listing.stock.held + listing.stock.sold;
        if quantity.get() <= committed {
            return Err(ValidationError::new(
                "quantity",
                "must leave at least one unit beyond those ordered",
            )
            .into());
        }
        let stock =
            Stock { quantity: quantity.get(), available: quantity.get() - committed, ..listing.stock };
        events.push(ListingEvent::ListingQuantityChanged { stock });
    }
    if let Some((location, neighbourhood)) = changes
        .location
        .filter(|(point, area)| listing.location != Some(*point) || listing.neighbourhood != *area)
    {
        events.push(ListingEvent::ListingRelocated { location, neighbourhood });
    }
    Ok(events)
}

fn decide_reserve(
    listing: &Listing,
    order_id: OrderId,
    buyer_id: AccountId,
    units: u32,
) -> Result<Vec<ListingEvent>, DomainError> {
    if buyer_id == listing.seller_id {
        return Err(DomainError::BuyerIsSeller);
    }
    // The same order reserving again is a retry, not a second sale.
    if listing.hold_of(order_id).is_some() {
        return Ok(vec![]);
    }
    if units == 0 {
        return Err(ValidationError::new("quantity", "must be at least 1").into());
    }
    if listing.status != ListingStatus::OnSale || units > listing.stock.available {
        return Err(DomainError::ListingNotAvailable { status: listing.status.name() });
    }
    let stock = Stock {
        available: listing.stock.available - units,
        held: listing.stock.held + units,
        ..listing.stock
    };
    Ok(vec![ListingEvent::ListingReserved { order_id, buyer_id, units, stock }])
}
