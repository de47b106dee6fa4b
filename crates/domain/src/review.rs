//! The reviews of one trade (거래 후기): after an order completes, its buyer and its seller each
//! review the other once, within [`REVIEW_WINDOW_DAYS`] of the completion, and the reviewed
//! member may answer the review about them once.
//!
//! Reviews are double-blind: neither party sees the other's before writing their own, so that
//! neither answers the other's rating in kind. A review is shown once both are written or the
//! window has closed. That depends on the clock, which the domain does not read: the state says
//! when the window closes, and [`TradeReviews::revealed`] answers for a given "now".
//!
//! One stream per order ([`TradeReviewsId::of`]): the two reviews of a trade are decided against
//! each other's presence, so they are ordered by that stream's version.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    AccountId, Aggregate, DomainError, DomainEvent, Forbidden, Kind, OrderId, ReviewComment, ReviewReply,
    ValidationError,
};

/// How long after an order completes its parties may review each other.
pub const REVIEW_WINDOW_DAYS: i64 = 7;

/// How many tags one review may carry.
pub const MAX_TAGS: usize = 5;

/// A rating from 1 (bad) to 5 (excellent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct Rating(u8);

impl Rating {
    pub fn parse(stars: u8) -> Result<Self, ValidationError> {
        if (1..=5).contains(&stars) {
            Ok(Self(stars))
        } else {
            Err(ValidationError::new("rating", "must be 1-5"))
        }
    }

    pub fn stars(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Rating {
    type Error = ValidationError;

    fn try_from(stars: u8) -> Result<Self, Self::Error> {
        Self::parse(stars)
    }
}

impl From<Rating> for u8 {
    fn from(rating: Rating) -> u8 {
        rating.0
    }
}

/// The marketplace's fixed review tags (매너 칭찬 and 비매너): chosen from a list rather than
/// typed, so that they can be counted on a profile and weighed by the trust score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReviewTag {
    Kind,
    OnTime,
    QuickReplies,
    AsDescribed,
    FairPrice,
    Rude,
    Late,
    SlowReplies,
    NotAsDescribed,
    NoShow,
}

impl ReviewTag {
    pub const ALL: [ReviewTag; 10] = [
        ReviewTag::Kind,
        ReviewTag::OnTime,
        ReviewTag::QuickReplies,
        ReviewTag::AsDescribed,
        ReviewTag::FairPrice,
        ReviewTag::Rude,
        ReviewTag::Late,
        ReviewTag::SlowReplies,
        ReviewTag::NotAsDescribed,
        ReviewTag::NoShow,
    ];

    /// The tag's stable code, as stored and as clients send it.
    pub fn code(self) -> &'static str {
        match self {
            ReviewTag::Kind => "kind",
            ReviewTag::OnTime => "on_time",
            ReviewTag::QuickReplies => "quick_replies",
            ReviewTag::AsDescribed => "as_described",
            ReviewTag::FairPrice => "fair_price",
            ReviewTag::Rude => "rude",
            ReviewTag::Late => "late",
            ReviewTag::SlowReplies => "slow_replies",
            ReviewTag::NotAsDescribed => "not_as_described",
            ReviewTag::NoShow => "no_show",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|tag| tag.code() == code)
    }

    /// What members read on a profile.
    pub fn korean(self) -> &'static str {
        match self {
            ReviewTag::Kind => "친절하고 매너가 좋아요",
            ReviewTag::OnTime => "시간 약속을 잘 지켜요",
            ReviewTag::QuickReplies => "응답이 빨라요",
            ReviewTag::AsDescribed => "물품 상태가 설명과 같아요",
            ReviewTag::FairPrice => "좋은 가격에 거래했어요",
            ReviewTag::Rude => "불친절해요",
            ReviewTag::Late => "시간 약속을 안 지켜요",
            ReviewTag::SlowReplies => "응답이 느려요",
            ReviewTag::NotAsDescribed => "물품 상태가 설명과 달라요",
            ReviewTag::NoShow => "약속 장소에 나타나지 않았어요",
        }
    }

    /// Whether the tag praises (매너 칭찬) rather than complains (비매너).
    pub fn is_praise(self) -> bool {
        matches!(
            self,
            ReviewTag::Kind
                | ReviewTag::OnTime
                | ReviewTag::QuickReplies
                | ReviewTag::AsDescribed
                | ReviewTag::FairPrice
        )
    }
}

/// Which side of the trade a member was on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TradeRole {
    Buyer,
    Seller,
}

impl TradeRole {
    /// The other side of the trade.
    #[must_use]
    pub fn other(self) -> Self {
        match self {
            TradeRole::Buyer => TradeRole::Seller,
            TradeRole::Seller => TradeRole::Buyer,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TradeRole::Buyer => "buyer",
            TradeRole::Seller => "seller",
        }
    }
}

