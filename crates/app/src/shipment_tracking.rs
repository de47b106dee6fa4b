//! Shipment tracking: follows every shipped parcel with its courier, records how far it has come
//! (picked up, in transit, out for delivery) and its delivery, which starts the buyer-protection
//! window (see [`crate::Deadlines`]).
//!
//! Like deadlines, the set of parcels to follow is derived from the log (shipped, not yet
//! delivered, completed or cancelled), so it survives restarts. Recording a delivery is a
//! command with an id derived from the shipment event (and a stage with one derived from the
//! shipment and the stage), and the domain appends nothing for a parcel already delivered or a
//! stage already passed, so polling twice or from two processes records each step once.

use std::{collections::BTreeMap, sync::Arc, time::Duration};

use jangteo_domain::{
    Carrier, OrderId, TrackingNumber,
    order::{OrderEvent, ShipmentStage},
};
use jangteo_event_store::EventStore;
use jangteo_shipping::{CourierTracker, TrackingError, TrackingStatus};
use uuid::Uuid;

use crate::{
    Actor, AppError, CommandContext, Orders,
    derived_ids::{delivery_command_id, transit_command_id},
    order_log::{OrderFact, OrderLog},
};

/// A parcel on its way, and the shipment event that sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Parcel {
    carrier: Carrier,
    tracking_number: TrackingNumber,
    shipped_by: Uuid,
    correlation_id: Uuid,
    /// The furthest stage recorded so far.
    stage: Option<ShipmentStage>,
}

/// The stage a courier status means, if it is one Jangteo records before delivery.
fn stage_of(status: TrackingStatus) -> Option<ShipmentStage> {
    match status {
        TrackingStatus::AtPickup => Some(ShipmentStage::PickedUp),
        TrackingStatus::InTransit => Some(ShipmentStage::InTransit),
        TrackingStatus::OutForDelivery | TrackingStatus::AttemptFail | TrackingStatus::AvailableForPickup => {
            Some(ShipmentStage::OutForDelivery)
        }
        _ => None,
    }
}

pub struct ShipmentTracking {
    log: OrderLog,
    orders: Orders,
    courier: Arc<dyn CourierTracker>,
    on_the_way: BTreeMap<OrderId, Parcel>,
}

impl ShipmentTracking {
    pub fn new(store: Arc<dyn EventStore>, orders: Orders, courier: Arc<dyn CourierTracker>) -> Self {
        Self { log: OrderLog::new(store), orders, courier, on_the_way: BTreeMap::new() }
    }

    /// Folds the log written since the last call into the parcels to follow.
    pub async fn catch_up(&mut self) -> Result<(), AppError> {
        for OrderFact { order_id, event, recorded } in self.log.read_new().await? {
            match event {
                OrderEvent::OrderShipped { carrier, tracking_number } => {
                    let parcel = Parcel {
                        carrier,
                        tracking_number,
                        shipped_by: recorded.event_id,
                        correlation_id: recorded.metadata.correlation_id,
                        stage: None,
                    };
                    self.on_the_way.insert(order_id, parcel);
                }
                // A disputed parcel is the staff's to follow.
                OrderEvent::OrderDelivered {}
                | OrderEvent::OrderCompleted {}
                | OrderEvent::OrderCancelled { .. }
                | OrderEvent::OrderExpired { .. }
                | OrderEvent::DisputeOpened { .. } => {
                    self.on_the_way.remove(&order_id);
                }
                OrderEvent::ShipmentProgressed { stage } => {
                    if let Some(parcel) = self.on_the_way.get_mut(&order_id) {
                        parcel.stage = Some(stage);
                    }
                }
                OrderEvent::OrderPlaced { .. }
                | OrderEvent::OrderPaid { .. }
                | OrderEvent::ReturnRequested { .. }
                | OrderEvent::RefundGranted { .. }
                | OrderEvent::DisputeResolved { .. } => {}
            }
        }
        Ok(())
    }

    /// Asks the courier about every parcel on its way and records the delivered ones; returns
    /// how many were delivered. A courier that fails for one parcel does not stop the others.
    pub async fn poll(&mut self) -> Result<usize, AppError> {
        let mut delivered = Vec::new();
        for (order_id, parcel) in &mut self.on_the_way {
            let tracking = match self.courier.track(parcel.carrier, &parcel.tracking_number).await {
                Ok(tracking) => tracking,
                // Numbers appear with the courier only once the parcel is picked up.
                Err(TrackingError::NotFound(_)) => continue,
                Err(error) => {
                    tracing::warn!(%order_id, %error, "tracking a parcel failed; asking again later");
                    continue;
                }
            };
            let furthest = tracking.furthest().map(|event| event.status);
            if let Some(stage) = furthest.and_then(stage_of)
                && parcel.stage.is_none_or(|seen| seen < stage)
            {
                let context = CommandContext {
                    actor: Actor::System,
                    command_id: transit_command_id(parcel.shipped_by, stage),
                    correlation_id: parcel.correlation_id,
                    causation_id: Some(parcel.shipped_by),
                };
                match self.orders.record_transit(*order_id, stage, &context).await {
                    Ok(_) | Err(AppError::Domain(_)) => parcel.stage = Some(stage),
                    Err(error) => return Err(error),
                }
            }
            if furthest == Some(TrackingStatus::Delivered) {
                let context = CommandContext {
                    actor: Actor::System,
                    command_id: delivery_command_id(parcel.shipped_by),
                    correlation_id: parcel.correlation_id,
                    causation_id: Some(parcel.shipped_by),
                };
                match self.orders.record_delivery(*order_id, &context).await {
                    Ok(_) => tracing::info!(%order_id, "parcel delivered"),
                    Err(AppError::Domain(refusal)) => {
                        tracing::debug!(%order_id, %refusal, "delivery no longer applies");
                    }
                    Err(error) => return Err(error),
                }
                delivered.push(*order_id);
            }
        }
        for order_id in &delivered {
            self.on_the_way.remove(order_id);
        }
        Ok(delivered.len())
    }

    /// Reads the log and asks the couriers every `interval`, forever.
    pub async fn run(mut self, interval: Duration) {
        let mut ticks = tokio::time::interval(interval);
        loop {
            ticks.tick().await;
            if let Err(error) = async {
                self.catch_up().await?;
                self.poll().await
            }
            .await
            {
                tracing::error!(%error, "shipment tracking failed; trying again on the next tick");
            }
        }
    }
}
