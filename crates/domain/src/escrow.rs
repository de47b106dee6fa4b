//! The Escrow aggregate: the buyer's money, held by Jangteo until the trade ends.
//!
//! ```text
//! Held --release--> Released (all paid out to the seller)
//!  |  +--refund---> Refunded (all paid back to the buyer)
//!  |  +--settle---> Released | Refunded | Split (part back to the buyer, the rest to the seller)
//!  +--freeze--> Frozen (a dispute is open) --settle--> Released | Refunded | Split
//! ```
//! Money is conserved: whatever is held leaves exactly once, and every won goes to exactly one
//! side. A frozen escrow moves only by a settlement (the dispute's resolution).

use serde::{Deserialize, Serialize};

use crate::{
    AccountId, Aggregate, DomainError, DomainEvent, EscrowId, Kind, Money, OrderId, ValidationError,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscrowStatus {
    Held,
    /// A dispute is open: nothing leaves until staff resolve it.
    Frozen,
    Released,
    Refunded,
    /// Settled partly to the buyer and partly to the seller.
    Split,
}

impl EscrowStatus {
    pub fn name(self) -> &'static str {
        match self {
            EscrowStatus::Held => "held",
            EscrowStatus::Frozen => "frozen",
            EscrowStatus::Released => "released",
            EscrowStatus::Refunded => "refunded",
            EscrowStatus::Split => "split",
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
    /// Paid back to the buyer so far.
    #[serde(default = "zero")]
    pub refunded: Money,
    /// Paid out to the seller so far.
    #[serde(default = "zero")]
    pub released: Money,
}

fn zero() -> Money {
    Money::ZERO
}

/// The money of an escrow: what it holds, what has left it each way, and the status that
/// follows. The one table of escrow statuses: [`EscrowState::evolve`] and the order documents
/// both take it from [`EscrowBalance::after`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EscrowBalance {
    pub amount: Money,
    pub refunded: Money,
    pub released: Money,
    pub status: EscrowStatus,
}

impl EscrowBalance {
    /// A new escrow holding `amount`.
    pub fn held(amount: Money) -> Self {
        Self { amount, refunded: Money::ZERO, released: Money::ZERO, status: EscrowStatus::Held }
    }

    /// The balance after `event`.
    #[must_use]
    pub fn after(mut self, event: &EscrowEvent) -> Self {
        match event {
            EscrowEvent::EscrowHeld { amount, .. } => return Self::held(*amount),
            EscrowEvent::EscrowFrozen { .. } => self.status = EscrowStatus::Frozen,
            EscrowEvent::EscrowReleased { amount, .. } => {
                self.released = self.released.checked_add(*amount).unwrap_or(self.amount);
            }
            EscrowEvent::EscrowRefunded { amount, .. } => {
                self.refunded = self.refunded.checked_add(*amount).unwrap_or(self.amount);
            }
        }
        self.status = self.status_after_payouts();
        self
    }

    /// The status once `refunded` and `released` account for everything (a settlement's two
    /// events together), or the status so far otherwise.
    fn status_after_payouts(&self) -> EscrowStatus {
        if self.refunded.checked_add(self.released) != Some(self.amount) {
            self.status
        } else if self.released == Money::ZERO {
            EscrowStatus::Refunded
        } else if self.refunded == Money::ZERO {
            EscrowStatus::Released
        } else {
            EscrowStatus::Split
        }
    }
}

impl Escrow {
    pub fn balance(&self) -> EscrowBalance {
        EscrowBalance {
            amount: self.amount,
            refunded: self.refunded,
            released: self.released,
            status: self.status,
        }
    }
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
    /// Stops the money from moving while a dispute is open.
    Freeze,
    /// Ends the escrow with `refund` back to the buyer and the rest to the seller: a granted
    /// return or a dispute's resolution. Allowed held or frozen.
    Settle {
        refund: Money,
    },
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
    /// `amount` paid out to the seller: everything held, or the rest after a partial refund.
    EscrowReleased {
        order_id: OrderId,
        seller_id: AccountId,
        amount: Money,
    },
    /// `amount` paid back to the buyer: everything held, or part of it in a settlement.
    EscrowRefunded {
        order_id: OrderId,
        buyer_id: AccountId,
        amount: Money,
    },
    EscrowFrozen {
        order_id: OrderId,
    },
}

impl DomainEvent for EscrowEvent {
    fn event_type(&self) -> &'static str {
        match self {
            EscrowEvent::EscrowHeld { .. } => "EscrowHeld",
            EscrowEvent::EscrowReleased { .. } => "EscrowReleased",
            EscrowEvent::EscrowRefunded { .. } => "EscrowRefunded",
            EscrowEvent::EscrowFrozen { .. } => "EscrowFrozen",
        }
    }
}

