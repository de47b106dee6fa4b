//! Reviews of completed trades (거래 후기): each party of an order reviews the other once, blind
//! to the other's review until both are written or the window closes, and the reviewed member
//! may answer once (the rules are the domain's, `jangteo_domain::review`).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use jangteo_domain::{
    AccountId, Aggregate, DomainError, DomainEvent, Kind, OrderId, ReviewReply, TradeReviewsId,
    order::{OrderEvent, OrderState, OrderStatus},
    review::{
        CompletedTrade, ReviewCommand, ReviewDraft, TradeReviews, TradeReviewsState, TradeRole, WrittenReview,
    },
};

use crate::{AppError, Clock, CommandContext, CommandReceipt, UnitOfWork, orders::trade_context};

#[derive(Clone)]
pub struct Reviews {
    uow: UnitOfWork,
    clock: Arc<dyn Clock>,
}

/// One review of a trade as a party sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownReview {
    pub reviewer_id: AccountId,
    pub reviewee_id: AccountId,
    pub reviewer_role: TradeRole,
    pub review: WrittenReview,
}

/// A trade's reviews as one of its parties may see them now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TradeReviewsView {
    pub order_id: OrderId,
    /// Until when the trade may be reviewed (`None` before the first review).
    pub window_closes_at: Option<DateTime<Utc>>,
    /// Whether both reviews show (both written, or the window closed).
    pub revealed: bool,
    /// The member's own review, if written.
    pub mine: Option<ShownReview>,
    /// The other party's review: shown once revealed, `None` before (whether or not it is written).
    pub theirs: Option<ShownReview>,
}

impl Reviews {
    pub fn new(uow: &UnitOfWork, clock: Arc<dyn Clock>) -> Self {
        Self { uow: uow.clone(), clock }
    }

    /// `reviewer` reviews the other party of `order_id`. To anyone but its parties, the order
    /// does not exist.
    pub async fn write(
        &self,
        reviewer: AccountId,
        order_id: OrderId,
        draft: ReviewDraft,
        context: &CommandContext,
    ) -> Result<CommandReceipt, AppError> {
        let trade = self.completed_trade(reviewer, order_id).await?;
        let command = ReviewCommand::Write { trade, reviewer, draft, at: self.clock.now() };
        let stream = TradeReviewsId::of(order_id).as_uuid();
        let context = trade_context(context, order_id);
        Ok(self.uow.execute::<TradeReviewsState>(stream, &context, &command).await?.receipt)
    }

    /// `replier` answers the review the other party wrote about them, once it shows.
    pub async fn reply(
        &self,
        replier: AccountId,
        order_id: OrderId,
        text: ReviewReply,
        context: &CommandContext,
    ) -> Result<CommandReceipt, AppError> {
        let command = ReviewCommand::Reply { replier, text, at: self.clock.now() };
        let stream = TradeReviewsId::of(order_id).as_uuid();
        let context = trade_context(context, order_id);
        Ok(self.uow.execute::<TradeReviewsState>(stream, &context, &command).await?.receipt)
    }

    /// The trade's reviews as `member`, one of its parties, may see them now.
    pub async fn of_trade(&self, member: AccountId, order_id: OrderId) -> Result<TradeReviewsView, AppError> {
        let order = match self.uow.current::<OrderState>(order_id.as_uuid()).await? {
            OrderState::Present(order) if order.is_participant(member) => order,
            _ => return Err(AppError::NotFound),
        };
        let reviews =
            match self.uow.current::<TradeReviewsState>(TradeReviewsId::of(order_id).as_uuid()).await? {
                TradeReviewsState::Begun(reviews) => reviews,
                TradeReviewsState::None => {
                    return Ok(TradeReviewsView {
                        order_id,
                        window_closes_at: None,
                        revealed: false,
                        mine: None,
                        theirs: None,
                    });
                }
            };
        let role = if member == order.buyer_id { TradeRole::Buyer } else { TradeRole::Seller };
        let revealed = reviews.revealed(self.clock.now());
        Ok(TradeReviewsView {
            order_id,
            window_closes_at: Some(reviews.window_closes_at),
            revealed,
            mine: shown(&reviews, role),
            theirs: shown(&reviews, role.other()).filter(|_| revealed),
        })
    }

    /// The order as a completed trade of `member`'s, with when it was completed: the time of
    /// the event that completed it (a confirmation, the automatic one, a partial refund or a
    /// dispute's decision).
    async fn completed_trade(
        &self,
        member: AccountId,
        order_id: OrderId,
    ) -> Result<CompletedTrade, AppError> {
        let recorded = self.uow.store().read_stream(order_id.as_uuid(), 0).await?;
        let mut state = OrderState::Absent;
        let mut completed_at = None;
        for event in &recorded {
            if event.stream_type != OrderState::STREAM_TYPE {
                return Err(AppError::NotFound);
            }
            let order_event =
                OrderEvent::from_payload(&event.event_type, event.schema_version, event.payload.clone())?;
            state = state.evolve(&order_event);
            let completed =
                matches!(&state, OrderState::Present(order) if order.status == OrderStatus::Completed);
            if completed && completed_at.is_none() {
                completed_at = Some(event.recorded_at);
            }
        }
        let OrderState::Present(order) = state else { return Err(AppError::NotFound) };
        if !order.is_participant(member) {
            return Err(AppError::NotFound);
        }
        let Some(completed_at) = completed_at else {
            return Err(AppError::Domain(DomainError::InvalidTransition {
                kind: Kind::Order,
                action: "review",
                status: order.status.name(),
            }));
        };
        Ok(CompletedTrade { order_id, buyer_id: order.buyer_id, seller_id: order.seller_id, completed_at })
    }
}

fn shown(reviews: &TradeReviews, role: TradeRole) -> Option<ShownReview> {
    Some(ShownReview {
        reviewer_id: reviews.member(role),
        reviewee_id: reviews.member(role.other()),
        reviewer_role: role,
        review: reviews.written_by(role)?.clone(),
    })
}
