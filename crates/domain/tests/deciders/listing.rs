//! Listing: draft → on sale ⇄ reserved → sold, or withdrawn.

use jangteo_domain::{
    DomainError, Forbidden, Kind,
    listing::{ListingCommand as C, ListingEvent as E, ListingState},
};

use crate::{
    fixtures::{BUYER, LISTING, ORDER, OTHER_ORDER, SELLER, STRANGER, description, title, won},
    support::{Case, run},
};

fn created() -> E {
    E::ListingCreated {
        listing_id: LISTING,
        seller_id: SELLER,
        title: title("아이폰 15"),
        description: description("배터리 95%"),
        price: won(900_000),
        category_id: None,
    }
}

fn draft() -> Vec<E> {
    vec![created()]
}

fn on_sale() -> Vec<E> {
    vec![created(), E::ListingPublished {}]
}

fn reserved() -> Vec<E> {
    let mut events = on_sale();
    events.push(E::ListingReserved { order_id: ORDER, buyer_id: BUYER });
    events
}

fn sold() -> Vec<E> {
    let mut events = reserved();
    events.push(E::ListingSold { order_id: ORDER, buyer_id: BUYER });
    events
}

fn withdrawn() -> Vec<E> {
    let mut events = on_sale();
    events.push(E::ListingWithdrawn {});
    events
}

fn create() -> C {
    C::Create {
        listing_id: LISTING,
        seller_id: SELLER,
        title: title("아이폰 15"),
        description: description("배터리 95%"),
        price: won(900_000),
        category_id: None,
    }
}

fn edit(actor: jangteo_domain::AccountId, title_text: Option<&str>, price: Option<i64>) -> C {
    C::Edit { actor, title: title_text.map(title), description: None, price: price.map(won) }
}

fn refused_transition(action: &'static str, status: &'static str) -> Result<Vec<E>, DomainError> {
    Err(DomainError::InvalidTransition { kind: Kind::Listing, action, status })
}

fn not_available(status: &'static str) -> Result<Vec<E>, DomainError> {
    Err(DomainError::ListingNotAvailable { status })
}

const NOT_SELLER: Result<Vec<E>, DomainError> = Err(DomainError::Forbidden(Forbidden::NotSeller));

