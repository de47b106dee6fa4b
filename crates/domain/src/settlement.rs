//! The Settlement aggregate: what the seller is paid for one escrow release, and when (the PRD's
//! 정산 data). The marketplace keeps its fee; the rest is paid out on the payout date.
//!
//! ```text
//! (absent) --schedule--> Scheduled
//! ```
//! Paying out is a bank transfer outside Jangteo; its record arrives with the payout service.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{AccountId, Aggregate, DomainError, DomainEvent, FeeRate, Kind, Money, OrderId, SettlementId};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settlement {
    pub settlement_id: SettlementId,
    pub order_id: OrderId,
    pub seller_id: AccountId,
    /// Released from escrow to the seller.
    pub gross: Money,
    /// Kept by the marketplace.
    pub fee: Money,
    /// Paid out: `gross - fee`.
    pub payout: Money,
    pub payout_on: NaiveDate,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "settlement", rename_all = "snake_case")]
pub enum SettlementState {
    #[default]
    Absent,
    Scheduled(Settlement),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettlementCommand {
    /// Schedules the payout of `gross` to the seller, less the fee at `fee_rate`, on `payout_on`.
    Schedule {
        settlement_id: SettlementId,
        order_id: OrderId,
        seller_id: AccountId,
        gross: Money,
        fee_rate: FeeRate,
        payout_on: NaiveDate,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
pub enum SettlementEvent {
    SettlementScheduled {
        settlement_id: SettlementId,
        order_id: OrderId,
        seller_id: AccountId,
        gross: Money,
        fee: Money,
        payout: Money,
        payout_on: NaiveDate,
    },
}

impl DomainEvent for SettlementEvent {
    fn event_type(&self) -> &'static str {
        match self {
            SettlementEvent::SettlementScheduled { .. } => "SettlementScheduled",
        }
    }
}

impl Aggregate for SettlementState {
    type Command = SettlementCommand;
    type Event = SettlementEvent;

    const STREAM_TYPE: &'static str = "settlement";

    fn decide(&self, command: SettlementCommand) -> Result<Vec<SettlementEvent>, DomainError> {
        match (self, command) {
            (
                SettlementState::Absent,
                SettlementCommand::Schedule {
                    settlement_id,
                    order_id,
                    seller_id,
                    gross,
                    fee_rate,
                    payout_on,
                },
            ) => {
                let fee = fee_rate.fee_on(gross);
                // The fee is at most the gross (a rate is at most 100 %).
                let payout = gross.checked_sub(fee).unwrap_or(Money::ZERO);
                Ok(vec![SettlementEvent::SettlementScheduled {
                    settlement_id,
                    order_id,
                    seller_id,
                    gross,
                    fee,
                    payout,
                    payout_on,
                }])
            }
            (SettlementState::Scheduled(_), SettlementCommand::Schedule { .. }) => {
                Err(DomainError::AlreadyExists(Kind::Settlement))
            }
        }
    }

    fn evolve(self, event: &SettlementEvent) -> Self {
        match event {
            SettlementEvent::SettlementScheduled {
                settlement_id,
                order_id,
                seller_id,
                gross,
                fee,
                payout,
                payout_on,
            } => SettlementState::Scheduled(Settlement {
                settlement_id: *settlement_id,
                order_id: *order_id,
                seller_id: *seller_id,
                gross: *gross,
                fee: *fee,
                payout: *payout,
                payout_on: *payout_on,
            }),
        }
    }
}
