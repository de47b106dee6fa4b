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
    ]);
}

/// Explores every command sequence (up to four commands) from an empty escrow and checks that
/// whatever the decider accepts, the money that leaves is at most the money held, and leaves once.
#[test]
fn money_is_conserved_on_every_path() {
    let commands = || [hold(), C::Release, C::Refund];
    let mut paths: Vec<Vec<E>> = vec![vec![]];
    for _ in 0..4 {
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
        let (mut held_total, mut out_total, mut exits) = (0, 0, 0);
        for event in &path {
            match event {
                E::EscrowHeld { amount, .. } => held_total += amount.as_won(),
                E::EscrowReleased { amount, .. } | E::EscrowRefunded { amount, .. } => {
                    out_total += amount.as_won();
                    exits += 1;
                }
            }
        }
        assert!(out_total <= held_total, "more paid out than held: {path:?}");
        assert!(exits <= 1, "money left twice: {path:?}");
    }
}
