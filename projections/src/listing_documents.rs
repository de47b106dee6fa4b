//! Listing documents: one document per listing, as the query API serves it.

use std::{collections::HashMap, sync::Arc};

use async_trait::async_trait;
use jangteo_domain::{
    Aggregate, DomainEvent, ListingId,
    listing::{self, ListingEvent, ListingState},
};
use jangteo_event_store::RecordedEvent;
use jangteo_read_models::{
    DocumentStore, DocumentWrite, ListingDocument, ListingReview, ListingStatusView, ReadModel,
};

use crate::{Projection, ProjectionError};

/// The checkpoint name (and owned table) of this projection.
pub const NAME: &str = ReadModel::ListingDocuments.name();

pub struct ListingDocumentsProjection {
    documents: Arc<dyn DocumentStore>,
}

impl ListingDocumentsProjection {
    pub fn new(documents: Arc<dyn DocumentStore>) -> Self {
        Self { documents }
    }
}

#[async_trait]
impl Projection for ListingDocumentsProjection {
    fn read_model(&self) -> ReadModel {
        ReadModel::ListingDocuments
    }

    async fn checkpoint(&self) -> Result<u64, ProjectionError> {
        Ok(self.documents.checkpoint(NAME).await?)
    }

    async fn apply(&self, events: &[RecordedEvent]) -> Result<(), ProjectionError> {
        let Some(last) = events.last() else { return Ok(()) };
        let mut changed: HashMap<ListingId, ListingDocument> = HashMap::new();
        for event in events.iter().filter(|e| e.stream_type == ListingState::STREAM_TYPE) {
            let listing_id = ListingId::from_uuid(event.stream_id);
            let current = match changed.remove(&listing_id) {
                Some(document) => Some(document),
                None => self.documents.listing(listing_id).await?,
            };
            if let Some(next) = fold(current, event)? {
                changed.insert(listing_id, next);
            }
        }
        let writes = changed.into_values().map(DocumentWrite::PutListing).collect();
        self.documents.commit(NAME, writes, last.global_position).await?;
        Ok(())
    }

    async fn reset(&self) -> Result<(), ProjectionError> {
        Ok(self.documents.reset(ReadModel::ListingDocuments).await?)
    }
}

/// Applies one listing event to its document. Pure: the same fold serves the search index.
///
/// Returns the document to store, or `None` when nothing changes: an event at or below the
/// document's version was applied already (redelivery) and is skipped.
pub(crate) fn fold(
    current: Option<ListingDocument>,
    event: &RecordedEvent,
) -> Result<Option<ListingDocument>, ProjectionError> {
    if current.as_ref().is_some_and(|document| document.version >= event.version) {
        return Ok(None);
    }
    let listing_event =
        ListingEvent::from_payload(&event.event_type, event.schema_version, event.payload.clone())?;
    if let ListingEvent::ListingCreated {
        listing_id,
        seller_id,
        title,
        description,
        price,
        category_id,
        quantity,
        location,
        neighbourhood,
    } = listing_event
    {
        return Ok(Some(ListingDocument {
            listing_id,
            seller_id,
            title: title.as_str().to_owned(),
            description: description.as_str().to_owned(),
            price,
            category_id,
            status: ListingStatusView::Draft,
            version: event.version,
            created_position: event.global_position,
            created_at: event.recorded_at,
            updated_at: event.recorded_at,
            quantity: quantity.get(),
            available: quantity.get(),
            images: Vec::new(),
            location,
            neighbourhood: neighbourhood.map(|name| name.as_str().to_owned()),
            bumped_at: None,
            bumped_position: None,
            review: None,
        }));
    }
    let Some(mut document) = current else {
        return Err(ProjectionError::Inconsistent(format!(
            "{} at version {} of listing {} precedes its creation",
            event.event_type, event.version, event.stream_id
        )));
    };
    if let Some(status) = listing::status_after(&listing_event) {
        document.status = ListingStatusView::from(&status);
    }
    if let Some(stock) = listing::stock_after(&listing_event) {
        document.quantity = stock.quantity;
        document.available = stock.available;
    }
    match listing_event {
        ListingEvent::ListingDetailsChanged { title, description } => {
            if let Some(title) = title {
                title.as_str().clone_into(&mut document.title);
            }
            if let Some(description) = description {
                description.as_str().clone_into(&mut document.description);
            }
        }
        ListingEvent::ListingPriceChanged { new_price, .. } => document.price = new_price,
        ListingEvent::ListingRecategorised { category_id } => document.category_id = Some(category_id),
        ListingEvent::ListingRelocated { location, neighbourhood } => {
            document.location = Some(location);
            document.neighbourhood = neighbourhood.map(|name| name.as_str().to_owned());
        }
        ListingEvent::ListingSubmittedForReview { reasons } => {
            document.review = Some(ListingReview { reasons, rejection_reason: None });
        }
        ListingEvent::ListingRejected { reason, .. } => {
            let reasons = document.review.take().map(|review| review.reasons).unwrap_or_default();
            document.review =
                Some(ListingReview { reasons, rejection_reason: Some(reason.as_str().to_owned()) });
        }
        ListingEvent::ListingPublished {} | ListingEvent::ListingApproved { .. } => document.review = None,
        ListingEvent::ListingBumped { at } => {
            document.bumped_at = Some(at);
            document.bumped_position = Some(event.global_position);
        }
        ListingEvent::ListingImageAdded { image } => document.images.push(image),
        ListingEvent::ListingImageRemoved { image_id } => {
            document.images.retain(|image| image.image_id != image_id);
        }
        ListingEvent::ListingImagesReordered { image_ids } => {
            document.images.sort_by_key(|image| {
                image_ids.iter().position(|id| *id == image.image_id).unwrap_or(usize::MAX)
            });
        }
        ListingEvent::ListingCreated { .. }
        | ListingEvent::ListingQuantityChanged { .. }
        | ListingEvent::ListingReservationReleased { .. }
        | ListingEvent::ListingReserved { .. }
        | ListingEvent::ListingSold { .. }
        | ListingEvent::ListingWithdrawn {} => {}
    }
    document.version = event.version;
    document.updated_at = event.recorded_at;
    Ok(Some(document))
}
