//! Projection workers: each folds the ordered global log into one read model.
//!
//! A projection applies a batch of events and stores its checkpoint in the same commit as the read
//! model (a SQLite transaction, a tantivy commit payload), and skips events its documents already
//! reflect (per-stream version guard). So a crash, a restart or a redelivery never loses an event
//! and never applies one twice, and any read model can be dropped and rebuilt from position 0.

mod error;
mod favourite_documents;
mod listing_cache;
mod listing_counters;
mod listing_documents;
mod listing_search;
mod order_documents;
mod runner;
#[cfg(test)]
mod status_table_tests;

pub use error::ProjectionError;
pub use favourite_documents::FavouriteDocumentsProjection;
pub use listing_cache::ListingCacheProjection;
pub use listing_counters::ListingCountersProjection;
pub use listing_documents::ListingDocumentsProjection;
pub use listing_search::ListingSearchProjection;
pub use order_documents::OrderDocumentsProjection;
pub use runner::{Projection, catch_up, rebuild, run, watch_checkpoint};
