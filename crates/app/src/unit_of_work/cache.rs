//! Recently used aggregates, kept in memory by stream id with the version they were rebuilt at.
//!
//! A cached copy is a true prefix of its stream (stored events never change), so it can always be
//! brought up to date by reading what follows its version. The unit of work decides from a copy
//! without reading the store only where the append's expected version confirms it; anything else
//! (a refusal, a decision that appends nothing, a read beside the append) is checked against the
//! log first. A copy made stale by another process therefore costs one retry, never a wrong answer.

use std::{
    any::Any,
    num::NonZeroUsize,
    sync::{
        Arc, Mutex, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
};

use lru::LruCache;
use uuid::Uuid;

/// One aggregate's state as of `version`, type-erased (the cache holds every aggregate type).
#[derive(Clone)]
pub(crate) struct CachedState {
    pub stream_type: &'static str,
    pub version: u64,
    pub state: Arc<dyn Any + Send + Sync>,
}

/// A bounded least-recently-used map from stream id to [`CachedState`], with hit and miss counts.
pub(crate) struct AggregateCache {
    /// `None` when the cache is off (capacity 0).
    entries: Option<Mutex<LruCache<Uuid, CachedState>>>,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl AggregateCache {
    /// A cache of at most `capacity` aggregates; 0 turns it off.
    pub fn new(capacity: usize) -> Self {
        Self {
            entries: NonZeroUsize::new(capacity).map(|capacity| Mutex::new(LruCache::new(capacity))),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    pub fn enabled(&self) -> bool {
        self.entries.is_some()
    }

    /// The cached copy of `stream_id`, counted as a hit or a miss.
    pub fn get(&self, stream_id: Uuid) -> Option<CachedState> {
        let entries = self.entries.as_ref()?;
        // The lock guards plain map operations that cannot panic half-way; a poisoned lock still
        // holds a consistent map.
        let found = entries.lock().unwrap_or_else(PoisonError::into_inner).get(&stream_id).cloned();
        let counter = if found.is_some() { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Keeps `state` unless a newer version of the stream is cached already (a slower reader must
    /// not replace what a later append put there).
    pub fn put(&self, stream_id: Uuid, state: CachedState) {
        let Some(entries) = &self.entries else { return };
        let mut entries = entries.lock().unwrap_or_else(PoisonError::into_inner);
        if entries.peek(&stream_id).is_some_and(|cached| cached.version > state.version) {
            return;
        }
        entries.put(stream_id, state);
    }

    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    pub fn misses(&self) -> u64 {
        self.misses.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(version: u64) -> CachedState {
        CachedState { stream_type: "test", version, state: Arc::new(version) }
    }

    #[test]
    fn an_older_copy_never_replaces_a_newer_one() {
        let cache = AggregateCache::new(4);
        let id = Uuid::now_v7();
        cache.put(id, at(3));
        cache.put(id, at(2));
        assert_eq!(cache.get(id).map(|cached| cached.version), Some(3));
        cache.put(id, at(5));
        assert_eq!(cache.get(id).map(|cached| cached.version), Some(5));
    }

    #[test]
    fn counts_hits_and_misses_and_forgets_the_least_recently_used() {
        let cache = AggregateCache::new(2);
        let (a, b, c) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        cache.put(a, at(1));
        cache.put(b, at(1));
        assert!(cache.get(a).is_some());
        cache.put(c, at(1));
        assert!(cache.get(b).is_none(), "b was the least recently used");
        assert!(cache.get(a).is_some() && cache.get(c).is_some());
        assert_eq!((cache.hits(), cache.misses()), (3, 1));
    }

    #[test]
    fn capacity_zero_is_off() {
        let cache = AggregateCache::new(0);
        let id = Uuid::now_v7();
        cache.put(id, at(1));
        assert!(!cache.enabled());
        assert!(cache.get(id).is_none());
        assert_eq!((cache.hits(), cache.misses()), (0, 0));
    }
}
