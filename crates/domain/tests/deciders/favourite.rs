//! Favourite: on and off, once each, only for listings others can see.

use jangteo_domain::{
    AccountId, DomainError, FavouriteId, Forbidden, ListingId, Money,
    favourite::{FavouriteCommand as C, FavouriteEvent as E, FavouriteState, FavouritedListing},
    listing::ListingStatus,
};
use uuid::Uuid;

use crate::support::{Case, run};

const MEMBER: AccountId = AccountId::from_uuid(Uuid::from_u128(1));
const SELLER: AccountId = AccountId::from_uuid(Uuid::from_u128(2));
const LISTING: ListingId = ListingId::from_uuid(Uuid::from_u128(3));

fn price() -> Money {
    Money::won(12_000).unwrap()
}

fn listing(status: ListingStatus) -> FavouritedListing {
    FavouritedListing { listing_id: LISTING, seller_id: SELLER, status, price: price() }
}

fn add(status: ListingStatus) -> C {
    C::Add { account_id: MEMBER, listing: listing(status) }
}

fn favourited() -> E {
    E::ListingFavourited { account_id: MEMBER, listing_id: LISTING, price: Some(price()) }
}

fn unfavourited() -> E {
    E::ListingUnfavourited { account_id: MEMBER, listing_id: LISTING }
}

fn remove() -> C {
    C::Remove { account_id: MEMBER, listing_id: LISTING }
}

#[test]
fn favourite_decisions() {
    let reserved = ListingStatus::Reserved;
    run::<FavouriteState>(vec![
        Case { name: "add", given: vec![], when: add(ListingStatus::OnSale), then: Ok(vec![favourited()]) },
        Case {
            name: "add a reserved listing",
            given: vec![],
            when: add(reserved),
            then: Ok(vec![favourited()]),
        },
        Case {
            name: "add twice appends nothing",
            given: vec![favourited()],
            when: add(ListingStatus::OnSale),
            then: Ok(vec![]),
        },
        Case { name: "remove", given: vec![favourited()], when: remove(), then: Ok(vec![unfavourited()]) },
        Case { name: "remove what is off appends nothing", given: vec![], when: remove(), then: Ok(vec![]) },
        Case {
            name: "remove twice appends nothing",
            given: vec![favourited(), unfavourited()],
            when: remove(),
            then: Ok(vec![]),
        },
        Case {
            name: "add again after removing",
            given: vec![favourited(), unfavourited()],
            when: add(ListingStatus::OnSale),
            then: Ok(vec![favourited()]),
        },
        Case {
            name: "a draft cannot be favourited",
            given: vec![],
            when: add(ListingStatus::Draft),
            then: Err(DomainError::ListingNotAvailable { status: "draft" }),
        },
        Case {
            name: "a withdrawn listing cannot be favourited",
            given: vec![],
            when: add(ListingStatus::Withdrawn),
            then: Err(DomainError::ListingNotAvailable { status: "withdrawn" }),
        },
        Case {
            name: "a seller cannot favourite their own listing",
            given: vec![],
            when: C::Add { account_id: SELLER, listing: listing(ListingStatus::OnSale) },
            then: Err(DomainError::Forbidden(Forbidden::OwnListing)),
        },
    ]);
}

#[test]
fn one_stream_per_member_and_listing() {
    let other = ListingId::from_uuid(Uuid::from_u128(4));
    assert_eq!(FavouriteId::of(MEMBER, LISTING), FavouriteId::of(MEMBER, LISTING));
    assert_ne!(FavouriteId::of(MEMBER, LISTING), FavouriteId::of(MEMBER, other));
    assert_ne!(FavouriteId::of(MEMBER, LISTING), FavouriteId::of(SELLER, LISTING));
}

#[test]
fn a_favourite_of_version_1_reads_without_a_price() {
    use jangteo_domain::DomainEvent as _;
    let v1 = serde_json::json!({"account_id": MEMBER, "listing_id": LISTING});
    let event = E::from_payload("ListingFavourited", 1, v1).unwrap();
    assert_eq!(event, E::ListingFavourited { account_id: MEMBER, listing_id: LISTING, price: None });
    assert_eq!(favourited().schema_version(), 2);
}
