//! Topic names and message keys.

use jangteo_event_store::RecordedEvent;

/// One topic per stream type, `<prefix>.<stream_type>` (e.g. `jangteo.order`), for analysts and
/// any consumer interested in some stream types; and the whole log in one single-partition topic,
/// `<prefix>.log`, for projection workers, which need the log's global order (an order document
/// folds escrow events, which travel on another stream-type topic).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topics {
    prefix: String,
}

impl Topics {
    pub fn new(prefix: &str) -> Self {
        Self { prefix: prefix.trim_end_matches('.').to_owned() }
    }

    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    pub fn for_stream_type(&self, stream_type: &str) -> String {
        format!("{}.{stream_type}", self.prefix)
    }

    /// The topic carrying every event in global-position order.
    pub fn log(&self) -> String {
        format!("{}.log", self.prefix)
    }

    pub fn for_event(&self, event: &RecordedEvent) -> String {
        self.for_stream_type(&event.stream_type)
    }

    /// The message key: the stream id, so one stream's events land in one partition, in order.
    pub fn key(event: &RecordedEvent) -> String {
        event.stream_id.to_string()
    }
}

impl Default for Topics {
    fn default() -> Self {
        Self::new("jangteo")
    }
}
