//! Deadlines: commands that Jangteo issues itself when time runs out. Today: an order not paid
//! within the payment window (default 30 minutes) expires, and the process manager puts its
//! listing back on sale.
//!
//! Deadlines are derived from the log, not stored beside it: the scheduler folds the log from
//! position 0 when it starts (an order placed and not yet paid, cancelled or expired has a
//! deadline at its placement time plus the window), so they survive any restart. Firing is a
//! command with an id derived from the event that set the deadline, so firing twice (two
//! schedulers, a crash before the next read) appends nothing the second time, and the domain
//! refuses to expire an order that was paid meanwhile. Time comes from a [`Clock`].

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use chrono::{DateTime, TimeDelta, Utc};
use jangteo_domain::{
    Aggregate, DomainEvent, OrderId,
    order::{OrderEvent, OrderState},
};
use jangteo_event_store::{EventStore, GlobalPosition};
use uuid::Uuid;

use crate::{Actor, AppError, Clock, CommandContext, Orders};

/// Namespace of the command ids deadlines fire with (a fixed random UUID).
const DEADLINE_NAMESPACE: Uuid = Uuid::from_u128(0x5b0e_93c1_6d2f_4e87_a4c3_1f9e_2d7b_8c60);

/// How long each step of a trade may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeadlinePolicy {
    /// From placing an order to paying it.
    pub payment_window: TimeDelta,
}

impl Default for DeadlinePolicy {
    fn default() -> Self {
        Self { payment_window: TimeDelta::minutes(30) }
    }
}

/// One deadline: when, and the event that set it (the cause of the command it fires).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Deadline {
    due: DateTime<Utc>,
    set_by: Uuid,
    correlation_id: Uuid,
}

pub struct Deadlines {
    store: Arc<dyn EventStore>,
    orders: Orders,
    clock: Arc<dyn Clock>,
    policy: DeadlinePolicy,
    /// How far the log has been folded.
    position: GlobalPosition,
    unpaid: BTreeMap<OrderId, Deadline>,
}

impl Deadlines {
    pub fn new(
        store: Arc<dyn EventStore>,
        orders: Orders,
        clock: Arc<dyn Clock>,
        policy: DeadlinePolicy,
    ) -> Self {
        Self { store, orders, clock, policy, position: 0, unpaid: BTreeMap::new() }
    }

    /// Folds the log written since the last call into the pending deadlines.
    pub async fn catch_up(&mut self) -> Result<(), AppError> {
        loop {
            let batch = self.store.read_all(self.position, 512).await?;
            let Some(last) = batch.last().map(|event| event.global_position) else { return Ok(()) };
            for event in batch.iter().filter(|event| event.stream_type == OrderState::STREAM_TYPE) {
                let order_id = OrderId::from_uuid(event.stream_id);
                match OrderEvent::from_payload(
                    &event.event_type,
                    event.schema_version,
                    event.payload.clone(),
                )? {
                    OrderEvent::OrderPlaced { .. } => {
                        let deadline = Deadline {
                            due: event.recorded_at + self.policy.payment_window,
                            set_by: event.event_id,
                            correlation_id: event.metadata.correlation_id,
                        };
                        self.unpaid.insert(order_id, deadline);
                    }
                    OrderEvent::OrderPaid { .. }
                    | OrderEvent::OrderCancelled { .. }
                    | OrderEvent::OrderExpired {} => {
                        self.unpaid.remove(&order_id);
                    }
                    OrderEvent::OrderShipped { .. } | OrderEvent::OrderCompleted {} => {}
                }
            }
            self.position = last;
        }
    }

    /// Fires every deadline that is due by the clock; returns how many fired.
    pub async fn fire_due(&mut self) -> Result<usize, AppError> {
        let now = self.clock.now();
        let due: Vec<(OrderId, Deadline)> =
            self.unpaid.iter().filter(|(_, deadline)| deadline.due <= now).map(|(id, d)| (*id, *d)).collect();
        for (order_id, deadline) in &due {
            let context = CommandContext {
                actor: Actor::System,
                command_id: Uuid::new_v5(&DEADLINE_NAMESPACE, deadline.set_by.as_bytes()),
                correlation_id: deadline.correlation_id,
                causation_id: Some(deadline.set_by),
            };
            match self.orders.expire(*order_id, &context).await {
                Ok(_) => tracing::info!(%order_id, "an unpaid order expired"),
                // Paid or cancelled in the meantime: the log will say so on the next read.
                Err(AppError::Domain(refusal)) => {
                    tracing::debug!(%order_id, %refusal, "deadline no longer applies");
                }
                Err(error) => return Err(error),
            }
            self.unpaid.remove(order_id);
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
