//! Trade reviews: one each way, inside the window, blind until both are in or the window closes,
//! one reply by the reviewed member.

use chrono::{DateTime, Duration, TimeZone, Utc};
use jangteo_domain::{
    AccountId, Aggregate, DomainError, Forbidden, Kind, OrderId, ReviewComment, ReviewReply,
    review::{
        CompletedTrade, Rating, ReviewCommand as C, ReviewDraft, ReviewEvent as E, ReviewTag,
        TradeReviewsState, TradeRole,
    },
};
use uuid::Uuid;

use crate::support::{Case, run};

const ORDER: OrderId = OrderId::from_uuid(Uuid::from_u128(10));
const BUYER: AccountId = AccountId::from_uuid(Uuid::from_u128(1));
const SELLER: AccountId = AccountId::from_uuid(Uuid::from_u128(2));
const STRANGER: AccountId = AccountId::from_uuid(Uuid::from_u128(3));

fn completed_at() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap()
}

fn closes_at() -> DateTime<Utc> {
    completed_at() + Duration::days(7)
}

fn trade() -> CompletedTrade {
    CompletedTrade { order_id: ORDER, buyer_id: BUYER, seller_id: SELLER, completed_at: completed_at() }
}

fn draft(stars: u8) -> ReviewDraft {
    ReviewDraft::new(
        Rating::parse(stars).unwrap(),
        vec![ReviewTag::OnTime, ReviewTag::Kind, ReviewTag::OnTime],
        Some(ReviewComment::parse("좋은 거래였어요").unwrap()),
    )
    .unwrap()
}

fn write(reviewer: AccountId, stars: u8, days_after: i64) -> C {
    C::Write {
        trade: trade(),
        reviewer,
        draft: draft(stars),
        at: completed_at() + Duration::days(days_after),
    }
}

fn written(reviewer: AccountId, stars: u8) -> E {
    let (reviewee_id, reviewer_role) =
        if reviewer == BUYER { (SELLER, TradeRole::Buyer) } else { (BUYER, TradeRole::Seller) };
    let draft = draft(stars);
    E::TradeReviewWritten {
        order_id: ORDER,
        buyer_id: BUYER,
        seller_id: SELLER,
        reviewer_id: reviewer,
        reviewee_id,
        reviewer_role,
        rating: draft.rating,
        tags: draft.tags,
        comment: draft.comment,
        window_closes_at: closes_at(),
    }
}

fn reply(replier: AccountId, text: &str, days_after: i64) -> C {
    C::Reply {
        replier,
        text: ReviewReply::parse(text).unwrap(),
        at: completed_at() + Duration::days(days_after),
    }
}

fn replied(reviewer: AccountId, replier: AccountId, text: &str) -> E {
    E::TradeReviewReplied {
        order_id: ORDER,
        reviewer_id: reviewer,
        replier_id: replier,
        text: ReviewReply::parse(text).unwrap(),
    }
}

