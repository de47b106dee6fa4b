//! Topic names and message keys.

use jangteo_event_store::RecordedEvent;

/// One topic per stream type, `<prefix>.<stream_type>` (e.g. `jangteo.order`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topics {
    prefix: String,
}

impl Topics {
    pub fn new(prefix: &str) -> Self {
        Self { prefix: prefix.trim_end_matches('.').to_owned() }
    }

    pub fn for_stream_type(&self, stream_type: &str) -> String {
        format!("{}.{stream_type}", self.prefix)
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
