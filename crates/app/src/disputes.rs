//! After delivery: returns and refunds between buyer and seller, and disputes that staff decide.
//!
//! Money does not move here. A granted return or a resolved dispute is an order event; the trade
//! process manager refunds through the payment gateway and settles the escrow from it, as it does
//! for cancellations. Opening a dispute freezes the escrow in the same append as the order's
//! `DisputeOpened`, so no release can slip in between.

use std::sync::Arc;

use jangteo_domain::{
    AccountId, Aggregate, DisputeReason, DisputeResolution, DomainError, Forbidden, Money, OrderId,
    ReturnReason,
    account::AccountRole,
    escrow::{EscrowCommand, EscrowState},
    order::{OrderCommand, OrderState, ReturnPolicy},
};
use jangteo_event_store::{AppendRequest, EventStore, EventStoreError};

use crate::{
    Accounts, Actor, AppError, CommandContext, OrderReceipt,
    command::{MAX_ATTEMPTS, load, stream_append},
    orders::{run_order_command, status_after, trade_context},
};

#[derive(Clone)]
pub struct Disputes {
    store: Arc<dyn EventStore>,
    accounts: Accounts,
    policy: ReturnPolicy,
}

impl Disputes {
    /// `policy` is the marketplace's cooling-off rule for returns.
    pub fn new(store: Arc<dyn EventStore>, policy: ReturnPolicy) -> Self {
        Self { accounts: Accounts::new(Arc::clone(&store)), store, policy }
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
        let store = self.store.as_ref();
        let context = &trade_context(context, order_id);
        if let Some(outcome) = context.earlier_outcome(store).await? {
            return status_after(store, order_id, &outcome).await;
        }
        for _ in 0..MAX_ATTEMPTS {
            let order = load::<OrderState>(store, order_id.as_uuid()).await?;
            let order_events =
                order.state.decide(OrderCommand::OpenDispute { actor, reason: reason.clone() })?;
            let OrderState::Present(current) = &order.state else {
                return Err(AppError::NotFound);
            };
            let mut streams =
                vec![stream_append::<OrderState>(order_id.as_uuid(), order.version, &order_events)?];
            // Every order that can be disputed is paid, so it has an escrow.
            if let Some(escrow_id) = current.escrow_id {
                let escrow = load::<EscrowState>(store, escrow_id.as_uuid()).await?;
                let escrow_events = escrow.state.decide(EscrowCommand::Freeze)?;
                streams.push(stream_append::<EscrowState>(
                    escrow_id.as_uuid(),
                    escrow.version,
                    &escrow_events,
                )?);
            }
            let request = AppendRequest { metadata: context.metadata(), streams, claims: Vec::new() };
            match store.append(request).await {
                Ok(outcome) => {
                    return status_after(store, order_id, &outcome).await;
                }
                Err(EventStoreError::WrongExpectedVersion { .. }) => {}
                Err(error) => return Err(error.into()),
            }
        }
        Err(AppError::Contention)
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
        let role = match self.accounts.role_of(agent).await {
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
        run_order_command(self.store.as_ref(), order_id, context, command).await
    }
}
