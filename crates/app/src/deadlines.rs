//! Deadlines: commands that Jangteo issues itself when time runs out. An order not paid within
//! the payment window (default 30 minutes) expires and its listing goes back on sale; a paid
//! order not shipped within the shipping window (default 5 days) expires and the buyer is
//! refunded (the process manager does both, as for a cancellation); a delivered order the buyer
//! has not confirmed within the buyer-protection window (default 3 days) completes, and the
//! escrow is released to the seller.
//!
//! Deadlines are derived from the log, not stored beside it: the scheduler folds the log from
//! position 0 when it starts (a placed order has a payment deadline at its placement time plus
//! the window, a paid one a shipment deadline; the next step clears it), so they survive any
//! restart. Firing is a
//! command with an id derived from the event that set the deadline, so firing twice (two
//! schedulers, a crash before the next read) appends nothing the second time, and the domain
//! refuses to expire an order that was paid meanwhile. Time comes from a [`Clock`].

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use chrono::{DateTime, TimeDelta, Utc};
use jangteo_domain::{
    OrderId,
    order::{OrderDeadline, OrderEvent},
};
use jangteo_event_store::EventStore;
use uuid::Uuid;

use crate::{
    Actor, AppError, Clock, CommandContext, Orders,
    order_log::{OrderFact, OrderLog},
};

/// Namespace of the command ids deadlines fire with (a fixed random UUID).
const DEADLINE_NAMESPACE: Uuid = Uuid::from_u128(0x5b0e_93c1_6d2f_4e87_a4c3_1f9e_2d7b_8c60);

/// How long each step of a trade may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadlinePolicy {
    /// From placing an order to paying it.
    pub payment_window: TimeDelta,
    /// From paying an order to its shipment (Mercari asks for 3 business days, Vinted 5
    /// working days).
    pub shipping_window: TimeDelta,
    /// From delivery to automatic confirmation: the buyer-protection window (Mercari 3 days,
    /// Vinted 2).
    pub confirmation_window: TimeDelta,
}

impl Default for DeadlinePolicy {
    fn default() -> Self {
        Self {
            payment_window: TimeDelta::minutes(30),
            shipping_window: TimeDelta::days(5),
            confirmation_window: TimeDelta::days(3),
        }
    }
}

/// What happens when a deadline passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Expire(OrderDeadline),
    AutoConfirm,
}

/// One deadline: which, when, and the event that set it (the cause of the command it fires).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Deadline {
    action: Action,
    due: DateTime<Utc>,
    set_by: Uuid,
    correlation_id: Uuid,
}

pub struct Deadlines {
    log: OrderLog,
    orders: Orders,
    clock: Arc<dyn Clock>,
    policy: DeadlinePolicy,
    /// An order has one deadline at a time: the one of its next step.
    pending: BTreeMap<OrderId, Deadline>,
}

impl Deadlines {
    pub fn new(
        store: Arc<dyn EventStore>,
        orders: Orders,
        clock: Arc<dyn Clock>,
        policy: DeadlinePolicy,
    ) -> Self {
        Self { log: OrderLog::new(store), orders, clock, policy, pending: BTreeMap::new() }
    }

    /// Folds the log written since the last call into the pending deadlines.
    pub async fn catch_up(&mut self) -> Result<(), AppError> {
        for OrderFact { order_id, event, recorded } in self.log.read_new().await? {
            let next = match event {
                OrderEvent::OrderPlaced { .. } => {
                    Some((Action::Expire(OrderDeadline::Payment), self.policy.payment_window))
                }
                OrderEvent::OrderPaid { .. } => {
                    Some((Action::Expire(OrderDeadline::Shipment), self.policy.shipping_window))
                }
                OrderEvent::OrderDelivered {} => Some((Action::AutoConfirm, self.policy.confirmation_window)),
                // A return request or a dispute stops the clock: people decide from here on.
                OrderEvent::OrderShipped { .. }
                | OrderEvent::ShipmentProgressed { .. }
                | OrderEvent::OrderCompleted {}
                | OrderEvent::OrderCancelled { .. }
                | OrderEvent::OrderExpired { .. }
                | OrderEvent::ReturnRequested { .. }
                | OrderEvent::RefundGranted { .. }
                | OrderEvent::DisputeOpened { .. }
                | OrderEvent::DisputeResolved { .. } => None,
            };
            match next {
                Some((action, window)) => {
                    let deadline = Deadline {
                        action,
                        due: recorded.recorded_at + window,
                        set_by: recorded.event_id,
                        correlation_id: recorded.metadata.correlation_id,
                    };
                    self.pending.insert(order_id, deadline);
                }
                None => {
                    self.pending.remove(&order_id);
                }
            }
        }
        Ok(())
    }

    /// Fires every deadline that is due by the clock; returns how many fired.
    pub async fn fire_due(&mut self) -> Result<usize, AppError> {
        let now = self.clock.now();
        let due: Vec<(OrderId, Deadline)> = self
            .pending
            .iter()
            .filter(|(_, deadline)| deadline.due <= now)
            .map(|(id, d)| (*id, *d))
            .collect();
        for (order_id, deadline) in &due {
            let context = CommandContext {
                actor: Actor::System,
                command_id: Uuid::new_v5(&DEADLINE_NAMESPACE, deadline.set_by.as_bytes()),
                correlation_id: deadline.correlation_id,
                causation_id: Some(deadline.set_by),
            };
            let fired = match deadline.action {
                Action::Expire(step) => self.orders.expire(*order_id, step, &context).await,
                Action::AutoConfirm => self.orders.auto_confirm(*order_id, &context).await,
            };
            match fired {
                Ok(_) => tracing::info!(%order_id, action = ?deadline.action, "a deadline passed"),
                // Paid or cancelled in the meantime: the log will say so on the next read.
                Err(AppError::Domain(refusal)) => {
                    tracing::debug!(%order_id, %refusal, "deadline no longer applies");
                }
                Err(error) => return Err(error),
            }
            self.pending.remove(order_id);
        }
        Ok(due.len())
    }

    /// Reads the log and fires what is due every `tick`, forever.
    pub async fn run(mut self, tick: Duration) {
        let mut ticks = tokio::time::interval(tick);
        loop {
            ticks.tick().await;
            if let Err(error) = async {
                self.catch_up().await?;
                self.fire_due().await
            }
            .await
            {
                tracing::error!(%error, "deadlines failed; trying again on the next tick");
            }
        }
    }
}
