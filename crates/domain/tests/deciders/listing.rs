//! Listing: draft → (review) → on sale ⇄ reserved → sold, or withdrawn; units, photos, bumps.

use jangteo_domain::{
    Aggregate, DomainError, Forbidden, Kind,
    listing::{ListingCommand as C, ListingDraft, ListingEvent as E, ListingState, Quantity, Stock},
    moderation::Screening,
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
        quantity: Quantity::ONE,
        location: None,
        neighbourhood: None,
    }
}

/// One unit's stock: `(available, held, sold)`.
pub(crate) fn one(available: u32, held: u32, sold: u32) -> Stock {
    Stock { quantity: 1, available, held, sold }
}

fn publish(actor: jangteo_domain::AccountId) -> C {
    C::Publish { actor, screening: Screening::Approved }
}

fn draft() -> Vec<E> {
    vec![created()]
}

fn on_sale() -> Vec<E> {
    vec![created(), E::ListingPublished {}]
}

fn reserved() -> Vec<E> {
    let mut events = on_sale();
    events.push(E::ListingReserved { order_id: ORDER, buyer_id: BUYER, units: 1, stock: one(0, 1, 0) });
    events
}

fn sold() -> Vec<E> {
    let mut events = reserved();
    events.push(E::ListingSold { order_id: ORDER, buyer_id: BUYER, units: 1, stock: one(0, 0, 1) });
    events
}

fn withdrawn() -> Vec<E> {
    let mut events = on_sale();
    events.push(E::ListingWithdrawn {});
    events
}

fn create() -> C {
    C::Create(Box::new(ListingDraft {
        listing_id: LISTING,
        seller_id: SELLER,
        title: title("아이폰 15"),
        description: description("배터리 95%"),
        price: won(900_000),
        category_id: None,
        quantity: Quantity::ONE,
        location: None,
        neighbourhood: None,
    }))
}

pub(crate) fn edit(actor: jangteo_domain::AccountId, title_text: Option<&str>, price: Option<i64>) -> C {
    C::Edit {
        actor,
        title: title_text.map(title),
        description: None,
        price: price.map(won),
        category_id: None,
        quantity: None,
        location: None,
    }
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
    let reserve = || C::Reserve { order_id: ORDER, buyer_id: BUYER, units: 1 };
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
            when: publish(SELLER),
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
            when: publish(SELLER),
            then: Ok(vec![E::ListingPublished {}]),
        },
        Case { name: "publish by a stranger", given: draft(), when: publish(STRANGER), then: NOT_SELLER },
        Case {
            name: "publish twice",
            given: on_sale(),
            when: publish(SELLER),
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
                category_id: None,
                quantity: None,
                location: None,
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
            then: Ok(vec![E::ListingReserved {
                order_id: ORDER,
                buyer_id: BUYER,
                units: 1,
                stock: one(0, 1, 0),
            }]),
        },
        Case { name: "reserve a draft", given: draft(), when: reserve(), then: not_available("draft") },
        Case {
            name: "reserve for another order while reserved",
            given: reserved(),
            when: C::Reserve { order_id: OTHER_ORDER, buyer_id: STRANGER, units: 1 },
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
            when: C::Reserve { order_id: ORDER, buyer_id: SELLER, units: 1 },
            then: Err(DomainError::BuyerIsSeller),
        },
        Case {
            name: "release by the holding order",
            given: reserved(),
            when: C::ReleaseReservation { order_id: ORDER },
            then: Ok(vec![E::ListingReservationReleased { order_id: ORDER, units: 1, stock: one(1, 0, 0) }]),
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
            then: Ok(vec![E::ListingSold {
                order_id: ORDER,
                buyer_id: BUYER,
                units: 1,
                stock: one(0, 0, 1),
            }]),
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
                events.push(E::ListingReservationReleased { order_id: ORDER, units: 1, stock: one(1, 0, 0) });
                events
            },
            when: C::Reserve { order_id: OTHER_ORDER, buyer_id: STRANGER, units: 1 },
            then: Ok(vec![E::ListingReserved {
                order_id: OTHER_ORDER,
                buyer_id: STRANGER,
                units: 1,
                stock: one(0, 1, 0),
            }]),
        },
    ]);
}

