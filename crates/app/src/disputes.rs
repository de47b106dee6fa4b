//! After delivery: returns and refunds between buyer and seller, and disputes that staff decide.
//!
//! Money does not move here. A granted return or a resolved dispute is an order event; the trade
//! process manager refunds through the payment gateway and settles the escrow from it, as it does
//! for cancellations. Opening a dispute freezes the escrow in the same append as the order's
//! `DisputeOpened`, so no release can slip in between.

use async_trait::async_trait;
use jangteo_domain::{
    AccountId, DisputeReason, DisputeResolution, DomainError, Forbidden, Money, OrderId, ReturnReason,
    account::AccountRole,
    order::{OrderCommand, OrderState, OrderStatus, ReturnPolicy},
};
use jangteo_event_store::AppendOutcome;
use uuid::Uuid;

use crate::{
    Actor, AppError, CommandContext, OrderReceipt, Roles, UnitOfWork,
    orders::{decide_escrow_with_the_order, run_order_command, status_of, trade_context},
    unit_of_work::{Decision, Work},
};

#[derive(Clone)]
pub struct Disputes {
    uow: UnitOfWork,
    roles: Roles,
    policy: ReturnPolicy,
}

impl Disputes {
    /// `policy` is the marketplace's cooling-off rule for returns.
    pub fn new(uow: &UnitOfWork, policy: ReturnPolicy) -> Self {
        Self { roles: Roles::new(uow), uow: uow.clone(), policy }
    }

    /// The buyer asks to send a delivered item back. The buyer-protection window stops running.
    pub async fn request_return(
        &self,
        actor: AccountId,
        order_id: OrderId,
        reason: ReturnReason,
        context: &CommandContext,
    ) -> Result<OrderReceipt, AppError> {
        let command = OrderCommand::RequestReturn { actor, reason, policy: self.policy };
        self.run(order_id, context, &command).await
    }

    /// The seller grants the return with a refund of `refund` (all of the price or a part).
    pub async fn accept_return(
        &self,
        actor: AccountId,
        order_id: OrderId,
        refund: Money,
        context: &CommandContext,
    ) -> Result<OrderReceipt, AppError> {
        self.run(order_id, context, &OrderCommand::AcceptReturn { actor, refund }).await
    }

    /// The buyer or the seller opens a dispute; the order's escrow is frozen in the same append.
    pub async fn open_dispute(
        &self,
        actor: AccountId,
        order_id: OrderId,
        reason: DisputeReason,
        context: &CommandContext,
    ) -> Result<OrderReceipt, AppError> {
        let context = &trade_context(context, order_id);
        let decided = self.uow.run(context, &OpenDispute { actor, order_id, reason }).await?;
        Ok(OrderReceipt { order_id, status: decided.output, receipt: decided.receipt })
    }

    /// Staff decide a dispute. Only accounts holding the dispute-agent role may; the role is
    /// read from the account's stream at the time of the decision.
    pub async fn resolve_dispute(
        &self,
        agent: AccountId,
        order_id: OrderId,
        resolution: DisputeResolution,
        context: &CommandContext,
    ) -> Result<OrderReceipt, AppError> {
        let role = match self.roles.role_of(agent).await {
            Ok(role) => role,
            Err(AppError::NotFound) => AccountRole::Member,
            Err(error) => return Err(error),
        };
        if role != AccountRole::DisputeAgent {
            return Err(DomainError::Forbidden(Forbidden::NotAgent).into());
        }
        let context = CommandContext { actor: Actor::Agent(agent), ..*context };
        self.run(order_id, &context, &OrderCommand::ResolveDispute { agent, resolution }).await
    }

    async fn run(
        &self,
        order_id: OrderId,
        context: &CommandContext,
        command: &OrderCommand,
    ) -> Result<OrderReceipt, AppError> {
        run_order_command(&self.uow, order_id, context, command).await
    }
}

/// Opening a dispute: the order's `DisputeOpened` and its escrow's `EscrowFrozen` in one append,
/// so no release can slip in between. An escrow frozen already stays as it is.
struct OpenDispute {
    actor: AccountId,
    order_id: OrderId,
    reason: DisputeReason,
}

#[async_trait]
impl Decision for OpenDispute {
    type Output = OrderStatus;

    fn contended_stream(&self) -> Option<Uuid> {
        Some(self.order_id.as_uuid())
    }

    async fn decide(&self, work: &mut Work<'_>) -> Result<OrderStatus, AppError> {
        let open = OrderCommand::OpenDispute { actor: self.actor, reason: self.reason.clone() };
        let (order, events) = work.decide_with_events::<OrderState>(self.order_id.as_uuid(), open).await?;
        decide_escrow_with_the_order(work, &order, &events).await?;
        match order {
            OrderState::Present(order) => Ok(order.status),
            OrderState::Absent => Err(AppError::NotFound),
        }
    }

    async fn replayed(&self, uow: &UnitOfWork, _outcome: &AppendOutcome) -> Result<OrderStatus, AppError> {
        status_of(uow, self.order_id).await
    }
}
