//! The listing index schema.

use tantivy::{
    TantivyDocument,
    schema::{FAST, Field, INDEXED, STORED, STRING, Schema, TEXT},
};

use crate::{BackendError, ListingDocument, ReadModelError};

pub(super) const CREATED_POSITION: &str = "created_position";

/// Handles of the schema's fields.
#[derive(Clone, Copy)]
pub(super) struct ListingFields {
    /// The update key: an upsert deletes by it, then adds.
    pub listing_id: Field,
    /// Full text, default tokenizer (splits on whitespace and punctuation, lower-cases; Hangul
    /// words stay whole, so "아이폰" finds "아이폰 15 프로").
    pub title: Field,
    pub description: Field,
    pub price: Field,
    pub status: Field,
    pub created_position: Field,
    /// The whole document as JSON, so a hit needs no second lookup.
    pub document: Field,
}

pub(super) fn build() -> (Schema, ListingFields) {
    let mut builder = Schema::builder();
    let fields = ListingFields {
        listing_id: builder.add_text_field("listing_id", STRING | STORED),
        title: builder.add_text_field("title", TEXT),
        description: builder.add_text_field("description", TEXT),
        price: builder.add_u64_field("price", INDEXED | FAST),
        status: builder.add_text_field("status", STRING),
        created_position: builder.add_u64_field(CREATED_POSITION, INDEXED | FAST),
        document: builder.add_text_field("document", STORED),
    };
    (builder.build(), fields)
}

impl ListingFields {
    pub(super) fn to_tantivy(self, document: &ListingDocument) -> Result<TantivyDocument, ReadModelError> {
        let json = serde_json::to_string(document).map_err(|error| {
            ReadModelError::Search(BackendError::new(format!("serializing a listing: {error}")))
        })?;
        let mut indexed = TantivyDocument::default();
        indexed.add_text(self.listing_id, document.listing_id.to_string());
        indexed.add_text(self.title, &document.title);
        indexed.add_text(self.description, &document.description);
        indexed.add_u64(self.price, u64::try_from(document.price.as_won()).unwrap_or(0));
        indexed.add_text(self.status, document.status.as_str());
        indexed.add_u64(self.created_position, document.created_position);
        indexed.add_text(self.document, json);
        Ok(indexed)
    }
}