fn five_cases() -> Vec<E> {
    vec![
        E::ListingCreated {
            listing_id: LISTING,
            seller_id: SELLER,
            title: title("아이폰 케이스"),
            description: description("새 상품"),
            price: won(5_000),
            category_id: None,
            quantity: Quantity::new(3).unwrap(),
            location: None,
            neighbourhood: None,
        },
        E::ListingPublished {},
    ]
}

fn stock(available: u32, held: u32, sold: u32) -> Stock {
    Stock { quantity: 3, available, held, sold }
}

#[test]
fn units_are_held_and_sold_without_ever_overselling() {
    let reserve = |order: u128, units| C::Reserve {
        order_id: jangteo_domain::OrderId::from_uuid(uuid::Uuid::from_u128(order)),
        buyer_id: BUYER,
        units,
    };
    let order = |n: u128| jangteo_domain::OrderId::from_uuid(uuid::Uuid::from_u128(n));
    let held = |n: u128, units, after| E::ListingReserved {
        order_id: order(n),
        buyer_id: BUYER,
        units,
        stock: after,
    };
    run::<ListingState>(vec![
        Case {
            name: "one of three units held: still on sale",
            given: five_cases(),
            when: reserve(100, 1),
            then: Ok(vec![held(100, 1, stock(2, 1, 0))]),
        },
        Case {
            name: "more units than are left",
            given: [five_cases(), vec![held(100, 2, stock(1, 2, 0))]].concat(),
            when: reserve(101, 2),
            then: not_available("on_sale"),
        },
        Case {
            name: "the last unit held: reserved",
            given: [five_cases(), vec![held(100, 2, stock(1, 2, 0))]].concat(),
            when: reserve(101, 1),
            then: Ok(vec![held(101, 1, stock(0, 3, 0))]),
        },
        Case {
            name: "nothing left while every unit is held",
            given: [five_cases(), vec![held(100, 3, stock(0, 3, 0))]].concat(),
            when: reserve(101, 1),
            then: not_available("reserved"),
        },
        Case {
            name: "selling some units leaves the rest on sale",
            given: [five_cases(), vec![held(100, 1, stock(2, 1, 0))]].concat(),
            when: C::MarkSold { order_id: order(100) },
            then: Ok(vec![E::ListingSold {
                order_id: order(100),
                buyer_id: BUYER,
                units: 1,
                stock: stock(2, 0, 1),
            }]),
        },
        Case {
            name: "selling the last units sells the listing",
            given: [
                five_cases(),
                vec![
                    held(100, 1, stock(2, 1, 0)),
                    E::ListingSold { order_id: order(100), buyer_id: BUYER, units: 1, stock: stock(2, 0, 1) },
                    held(101, 2, stock(0, 2, 1)),
                ],
            ]
            .concat(),
            when: C::MarkSold { order_id: order(101) },
            then: Ok(vec![E::ListingSold {
                order_id: order(101),
                buyer_id: BUYER,
                units: 2,
                stock: stock(0, 0, 3),
            }]),
        },
        Case {
            name: "a release gives the units back",
            given: [five_cases(), vec![held(100, 3, stock(0, 3, 0))]].concat(),
            when: C::ReleaseReservation { order_id: order(100) },
            then: Ok(vec![E::ListingReservationReleased {
                order_id: order(100),
                units: 3,
                stock: stock(3, 0, 0),
            }]),
        },
        Case {
            name: "zero units",
            given: five_cases(),
            when: reserve(100, 0),
            then: Err(jangteo_domain::ValidationError::new("quantity", "must be at least 1").into()),
        },
        Case {
            name: "more units for sale",
            given: [five_cases(), vec![held(100, 1, stock(2, 1, 0))]].concat(),
            when: edit_quantity(5),
            then: Ok(vec![E::ListingQuantityChanged {
                stock: Stock { quantity: 5, available: 4, held: 1, sold: 0 },
            }]),
        },
        Case {
            name: "a quantity leaving nothing beyond what is ordered",
            given: [five_cases(), vec![held(100, 1, stock(2, 1, 0))]].concat(),
            when: edit_quantity(1),
            then: Err(jangteo_domain::ValidationError::new(
                "quantity",
                "must leave at least one unit beyond those ordered",
            )
            .into()),
        },
        Case {
            name: "no withdrawing while an order holds units",
            given: [five_cases(), vec![held(100, 1, stock(2, 1, 0))]].concat(),
            when: C::Withdraw { actor: SELLER },
            then: refused_transition("withdraw", "on_sale"),
        },
    ]);
}

