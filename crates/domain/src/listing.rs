//! The Listing aggregate: a thing put up for sale, from draft to sold.
//!
//! ```text
//! Draft --publish--> OnSale --reserve--> Reserved --mark_sold--> Sold
//!   |                  |  ^                  |
//!   |                  |  +--release---------+
//!   +--withdraw--------+--withdraw--> Withdrawn
//! ```
//! A listing is reserved by exactly one order at a time; that is what prevents a double sale.

use serde::{Deserialize, Serialize};

use crate::{
    AccountId, Aggregate, CategoryId, Description, DomainError, DomainEvent, Forbidden, Kind, ListingId,
    Money, OrderId, Title,
};

/// Where a listing is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum ListingStatus {
    Draft,
    OnSale,
    Reserved { order_id: OrderId, buyer_id: AccountId },
    Sold { order_id: OrderId, buyer_id: AccountId },
    Withdrawn,
}

impl ListingStatus {
    /// The public name of the status, as the API and read models spell it.
    pub fn name(&self) -> &'static str {
        match self {
            ListingStatus::Draft => "draft",
            ListingStatus::OnSale => "on_sale",
            ListingStatus::Reserved { .. } => "reserved",
            ListingStatus::Sold { .. } => "sold",
            ListingStatus::Withdrawn => "withdrawn",
        }
    }
}

/// A listing that exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Listing {
    pub listing_id: ListingId,
    pub seller_id: AccountId,
    pub title: Title,
    pub description: Description,
    pub price: Money,
    pub category_id: Option<CategoryId>,
    pub status: ListingStatus,
}

/// The state of a listing stream: nothing yet, or a listing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "listing", rename_all = "snake_case")]
pub enum ListingState {
    #[default]
    Absent,
    Present(Listing),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListingCommand {
    Create {
        listing_id: ListingId,
        seller_id: AccountId,
        title: Title,
        description: Description,
        price: Money,
        category_id: Option<CategoryId>,
    },
    Publish {
        actor: AccountId,
    },
    /// Changes any of title, description and price; unchanged fields produce no event.
    Edit {
        actor: AccountId,
        title: Option<Title>,
        description: Option<Description>,
        price: Option<Money>,
    },
    /// Holds the listing for an order being placed.
    Reserve {
        order_id: OrderId,
        buyer_id: AccountId,
    },
    /// Puts a reserved listing back on sale because its order was cancelled.
    ReleaseReservation {
        order_id: OrderId,
    },
    /// Marks a reserved listing sold because its order completed.
    MarkSold {
        order_id: OrderId,
    },
    Withdraw {
        actor: AccountId,
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
    },
    ListingPublished {},
    ListingDetailsChanged {
        title: Option<Title>,
        description: Option<Description>,
    },
    ListingPriceChanged {
        old_price: Money,
        new_price: Money,
    },
    ListingReserved {
        order_id: OrderId,
        buyer_id: AccountId,
    },
    ListingReservationReleased {
        order_id: OrderId,
    },
    ListingSold {
        order_id: OrderId,
        buyer_id: AccountId,
    },
    ListingWithdrawn {},
}

impl DomainEvent for ListingEvent {
    fn event_type(&self) -> &'static str {
        match self {
            ListingEvent::ListingCreated { .. } => "ListingCreated",
            ListingEvent::ListingPublished {} => "ListingPublished",
            ListingEvent::ListingDetailsChanged { .. } => "ListingDetailsChanged",
            ListingEvent::ListingPriceChanged { .. } => "ListingPriceChanged",
            ListingEvent::ListingReserved { .. } => "ListingReserved",
            ListingEvent::ListingReservationReleased { .. } => "ListingReservationReleased",
            ListingEvent::ListingSold { .. } => "ListingSold",
            ListingEvent::ListingWithdrawn {} => "ListingWithdrawn",
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
            (
                ListingState::Absent,
                ListingCommand::Create { listing_id, seller_id, title, description, price, category_id },
            ) => Ok(vec![ListingEvent::ListingCreated {
                listing_id,
                seller_id,
                title,
                description,
                price,
                category_id,
            }]),
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
                },
            ) => {
                return ListingState::Present(Listing {
                    listing_id: *listing_id,
                    seller_id: *seller_id,
                    title: title.clone(),
                    description: description.clone(),
                    price: *price,
                    category_id: category_id.clone(),
                    status: ListingStatus::Draft,
                });
            }
            // Events only ever follow a creation; an orphan event leaves an absent state absent.
            (ListingState::Absent, _) => return ListingState::Absent,
            (ListingState::Present(listing), _) => listing,
        };
        if let Some(status) = status_after(event) {
            listing.status = status;
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
            ListingEvent::ListingCreated { .. }
            | ListingEvent::ListingPublished {}
            | ListingEvent::ListingReservationReleased { .. }
            | ListingEvent::ListingReserved { .. }
            | ListingEvent::ListingSold { .. }
            | ListingEvent::ListingWithdrawn {} => {}
        }
        ListingState::Present(listing)
    }
}