/// What a reviewer writes: a rating, a few tags, and perhaps a comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReviewDraft {
    pub rating: Rating,
    pub tags: Vec<ReviewTag>,
    pub comment: Option<ReviewComment>,
}

impl ReviewDraft {
    /// The draft with its tags sorted and without repeats, or a refusal for too many.
    pub fn new(
        rating: Rating,
        mut tags: Vec<ReviewTag>,
        comment: Option<ReviewComment>,
    ) -> Result<Self, ValidationError> {
        tags.sort_unstable();
        tags.dedup();
        if tags.len() > MAX_TAGS {
            return Err(ValidationError::new("tags", "must be at most 5 distinct tags"));
        }
        Ok(Self { rating, tags, comment })
    }
}

/// The completed order a review is about, as the application reads it from the order's stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CompletedTrade {
    pub order_id: OrderId,
    pub buyer_id: AccountId,
    pub seller_id: AccountId,
    /// When the order was completed: the window opens then.
    pub completed_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewCommand {
    Write {
        trade: CompletedTrade,
        reviewer: AccountId,
        draft: ReviewDraft,
        at: DateTime<Utc>,
    },
    /// The member a review is about answers it.
    Reply {
        replier: AccountId,
        text: ReviewReply,
        at: DateTime<Utc>,
    },
}

/// One written review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrittenReview {
    pub draft: ReviewDraft,
    pub reply: Option<ReviewReply>,
}

/// A trade whose reviews have begun.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TradeReviews {
    pub order_id: OrderId,
    pub buyer_id: AccountId,
    pub seller_id: AccountId,
    pub window_closes_at: DateTime<Utc>,
    pub by_buyer: Option<WrittenReview>,
    pub by_seller: Option<WrittenReview>,
}

impl TradeReviews {
    /// Whether the reviews may be read at `now`: both are written, or the window has closed.
    pub fn revealed(&self, now: DateTime<Utc>) -> bool {
        (self.by_buyer.is_some() && self.by_seller.is_some()) || now >= self.window_closes_at
    }

    /// `member`'s side of the trade, if they are a party to it.
    pub fn role_of(&self, member: AccountId) -> Option<TradeRole> {
        role_in(member, self.buyer_id, self.seller_id)
    }

    /// The member on `role`'s side.
    pub fn member(&self, role: TradeRole) -> AccountId {
        match role {
            TradeRole::Buyer => self.buyer_id,
            TradeRole::Seller => self.seller_id,
        }
    }

    /// The review written by `role`'s side, if written.
    pub fn written_by(&self, role: TradeRole) -> Option<&WrittenReview> {
        match role {
            TradeRole::Buyer => self.by_buyer.as_ref(),
            TradeRole::Seller => self.by_seller.as_ref(),
        }
    }

    fn by_mut(&mut self, role: TradeRole) -> &mut Option<WrittenReview> {
        match role {
            TradeRole::Buyer => &mut self.by_buyer,
            TradeRole::Seller => &mut self.by_seller,
        }
    }
}