fn edit_quantity(units: u32) -> C {
    let C::Edit { actor, title, description, price, category_id, location, .. } = edit(SELLER, None, None)
    else {
        unreachable!("edit makes an edit")
    };
    C::Edit {
        actor,
        title,
        description,
        price,
        category_id,
        quantity: Some(Quantity::new(units).unwrap()),
        location,
    }
}

#[test]
fn moderation_decisions() {
    use jangteo_domain::{RejectionReason, moderation::ReviewReason};
    let admin = STRANGER;
    let needs_review =
        C::Publish { actor: SELLER, screening: Screening::NeedsReview(vec![ReviewReason::BannedWords]) };
    let pending = || {
        [draft(), vec![E::ListingSubmittedForReview { reasons: vec![ReviewReason::BannedWords] }]].concat()
    };
    let reason = || RejectionReason::parse("정품 인증 사진이 필요합니다").unwrap();
    let rejected = || [pending(), vec![E::ListingRejected { admin_id: admin, reason: reason() }]].concat();
    run::<ListingState>(vec![
        Case {
            name: "a draft the rules do not approve waits for review",
            given: draft(),
            when: needs_review.clone(),
            then: Ok(vec![E::ListingSubmittedForReview { reasons: vec![ReviewReason::BannedWords] }]),
        },
        Case {
            name: "approve",
            given: pending(),
            when: C::Approve { admin },
            then: Ok(vec![E::ListingApproved { admin_id: admin }]),
        },
        Case {
            name: "reject",
            given: pending(),
            when: C::Reject { admin, reason: reason() },
            then: Ok(vec![E::ListingRejected { admin_id: admin, reason: reason() }]),
        },
        Case {
            name: "nothing to approve on sale",
            given: on_sale(),
            when: C::Approve { admin },
            then: refused_transition("approve", "on_sale"),
        },
        Case {
            name: "a listing waiting for review cannot be ordered",
            given: pending(),
            when: C::Reserve { order_id: ORDER, buyer_id: BUYER, units: 1 },
            then: not_available("pending_review"),
        },
        Case {
            name: "a rejected listing is edited",
            given: rejected(),
            when: edit(SELLER, Some("아이폰 15 정품"), None),
            then: Ok(vec![E::ListingDetailsChanged {
                title: Some(title("아이폰 15 정품")),
                description: None,
            }]),
        },
        Case {
            name: "and published again, passing the rules this time",
            given: rejected(),
            when: publish(SELLER),
            then: Ok(vec![E::ListingPublished {}]),
        },
        Case {
            name: "publishing what waits for review",
            given: pending(),
            when: publish(SELLER),
            then: refused_transition("publish", "pending_review"),
        },
    ]);
}

