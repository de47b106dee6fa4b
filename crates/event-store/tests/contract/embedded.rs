//! SQLite only: what the embedded store promises about its file.

use jangteo_event_store::sqlite::SqliteEventStore;
use jangteo_event_store::{EventStore, ExpectedVersion, RecentLog};
use sqlx::{ConnectOptions, sqlite::SqliteConnectOptions};
use uuid::Uuid;

use crate::backends::within_limit;
use crate::fixtures::{append_ok, single, whole_log};

/// A reopened file has its log, its head and its streams' versions; the log continues where it
/// stopped, and the file is in WAL mode.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_reopened_store_continues_its_log() {
    let dir = tempfile::tempdir().expect("create a temporary directory");
    let path = dir.path().join("nested/folder/events.sqlite");
    within_limit(async {
        let stream = Uuid::now_v7();
        let store = SqliteEventStore::open(&path).await.expect("open creates the file and its folders");
        append_ok(&store, single(stream, ExpectedVersion::NoStream, 3)).await;
        let log = whole_log(&store).await;
        store.close().await;
        drop(store);

        let store = SqliteEventStore::open(&path).await.expect("reopen");
        store.migrate().await.expect("migrating again is a no-op");
        assert_eq!(whole_log(&store).await, log);
        assert_eq!(*store.subscribe().borrow(), 3, "subscribers start at the stored head");
        let next = append_ok(&store, single(stream, ExpectedVersion::Exact(3), 1)).await;
        assert_eq!((next.last_position, next.events[0].version), (4, 4));
        store.close().await;

        let mut connection = SqliteConnectOptions::new().filename(&path).connect().await.expect("connect");
        let mode: String =
            sqlx::query_scalar("PRAGMA journal_mode").fetch_one(&mut connection).await.expect("journal mode");
        assert_eq!(mode, "wal");
    })
    .await;
}

/// Tails sharing a window of the newest events read each event from the store once: what one
/// tail read, the others copy from memory (here: after the store has closed), and a tail beyond
/// the window reads the store again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tails_sharing_a_window_read_the_store_once() {
    let dir = tempfile::tempdir().expect("create a temporary directory");
    within_limit(async {
        let store = SqliteEventStore::open(&dir.path().join("events.sqlite")).await.expect("open");
        let stream = Uuid::now_v7();
        append_ok(&store, single(stream, ExpectedVersion::NoStream, 5)).await;
        let recent = RecentLog::default();
        let first = recent.read_after(&store, 0, 3).await.expect("read through the window");
        let rest = recent.read_after(&store, 3, 10).await.expect("read through the window");
        assert_eq!(first.iter().chain(&rest).map(|e| e.global_position).collect::<Vec<_>>(), [1, 2, 3, 4, 5]);

        store.close().await;
        let again = recent.read_after(&store, 0, 10).await.expect("served from the window");
        assert_eq!(again, whole_log_of(&first, &rest), "the same events, in order");
        assert_eq!(recent.read_after(&store, 2, 2).await.expect("from the window").len(), 2);
        assert!(recent.read_after(&store, 5, 10).await.is_err(), "beyond the window: the store is asked");
    })
    .await;
}

fn whole_log_of(
    first: &[jangteo_event_store::RecordedEvent],
    rest: &[jangteo_event_store::RecordedEvent],
) -> Vec<jangteo_event_store::RecordedEvent> {
    first.iter().chain(rest).cloned().collect()
}
