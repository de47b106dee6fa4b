//! Order documents: one per order, with the status of the escrow holding its money.

use std::{collections::HashMap, sync::Arc};

use async_trait::async_trait;
use jangteo_domain::{
    Aggregate, DomainEvent, Money, OrderId,
    escrow::{EscrowBalance, EscrowEvent, EscrowState, EscrowStatus},
    order::{OrderEvent, OrderState, OrderStatus},
};
use jangteo_event_store::RecordedEvent;
use jangteo_read_models::{DocumentStore, DocumentWrite, OrderDocument, ReadModel};

use crate::{Projection, ProjectionError};

/// The checkpoint name (and owned table) of this projection.
pub const NAME: &str = ReadModel::OrderDocuments.name();

pub struct OrderDocumentsProjection {
    documents: Arc<dyn DocumentStore>,
}

impl OrderDocumentsProjection {
    pub fn new(documents: Arc<dyn DocumentStore>) -> Self {
        Self { documents }
    }

    async fn current(
        &self,
        changed: &mut HashMap<OrderId, OrderDocument>,
        order_id: OrderId,
    ) -> Result<Option<OrderDocument>, ProjectionError> {
        match changed.remove(&order_id) {
            Some(document) => Ok(Some(document)),
            None => Ok(self.documents.order(order_id).await?),
        }
    }
}

#[async_trait]
impl Projection for OrderDocumentsProjection {
    fn read_model(&self) -> ReadModel {
        ReadModel::OrderDocuments
    }

    async fn checkpoint(&self) -> Result<u64, ProjectionError> {
        Ok(self.documents.checkpoint(NAME).await?)
    }

    async fn apply(&self, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        let Some(last) = events.last() else { return Ok(()) };
        let mut changed: HashMap<OrderId, OrderDocument> = HashMap::new();
        for event in events {
            if event.stream_type == OrderState::STREAM_TYPE {
                let order_id = OrderId::from_uuid(event.stream_id);
                let current = self.current(&mut changed, order_id).await?;
                let order_event =
                    OrderEvent::from_payload(&event.event_type, event.schema_version, event.payload.clone())?;
                if let Some(next) = fold_order(current, &order_event, event)? {
                    changed.insert(order_id, next);
                }
            } else if event.stream_type == EscrowState::STREAM_TYPE {
                let escrow_event = EscrowEvent::from_payload(
                    &event.event_type,
                    event.schema_version,
                    event.payload.clone(),
                )?;
                let order_id = escrow_event.order_id();
                let current = self.current(&mut changed, order_id).await?;
                if let Some(next) = fold_escrow(current, &escrow_event, event)? {
                    changed.insert(order_id, next);
                }
            }
        }
        let writes = changed.into_values().map(DocumentWrite::PutOrder).collect();
        self.documents.commit(NAME, writes, last.global_position).await?;
        Ok(())
    }

    async fn reset(&self) -> Result<(), ProjectionError> {
        Ok(self.documents.reset(ReadModel::OrderDocuments).await?)
    }
}

pub(crate) fn fold_order(
    current: Option<OrderDocument>,
    order_event: &OrderEvent,
    event: &RecordedEvent,
) -> Result<Option<OrderDocument>, ProjectionError> {
    if current.as_ref().is_some_and(|document| document.version >= event.version) {
        return Ok(None);
    }
    if let OrderEvent::OrderPlaced { order_id, buyer_id, seller_id, items, shipping_fee, price } = order_event
    {
        let Some(first) = items.first() else {
            return Err(ProjectionError::Inconsistent(format!("order {order_id} was placed for no listing")));
        };
        return Ok(Some(OrderDocument {
            order_id: *order_id,
            listing_id: first.listing_id,
            items: items.clone(),
            buyer_id: *buyer_id,
            seller_id: *seller_id,
            shipping_fee: *shipping_fee,
            price: *price,
            status: OrderStatus::Placed,
            escrow_status: None,
            escrow_refunded: Money::ZERO,
            escrow_released: Money::ZERO,
            version: event.version,
            escrow_version: 0,
            created_position: event.global_position,
            created_at: event.recorded_at,
            updated_at: event.recorded_at,
        }));
    }
    let Some(mut document) = current else {
        return Err(ProjectionError::Inconsistent(format!(
            "{} of order {} precedes its placement",
            event.event_type, event.stream_id
        )));
    };
    document.status = document.status.after(order_event, document.price);
    document.version = event.version;
    document.updated_at = event.recorded_at;
    Ok(Some(document))
}

pub(crate) fn fold_escrow(
    current: Option<OrderDocument>,
    escrow_event: &EscrowEvent,
    event: &RecordedEvent,
) -> Result<Option<OrderDocument>, ProjectionError> {
    let Some(mut document) = current else {
        return Err(ProjectionError::Inconsistent(format!(
            "escrow {} refers to an order that was never placed",
            event.stream_id
        )));
    };
    if document.escrow_version >= event.version {
        return Ok(None);
    }
    // The escrow holds the order's price: paying any other amount is refused by the order.
    let before = EscrowBalance {
        amount: document.price,
        refunded: document.escrow_refunded,
        released: document.escrow_released,
        status: document.escrow_status.unwrap_or(EscrowStatus::Held),
    };
    let after = before.after(escrow_event);
    document.escrow_status = Some(after.status);
    document.escrow_refunded = after.refunded;
    document.escrow_released = after.released;
    document.escrow_version = event.version;
    document.updated_at = event.recorded_at;
    Ok(Some(document))
}
