//! Runs one contract check on a fresh store of each backend, with a time limit so a deadlock
//! fails the test instead of hanging the run.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use jangteo_event_store::sqlite::SqliteEventStore;
use jangteo_event_store::{CommitMode, EventStore};

use crate::pg::TestDatabase;

/// Generous: the slowest check appends a few thousand events with an fsync each.
const TIME_LIMIT: Duration = Duration::from_secs(180);

pub async fn on_sqlite<F, Fut>(mode: CommitMode, check: F)
where
    F: FnOnce(Arc<dyn EventStore>) -> Fut,
    Fut: Future<Output = ()>,
{
    let dir = tempfile::tempdir().expect("create a temporary directory");
    let store = SqliteEventStore::open_with_mode(&dir.path().join("events.sqlite"), mode)
        .await
        .expect("open the SQLite store");
    within_limit(check(Arc::new(store))).await;
}

pub async fn on_postgres<F, Fut>(mode: CommitMode, check: F)
where
    F: FnOnce(Arc<dyn EventStore>) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some((database, store)) = TestDatabase::create(mode).await else { return };
    // The check owns the only handle (so it can test what dropping it does); the database is
    // dropped whether the check passed or panicked.
    let result = AssertUnwindSafe(within_limit(check(Arc::new(store)))).catch_unwind().await;
    database.drop_database().await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
}

pub async fn within_limit(check: impl Future<Output = ()>) {
    tokio::time::timeout(TIME_LIMIT, check).await.expect("the check did not finish within its time limit");
}
