//! Dispute timelines: an order's whole story, replayed from the event log itself.
//!
//! Timelines read the log, not a read model: they are evidence, so they come from the source of
//! truth, and each entry shows the aggregate's state right after that event as the deciders rebuild
//! it.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use jangteo_domain::{
    AccountId, Aggregate, DomainEvent, OrderId, SettlementId,
    account::{AccountRole, AccountState},
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
    /// The trade's buyer and seller, and whether each has since closed their account (its
    /// events stay: the trade is a record; what identified the member is gone).
    pub parties: Vec<TimelineParty>,
    pub entries: Vec<TimelineEntry>,
}

/// One party of a trade, as the timeline names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineParty {
    /// `buyer` or `seller`.
    pub role: &'static str,
    pub account_id: AccountId,
    pub erased: bool,
}

#[derive(Clone)]
pub struct Timelines {
    uow: UnitOfWork,
    store: Arc<dyn EventStore>,
    roles: Roles,
}

impl Timelines {
    pub fn new(uow: &UnitOfWork) -> Self {
        Self { roles: Roles::new(uow), store: Arc::clone(uow.store()), uow: uow.clone() }
    }

    async fn party(&self, role: &'static str, account_id: AccountId) -> Result<TimelineParty, AppError> {
        let state = self.uow.current::<AccountState>(account_id.as_uuid()).await?;
        Ok(TimelineParty { role, account_id, erased: matches!(state, AccountState::Erased { .. }) })
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
        let participant = order.is_participant(viewer);
        // Staff read a trade they are not a party to; as a party they see what that party sees.
        let staff = !participant && self.roles.role_of(viewer).await? == AccountRole::DisputeAgent;
        if !participant && !staff {
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
        // The buyer's payment credentials are the buyer's (and staff's, who settle disputes with
        // the gateway): the seller's view of the trade shows them as null.
        let sees_payments = viewer == order.buyer_id || staff;
        for entry in &mut entries {
            entry.summary = crate::timeline_summary::summarize(entry, &order, delivered_at);
            if !sees_payments {
                redact(&mut entry.data, BUYERS_ONLY);
                redact(&mut entry.state_after, BUYERS_ONLY);
            }
        }
        let parties =
            vec![self.party("buyer", order.buyer_id).await?, self.party("seller", order.seller_id).await?];
        Ok(Timeline { order_id, parties, entries })
    }
}

/// The fields of a trade's events that only its buyer (and staff) see.
const BUYERS_ONLY: &[&str] = &["payment_key"];

/// Sets every field named in `fields`, at any depth, to `null`.
fn redact(value: &mut Value, fields: &[&str]) {
    match value {
        Value::Object(object) => {
            for (name, inner) in object.iter_mut() {
                if fields.contains(&name.as_str()) {
                    *inner = Value::Null;
                } else {
                    redact(inner, fields);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| redact(item, fields)),
        _ => {}
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn redaction_nulls_the_named_fields_at_any_depth_and_nothing_else() {
        let mut value = json!({
            "payment": {"gateway": "toss", "payment_key": "tgen_secret"},
            "history": [{"payment_key": "old"}, {"amount": 1000}],
            "payment_key_count": 2,
        });
        redact(&mut value, BUYERS_ONLY);
        assert_eq!(
            value,
            json!({
                "payment": {"gateway": "toss", "payment_key": null},
                "history": [{"payment_key": null}, {"amount": 1000}],
                "payment_key_count": 2,
            })
        );
    }
}
