//! Read models: the documents and indexes that queries read, behind ports.
//!
//! Projections (in `projections/`) are the only writers; the API only reads. Every write carries the
//! projection's checkpoint, committed atomically with the documents, so a crash never loses or
//! double-applies an event. The embedded adapters are [`sqlite::SqliteDocumentStore`] and
//! [`tantivy_search::TantivyListingSearch`]; [`redis_cache`] puts a Redis cache of listing
//! documents in front of any document store. The distributed profile's adapters are
//! [`mongo::MongoDocumentStore`] and [`elasticsearch::ElasticsearchListingSearch`].

mod counters;
mod documents;
pub mod elasticsearch;
mod error;
pub mod mongo;
mod progress;
pub mod redis_cache;
mod search;
pub mod sqlite;
pub mod tantivy_search;

pub use counters::{InMemoryListingCounters, ListingCounters, ListingCounts};
pub use documents::{DocumentStore, DocumentWrite, ListingDocument, ListingStatusView, OrderDocument};
pub use error::{BackendError, ReadModelError};
pub use progress::{NotCaughtUp, ProgressReporter, ProjectionProgress, ReadModel};
pub use search::{ListingSearch, SearchPage, SearchQuery};
pub use sqlite::{LISTING_DOCUMENTS, ORDER_DOCUMENTS};
