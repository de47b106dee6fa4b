//! Trade reviews through the application against a real (SQLite, temporary) event store: only
//! a completed order's parties review it, each blind to the other's review until both are in or
//! the window (moved by a manual clock) has closed.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests state expectations with expect/unwrap")]

use std::sync::Arc;

use chrono::Duration;
use jangteo_app::{
    Actor, AppError, Clock, CommandContext, DEFAULT_CACHE_CAPACITY, Listings, ManualClock, NewListing,
    Orders, PaymentRequest, Reviews, UnitOfWork,
};
use jangteo_domain::{
    AccountId, Carrier, Description, DomainError, Kind, Money, OrderId, PaymentMethod, ReviewComment,
    ReviewReply, Title, TrackingNumber,
    review::{Rating, ReviewDraft, ReviewTag, TradeRole},
};
use jangteo_event_store::{EventStore, sqlite::SqliteEventStore};
use jangteo_payments::simulated::SimulatedGateway;
use uuid::Uuid;

struct World {
    _dir: tempfile::TempDir,
    orders: Orders,
    listings: Listings,
    reviews: Reviews,
    clock: Arc<ManualClock>,
    seller: AccountId,
    buyer: AccountId,
}

async fn world() -> World {
    let dir = tempfile::tempdir().expect("temp dir");
    let store: Arc<dyn EventStore> =
        Arc::new(SqliteEventStore::open(&dir.path().join("events.sqlite")).await.expect("open store"));
    let uow = UnitOfWork::new(Arc::clone(&store), DEFAULT_CACHE_CAPACITY);
    let clock = Arc::new(ManualClock::new(chrono::Utc::now()));
    World {
        orders: Orders::new(&uow, Arc::new(SimulatedGateway::new())),
        listings: Listings::new(&uow),
        reviews: Reviews::new(&uow, Arc::clone(&clock) as Arc<dyn Clock>),
        clock,
        _dir: dir,
        seller: AccountId::from_uuid(Uuid::now_v7()),
        buyer: AccountId::from_uuid(Uuid::now_v7()),
    }
}

fn member(account: AccountId) -> CommandContext {
    CommandContext::new(Actor::Member(account))
}

/// An order shipped but not yet confirmed, so not completed.
async fn shipped_order(world: &World) -> OrderId {
    let listing = NewListing {
        title: Title::parse("캠핑 의자").unwrap(),
        description: Description::parse("한 번 사용").unwrap(),
        price: Money::won(40_000).unwrap(),
        category_id: None,
        quantity: jangteo_domain::listing::Quantity::ONE,
        location: None,
    };
    let (listing_id, _) = world.listings.create(world.seller, listing).await.unwrap();
    world.listings.publish(world.seller, listing_id).await.unwrap();
    let order = world.orders.place(world.buyer, listing_id, &member(world.buyer)).await.unwrap().order_id;
    let payment = PaymentRequest::new(PaymentMethod::Card);
    world.orders.pay(world.buyer, order, payment, &member(world.buyer)).await.unwrap();
    let tracking = TrackingNumber::parse("123456789012").unwrap();
    world.orders.ship(world.seller, order, Carrier::Hanjin, tracking, &member(world.seller)).await.unwrap();
    order
}

fn draft(stars: u8, tags: &[ReviewTag], comment: &str) -> ReviewDraft {
    ReviewDraft::new(
        Rating::parse(stars).unwrap(),
        tags.to_vec(),
        Some(ReviewComment::parse(comment).unwrap()),
    )
    .unwrap()
}

#[tokio::test]
async fn reviews_stay_hidden_from_the_other_party_until_both_are_written() {
    let world = world().await;
    let order = shipped_order(&world).await;
    let early = world.reviews.write(world.buyer, order, draft(5, &[], "좋아요"), &member(world.buyer)).await;
    assert!(
        matches!(early, Err(AppError::Domain(DomainError::InvalidTransition { kind: Kind::Order, .. }))),
        "an order not completed cannot be reviewed: {early:?}"
    );
    world.orders.confirm_receipt(world.buyer, order, &member(world.buyer)).await.unwrap();

    let stranger = AccountId::from_uuid(Uuid::now_v7());
    let by_stranger = world.reviews.write(stranger, order, draft(1, &[], "별로"), &member(stranger)).await;
    assert!(matches!(by_stranger, Err(AppError::NotFound)), "{by_stranger:?}");

    let buyers = draft(5, &[ReviewTag::OnTime, ReviewTag::Kind], "시간 약속을 잘 지키셨어요");
    world.reviews.write(world.buyer, order, buyers.clone(), &member(world.buyer)).await.unwrap();
    let seller_sees = world.reviews.of_trade(world.seller, order).await.unwrap();
    assert!(!seller_sees.revealed);
    assert_eq!(seller_sees.theirs, None, "the buyer's review is hidden from the seller");
    assert_eq!(seller_sees.mine, None);
    let buyer_sees = world.reviews.of_trade(world.buyer, order).await.unwrap();
    assert_eq!(buyer_sees.mine.map(|review| review.review.draft), Some(buyers.clone()), "one's own shows");
    let answer = ReviewReply::parse("감사합니다").unwrap();
    let hidden = world.reviews.reply(world.seller, order, answer.clone(), &member(world.seller)).await;
    assert!(matches!(hidden, Err(AppError::Domain(DomainError::NotFound(Kind::Review)))), "{hidden:?}");

    let sellers = draft(4, &[ReviewTag::QuickReplies], "응답이 빨랐어요");
    world.reviews.write(world.seller, order, sellers.clone(), &member(world.seller)).await.unwrap();
    let seller_sees = world.reviews.of_trade(world.seller, order).await.unwrap();
    assert!(seller_sees.revealed);
    let theirs = seller_sees.theirs.expect("the buyer's review shows once both are in");
    assert_eq!((theirs.reviewer_id, theirs.reviewer_role), (world.buyer, TradeRole::Buyer));
    assert_eq!(theirs.review.draft, buyers);
    world.reviews.reply(world.seller, order, answer.clone(), &member(world.seller)).await.unwrap();
    let buyer_sees = world.reviews.of_trade(world.buyer, order).await.unwrap();
    assert_eq!(buyer_sees.mine.and_then(|review| review.review.reply), Some(answer));
    assert_eq!(buyer_sees.theirs.map(|review| review.review.draft), Some(sellers));
    assert!(matches!(world.reviews.of_trade(stranger, order).await, Err(AppError::NotFound)));
}

#[tokio::test]
async fn a_lone_review_shows_when_the_window_closes_and_none_is_taken_after() {
    let world = world().await;
    let order = shipped_order(&world).await;
    world.orders.confirm_receipt(world.buyer, order, &member(world.buyer)).await.unwrap();
    world
        .reviews
        .write(world.seller, order, draft(2, &[ReviewTag::Late], "늦으셨어요"), &member(world.seller))
        .await
        .unwrap();
    let buyer_sees = world.reviews.of_trade(world.buyer, order).await.unwrap();
    assert!(!buyer_sees.revealed && buyer_sees.theirs.is_none());

    world.clock.advance(Duration::days(7) + Duration::minutes(1));
    let buyer_sees = world.reviews.of_trade(world.buyer, order).await.unwrap();
    assert!(buyer_sees.revealed, "the window has closed");
    assert_eq!(buyer_sees.theirs.map(|review| review.review.draft.rating.stars()), Some(2));
    let late = world.reviews.write(world.buyer, order, draft(5, &[], "좋았어요"), &member(world.buyer)).await;
    assert!(matches!(late, Err(AppError::Domain(DomainError::ReviewWindowClosed { .. }))), "{late:?}");
}
