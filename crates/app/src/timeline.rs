//! Dispute timelines: an order's whole story, replayed from the event log itself.
//!
//! Timelines read the log, not a read model: they are evidence, so they come from the source of
//! truth, and each entry shows the aggregate's state right after that event as the deciders rebuild
//! it.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use jangteo_domain::{
    AccountId, Aggregate, DomainEvent, OrderId, SettlementId,
    account::AccountRole,
    escrow::EscrowState,
    listing::ListingState,
    order::{OrderEvent, OrderState},
    settlement::SettlementState,
};
use jangteo_event_store::{ActorRole, EventStore, RecordedEvent};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::{AppError, Roles, UnitOfWork};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEntry {
    pub global_position: u64,
    pub stream_id: Uuid,
    pub stream_type: String,
    pub version: u64,
    pub event_type: String,
    pub actor_id: Option<Uuid>,
    pub actor_role: ActorRole,
    pub command_id: Uuid,
    pub causation_id: Option<Uuid>,
    pub recorded_at: DateTime<Utc>,
    pub data: Value,
    pub state_after: Value,
    /// The entry in words: who did what ("auto-confirmed by the system 3 days after delivery").
    pub summary: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Timeline {
    pub order_id: OrderId,
    pub entries: Vec<TimelineEntry>,
}

#[derive(Clone)]
pub struct Timelines {
    store: Arc<dyn EventStore>,
    roles: Roles,
}

impl Timelines {
    pub fn new(uow: &UnitOfWork) -> Self {
        Self { roles: Roles::new(uow), store: Arc::clone(uow.store()) }
    }

    /// The order's, its listings', its escrow's and its settlement's events in log order. Only the
    /// order's buyer and seller, and dispute staff, may see it; for anyone else the order does
    /// not exist.
    pub async fn for_order(&self, viewer: AccountId, order_id: OrderId) -> Result<Timeline, AppError> {
        let order_events = self.store.read_stream(order_id.as_uuid(), 0).await?;
        if order_events.first().is_none_or(|first| first.stream_type != OrderState::STREAM_TYPE) {
            return Err(AppError::NotFound);
        }
        let mut entries = replay::<OrderState>(&order_events)?;
        let order = order_events
            .iter()
            .map(|e| OrderEvent::from_payload(&e.event_type, e.schema_version, e.payload.clone()))
            .try_fold(OrderState::default(), |state, event| event.map(|event| state.evolve(&event)))?;
        let OrderState::Present(order) = order else {
            return Err(AppError::NotFound);
        };
        if !order.is_participant(viewer) && self.roles.role_of(viewer).await? != AccountRole::DisputeAgent {
            return Err(AppError::NotFound);
        }
        for listing_id in order.listing_ids() {
            let listing_events = self.store.read_stream(listing_id.as_uuid(), 0).await?;
            entries.extend(replay::<ListingState>(&listing_events)?);
        }
        if let Some(escrow_id) = order.escrow_id {
            let escrow_events = self.store.read_stream(escrow_id.as_uuid(), 0).await?;
            entries.extend(replay::<EscrowState>(&escrow_events)?);
            let settlement_events = self.store.read_stream(SettlementId::of(escrow_id).as_uuid(), 0).await?;
            entries.extend(replay::<SettlementState>(&settlement_events)?);
        }
        entries.sort_by_key(|entry| entry.global_position);
        let delivered_at = entries
            .iter()
            .find(|entry| entry.stream_id == order_id.as_uuid() && entry.event_type == "OrderDelivered")
            .map(|entry| entry.recorded_at);
        for entry in &mut entries {
            entry.summary = crate::timeline_summary::summarize(entry, &order, delivered_at);
        }
        Ok(Timeline { order_id, entries })
    }
}

/// Folds one stream, recording the state after each event.
fn replay<A: Aggregate>(events: &[RecordedEvent]) -> Result<Vec<TimelineEntry>, AppError> {
    let mut state = A::default();
    let mut entries = Vec::with_capacity(events.len());
    for recorded in events {
        let event =
            A::Event::from_payload(&recorded.event_type, recorded.schema_version, recorded.payload.clone())?;
        state = state.evolve(&event);
        let state_after =
            serde_json::to_value(&state).map_err(|error| AppError::internal("state snapshot", error))?;
        entries.push(TimelineEntry {
            global_position: recorded.global_position,
            stream_id: recorded.stream_id,
            stream_type: recorded.stream_type.clone(),
            version: recorded.version,
            event_type: recorded.event_type.clone(),
            actor_id: recorded.metadata.actor_id,
            actor_role: recorded.metadata.actor_role,
            command_id: recorded.metadata.command_id,
            causation_id: recorded.metadata.causation_id,
            recorded_at: recorded.recorded_at,
            data: recorded.payload.clone(),
            state_after,
            summary: String::new(),
        });
    }
    Ok(entries)
}
