//! Read models: the documents and indexes that queries read, behind ports.
//!
//! Projections (in `projections/`) are the only writers; the API only reads. Every write carries the
//! projection's checkpoint, committed atomically with the documents, so a crash never loses or
//! double-applies an event.
//!
//! The ports compile without features; each adapter family is a cargo feature of its own, so the
//! application layer, the API and the projections, which need only the ports, compile no driver.
//! The embedded adapters are `sqlite::SqliteDocumentStore` (feature `sqlite`) and
//! `tantivy_search::TantivyListingSearch` (`tantivy`); `redis_cache` (`redis`) puts a Redis cache
//! of listing documents in front of any document store and counts views and favourites in Redis.
//! The distributed profile's adapters are `mongo::MongoDocumentStore` (`mongodb`) and
//! `elasticsearch::ElasticsearchListingSearch` (`elasticsearch`).

mod cache;
mod counters;
mod documents;
mod error;
mod progress;
pub(crate) mod search;

#[cfg(feature = "elasticsearch")]
pub mod elasticsearch;
#[cfg(feature = "mongodb")]
pub mod mongo;
#[cfg(feature = "redis")]
pub mod redis_cache;
#[cfg(feature = "sqlite")]
pub mod sqlite;
#[cfg(feature = "tantivy")]
pub mod tantivy_search;

pub use cache::ListingCacheFloors;
pub use counters::{InMemoryListingCounters, ListingCounters, ListingCounts};
pub use documents::{
    DocumentStore, DocumentWrite, FAVOURITE_DOCUMENTS, FavouriteDocument, LISTING_DOCUMENTS, ListingDocument,
    ListingReview, ListingStatusView, ORDER_DOCUMENTS, OrderDocument, OrderParty, PageRequest,
};
pub use error::{BackendError, ReadModelError};
pub use progress::{NotCaughtUp, ProgressReporter, ProjectionProgress, ReadModel};
pub use search::{
    ListingSearch, Nearby, QUERY_WEIGHT, SearchPage, SearchQuery, SearchSort, Suggestion, SuggestionSource,
    ranking,
};