impl EscrowEvent {
    /// The order whose money this is.
    pub fn order_id(&self) -> OrderId {
        match self {
            EscrowEvent::EscrowHeld { order_id, .. }
            | EscrowEvent::EscrowReleased { order_id, .. }
            | EscrowEvent::EscrowRefunded { order_id, .. }
            | EscrowEvent::EscrowFrozen { order_id } => *order_id,
        }
    }
}

fn refused(action: &'static str, status: EscrowStatus) -> DomainError {
    DomainError::InvalidTransition { kind: Kind::Escrow, action, status: status.name() }
}

impl Escrow {
    fn release_all(&self) -> EscrowEvent {
        EscrowEvent::EscrowReleased {
            order_id: self.order_id,
            seller_id: self.seller_id,
            amount: self.amount,
        }
    }

    fn refund(&self, amount: Money) -> EscrowEvent {
        EscrowEvent::EscrowRefunded { order_id: self.order_id, buyer_id: self.buyer_id, amount }
    }

    fn settle(&self, refund: Money) -> Result<Vec<EscrowEvent>, DomainError> {
        let Some(rest) = self.amount.checked_sub(refund) else {
            return Err(ValidationError::new("refund", "must not exceed the amount held").into());
        };
        let mut events = Vec::new();
        if refund > Money::ZERO {
            events.push(self.refund(refund));
        }
        if rest > Money::ZERO {
            events.push(EscrowEvent::EscrowReleased {
                order_id: self.order_id,
                seller_id: self.seller_id,
                amount: rest,
            });
        }
        Ok(events)
    }
}

impl Aggregate for EscrowState {
    type Command = EscrowCommand;
    type Event = EscrowEvent;

    const STREAM_TYPE: &'static str = "escrow";

    fn decide(&self, command: EscrowCommand) -> Result<Vec<EscrowEvent>, DomainError> {
        let (escrow, command) = match (self, command) {
            (
                EscrowState::Absent,
                EscrowCommand::Hold { escrow_id, order_id, buyer_id, seller_id, amount },
            ) => {
                return Ok(vec![EscrowEvent::EscrowHeld {
                    escrow_id,
                    order_id,
                    buyer_id,
                    seller_id,
                    amount,
                }]);
            }
            (EscrowState::Present(_), EscrowCommand::Hold { .. }) => {
                return Err(DomainError::AlreadyExists(Kind::Escrow));
            }
            (EscrowState::Absent, _) => return Err(DomainError::NotFound(Kind::Escrow)),
            (EscrowState::Present(escrow), command) => (escrow, command),
        };
        match command {
            EscrowCommand::Release => match escrow.status {
                EscrowStatus::Held => Ok(vec![escrow.release_all()]),
                status => Err(refused("release", status)),
            },
            EscrowCommand::Refund => match escrow.status {
                EscrowStatus::Held => Ok(vec![escrow.refund(escrow.amount)]),
                status => Err(refused("refund", status)),
            },
            EscrowCommand::Freeze => match escrow.status {
                EscrowStatus::Held => Ok(vec![EscrowEvent::EscrowFrozen { order_id: escrow.order_id }]),
                // Frozen already (a second dispute on the same order cannot open, but a replayed
                // command must not fail).
                EscrowStatus::Frozen => Ok(Vec::new()),
                status => Err(refused("freeze", status)),
            },
            EscrowCommand::Settle { refund } => match escrow.status {
                EscrowStatus::Held | EscrowStatus::Frozen => escrow.settle(refund),
                status => Err(refused("settle", status)),
            },
            EscrowCommand::Hold { .. } => Err(DomainError::AlreadyExists(Kind::Escrow)),
        }
    }

    fn evolve(self, event: &EscrowEvent) -> Self {
        let mut escrow = match (self, event) {
            (_, EscrowEvent::EscrowHeld { escrow_id, order_id, buyer_id, seller_id, amount }) => {
                return EscrowState::Present(Escrow {
                    escrow_id: *escrow_id,
                    order_id: *order_id,
                    buyer_id: *buyer_id,
                    seller_id: *seller_id,
                    amount: *amount,
                    status: EscrowStatus::Held,
                    refunded: Money::ZERO,
                    released: Money::ZERO,
                });
            }
            (EscrowState::Absent, _) => return EscrowState::Absent,
            (EscrowState::Present(escrow), _) => escrow,
        };
        let balance = escrow.balance().after(event);
        (escrow.amount, escrow.refunded, escrow.released, escrow.status) =
            (balance.amount, balance.refunded, balance.released, balance.status);
        EscrowState::Present(escrow)
    }
}
