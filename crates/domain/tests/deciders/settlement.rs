//! Settlement: one payout per escrow release, the fee kept and rounded down.

use chrono::NaiveDate;
use jangteo_domain::{
    DomainError, EscrowId, FeeRate, Kind, SettlementId,
    settlement::{SettlementCommand as C, SettlementEvent as E, SettlementState},
};

use crate::{
    fixtures::{ESCROW, ORDER, SELLER, won},
    support::{Case, run},
};

fn payout_on() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 27).unwrap()
}

fn schedule(gross: i64, basis_points: u16) -> C {
    C::Schedule {
        settlement_id: SettlementId::of(ESCROW),
        order_id: ORDER,
        seller_id: SELLER,
        gross: won(gross),
        fee_rate: FeeRate::basis_points(basis_points).unwrap(),
        payout_on: payout_on(),
    }
}

fn scheduled(gross: i64, fee: i64) -> E {
    E::SettlementScheduled {
        settlement_id: SettlementId::of(ESCROW),
        order_id: ORDER,
        seller_id: SELLER,
        gross: won(gross),
        fee: won(fee),
        payout: won(gross - fee),
        payout_on: payout_on(),
    }
}

#[test]
fn settlement_decisions() {
    run::<SettlementState>(vec![
        Case {
            name: "schedule at 3.5 %",
            given: vec![],
            when: schedule(50_000, 350),
            then: Ok(vec![scheduled(50_000, 1_750)]),
        },
        Case {
            name: "the fee rounds down",
            given: vec![],
            when: schedule(999, 350),
            then: Ok(vec![scheduled(999, 34)]),
        },
        Case {
            name: "no fee",
            given: vec![],
            when: schedule(30_000, 0),
            then: Ok(vec![scheduled(30_000, 0)]),
        },
        Case {
            name: "schedule twice",
            given: vec![scheduled(50_000, 1_750)],
            when: schedule(50_000, 350),
            then: Err(DomainError::AlreadyExists(Kind::Settlement)),
        },
    ]);
}

#[test]
fn settlement_ids_follow_the_escrow() {
    let other = EscrowId::from_uuid(uuid::Uuid::from_u128(31));
    assert_eq!(SettlementId::of(ESCROW), SettlementId::of(ESCROW));
    assert_ne!(SettlementId::of(ESCROW), SettlementId::of(other));
}
