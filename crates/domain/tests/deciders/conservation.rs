//! Money conservation over random trades: whatever commands arrive, in whatever order, for
//! several orders at once, the money held in escrow equals what was released, plus what was
//! refunded, plus what is still held, per order and in total; and money leaves an escrow only
//! the way the order ended (released if completed, refunded if cancelled or expired after
//! payment, split by a granted return or a dispute's resolution). The escrow follow-ups come from
//! the domain's trade table (`trade::follow_up`), the one the application carries out.

use jangteo_domain::{
    Aggregate, DisputeReason, DisputeResolution, EscrowId, ListingId, Money, OrderId, ReturnReason,
    escrow::{EscrowEvent, EscrowState, EscrowStatus},
    order::{OrderCommand, OrderDeadline, OrderItem, OrderState, OrderStatus, ReturnPolicy},
    trade,
};
use proptest::prelude::*;
use uuid::Uuid;

use crate::fixtures::{BUYER, CARRIER, SELLER, STRANGER, gateway_payment, reason, tracking};

/// What someone (or a deadline) tries to do to one of the orders.
#[derive(Debug, Clone, Copy)]
enum Step {
    Pay {
        amount_off: bool,
    },
    Ship,
    Confirm,
    Cancel {
        by_seller: bool,
    },
    Expire(OrderDeadline),
    Deliver,
    AutoConfirm,
    StrangerCancels,
    RequestReturn {
        change_of_mind: bool,
        allowed: bool,
    },
    /// The seller refunds this percentage of the price (above 100 is refused).
    AcceptReturn {
        percent: u8,
    },
    OpenDispute {
        by_seller: bool,
    },
    Resolve(Resolution),
}

#[derive(Debug, Clone, Copy)]
enum Resolution {
    RefundBuyer,
    ReleaseSeller,
    Split { percent: u8 },
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        any::<bool>().prop_map(|amount_off| Step::Pay { amount_off }),
        Just(Step::Ship),
        Just(Step::Confirm),
        any::<bool>().prop_map(|by_seller| Step::Cancel { by_seller }),
        Just(Step::Expire(OrderDeadline::Payment)),
        Just(Step::Expire(OrderDeadline::Shipment)),
        Just(Step::Deliver),
        Just(Step::AutoConfirm),
        Just(Step::StrangerCancels),
        (any::<bool>(), any::<bool>())
            .prop_map(|(change_of_mind, allowed)| Step::RequestReturn { change_of_mind, allowed }),
        (0_u8..=110).prop_map(|percent| Step::AcceptReturn { percent }),
        any::<bool>().prop_map(|by_seller| Step::OpenDispute { by_seller }),
        prop_oneof![
            Just(Resolution::RefundBuyer),
            Just(Resolution::ReleaseSeller),
            (0_u8..=100).prop_map(|percent| Resolution::Split { percent }),
        ]
        .prop_map(Step::Resolve),
    ]
}

/// One trade: the order and its escrow, as the log would hold them.
struct Trade {
    order: OrderState,
    escrow: EscrowState,
    escrow_id: EscrowId,
    price: Money,
    held: i64,
    released: i64,
    refunded: i64,
}

impl Trade {
    fn placed(n: u128, price: i64) -> Self {
        let order_id = OrderId::from_uuid(Uuid::from_u128(1_000 + n));
        let price = Money::won(price).unwrap();
        let placed = OrderState::default()
            .decide(OrderCommand::Place {
                order_id,
                buyer_id: BUYER,
                seller_id: SELLER,
                items: vec![OrderItem {
                    listing_id: ListingId::from_uuid(Uuid::from_u128(2_000 + n)),
                    price,
                    units: 1,
                }],
                shipping_fee: Money::ZERO,
            })
            .unwrap();
        Self {
            order: OrderState::replay(&placed),
            escrow: EscrowState::default(),
            escrow_id: EscrowId::from_uuid(Uuid::from_u128(3_000 + n)),
            price,
            held: 0,
            released: 0,
            refunded: 0,
        }
    }