fn role_in(member: AccountId, buyer: AccountId, seller: AccountId) -> Option<TradeRole> {
    if member == buyer {
        Some(TradeRole::Buyer)
    } else if member == seller {
        Some(TradeRole::Seller)
    } else {
        None
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum TradeReviewsState {
    /// Nobody has reviewed the trade yet.
    #[default]
    None,
    Begun(Box<TradeReviews>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event_type", content = "data")]
pub enum ReviewEvent {
    /// `reviewer_id` reviewed `reviewee_id`, the other party of `order_id`.
    TradeReviewWritten {
        order_id: OrderId,
        buyer_id: AccountId,
        seller_id: AccountId,
        reviewer_id: AccountId,
        reviewee_id: AccountId,
        reviewer_role: TradeRole,
        rating: Rating,
        tags: Vec<ReviewTag>,
        comment: Option<ReviewComment>,
        /// Until when the other party may still review; the reviews show from then at the latest.
        window_closes_at: DateTime<Utc>,
    },
    /// The member reviewed by `reviewer_id` answered that review.
    TradeReviewReplied { order_id: OrderId, reviewer_id: AccountId, replier_id: AccountId, text: ReviewReply },
}

impl DomainEvent for ReviewEvent {
    fn event_type(&self) -> &'static str {
        match self {
            ReviewEvent::TradeReviewWritten { .. } => "TradeReviewWritten",
            ReviewEvent::TradeReviewReplied { .. } => "TradeReviewReplied",
        }
    }
}

impl Aggregate for TradeReviewsState {
    type Command = ReviewCommand;
    type Event = ReviewEvent;

    const STREAM_TYPE: &'static str = "trade_reviews";

    fn decide(&self, command: ReviewCommand) -> Result<Vec<ReviewEvent>, DomainError> {
        match command {
            ReviewCommand::Write { trade, reviewer, draft, at } => self.write(trade, reviewer, draft, at),
            ReviewCommand::Reply { replier, text, at } => self.reply(replier, text, at),
        }
    }

    fn evolve(self, event: &ReviewEvent) -> Self {
        match (self, event) {
            (
                TradeReviewsState::None,
                ReviewEvent::TradeReviewWritten {
                    order_id,
                    buyer_id,
                    seller_id,
                    reviewer_role,
                    rating,
                    tags,
                    comment,
                    window_closes_at,
                    ..
                },
            ) => {
                let mut reviews = TradeReviews {
                    order_id: *order_id,
                    buyer_id: *buyer_id,
                    seller_id: *seller_id,
                    window_closes_at: *window_closes_at,
                    by_buyer: None,
                    by_seller: None,
                };
                *reviews.by_mut(*reviewer_role) = Some(written(*rating, tags, comment.as_ref()));
                TradeReviewsState::Begun(Box::new(reviews))
            }
            (
                TradeReviewsState::Begun(mut reviews),
                ReviewEvent::TradeReviewWritten { reviewer_role, rating, tags, comment, .. },
            ) => {
                *reviews.by_mut(*reviewer_role) = Some(written(*rating, tags, comment.as_ref()));
                TradeReviewsState::Begun(reviews)
            }
            (
                TradeReviewsState::Begun(mut reviews),
                ReviewEvent::TradeReviewReplied { reviewer_id, text, .. },
            ) => {
                if let Some(role) = reviews.role_of(*reviewer_id)
                    && let Some(review) = reviews.by_mut(role)
                {
                    review.reply = Some(text.clone());
                }
                TradeReviewsState::Begun(reviews)
            }
            // A reply is only decided on begun reviews.
            (state @ TradeReviewsState::None, ReviewEvent::TradeReviewReplied { .. }) => state,
        }
    }
}

fn written(rating: Rating, tags: &[ReviewTag], comment: Option<&ReviewComment>) -> WrittenReview {
    WrittenReview {
        draft: ReviewDraft { rating, tags: tags.to_vec(), comment: comment.cloned() },
        reply: None,
    }
}

impl TradeReviewsState {
    fn write(
        &self,
        trade: CompletedTrade,
        reviewer: AccountId,
        draft: ReviewDraft,
        at: DateTime<Utc>,
    ) -> Result<Vec<ReviewEvent>, DomainError> {
        let role = role_in(reviewer, trade.buyer_id, trade.seller_id)
            .ok_or(DomainError::Forbidden(Forbidden::NotParticipant))?;
        let window_closes_at = match self {
            TradeReviewsState::None => trade.completed_at + Duration::days(REVIEW_WINDOW_DAYS),
            TradeReviewsState::Begun(reviews) => {
                if let Some(existing) = reviews.written_by(role) {
                    // The same review sent again (a retry) changes nothing; another is refused.
                    return if existing.draft == draft {
                        Ok(Vec::new())
                    } else {
                        Err(DomainError::AlreadyExists(Kind::Review))
                    };
                }
                reviews.window_closes_at
            }
        };
        if at >= window_closes_at {
            return Err(DomainError::ReviewWindowClosed { closed_at: window_closes_at });
        }
        let reviewee_id = match role {
            TradeRole::Buyer => trade.seller_id,
            TradeRole::Seller => trade.buyer_id,
        };
        Ok(vec![ReviewEvent::TradeReviewWritten {
            order_id: trade.order_id,
            buyer_id: trade.buyer_id,
            seller_id: trade.seller_id,
            reviewer_id: reviewer,
            reviewee_id,
            reviewer_role: role,
            rating: draft.rating,
            tags: draft.tags,
            comment: draft.comment,
            window_closes_at,
        }])
    }

    fn reply(
        &self,
        replier: AccountId,
        text: ReviewReply,
        at: DateTime<Utc>,
    ) -> Result<Vec<ReviewEvent>, DomainError> {
        let TradeReviewsState::Begun(reviews) = self else {
            return Err(DomainError::NotFound(Kind::Review));
        };
        let replier_role =
            reviews.role_of(replier).ok_or(DomainError::Forbidden(Forbidden::NotParticipant))?;
        // The review about the replier is the other party's.
        let reviewer_role = replier_role.other();
        let Some(review) = reviews.written_by(reviewer_role) else {
            return Err(DomainError::NotFound(Kind::Review));
        };
        if !reviews.revealed(at) {
            // Answering a review one cannot read yet would tell that it exists and what it says.
            return Err(DomainError::NotFound(Kind::Review));
        }
        match &review.reply {
            Some(existing) if *existing == text => Ok(Vec::new()),
            Some(_) => Err(DomainError::AlreadyExists(Kind::ReviewReply)),
            None => Ok(vec![ReviewEvent::TradeReviewReplied {
                order_id: reviews.order_id,
                reviewer_id: reviews.member(reviewer_role),
                replier_id: replier,
                text,
            }]),
        }
    }
}
