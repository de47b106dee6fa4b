//! Cart: add and remove idempotently; checkout empties what was ordered. Checkout: the saga's
//! plan, then completed or failed once.

use jangteo_domain::{
    AccountId, Aggregate, CheckoutId, DomainError, Kind, ListingId, OrderId, ValidationError,
    cart::{CartCommand, CartEvent, CartState},
    checkout::{CheckoutCommand, CheckoutEvent, CheckoutGroup, CheckoutState},
    listing::ListingStatus,
};
use uuid::Uuid;

use crate::{
    fixtures::{BUYER, LISTING, ORDER, OTHER_ORDER, SELLER, STRANGER},
    support::{Case, run},
};

const OTHER_LISTING: ListingId = ListingId::from_uuid(Uuid::from_u128(11));
const CHECKOUT: CheckoutId = CheckoutId::from_uuid(Uuid::from_u128(40));

fn add(listing_id: ListingId, seller_id: AccountId) -> CartCommand {
    CartCommand::Add { buyer_id: BUYER, listing_id, seller_id, listing_status: ListingStatus::OnSale }
}

fn added(listing_id: ListingId, seller_id: AccountId) -> CartEvent {
    CartEvent::CartItemAdded { buyer_id: BUYER, listing_id, seller_id }
}

fn listing(n: u128) -> ListingId {
    ListingId::from_uuid(Uuid::from_u128(1_000 + n))
}

#[test]
fn cart_decisions() {
    let full: Vec<CartEvent> = (0..30).map(|n| added(listing(n), SELLER)).collect();
    run::<CartState>(vec![
        Case {
            name: "add",
            given: vec![],
            when: add(LISTING, SELLER),
            then: Ok(vec![added(LISTING, SELLER)]),
        },
        Case {
            name: "add again: nothing new",
            given: vec![added(LISTING, SELLER)],
            when: add(LISTING, SELLER),
            then: Ok(vec![]),
        },
        Case {
            name: "add one's own listing",
            given: vec![],
            when: CartCommand::Add {
                buyer_id: SELLER,
                listing_id: LISTING,
                seller_id: SELLER,
                listing_status: ListingStatus::Draft,
            },
            then: Err(DomainError::BuyerIsSeller),
        },
        Case {
            name: "add a listing that is not on sale",
            given: vec![],
            when: CartCommand::Add {
                buyer_id: BUYER,
                listing_id: LISTING,
                seller_id: SELLER,
                listing_status: ListingStatus::Reserved,
            },
            then: Err(DomainError::ListingNotAvailable { status: "reserved" }),
        },
        Case {
            name: "add to a full cart",
            given: full,
            when: add(OTHER_LISTING, STRANGER),
            then: Err(ValidationError::new("cart", "holds at most 30 listings").into()),
        },
        Case {
            name: "remove",
            given: vec![added(LISTING, SELLER)],
            when: CartCommand::Remove { listing_id: LISTING },
            then: Ok(vec![CartEvent::CartItemRemoved { listing_id: LISTING }]),
        },
        Case {
            name: "remove what is not there: nothing new",
            given: vec![],
            when: CartCommand::Remove { listing_id: LISTING },
            then: Ok(vec![]),
        },
        Case {
            name: "check out",
            given: vec![added(LISTING, SELLER), added(OTHER_LISTING, STRANGER)],
            when: CartCommand::CheckOut { checkout_id: CHECKOUT, listing_ids: vec![LISTING, OTHER_LISTING] },
            then: Ok(vec![CartEvent::CartCheckedOut {
                checkout_id: CHECKOUT,
                listing_ids: vec![LISTING, OTHER_LISTING],
            }]),
        },
        Case {
            name: "check out an empty cart",
            given: vec![],
            when: CartCommand::CheckOut { checkout_id: CHECKOUT, listing_ids: vec![] },
            then: Err(ValidationError::new("cart", "is empty").into()),
        },
        Case {
            name: "check out a listing not in the cart",
            given: vec![added(LISTING, SELLER)],
            when: CartCommand::CheckOut { checkout_id: CHECKOUT, listing_ids: vec![OTHER_LISTING] },
            then: Err(ValidationError::new("listing_ids", "must all be in the cart").into()),
        },
    ]);
    let after = CartState::replay(&[
        added(LISTING, SELLER),
        added(OTHER_LISTING, STRANGER),
        CartEvent::CartCheckedOut { checkout_id: CHECKOUT, listing_ids: vec![LISTING] },
    ]);
    assert_eq!(after.items.len(), 1, "only what was ordered leaves the cart");
    assert!(after.contains(OTHER_LISTING));
}

