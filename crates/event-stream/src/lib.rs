//! The event stream: how events leave the log for other processes (projection workers, analysts).
//!
//! Every event travels as a CloudEvents 1.0 structured-mode JSON message ([`CloudEvent`]), on one
//! topic per stream type ([`Topics`]), keyed by its stream id so that a stream's events stay in
//! order within a partition, and on the single-partition log topic that projection workers
//! consume ([`KafkaLogFeed`]). The encoding is lossless: a consumer rebuilds the exact
//! [`jangteo_event_store::RecordedEvent`] it was made from.

mod cloud_event;
mod consumer;
pub mod relay;
mod topics;

pub use cloud_event::{CloudEvent, DecodeError};
pub use consumer::{KafkaLogFeed, KafkaLogSource};
pub use relay::{KafkaRelay, RelayError, ensure_topics};
pub use topics::Topics;