#[test]
fn bumps_and_photos() {
    use chrono::{TimeZone, Utc};
    use jangteo_domain::{
        ImageId,
        listing::{ImageDigest, ImageKind, ListingImage},
    };
    let at = |hour| Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap() + chrono::Duration::hours(hour);
    let bumped = |hour| [on_sale(), vec![E::ListingBumped { at: at(hour) }]].concat();
    let image = |n: u128| ListingImage {
        image_id: ImageId::from_uuid(uuid::Uuid::from_u128(n)),
        kind: ImageKind::Jpeg,
        sha256: ImageDigest::parse(&format!("{n:064x}")).unwrap(),
        width: 800,
        height: 600,
        size: 120_000,
    };
    let with_photos = |count: u128| {
        let mut events = on_sale();
        events.extend((1..=count).map(|n| E::ListingImageAdded { image: image(n) }));
        events
    };
    let id = |n: u128| ImageId::from_uuid(uuid::Uuid::from_u128(n));
    run::<ListingState>(vec![
        Case {
            name: "a first bump",
            given: on_sale(),
            when: C::Bump { actor: SELLER, at: at(0) },
            then: Ok(vec![E::ListingBumped { at: at(0) }]),
        },
        Case {
            name: "again within a day",
            given: bumped(0),
            when: C::Bump { actor: SELLER, at: at(23) },
            then: Err(DomainError::BumpTooSoon { next_at: at(24) }),
        },
        Case {
            name: "again a day later",
            given: bumped(0),
            when: C::Bump { actor: SELLER, at: at(24) },
            then: Ok(vec![E::ListingBumped { at: at(24) }]),
        },
        Case {
            name: "a stranger's bump",
            given: on_sale(),
            when: C::Bump { actor: STRANGER, at: at(0) },
            then: NOT_SELLER,
        },
        Case {
            name: "a draft is not bumped",
            given: draft(),
            when: C::Bump { actor: SELLER, at: at(0) },
            then: refused_transition("bump", "draft"),
        },
        Case {
            name: "a photo",
            given: on_sale(),
            when: C::AddImage { actor: SELLER, image: image(1) },
            then: Ok(vec![E::ListingImageAdded { image: image(1) }]),
        },
        Case {
            name: "the same photo again is a retry",
            given: with_photos(1),
            when: C::AddImage { actor: SELLER, image: image(1) },
            then: Ok(vec![]),
        },
        Case {
            name: "an eleventh photo",
            given: with_photos(10),
            when: C::AddImage { actor: SELLER, image: image(11) },
            then: Err(
                jangteo_domain::ValidationError::new("images", "a listing has at most 10 photos").into()
            ),
        },
        Case {
            name: "remove a photo",
            given: with_photos(2),
            when: C::RemoveImage { actor: SELLER, image_id: id(1) },
            then: Ok(vec![E::ListingImageRemoved { image_id: id(1) }]),
        },
        Case {
            name: "remove a photo it does not have",
            given: with_photos(2),
            when: C::RemoveImage { actor: SELLER, image_id: id(3) },
            then: Err(DomainError::NotFound(Kind::Image)),
        },
        Case {
            name: "reorder",
            given: with_photos(3),
            when: C::ReorderImages { actor: SELLER, image_ids: vec![id(3), id(1), id(2)] },
            then: Ok(vec![E::ListingImagesReordered { image_ids: vec![id(3), id(1), id(2)] }]),
        },
        Case {
            name: "a reorder must name every photo once",
            given: with_photos(3),
            when: C::ReorderImages { actor: SELLER, image_ids: vec![id(3), id(1)] },
            then: Err(jangteo_domain::ValidationError::new(
                "image_ids",
                "must name every photo of the listing once",
            )
            .into()),
        },
        Case {
            name: "the order it has already",
            given: with_photos(2),
            when: C::ReorderImages { actor: SELLER, image_ids: vec![id(1), id(2)] },
            then: Ok(vec![]),
        },
    ]);
    let reordered =
        [with_photos(3), vec![E::ListingImagesReordered { image_ids: vec![id(3), id(1), id(2)] }]].concat();
    let ListingState::Present(listing) = ListingState::replay(&reordered) else { panic!("a listing") };
    let order: Vec<_> = listing.images.iter().map(|image| image.image_id).collect();
    assert_eq!(order, [id(3), id(1), id(2)]);
}