#[test]
fn review_decisions() {
    run::<TradeReviewsState>(vec![
        Case {
            name: "the buyer reviews",
            given: vec![],
            when: write(BUYER, 5, 1),
            then: Ok(vec![written(BUYER, 5)]),
        },
        Case {
            name: "the seller reviews after the buyer",
            given: vec![written(BUYER, 5)],
            when: write(SELLER, 4, 6),
            then: Ok(vec![written(SELLER, 4)]),
        },
        Case {
            name: "the same review again is a retry",
            given: vec![written(BUYER, 5)],
            when: write(BUYER, 5, 2),
            then: Ok(vec![]),
        },
        Case {
            name: "another review by the same member is refused",
            given: vec![written(BUYER, 5)],
            when: write(BUYER, 1, 2),
            then: Err(DomainError::AlreadyExists(Kind::Review)),
        },
        Case {
            name: "someone else cannot review the trade",
            given: vec![],
            when: write(STRANGER, 1, 1),
            then: Err(DomainError::Forbidden(Forbidden::NotParticipant)),
        },
        Case {
            name: "the window closes seven days after completion",
            given: vec![],
            when: write(BUYER, 5, 7),
            then: Err(DomainError::ReviewWindowClosed { closed_at: closes_at() }),
        },
        Case {
            name: "the second review keeps the window of the first",
            given: vec![written(BUYER, 5)],
            when: write(SELLER, 5, 8),
            then: Err(DomainError::ReviewWindowClosed { closed_at: closes_at() }),
        },
        Case {
            name: "the reviewed member replies once both are in",
            given: vec![written(BUYER, 5), written(SELLER, 4)],
            when: reply(SELLER, "감사합니다", 3),
            then: Ok(vec![replied(BUYER, SELLER, "감사합니다")]),
        },
        Case {
            name: "a reply to a review still hidden is as if there were none",
            given: vec![written(BUYER, 2)],
            when: reply(SELLER, "왜요?", 3),
            then: Err(DomainError::NotFound(Kind::Review)),
        },
        Case {
            name: "after the window a lone review can be answered",
            given: vec![written(BUYER, 2)],
            when: reply(SELLER, "다음엔 더 잘할게요", 7),
            then: Ok(vec![replied(BUYER, SELLER, "다음엔 더 잘할게요")]),
        },
        Case {
            name: "no review about the replier",
            given: vec![written(BUYER, 2)],
            when: reply(BUYER, "?", 8),
            then: Err(DomainError::NotFound(Kind::Review)),
        },
        Case {
            name: "a second, different reply is refused",
            given: vec![written(BUYER, 5), written(SELLER, 4), replied(BUYER, SELLER, "감사합니다")],
            when: reply(SELLER, "정말 감사합니다", 4),
            then: Err(DomainError::AlreadyExists(Kind::ReviewReply)),
        },
        Case {
            name: "the same reply again is a retry",
            given: vec![written(BUYER, 5), written(SELLER, 4), replied(BUYER, SELLER, "감사합니다")],
            when: reply(SELLER, "감사합니다", 4),
            then: Ok(vec![]),
        },
        Case {
            name: "a stranger cannot reply",
            given: vec![written(BUYER, 5), written(SELLER, 4)],
            when: reply(STRANGER, "?", 4),
            then: Err(DomainError::Forbidden(Forbidden::NotParticipant)),
        },
        Case {
            name: "nothing to reply to",
            given: vec![],
            when: reply(SELLER, "?", 1),
            then: Err(DomainError::NotFound(Kind::Review)),
        },
    ]);
}

#[test]
fn reviews_show_when_both_are_in_or_the_window_has_closed() {
    let one = TradeReviewsState::replay(&[written(BUYER, 5)]);
    let TradeReviewsState::Begun(one) = one else { panic!("begun") };
    assert!(!one.revealed(completed_at() + Duration::days(6)));
    assert!(one.revealed(closes_at()));
    let both = TradeReviewsState::replay(&[written(BUYER, 5), written(SELLER, 3)]);
    let TradeReviewsState::Begun(both) = both else { panic!("begun") };
    assert!(both.revealed(completed_at() + Duration::days(1)));
}

#[test]
fn drafts_and_ratings_are_checked() {
    assert!(Rating::parse(0).is_err());
    assert!(Rating::parse(6).is_err());
    assert_eq!(draft(5).tags, vec![ReviewTag::Kind, ReviewTag::OnTime], "sorted, without repeats");
    let too_many = ReviewDraft::new(Rating::parse(3).unwrap(), ReviewTag::ALL.to_vec(), None);
    assert!(too_many.is_err());
    assert!(ReviewComment::parse(&"가".repeat(501)).is_err());
    assert!(ReviewComment::parse("   ").is_err());
    for tag in ReviewTag::ALL {
        assert_eq!(ReviewTag::from_code(tag.code()), Some(tag));
    }
}
