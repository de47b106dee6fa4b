//! Every aggregate, registered once: its stream type, and the event types its streams hold with
//! every schema version ever stored (the last one is what new events are written with).
//!
//! What is derived from here: the Kafka topics (one per stream type), the relay's idea of which
//! stream types exist, and the published JSON Schemas the tests check (`docs/events/<type>.v<n>.json`
//! for each entry, and no other). A test in `crates/app/tests/event_schemas.rs` produces every event
//! through the application and fails when one is missing here, so a new aggregate or event cannot
//! be forgotten silently.

use serde_json::Value;

use crate::{
    Aggregate, DomainEvent, EventCodecError, account::AccountState, cart::CartState,
    category::CategoryTreeState, checkout::CheckoutState, escrow::EscrowState, favourite::FavouriteState,
    listing::ListingState, order::OrderState, review::TradeReviewsState, settlement::SettlementState,
};

/// One aggregate's entry.
#[derive(Debug, Clone, Copy)]
pub struct AggregateEntry {
    pub stream_type: &'static str,
    pub events: &'static [EventEntry],
    /// Decodes a stored payload of this aggregate (upcasting older versions) and encodes it again:
    /// the payload as a new event of the current version would carry it.
    pub current_payload: fn(&str, u32, Value) -> Result<Value, EventCodecError>,
}

/// One event type and the schema versions stored under it, oldest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventEntry {
    pub event_type: &'static str,
    pub versions: &'static [u32],
}

impl EventEntry {
    /// The version new events of this type are written with.
    pub fn current_version(&self) -> u32 {
        self.versions.last().copied().unwrap_or(1)
    }
}

fn current_payload<A: Aggregate>(
    event_type: &str,
    schema_version: u32,
    payload: Value,
) -> Result<Value, EventCodecError> {
    A::Event::from_payload(event_type, schema_version, payload)?.to_payload()
}

const fn v1(event_type: &'static str) -> EventEntry {
    EventEntry { event_type, versions: &[1] }
}

/// Every aggregate there is.
pub const AGGREGATES: &[AggregateEntry] = &[
    AggregateEntry {
        stream_type: AccountState::STREAM_TYPE,
        current_payload: current_payload::<AccountState>,
        // AccountRegistered v1 (personal data in the clear) is rewritten as v2 at migration, so
        // no store holds it any more.
        events: &[
            EventEntry { event_type: "AccountRegistered", versions: &[2] },
            v1("AccountRoleGranted"),
            v1("ConsentGranted"),
            v1("ConsentWithdrawn"),
            v1("NicknameChanged"),
            v1("PhoneChanged"),
            v1("AddressChanged"),
            v1("AccountErased"),
            v1("PhoneVerified"),
            v1("NeighbourhoodVerified"),
        ],
    },
    AggregateEntry {
        stream_type: ListingState::STREAM_TYPE,
        current_payload: current_payload::<ListingState>,
        // Version 2 of the four that took quantities and places.
        events: &[
            EventEntry { event_type: "ListingCreated", versions: &[1, 2] },
            v1("ListingPublished"),
            v1("ListingSubmittedForReview"),
            v1("ListingApproved"),
            v1("ListingRejected"),
            v1("ListingDetailsChanged"),
            v1("ListingPriceChanged"),
            v1("ListingRecategorised"),
            v1("ListingQuantityChanged"),
            v1("ListingRelocated"),
            EventEntry { event_type: "ListingReserved", versions: &[1, 2] },
            EventEntry { event_type: "ListingReservationReleased", versions: &[1, 2] },
            EventEntry { event_type: "ListingSold", versions: &[1, 2] },
            v1("ListingWithdrawn"),
            v1("ListingBumped"),
            v1("ListingImageAdded"),
            v1("ListingImageRemoved"),
            v1("ListingImagesReordered"),
        ],
    },
    AggregateEntry {
        stream_type: OrderState::STREAM_TYPE,
        current_payload: current_payload::<OrderState>,
        events: &[
            EventEntry { event_type: "OrderPlaced", versions: &[1, 2] },
            EventEntry { event_type: "OrderPaid", versions: &[1, 2] },
            v1("OrderShipped"),
            v1("ShipmentProgressed"),
            v1("OrderDelivered"),
            v1("OrderCompleted"),
            v1("OrderCancelled"),
            v1("OrderExpired"),
            v1("ReturnRequested"),
            v1("RefundGranted"),
            v1("DisputeOpened"),
            v1("DisputeResolved"),
        ],
    },
    AggregateEntry {
        stream_type: EscrowState::STREAM_TYPE,
        current_payload: current_payload::<EscrowState>,
        events: &[v1("EscrowHeld"), v1("EscrowFrozen"), v1("EscrowReleased"), v1("EscrowRefunded")],
    },
    AggregateEntry {
        stream_type: FavouriteState::STREAM_TYPE,
        current_payload: current_payload::<FavouriteState>,
        events: &[
            EventEntry { event_type: "ListingFavourited", versions: &[1, 2] },
            v1("ListingUnfavourited"),
        ],
    },
    AggregateEntry {
        stream_type: SettlementState::STREAM_TYPE,
        current_payload: current_payload::<SettlementState>,
        events: &[v1("SettlementScheduled")],
    },
    AggregateEntry {
        stream_type: CartState::STREAM_TYPE,
        current_payload: current_payload::<CartState>,
        events: &[v1("CartItemAdded"), v1("CartItemRemoved"), v1("CartCheckedOut")],
    },
    AggregateEntry {
        stream_type: CheckoutState::STREAM_TYPE,
        current_payload: current_payload::<CheckoutState>,
        events: &[v1("CheckoutStarted"), v1("CheckoutCompleted"), v1("CheckoutFailed")],
    },
    AggregateEntry {
        stream_type: CategoryTreeState::STREAM_TYPE,
        current_payload: current_payload::<CategoryTreeState>,
        events: &[v1("CategoryCreated"), v1("CategoryRenamed"), v1("CategoryMoved"), v1("CategoryRetired")],
    },
    AggregateEntry {
        stream_type: TradeReviewsState::STREAM_TYPE,
        current_payload: current_payload::<TradeReviewsState>,
        events: &[v1("TradeReviewWritten"), v1("TradeReviewReplied")],
    },
];

/// Every stream type, in registry order.
pub fn stream_types() -> Vec<&'static str> {
    AGGREGATES.iter().map(|aggregate| aggregate.stream_type).collect()
}

/// The entry of the aggregate stored under `stream_type`, if registered.
pub fn aggregate(stream_type: &str) -> Option<&'static AggregateEntry> {
    AGGREGATES.iter().find(|aggregate| aggregate.stream_type == stream_type)
}

/// The entry of `event_type` stored in streams of `stream_type`, if registered.
pub fn event(stream_type: &str, event_type: &str) -> Option<&'static EventEntry> {
    aggregate(stream_type)?.events.iter().find(|entry| entry.event_type == event_type)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_stream_type_and_event_type_is_registered_once() {
        let mut streams = HashSet::new();
        let mut events = HashSet::new();
        for aggregate in AGGREGATES {
            assert!(streams.insert(aggregate.stream_type), "{} twice", aggregate.stream_type);
            for entry in aggregate.events {
                assert!(events.insert(entry.event_type), "{} twice", entry.event_type);
                assert!(entry.versions.windows(2).all(|pair| pair[0] < pair[1]), "{entry:?}");
            }
        }
        assert_eq!(events.len(), 59);
    }
}