/// The one table of listing statuses: the status a listing has after `event`, or `None` when the
/// event leaves it as it was. `evolve` and every projection of listings take it from here.
pub fn status_after(event: &ListingEvent) -> Option<ListingStatus> {
    match event {
        ListingEvent::ListingCreated { .. } => Some(ListingStatus::Draft),
        ListingEvent::ListingPublished {} | ListingEvent::ListingReservationReleased { .. } => {
            Some(ListingStatus::OnSale)
        }
        ListingEvent::ListingDetailsChanged { .. } | ListingEvent::ListingPriceChanged { .. } => None,
        ListingEvent::ListingReserved { order_id, buyer_id } => {
            Some(ListingStatus::Reserved { order_id: *order_id, buyer_id: *buyer_id })
        }
        ListingEvent::ListingSold { order_id, buyer_id } => {
            Some(ListingStatus::Sold { order_id: *order_id, buyer_id: *buyer_id })
        }
        ListingEvent::ListingWithdrawn {} => Some(ListingStatus::Withdrawn),
    }
}

fn decide_existing(listing: &Listing, command: ListingCommand) -> Result<Vec<ListingEvent>, DomainError> {
    let status = listing.status;
    match command {
        ListingCommand::Create { .. } => Err(DomainError::AlreadyExists(Kind::Listing)),
        ListingCommand::Publish { actor } => {
            require_seller(listing, actor)?;
            match status {
                ListingStatus::Draft => Ok(vec![ListingEvent::ListingPublished {}]),
                _ => Err(transition("publish", status)),
            }
        }
        ListingCommand::Edit { actor, title, description, price } => {
            require_seller(listing, actor)?;
            if !matches!(status, ListingStatus::Draft | ListingStatus::OnSale) {
                return Err(transition("edit", status));
            }
            let title = title.filter(|t| *t != listing.title);
            let description = description.filter(|d| *d != listing.description);
            let mut events = Vec::new();
            if title.is_some() || description.is_some() {
                events.push(ListingEvent::ListingDetailsChanged { title, description });
            }
            if let Some(new_price) = price.filter(|p| *p != listing.price) {
                events.push(ListingEvent::ListingPriceChanged { old_price: listing.price, new_price });
            }
            Ok(events)
        }
        ListingCommand::Reserve { order_id, buyer_id } => {
            if buyer_id == listing.seller_id {
                return Err(DomainError::BuyerIsSeller);
            }
            match status {
                ListingStatus::OnSale => Ok(vec![ListingEvent::ListingReserved { order_id, buyer_id }]),
                // The same order reserving again is a retry, not a second sale.
                ListingStatus::Reserved { order_id: holder, .. } if holder == order_id => Ok(vec![]),
                _ => Err(DomainError::ListingNotAvailable { status: status.name() }),
            }
        }
        ListingCommand::ReleaseReservation { order_id } => match status {
            ListingStatus::Reserved { order_id: holder, .. } if holder == order_id => {
                Ok(vec![ListingEvent::ListingReservationReleased { order_id }])
            }
            _ => Err(transition("release the reservation of", status)),
        },
        ListingCommand::MarkSold { order_id } => match status {
            ListingStatus::Reserved { order_id: holder, buyer_id } if holder == order_id => {
                Ok(vec![ListingEvent::ListingSold { order_id, buyer_id }])
            }
            ListingStatus::Sold { order_id: holder, .. } if holder == order_id => Ok(vec![]),
            _ => Err(transition("mark sold", status)),
        },
        ListingCommand::Withdraw { actor } => {
            require_seller(listing, actor)?;
            match status {
                ListingStatus::Draft | ListingStatus::OnSale => Ok(vec![ListingEvent::ListingWithdrawn {}]),
                _ => Err(transition("withdraw", status)),
            }
        }
    }
}
