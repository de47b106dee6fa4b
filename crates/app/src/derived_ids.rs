//! Ids that Jangteo derives from their cause, so that doing a thing twice is doing it once: the
//! process manager's reactions, the checkout saga's steps, and the shipment tracker's records.
//!
//! Each id is a UUIDv5 of a namespace and a seed; the names below are part of the seeds, and so of
//! the command ids stored in the log. Renaming one would give a replayed cause a new command id,
//! and its command would be issued a second time. The names are therefore enums with their seed
//! spelled out, and a test pins the ids they give today.

use jangteo_domain::{ListingId, order::ShipmentStage};
use uuid::Uuid;

/// Namespace of the command ids the trade process manager derives (a fixed random UUID).
const REACTION_NAMESPACE: Uuid = Uuid::from_u128(0x9c1d_5e2b_7f40_4a8e_b3c6_0d9a_e1f2_4b57);

/// Namespace of the ids a checkout derives (a fixed random UUID).
const CHECKOUT_NAMESPACE: Uuid = Uuid::from_u128(0xc4ec_0a7e_52b1_4d8f_a1e3_6b9c_2f70_d815);

/// Namespace of the command ids of courier progress (a fixed random UUID).
const DELIVERY_NAMESPACE: Uuid = Uuid::from_u128(0x8e21_4d7a_c3b9_4f15_a0d6_6b2e_9f83_1c47);

/// What the trade process manager does in reaction to an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reaction {
    SettlementScheduled,
    EscrowReleased,
    EscrowRefunded,
    EscrowSettled,
    ListingSold(ListingId),
    ListingReleased(ListingId),
}

impl Reaction {
    /// The reaction's name in logs and in its command id's seed.
    fn seed(self) -> String {
        match self {
            Reaction::SettlementScheduled => "settlement_scheduled".to_owned(),
            Reaction::EscrowReleased => "escrow_released".to_owned(),
            Reaction::EscrowRefunded => "escrow_refunded".to_owned(),
            Reaction::EscrowSettled => "escrow_settled".to_owned(),
            Reaction::ListingSold(listing_id) => format!("listing_sold:{listing_id}"),
            Reaction::ListingReleased(listing_id) => format!("listing_released:{listing_id}"),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Reaction::SettlementScheduled => "settlement_scheduled",
            Reaction::EscrowReleased => "escrow_released",
            Reaction::EscrowRefunded => "escrow_refunded",
            Reaction::EscrowSettled => "escrow_settled",
            Reaction::ListingSold(_) => "listing_sold",
            Reaction::ListingReleased(_) => "listing_released",
        }
    }

    /// The command id of this reaction to the event `cause`.
    pub fn command_id(self, cause: Uuid) -> Uuid {
        let mut seed = cause.as_bytes().to_vec();
        seed.extend_from_slice(self.seed().as_bytes());
        Uuid::new_v5(&REACTION_NAMESPACE, &seed)
    }
}

/// One step of a checkout saga, with what it is about (a seller, an order), if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CheckoutStep {
    /// The checkout's own id, from the request's command id.
    Checkout,
    /// The order id of one seller's group.
    Order {
        seller: Uuid,
    },
    /// The command placing a group's order.
    Place {
        order: Uuid,
    },
    /// The command cancelling a group's order in compensation.
    Cancel {
        order: Uuid,
    },
    Fail,
    Complete,
}

impl CheckoutStep {
    /// The id of this step of the checkout (or request) `parent`.
    pub fn id(self, parent: Uuid) -> Uuid {
        let (step, member) = match self {
            CheckoutStep::Checkout => ("checkout", Uuid::nil()),
            CheckoutStep::Order { seller } => ("order", seller),
            CheckoutStep::Place { order } => ("place", order),
            CheckoutStep::Cancel { order } => ("cancel", order),
            CheckoutStep::Fail => ("fail", Uuid::nil()),
            CheckoutStep::Complete => ("complete", Uuid::nil()),
        };
        let mut seed = parent.as_bytes().to_vec();
        seed.extend_from_slice(step.as_bytes());
        seed.extend_from_slice(member.as_bytes());
        Uuid::new_v5(&CHECKOUT_NAMESPACE, &seed)
    }
}