    fn command(&self, step: Step) -> OrderCommand {
        let actor = |by_seller: bool| if by_seller { SELLER } else { BUYER };
        match step {
            Step::Pay { amount_off } => OrderCommand::Pay {
                actor: BUYER,
                escrow_id: self.escrow_id,
                method: jangteo_domain::PaymentMethod::Card,
                amount: if amount_off { Money::won(self.price.as_won() + 1).unwrap() } else { self.price },
                payment: gateway_payment(),
            },
            Step::Ship => OrderCommand::Ship { actor: SELLER, carrier: CARRIER, tracking_number: tracking() },
            Step::Confirm => OrderCommand::ConfirmReceipt { actor: BUYER },
            Step::Cancel { by_seller } => OrderCommand::Cancel { actor: actor(by_seller), reason: reason() },
            Step::Expire(deadline) => OrderCommand::Expire { deadline },
            Step::Deliver => OrderCommand::RecordDelivery,
            Step::AutoConfirm => OrderCommand::AutoConfirm,
            Step::StrangerCancels => OrderCommand::Cancel { actor: STRANGER, reason: reason() },
            Step::RequestReturn { change_of_mind, allowed } => OrderCommand::RequestReturn {
                actor: BUYER,
                reason: if change_of_mind { ReturnReason::ChangedMind } else { ReturnReason::Damaged },
                policy: ReturnPolicy { change_of_mind: allowed },
            },
            Step::AcceptReturn { percent } => {
                OrderCommand::AcceptReturn { actor: SELLER, refund: self.share(percent) }
            }
            Step::OpenDispute { by_seller } => OrderCommand::OpenDispute {
                actor: actor(by_seller),
                reason: DisputeReason::parse("다툼").unwrap(),
            },
            Step::Resolve(resolution) => OrderCommand::ResolveDispute {
                agent: STRANGER,
                resolution: match resolution {
                    Resolution::RefundBuyer => DisputeResolution::RefundBuyer,
                    Resolution::ReleaseSeller => DisputeResolution::ReleaseSeller,
                    Resolution::Split { percent } => DisputeResolution::Split { refund: self.share(percent) },
                },
            },
        }
    }

    /// `percent` of the price, in won (may exceed the price: the domain must refuse it).
    fn share(&self, percent: u8) -> Money {
        Money::won(self.price.as_won() * i64::from(percent) / 100).unwrap()
    }

    /// Applies `step` as the application would: every order event's escrow follow-up from the
    /// domain's trade table (the one the process manager and the order's own appends carry out).
    fn apply(&mut self, step: Step) {
        let Ok(events) = self.order.decide(self.command(step)) else { return };
        self.order = events.iter().fold(self.order.clone(), OrderState::evolve);
        let OrderState::Present(order) = &self.order else { return };
        for event in &events {
            let Some(command) = trade::follow_up(order, event).escrow else { continue };
            let escrow_events =
                self.escrow.decide(command).expect("the trade table's follow-ups are accepted");
            for escrow_event in &escrow_events {
                match escrow_event {
                    EscrowEvent::EscrowHeld { amount, .. } => self.held += amount.as_won(),
                    EscrowEvent::EscrowReleased { amount, .. } => self.released += amount.as_won(),
                    EscrowEvent::EscrowRefunded { amount, .. } => self.refunded += amount.as_won(),
                    EscrowEvent::EscrowFrozen { .. } => {}
                }
            }
            self.escrow = escrow_events.iter().fold(self.escrow.clone(), EscrowState::evolve);
        }
    }

    fn still_held(&self) -> i64 {
        match &self.escrow {
            EscrowState::Present(escrow)
                if matches!(escrow.status, EscrowStatus::Held | EscrowStatus::Frozen) =>
            {
                escrow.amount.as_won()
            }
            _ => 0,
        }
    }

    fn check(&self) {
        assert_eq!(self.held, self.released + self.refunded + self.still_held(), "per order");
        let out = self.released + self.refunded;
        assert!(out == 0 || out == self.held, "money leaves all at once");
        let OrderState::Present(order) = &self.order else { unreachable!() };
        if self.held > 0 {
            assert_eq!(self.held, self.price.as_won(), "held exactly the price");
        }
        match order.status {
            OrderStatus::Completed => {
                assert!(self.released > 0 && out == self.held, "a completed order paid the seller");
            }
            OrderStatus::Refunded => {
                assert!(
                    self.released == 0 && self.refunded == self.held,
                    "a refunded order paid the buyer back"
                );
            }
            OrderStatus::Cancelled => {
                assert_eq!(self.released, 0, "a cancelled order paid the seller nothing");
            }
            OrderStatus::Disputed => {
                assert!(matches!(&self.escrow, EscrowState::Present(e) if e.status == EscrowStatus::Frozen));
            }
            _ => assert_eq!(out, 0, "no money leaves an open trade"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn money_in_escrow_is_conserved_over_random_trades(
        prices in prop::collection::vec(1_i64..=1_000_000, 1..5),
        steps in prop::collection::vec((0_usize..5, step()), 0..40),
    ) {
        let mut trades: Vec<Trade> =
            prices.iter().enumerate().map(|(n, price)| Trade::placed(n as u128, *price)).collect();
        for (which, step) in steps {
            let count = trades.len();
            trades[which % count].apply(step);
            for trade in &trades {
                trade.check();
            }
        }
        let total = |f: fn(&Trade) -> i64| trades.iter().map(f).sum::<i64>();
        prop_assert_eq!(
            total(|t| t.held),
            total(|t| t.released) + total(|t| t.refunded) + total(Trade::still_held),
            "in total"
        );
    }
}