#[test]
fn listing_decisions() {
    let reserve = || C::Reserve { order_id: ORDER, buyer_id: BUYER };
    run::<ListingState>(vec![
        Case { name: "create", given: vec![], when: create(), then: Ok(vec![created()]) },
        Case {
            name: "create twice",
            given: draft(),
            when: create(),
            then: Err(DomainError::AlreadyExists(Kind::Listing)),
        },
        Case {
            name: "publish an absent listing",
            given: vec![],
            when: C::Publish { actor: SELLER },
            then: Err(DomainError::NotFound(Kind::Listing)),
        },
        Case {
            name: "reserve an absent listing",
            given: vec![],
            when: reserve(),
            then: Err(DomainError::NotFound(Kind::Listing)),
        },
        Case {
            name: "publish a draft",
            given: draft(),
            when: C::Publish { actor: SELLER },
            then: Ok(vec![E::ListingPublished {}]),
        },
        Case {
            name: "publish by a stranger",
            given: draft(),
            when: C::Publish { actor: STRANGER },
            then: NOT_SELLER,
        },
        Case {
            name: "publish twice",
            given: on_sale(),
            when: C::Publish { actor: SELLER },
            then: refused_transition("publish", "on_sale"),
        },
        Case {
            name: "retitle a draft",
            given: draft(),
            when: edit(SELLER, Some("아이폰 15 프로"), None),
            then: Ok(vec![E::ListingDetailsChanged {
                title: Some(title("아이폰 15 프로")),
                description: None,
            }]),
        },
        Case {
            name: "reprice on sale",
            given: on_sale(),
            when: edit(SELLER, None, Some(850_000)),
            then: Ok(vec![E::ListingPriceChanged { old_price: won(900_000), new_price: won(850_000) }]),
        },
        Case {
            name: "edit everything at once",
            given: on_sale(),
            when: C::Edit {
                actor: SELLER,
                title: Some(title("새 제목")),
                description: Some(description("새 설명")),
                price: Some(won(1)),
            },
            then: Ok(vec![
                E::ListingDetailsChanged {
                    title: Some(title("새 제목")),
                    description: Some(description("새 설명")),
                },
                E::ListingPriceChanged { old_price: won(900_000), new_price: won(1) },
            ]),
        },
        Case {
            name: "edit with unchanged values changes nothing",
            given: on_sale(),
            when: edit(SELLER, Some("아이폰 15"), Some(900_000)),
            then: Ok(vec![]),
        },
        Case {
            name: "edit by a stranger",
            given: on_sale(),
            when: edit(STRANGER, None, Some(1)),
            then: NOT_SELLER,
        },
        Case {
            name: "edit while reserved",
            given: reserved(),
            when: edit(SELLER, None, Some(1)),
            then: refused_transition("edit", "reserved"),
        },
        Case {
            name: "edit when sold",
            given: sold(),
            when: edit(SELLER, None, Some(1)),
            then: refused_transition("edit", "sold"),
        },
        Case {
            name: "edit when withdrawn",
            given: withdrawn(),
            when: edit(SELLER, None, Some(1)),
            then: refused_transition("edit", "withdrawn"),
        },
        Case {
            name: "reserve on sale",
            given: on_sale(),
            when: reserve(),
            then: Ok(vec![E::ListingReserved { order_id: ORDER, buyer_id: BUYER }]),
        },
        Case { name: "reserve a draft", given: draft(), when: reserve(), then: not_available("draft") },
        Case {
            name: "reserve for another order while reserved",
            given: reserved(),
            when: C::Reserve { order_id: OTHER_ORDER, buyer_id: STRANGER },
            then: not_available("reserved"),
        },
        Case {
            name: "reserve again by the same order",
            given: reserved(),
            when: reserve(),
            then: Ok(vec![]),
        },
        Case { name: "reserve when sold", given: sold(), when: reserve(), then: not_available("sold") },
        Case {
            name: "reserve when withdrawn",
            given: withdrawn(),
            when: reserve(),
            then: not_available("withdrawn"),
        },
        Case {
            name: "the seller reserves their own listing",
            given: on_sale(),
            when: C::Reserve { order_id: ORDER, buyer_id: SELLER },
            then: Err(DomainError::BuyerIsSeller),
        },
        Case {
            name: "release by the holding order",
            given: reserved(),
            when: C::ReleaseReservation { order_id: ORDER },
            then: Ok(vec![E::ListingReservationReleased { order_id: ORDER }]),
        },
        Case {
            name: "release by another order",
            given: reserved(),
            when: C::ReleaseReservation { order_id: OTHER_ORDER },
            then: refused_transition("release the reservation of", "reserved"),
        },
        Case {
            name: "release when on sale",
            given: on_sale(),
            when: C::ReleaseReservation { order_id: ORDER },
            then: refused_transition("release the reservation of", "on_sale"),
        },
        Case {
            name: "mark sold by the holding order",
            given: reserved(),
            when: C::MarkSold { order_id: ORDER },
            then: Ok(vec![E::ListingSold { order_id: ORDER, buyer_id: BUYER }]),
        },
        Case {
            name: "mark sold again by the same order",
            given: sold(),
            when: C::MarkSold { order_id: ORDER },
            then: Ok(vec![]),
        },
        Case {
            name: "mark sold by another order",
            given: reserved(),
            when: C::MarkSold { order_id: OTHER_ORDER },
            then: refused_transition("mark sold", "reserved"),
        },
        Case {
            name: "mark sold when on sale",
            given: on_sale(),
            when: C::MarkSold { order_id: ORDER },
            then: refused_transition("mark sold", "on_sale"),
        },
        Case {
            name: "withdraw a draft",
            given: draft(),
            when: C::Withdraw { actor: SELLER },
            then: Ok(vec![E::ListingWithdrawn {}]),
        },
        Case {
            name: "withdraw on sale",
            given: on_sale(),
            when: C::Withdraw { actor: SELLER },
            then: Ok(vec![E::ListingWithdrawn {}]),
        },
        Case {
            name: "withdraw while reserved",
            given: reserved(),
            when: C::Withdraw { actor: SELLER },
            then: refused_transition("withdraw", "reserved"),
        },
        Case {
            name: "withdraw when sold",
            given: sold(),
            when: C::Withdraw { actor: SELLER },
            then: refused_transition("withdraw", "sold"),
        },
        Case {
            name: "withdraw twice",
            given: withdrawn(),
            when: C::Withdraw { actor: SELLER },
            then: refused_transition("withdraw", "withdrawn"),
        },
        Case {
            name: "withdraw by a stranger",
            given: on_sale(),
            when: C::Withdraw { actor: STRANGER },
            then: NOT_SELLER,
        },
        Case {
            name: "a released listing can be reserved again",
            given: {
                let mut events = reserved();
                events.push(E::ListingReservationReleased { order_id: ORDER });
                events
            },
            when: C::Reserve { order_id: OTHER_ORDER, buyer_id: STRANGER },
            then: Ok(vec![E::ListingReserved { order_id: OTHER_ORDER, buyer_id: STRANGER }]),
        },
    ]);
}
