//! The newest stretch of the global log, kept in memory for the tails of one process.
//!
//! Every projection of the embedded feed follows the same log, most of them within a batch of one
//! another. Without a shared window each of them reads and decodes the same events from the store;
//! with it the first tail to reach new events reads them, and the others copy them from memory.
//!
//! The window only ever holds a contiguous run of positions as the store returned them. The
//! store's reads are gap-free (a read never returns position n + 1 before n has committed), so a
//! run read once is final: the log never changes behind it.

use std::collections::VecDeque;
use std::sync::Mutex;

use crate::{EventStore, EventStoreError, GlobalPosition, RecordedEvent};

/// Events kept in the window at most.
const CAPACITY: usize = 16_384;

#[derive(Debug, Default)]
pub struct RecentLog {
    window: Mutex<VecDeque<RecordedEvent>>,
}

impl RecentLog {
    /// Up to `limit` events after `after`: from the window when it holds the next one, else read
    /// from `store` (and kept in the window when they continue it, or start it anew when they lie
    /// beyond it).
    pub async fn read_after(
        &self,
        store: &dyn EventStore,
        after: GlobalPosition,
        limit: usize,
    ) -> Result<Vec<RecordedEvent>, EventStoreError> {
        if let Some(events) = self.cached(after, limit) {
            return Ok(events);
        }
        let events = store.read_all(after, limit).await?;
        self.keep(&events);
        Ok(events)
    }

    fn cached(&self, after: GlobalPosition, limit: usize) -> Option<Vec<RecordedEvent>> {
        let window = self.window.lock().ok()?;
        let first = window.front()?.global_position;
        let start = usize::try_from(after.checked_add(1)?.checked_sub(first)?).ok()?;
        if start >= window.len() {
            return None;
        }
        Some(window.iter().skip(start).take(limit).cloned().collect())
    }

    fn keep(&self, events: &[RecordedEvent]) {
        let (Some(first), Ok(mut window)) = (events.first(), self.window.lock()) else { return };
        match window.back().map(|last| last.global_position + 1) {
            // Continues the window: keep what is new (a read may overlap what another tail kept,
            // or lie wholly behind it).
            Some(next) if first.global_position <= next => {
                window.extend(events.iter().filter(|event| event.global_position >= next).cloned());
            }
            // Beyond the window, or the window is empty: start anew from here.
            _ => {
                window.clear();
                window.extend(events.iter().cloned());
            }
        }
        while window.len() > CAPACITY {
            window.pop_front();
        }
    }
}
