//! Favourite documents: one per (member, listing) ever favourited, on or off, for the member's
//! page of favourites (`GET /v1/me/favourites`).

use std::{collections::HashMap, sync::Arc};

use async_trait::async_trait;
use jangteo_domain::{
    AccountId, Aggregate, DomainEvent, ListingId,
    favourite::{FavouriteEvent, FavouriteState},
};
use jangteo_event_store::RecordedEvent;
use jangteo_read_models::{DocumentStore, DocumentWrite, FavouriteDocument, ReadModel};

use crate::{Projection, ProjectionError};

/// The checkpoint name (and owned table) of this projection.
pub const NAME: &str = ReadModel::FavouriteDocuments.name();

pub struct FavouriteDocumentsProjection {
    documents: Arc<dyn DocumentStore>,
}

impl FavouriteDocumentsProjection {
    pub fn new(documents: Arc<dyn DocumentStore>) -> Self {
        Self { documents }
    }
}

#[async_trait]
impl Projection for FavouriteDocumentsProjection {
    fn read_model(&self) -> ReadModel {
        ReadModel::FavouriteDocuments
    }

    async fn checkpoint(&self) -> Result<u64, ProjectionError> {
        Ok(self.documents.checkpoint(NAME).await?)
    }

    async fn apply(&self, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        let Some(last) = events.last() else { return Ok(()) };
        let mut changed: HashMap<(AccountId, ListingId), FavouriteDocument> = HashMap::new();
        for event in events.iter().filter(|e| e.stream_type == FavouriteState::STREAM_TYPE) {
            let favourite =
                FavouriteEvent::from_payload(&event.event_type, event.schema_version, event.payload.clone())?;
            let (key, favourited, favourited_price) = match favourite {
                FavouriteEvent::ListingFavourited { account_id, listing_id, price } => {
                    ((account_id, listing_id), true, price)
                }
                FavouriteEvent::ListingUnfavourited { account_id, listing_id } => {
                    ((account_id, listing_id), false, None)
                }
            };
            let reflected = match changed.get(&key) {
                Some(document) => Some(document.version),
                None => self.documents.favourite(key.0, key.1).await?.map(|document| document.version),
            };
            // The per-stream guard: an event the document already reflects is skipped.
            if reflected.is_some_and(|version| version >= event.version) {
                continue;
            }
            changed.insert(
                key,
                FavouriteDocument {
                    account_id: key.0,
                    listing_id: key.1,
                    favourited,
                    version: event.version,
                    position: event.global_position,
                    at: event.recorded_at,
                    favourited_price,
                },
            );
        }
        let writes = changed.into_values().map(DocumentWrite::PutFavourite).collect();
        self.documents.commit(NAME, writes, last.global_position).await?;
        Ok(())
    }

    async fn reset(&self) -> Result<(), ProjectionError> {
        Ok(self.documents.reset(ReadModel::FavouriteDocuments).await?)
    }
}
