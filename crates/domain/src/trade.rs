//! What each order event means for the order's listings and its escrow: the one table of a
//! trade's follow-ups. The application carries them out (some in the order's own append, the rest
//! through the process manager), and the money-conservation property runs this same table, so the
//! rule that moves the money is written once.
//!
//! | order event                               | listings        | escrow                 |
//! |-------------------------------------------|-----------------|------------------------|
//! | `OrderPaid`                               | —               | hold the price         |
//! | `DisputeOpened`                           | —               | freeze                 |
//! | `OrderCompleted`                          | sold            | release to the seller  |
//! | `OrderCancelled` / `OrderExpired`         | back on sale    | refund, if paid        |
//! | `RefundGranted` / `DisputeResolved`       | sold, or back on sale if all went back | settle |
//!
//! Holding and freezing go into the order's own append (the client hears at once that the money
//! is held; no release can slip in before a freeze). The rest follow the order's commit.

use crate::{
    Money,
    escrow::EscrowCommand,
    order::{Order, OrderEvent},
};

/// What becomes of an order's listings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingOutcome {
    Sold,
    BackOnSale,
}

/// The follow-ups of one order event.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FollowUp {
    pub listings: Option<ListingOutcome>,
    pub escrow: Option<EscrowCommand>,
}

impl FollowUp {
    /// The money the payment gateway must give back to the buyer before the escrow command runs.
    pub fn gateway_refund(&self, order: &Order) -> Option<Refund> {
        match &self.escrow {
            Some(EscrowCommand::Refund) => Some(Refund::All),
            Some(EscrowCommand::Settle { refund }) if *refund == order.price => Some(Refund::All),
            Some(EscrowCommand::Settle { refund }) if *refund > Money::ZERO => Some(Refund::Part(*refund)),
            _ => None,
        }
    }

    /// Whether the escrow command pays the seller something, so that an escrow PG may settle
    /// with the seller.
    pub fn pays_seller(&self, order: &Order) -> bool {
        match &self.escrow {
            Some(EscrowCommand::Release) => true,
            Some(EscrowCommand::Settle { refund }) => *refund < order.price,
            _ => false,
        }
    }
}

/// Money going back to the buyer through the gateway.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refund {
    /// The whole payment.
    All,
    /// This much of it, less than the whole.
    Part(Money),
}

/// Whether `event` has follow-ups that come after the order's commit (the process manager's):
/// the ending of a trade. Holding and freezing go into the order's own append.
pub fn follows_the_commit(event: &OrderEvent) -> bool {
    matches!(
        event,
        OrderEvent::OrderCompleted {}
            | OrderEvent::OrderCancelled { .. }
            | OrderEvent::OrderExpired { .. }
            | OrderEvent::RefundGranted { .. }
            | OrderEvent::DisputeResolved { .. }
    )
}

/// The follow-ups of `event`, given the order as it is after it (its price, escrow and parties
/// are fixed once paid).
pub fn follow_up(order: &Order, event: &OrderEvent) -> FollowUp {
    let escrow_id = order.escrow_id;
    match event {
        OrderEvent::OrderPaid { escrow_id, amount, .. } => FollowUp {
            listings: None,
            escrow: Some(EscrowCommand::Hold {
                escrow_id: *escrow_id,
                order_id: order.order_id,
                buyer_id: order.buyer_id,
                seller_id: order.seller_id,
                amount: *amount,
            }),
        },
        OrderEvent::DisputeOpened { .. } => {
            FollowUp { listings: None, escrow: escrow_id.map(|_| EscrowCommand::Freeze) }
        }
        OrderEvent::OrderCompleted {} => FollowUp {
            listings: Some(ListingOutcome::Sold),
            escrow: escrow_id.map(|_| EscrowCommand::Release),
        },
        OrderEvent::OrderCancelled { refund_due, .. } | OrderEvent::OrderExpired { refund_due, .. } => {
            FollowUp {
                listings: Some(ListingOutcome::BackOnSale),
                escrow: escrow_id.filter(|_| *refund_due).map(|_| EscrowCommand::Refund),
            }
        }
        other => match other.settlement_refund(order.price) {
            Some(refund) => FollowUp {
                listings: Some(if refund == order.price {
                    ListingOutcome::BackOnSale
                } else {
                    ListingOutcome::Sold
                }),
                escrow: escrow_id.map(|_| EscrowCommand::Settle { refund }),
            },
            None => FollowUp::default(),
        },
    }
}
