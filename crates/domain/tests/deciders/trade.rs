//! The trade table: what each order event asks of the order's listings and escrow.

use jangteo_domain::{
    DisputeReason, DisputeResolution, PaymentMethod,
    escrow::EscrowCommand,
    order::{Order, OrderDeadline, OrderEvent, OrderItem, OrderStatus},
    trade::{FollowUp, ListingOutcome, Refund, follow_up, follows_the_commit},
};

use crate::fixtures::{BUYER, ESCROW, LISTING, ORDER, SELLER, reason, won};

fn order(paid: bool) -> Order {
    Order {
        order_id: ORDER,
        items: vec![OrderItem { listing_id: LISTING, price: won(9_000), units: 1 }],
        buyer_id: BUYER,
        seller_id: SELLER,
        shipping_fee: won(1_000),
        price: won(10_000),
        status: OrderStatus::Placed,
        escrow_id: paid.then_some(ESCROW),
        payment: None,
        shipment: None,
    }
}

fn settled(refund: i64) -> OrderEvent {
    OrderEvent::DisputeResolved {
        resolved_by: SELLER,
        resolution: DisputeResolution::Split { refund: won(refund) },
    }
}

#[test]
fn each_order_event_has_its_follow_ups() {
    let paid = order(true);
    let unpaid = order(false);
    let cases: Vec<(&str, &Order, OrderEvent, FollowUp)> = vec![
        (
            "paying holds the amount paid",
            &paid,
            OrderEvent::OrderPaid {
                escrow_id: ESCROW,
                method: PaymentMethod::Card,
                amount: won(10_000),
                payment: None,
            },
            FollowUp {
                listings: None,
                escrow: Some(EscrowCommand::Hold {
                    escrow_id: ESCROW,
                    order_id: ORDER,
                    buyer_id: BUYER,
                    seller_id: SELLER,
                    amount: won(10_000),
                }),
            },
        ),
        (
            "a dispute freezes the escrow",
            &paid,
            OrderEvent::DisputeOpened { opened_by: BUYER, reason: DisputeReason::parse("고장").unwrap() },
            FollowUp { listings: None, escrow: Some(EscrowCommand::Freeze) },
        ),
        (
            "completion sells and releases",
            &paid,
            OrderEvent::OrderCompleted {},
            FollowUp { listings: Some(ListingOutcome::Sold), escrow: Some(EscrowCommand::Release) },
        ),
        (
            "a paid cancellation refunds",
            &paid,
            OrderEvent::OrderCancelled { cancelled_by: BUYER, reason: reason(), refund_due: true },
            FollowUp { listings: Some(ListingOutcome::BackOnSale), escrow: Some(EscrowCommand::Refund) },
        ),
        (
            "an unpaid expiry only frees the listing",
            &unpaid,
            OrderEvent::OrderExpired { deadline: OrderDeadline::Payment, refund_due: false },
            FollowUp { listings: Some(ListingOutcome::BackOnSale), escrow: None },
        ),
        (
            "a full refund puts the listing back on sale",
            &paid,
            OrderEvent::RefundGranted { granted_by: SELLER, amount: won(10_000) },
            FollowUp {
                listings: Some(ListingOutcome::BackOnSale),
                escrow: Some(EscrowCommand::Settle { refund: won(10_000) }),
            },
        ),
        (
            "a split keeps the listing sold",
            &paid,
            settled(4_000),
            FollowUp {
                listings: Some(ListingOutcome::Sold),
                escrow: Some(EscrowCommand::Settle { refund: won(4_000) }),
            },
        ),
        (
            "shipping asks nothing of listings or escrow",
            &paid,
            OrderEvent::OrderDelivered {},
            FollowUp::default(),
        ),
    ];
    for (name, order, event, expected) in cases {
        let in_the_append =
            matches!(expected.escrow, Some(EscrowCommand::Hold { .. } | EscrowCommand::Freeze));
        let after_the_commit = expected.listings.is_some() || (expected.escrow.is_some() && !in_the_append);
        assert_eq!(follows_the_commit(&event), after_the_commit, "{name}");
        assert_eq!(follow_up(order, &event), expected, "{name}");
    }
}

#[test]
fn the_gateway_gives_back_what_the_escrow_returns_and_the_seller_is_paid_the_rest() {
    let paid = order(true);
    let of = |event: OrderEvent| follow_up(&paid, &event);
    let completed = of(OrderEvent::OrderCompleted {});
    assert_eq!(completed.gateway_refund(&paid), None);
    assert!(completed.pays_seller(&paid));

    let cancelled =
        of(OrderEvent::OrderCancelled { cancelled_by: BUYER, reason: reason(), refund_due: true });
    assert_eq!(cancelled.gateway_refund(&paid), Some(Refund::All));
    assert!(!cancelled.pays_seller(&paid));

    assert_eq!(of(settled(10_000)).gateway_refund(&paid), Some(Refund::All));
    assert!(!of(settled(10_000)).pays_seller(&paid));
    assert_eq!(of(settled(4_000)).gateway_refund(&paid), Some(Refund::Part(won(4_000))));
    assert!(of(settled(4_000)).pays_seller(&paid));
    assert_eq!(of(settled(0)).gateway_refund(&paid), None);
    assert!(of(settled(0)).pays_seller(&paid));
}