fn groups() -> Vec<CheckoutGroup> {
    vec![
        CheckoutGroup { order_id: ORDER, seller_id: SELLER, listing_ids: vec![LISTING] },
        CheckoutGroup { order_id: OTHER_ORDER, seller_id: STRANGER, listing_ids: vec![OTHER_LISTING] },
    ]
}

fn start(groups: Vec<CheckoutGroup>) -> CheckoutCommand {
    CheckoutCommand::Start { checkout_id: CHECKOUT, buyer_id: BUYER, groups }
}

fn started() -> CheckoutEvent {
    CheckoutEvent::CheckoutStarted { checkout_id: CHECKOUT, buyer_id: BUYER, groups: groups() }
}

fn fail() -> CheckoutCommand {
    CheckoutCommand::Fail { unavailable: vec![OTHER_LISTING], cancelled_orders: vec![ORDER] }
}

fn failed() -> CheckoutEvent {
    CheckoutEvent::CheckoutFailed { unavailable: vec![OTHER_LISTING], cancelled_orders: vec![ORDER] }
}

fn completed() -> CheckoutEvent {
    CheckoutEvent::CheckoutCompleted { order_ids: vec![ORDER, OTHER_ORDER] }
}

fn refused(action: &'static str, status: &'static str) -> Result<Vec<CheckoutEvent>, DomainError> {
    Err(DomainError::InvalidTransition { kind: Kind::Checkout, action, status })
}

#[test]
fn checkout_decisions() {
    let repeated = vec![
        CheckoutGroup { order_id: ORDER, seller_id: SELLER, listing_ids: vec![LISTING] },
        CheckoutGroup {
            order_id: OrderId::from_uuid(Uuid::from_u128(22)),
            seller_id: SELLER,
            listing_ids: vec![LISTING],
        },
    ];
    run::<CheckoutState>(vec![
        Case { name: "start", given: vec![], when: start(groups()), then: Ok(vec![started()]) },
        Case {
            name: "start with nothing",
            given: vec![],
            when: start(vec![]),
            then: Err(ValidationError::new("cart", "is empty").into()),
        },
        Case {
            name: "start with a listing twice",
            given: vec![],
            when: start(repeated),
            then: Err(ValidationError::new("listing_ids", "must not repeat a listing").into()),
        },
        Case {
            name: "start with more than twenty listings of one seller",
            given: vec![],
            when: start(vec![CheckoutGroup {
                order_id: ORDER,
                seller_id: SELLER,
                listing_ids: (0..21).map(listing).collect(),
            }]),
            then: Err(ValidationError::new("cart", "holds more than 20 listings of one seller").into()),
        },
        Case {
            name: "start buying from oneself",
            given: vec![],
            when: CheckoutCommand::Start { checkout_id: CHECKOUT, buyer_id: SELLER, groups: groups() },
            then: Err(DomainError::BuyerIsSeller),
        },
        Case {
            name: "start twice",
            given: vec![started()],
            when: start(groups()),
            then: Err(DomainError::AlreadyExists(Kind::Checkout)),
        },
        Case {
            name: "complete",
            given: vec![started()],
            when: CheckoutCommand::Complete,
            then: Ok(vec![completed()]),
        },
        Case { name: "fail and compensate", given: vec![started()], when: fail(), then: Ok(vec![failed()]) },
        Case {
            name: "complete an absent checkout",
            given: vec![],
            when: CheckoutCommand::Complete,
            then: Err(DomainError::NotFound(Kind::Checkout)),
        },
        Case {
            name: "complete a failed checkout",
            given: vec![started(), failed()],
            when: CheckoutCommand::Complete,
            then: refused("complete", "failed"),
        },
        Case {
            name: "fail a completed checkout",
            given: vec![started(), completed()],
            when: fail(),
            then: refused("fail", "completed"),
        },
        Case {
            name: "complete twice",
            given: vec![started(), completed()],
            when: CheckoutCommand::Complete,
            then: refused("complete", "completed"),
        },
    ]);
}
