//! What operators ask of a running instance: how far behind the projections are, and whether
//! every backend answers.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use jangteo_event_store::EventStore;
use jangteo_read_models::{DocumentStore, ListingCounters, ListingSearch};

use crate::{AppError, CommandStats, ProjectionProgress, ReadModel, UnitOfWork};

/// How far one projection trails the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectionLag {
    pub projection: String,
    pub position: u64,
    pub events_behind: u64,
    /// Age of the oldest event not yet projected (0 when caught up).
    pub millis_behind: u64,
}

/// The state of the log and of every projection at one moment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LagReport {
    pub head: u64,
    pub projections: Vec<ProjectionLag>,
}

/// One backend's answer to a readiness probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendStatus {
    pub backend: &'static str,
    pub ready: bool,
    /// What went wrong, for operators (never sent to end users).
    pub error: Option<String>,
}

#[derive(Clone)]
pub struct Operations {
    uow: UnitOfWork,
    store: Arc<dyn EventStore>,
    documents: Arc<dyn DocumentStore>,
    search: Arc<dyn ListingSearch>,
    counters: Arc<dyn ListingCounters>,
    progress: ProjectionProgress,
}

impl Operations {
    pub fn new(
        uow: &UnitOfWork,
        documents: Arc<dyn DocumentStore>,
        search: Arc<dyn ListingSearch>,
        counters: Arc<dyn ListingCounters>,
        progress: ProjectionProgress,
    ) -> Self {
        Self { uow: uow.clone(), store: Arc::clone(uow.store()), documents, search, counters, progress }
    }

    /// The command path's counters: aggregate cache hits and misses, retries after lost races.
    pub fn command_stats(&self) -> CommandStats {
        self.uow.stats()
    }

    /// The log head and each projection's lag behind it, in events and in time.
    pub async fn lag(&self, now: DateTime<Utc>) -> Result<LagReport, AppError> {
        let head = self.store.head_position().await?;
        let mut projections = Vec::new();
        for (projection, position) in self.progress.positions() {
            let events_behind = head.saturating_sub(position);
            let millis_behind = if events_behind == 0 {
                0
            } else {
                let oldest = self.store.read_all(position, 1).await?;
                oldest.first().map_or(0, |event| {
                    u64::try_from((now - event.recorded_at).num_milliseconds()).unwrap_or(0)
                })
            };
            projections.push(ProjectionLag { projection, position, events_behind, millis_behind });
        }
        Ok(LagReport { head, projections })
    }

    /// Asks every configured backend a cheap question: the event store (SQLite or PostgreSQL), the
    /// documents (SQLite or MongoDB), the search index (tantivy or Elasticsearch) and the counters
    /// (memory or Redis).
    pub async fn readiness(&self) -> Vec<BackendStatus> {
        let status = |backend, result: Result<(), String>| BackendStatus {
            backend,
            ready: result.is_ok(),
            error: result.err(),
        };
        vec![
            status("event_store", self.store.head_position().await.map(drop).map_err(|e| e.to_string())),
            status(
                "documents",
                self.documents
                    .checkpoint(ReadModel::ListingDocuments.name())
                    .await
                    .map(drop)
                    .map_err(|e| e.to_string()),
            ),
            status("search", self.search.checkpoint().await.map(drop).map_err(|e| e.to_string())),
            status("counters", self.counters.checkpoint().await.map(drop).map_err(|e| e.to_string())),
        ]
    }
}
