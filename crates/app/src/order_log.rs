//! A cursor over the order events of the global log, for the components that derive their
//! state from it (deadlines, shipment tracking) instead of storing it.

use std::sync::Arc;

use jangteo_domain::{
    Aggregate, DomainEvent, OrderId,
    order::{OrderEvent, OrderState},
};
use jangteo_event_store::{EventStore, GlobalPosition, RecordedEvent};

use crate::AppError;

/// One order event, decoded, with the envelope fields its readers need.
pub(crate) struct OrderFact {
    pub order_id: OrderId,
    pub event: OrderEvent,
    pub recorded: RecordedEvent,
}

pub(crate) struct OrderLog {
    store: Arc<dyn EventStore>,
    /// How far the log has been read.
    position: GlobalPosition,
}

impl OrderLog {
    /// A cursor at the start of the log.
    pub fn new(store: Arc<dyn EventStore>) -> Self {
        Self { store, position: 0 }
    }

    /// The order events committed since the last call, in log order.
    pub async fn read_new(&mut self) -> Result<Vec<OrderFact>, AppError> {
        let mut facts = Vec::new();
        loop {
            let batch = self.store.read_all(self.position, 512).await?;
            let Some(last) = batch.last().map(|event| event.global_position) else { return Ok(facts) };
            for recorded in batch.into_iter().filter(|event| event.stream_type == OrderState::STREAM_TYPE) {
                let event = OrderEvent::from_payload(
                    &recorded.event_type,
                    recorded.schema_version,
                    recorded.payload.clone(),
                )?;
                facts.push(OrderFact { order_id: OrderId::from_uuid(recorded.stream_id), event, recorded });
            }
            self.position = last;
        }
    }
}