/// The command id recording that the parcel of the shipment event `shipped_by` reached `stage`.
pub(crate) fn transit_command_id(shipped_by: Uuid, stage: ShipmentStage) -> Uuid {
    let name = match stage {
        ShipmentStage::PickedUp => "PickedUp",
        ShipmentStage::InTransit => "InTransit",
        ShipmentStage::OutForDelivery => "OutForDelivery",
    };
    let mut seed = shipped_by.as_bytes().to_vec();
    seed.extend_from_slice(name.as_bytes());
    Uuid::new_v5(&DELIVERY_NAMESPACE, &seed)
}

/// The command id recording the delivery of the parcel of the shipment event `shipped_by`.
pub(crate) fn delivery_command_id(shipped_by: Uuid) -> Uuid {
    Uuid::new_v5(&DELIVERY_NAMESPACE, shipped_by.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAUSE: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001);
    const OTHER: Uuid = Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0002);

    fn pinned(id: Uuid, expected: &str) {
        assert_eq!(id.to_string(), expected, "a derived id changed: replays would issue its command again");
    }

    /// The ids as they are stored in logs written so far. Never update these values: make the
    /// code give them again.
    #[test]
    fn derived_ids_are_what_the_log_holds() {
        let listing = ListingId::from_uuid(OTHER);
        pinned(Reaction::SettlementScheduled.command_id(CAUSE), "26a4dbf3-bf56-5007-9646-3cbf0b0eb53f");
        pinned(Reaction::EscrowReleased.command_id(CAUSE), "3e764b14-cd7b-5d0e-8260-baf4625da046");
        pinned(Reaction::EscrowRefunded.command_id(CAUSE), "f78bcd0e-0394-54bc-a6dc-e366cb0a1bb3");
        pinned(Reaction::EscrowSettled.command_id(CAUSE), "749b2422-13b5-5852-957a-c259cba71d68");
        pinned(Reaction::ListingSold(listing).command_id(CAUSE), "298cd4d7-426b-5fe5-aa3f-dea2baa73be6");
        pinned(Reaction::ListingReleased(listing).command_id(CAUSE), "98f08da0-51f4-5595-a038-04103064eb1a");
        pinned(CheckoutStep::Checkout.id(CAUSE), "0b232ecd-581d-5950-b013-170a4da146f5");
        pinned(CheckoutStep::Order { seller: OTHER }.id(CAUSE), "a2cefded-8c64-541c-ba24-45560924171d");
        pinned(CheckoutStep::Place { order: OTHER }.id(CAUSE), "03e93f5b-eb72-5922-a618-2fb4056d9d4a");
        pinned(CheckoutStep::Cancel { order: OTHER }.id(CAUSE), "6bb4b984-a58c-59ba-8592-ba9fba441465");
        pinned(CheckoutStep::Fail.id(CAUSE), "6ed40ccf-7409-5cd7-b7da-37512e9bdbc7");
        pinned(CheckoutStep::Complete.id(CAUSE), "d64f5bdb-78c6-5896-a427-8fe888ebdf33");
        pinned(transit_command_id(CAUSE, ShipmentStage::PickedUp), "6b65287b-3827-5724-8fb5-89debd68f686");
        pinned(transit_command_id(CAUSE, ShipmentStage::InTransit), "a3c37d26-f24e-5342-acc3-1e2ce4934353");
        pinned(
            transit_command_id(CAUSE, ShipmentStage::OutForDelivery),
            "08f87795-0992-50ae-8133-0a84b6c8bb61",
        );
        pinned(delivery_command_id(CAUSE), "ddcc6218-661b-5d69-a67a-4809dfe50df6");
    }
}
