//! The Escrow aggregate: the buyer's money, held by Jangteo until the trade ends.
//!
//! ```text
//! Held --release--> Released (paid out to the seller)
//!   +---refund----> Refunded (paid back to the buyer)
//! ```
//! Money is conserved: whatever is held leaves exactly once, to exactly one side.

use serde::{Deserialize, Serialize};

use crate::{AccountId, Aggregate, DomainError, DomainEvent, EscrowId, Kind, Money, OrderId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscrowStatus {
    Held,
    Released,
    Refunded,
}

impl EscrowStatus {
    pub fn name(self) -> &'static str {
        match self {
            EscrowStatus::Held => "held",
            EscrowStatus::Released => "released",
            EscrowStatus::Refunded => "refunded",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Escrow {
    pub escrow_id: EscrowId,
    pub order_id: OrderId,
    pub buyer_id: AccountId,
    pub seller_id: AccountId,
    pub amount: Money,
    pub status: EscrowStatus,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "escrow", rename_all = "snake_case")]
pub enum EscrowState {
    #[default]
    Absent,
    Present(Escrow),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EscrowCommand {
    Hold {
        escrow_id: EscrowId,
        order_id: OrderId,
        buyer_id: AccountId,
        seller_id: AccountId,
        amount: Money,
    },
    /// Pays the held amount out to the seller (the order completed).
    Release,
    /// Pays the held amount back to the buyer (the order was cancelled after payment).
    Refund,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
pub enum EscrowEvent {
    EscrowHeld {
        escrow_id: EscrowId,
        order_id: OrderId,
        buyer_id: AccountId,
        seller_id: AccountId,
        amount: Money,
    },
    EscrowReleased {
        order_id: OrderId,
        seller_id: AccountId,
        amount: Money,
    },
    EscrowRefunded {
        order_id: OrderId,
        buyer_id: AccountId,
        amount: Money,
    },
}

impl DomainEvent for EscrowEvent {
    fn event_type(&self) -> &'static str {
        match self {
            EscrowEvent::EscrowHeld { .. } => "EscrowHeld",
            EscrowEvent::EscrowReleased { .. } => "EscrowReleased",
            EscrowEvent::EscrowRefunded { .. } => "EscrowRefunded",
        }
    }
}

impl Aggregate for EscrowState {
    type Command = EscrowCommand;
    type Event = EscrowEvent;

    const STREAM_TYPE: &'static str = "escrow";

    fn decide(&self, command: EscrowCommand) -> Result<Vec<EscrowEvent>, DomainError> {
        match (self, command) {
            (
                EscrowState::Absent,
                EscrowCommand::Hold { escrow_id, order_id, buyer_id, seller_id, amount },
            ) => Ok(vec![EscrowEvent::EscrowHeld { escrow_id, order_id, buyer_id, seller_id, amount }]),
            (EscrowState::Present(_), EscrowCommand::Hold { .. }) => {
                Err(DomainError::AlreadyExists(Kind::Escrow))
            }
            (EscrowState::Absent, _) => Err(DomainError::NotFound(Kind::Escrow)),
            (EscrowState::Present(escrow), EscrowCommand::Release) => match escrow.status {
                EscrowStatus::Held => Ok(vec![EscrowEvent::EscrowReleased {
                    order_id: escrow.order_id,
                    seller_id: escrow.seller_id,
                    amount: escrow.amount,
                }]),
                status => Err(DomainError::InvalidTransition {
                    kind: Kind::Escrow,
                    action: "release",
                    status: status.name(),
                }),
            },
            (EscrowState::Present(escrow), EscrowCommand::Refund) => match escrow.status {
                EscrowStatus::Held => Ok(vec![EscrowEvent::EscrowRefunded {
                    order_id: escrow.order_id,
                    buyer_id: escrow.buyer_id,
                    amount: escrow.amount,
                }]),
                status => Err(DomainError::InvalidTransition {
                    kind: Kind::Escrow,
                    action: "refund",
                    status: status.name(),
                }),
            },
        }
    }

    fn evolve(self, event: &EscrowEvent) -> Self {
        match (self, event) {
            (_, EscrowEvent::EscrowHeld { escrow_id, order_id, buyer_id, seller_id, amount }) => {
                EscrowState::Present(Escrow {
                    escrow_id: *escrow_id,
                    order_id: *order_id,
                    buyer_id: *buyer_id,
                    seller_id: *seller_id,
                    amount: *amount,
                    status: EscrowStatus::Held,
                })
            }
            (EscrowState::Absent, _) => EscrowState::Absent,
            (EscrowState::Present(mut escrow), EscrowEvent::EscrowReleased { .. }) => {
                escrow.status = EscrowStatus::Released;
                EscrowState::Present(escrow)
            }
            (EscrowState::Present(mut escrow), EscrowEvent::EscrowRefunded { .. }) => {
                escrow.status = EscrowStatus::Refunded;
                EscrowState::Present(escrow)
            }
        }
    }
}
