//! Escrow: held → released | refunded, exactly once; and money is conserved.

use jangteo_domain::{
    Aggregate, DomainError, Kind,
    escrow::{EscrowCommand as C, EscrowEvent as E, EscrowState},
};

use crate::{
    fixtures::{BUYER, ESCROW, ORDER, SELLER, won},
    support::{Case, run},
};

fn hold() -> C {
    C::Hold { escrow_id: ESCROW, order_id: ORDER, buyer_id: BUYER, seller_id: SELLER, amount: won(50_000) }
}

fn held() -> E {
    E::EscrowHeld {
        escrow_id: ESCROW,
        order_id: ORDER,
        buyer_id: BUYER,
        seller_id: SELLER,
        amount: won(50_000),
    }
}

fn released() -> E {
    E::EscrowReleased { order_id: ORDER, seller_id: SELLER, amount: won(50_000) }
}

fn refunded() -> E {
    E::EscrowRefunded { order_id: ORDER, buyer_id: BUYER, amount: won(50_000) }
}

fn frozen() -> E {
    E::EscrowFrozen { order_id: ORDER }
}

fn settle(refund: i64) -> C {
    C::Settle { refund: won(refund) }
}

fn refunded_part(amount: i64) -> E {
    E::EscrowRefunded { order_id: ORDER, buyer_id: BUYER, amount: won(amount) }
}

fn released_part(amount: i64) -> E {
    E::EscrowReleased { order_id: ORDER, seller_id: SELLER, amount: won(amount) }
}

fn refused(action: &'static str, status: &'static str) -> Result<Vec<E>, DomainError> {
    Err(DomainError::InvalidTransition { kind: Kind::Escrow, action, status })
}

#[test]
fn escrow_decisions() {
    run::<EscrowState>(vec![
        Case { name: "hold", given: vec![], when: hold(), then: Ok(vec![held()]) },
        Case {
            name: "hold twice",
            given: vec![held()],
            when: hold(),
            then: Err(DomainError::AlreadyExists(Kind::Escrow)),
        },
        Case {
            name: "release absent",
            given: vec![],
            when: C::Release,
            then: Err(DomainError::NotFound(Kind::Escrow)),
        },
        Case {
            name: "refund absent",
            given: vec![],
            when: C::Refund,
            then: Err(DomainError::NotFound(Kind::Escrow)),
        },
        Case { name: "release", given: vec![held()], when: C::Release, then: Ok(vec![released()]) },
        Case { name: "refund", given: vec![held()], when: C::Refund, then: Ok(vec![refunded()]) },
        Case {
            name: "release twice",
            given: vec![held(), released()],
            when: C::Release,
            then: refused("release", "released"),
        },
        Case {
            name: "refund after release",
            given: vec![held(), released()],
            when: C::Refund,
            then: refused("refund", "released"),
        },
        Case {
            name: "release after refund",
            given: vec![held(), refunded()],
            when: C::Release,
            then: refused("release", "refunded"),
        },
        Case {
            name: "refund twice",
            given: vec![held(), refunded()],
            when: C::Refund,
            then: refused("refund", "refunded"),
        },
        Case { name: "freeze for a dispute", given: vec![held()], when: C::Freeze, then: Ok(vec![frozen()]) },
        Case {
            name: "freeze again: nothing new",
            given: vec![held(), frozen()],
            when: C::Freeze,
            then: Ok(vec![]),
        },
        Case {
            name: "freeze absent",
            given: vec![],
            when: C::Freeze,
            then: Err(DomainError::NotFound(Kind::Escrow)),
        },
        Case {
            name: "freeze after release",
            given: vec![held(), released()],
            when: C::Freeze,
            then: refused("freeze", "released"),
        },
        Case {
            name: "release while frozen",
            given: vec![held(), frozen()],
            when: C::Release,
            then: refused("release", "frozen"),
        },
        Case {
            name: "refund while frozen",
            given: vec![held(), frozen()],
            when: C::Refund,
            then: refused("refund", "frozen"),
        },
        Case {
            name: "settle frozen: split",
            given: vec![held(), frozen()],
            when: settle(20_000),
            then: Ok(vec![refunded_part(20_000), released_part(30_000)]),
        },
        Case {
            name: "settle frozen: all to the buyer",
            given: vec![held(), frozen()],
            when: settle(50_000),
            then: Ok(vec![refunded()]),
        },
        Case {
            name: "settle frozen: all to the seller",
            given: vec![held(), frozen()],
            when: settle(0),
            then: Ok(vec![released()]),
        },
        Case {
            name: "settle held: partial refund of a return",
            given: vec![held()],
            when: settle(5_000),
            then: Ok(vec![refunded_part(5_000), released_part(45_000)]),
        },
        Case {
            name: "settle more than held",
            given: vec![held(), frozen()],
            when: settle(50_001),
            then: Err(
                jangteo_domain::ValidationError::new("refund", "must not exceed the amount held").into()
            ),
        },
        Case {
            name: "settle twice",
            given: vec![held(), refunded_part(20_000), released_part(30_000)],
            when: settle(0),
            then: refused("settle", "split"),
        },
        Case {
            name: "release after a split",
            given: vec![held(), refunded_part(20_000), released_part(30_000)],
            when: C::Release,
            then: refused("release", "split"),
        },
        Case {
            name: "settle absent",
            given: vec![],
            when: settle(0),
            then: Err(DomainError::NotFound(Kind::Escrow)),
        },
    ]);
}

/// Explores every command sequence (up to four commands) from an empty escrow and checks that
/// whatever the decider accepts, the money that leaves is at most the money held, and once it has
/// left (all of it, to one side or split) nothing more leaves.
#[test]
fn money_is_conserved_on_every_path() {
    let commands = || [hold(), C::Release, C::Refund, C::Freeze, settle(0), settle(20_000), settle(50_000)];
    let mut paths: Vec<Vec<E>> = vec![vec![]];
    for _ in 0..5 {
        let mut next = Vec::new();
        for path in &paths {
            for command in commands() {
                let mut extended = path.clone();
                if let Ok(events) = EscrowState::replay(path).decide(command) {
                    extended.extend(events);
                }
                next.push(extended);
            }
        }
        paths = next;
    }
    for path in paths {
        let (mut held_total, mut out_total) = (0, 0);
        for event in &path {
            match event {
                E::EscrowHeld { amount, .. } => held_total += amount.as_won(),
                E::EscrowReleased { amount, .. } | E::EscrowRefunded { amount, .. } => {
                    out_total += amount.as_won();
                }
                E::EscrowFrozen { .. } => {}
            }
        }
        assert!(out_total <= held_total, "more paid out than held: {path:?}");
        assert!(out_total == 0 || out_total == held_total, "money left in part only: {path:?}");
    }
}
