//! Concurrency: racing appenders on one stream, and concurrent writers on the global log under a
//! tailing reader. The races are real (spawned tasks, one connection each); nothing sleeps.

use std::collections::HashMap;
use std::sync::Arc;

use jangteo_event_store::{EventStore, EventStoreError, ExpectedVersion, RecordedEvent};
use tokio::sync::Barrier;
use tokio::task::JoinSet;
use uuid::Uuid;

use crate::fixtures::{single, whole_log};

const RACERS: usize = 16;
const ROUNDS: u64 = 8;

/// In every round, all racers append version N + 1 expecting N: exactly one wins, the others are
/// told the stream moved on, and the stream ends with exactly one event per round.
pub async fn concurrent_appenders_to_one_stream(store: Arc<dyn EventStore>) {
    let stream = Uuid::now_v7();
    for round in 0..ROUNDS {
        let start = Arc::new(Barrier::new(RACERS));
        let mut racers = JoinSet::new();
        for _ in 0..RACERS {
            let (store, start) = (Arc::clone(&store), Arc::clone(&start));
            racers.spawn(async move {
                start.wait().await;
                store.append(single(stream, ExpectedVersion::from_version(round), 1)).await
            });
        }
        let mut winners = 0;
        while let Some(result) = racers.join_next().await {
            match result.expect("a racer panicked") {
                Ok(outcome) => {
                    winners += 1;
                    assert_eq!(outcome.events[0].version, round + 1);
                }
                Err(EventStoreError::WrongExpectedVersion { expected, actual, .. }) => {
                    assert_eq!((expected, actual), (round, round + 1));
                }
                Err(other) => panic!("round {round}: unexpected error {other}"),
            }
        }
        assert_eq!(winners, 1, "round {round}: exactly one appender wins");
    }
    let versions: Vec<u64> =
        store.read_stream(stream, 0).await.expect("read_stream").iter().map(|e| e.version).collect();
    assert_eq!(versions, (1..=ROUNDS).collect::<Vec<_>>());
    assert_eq!(store.head_position().await.expect("head"), ROUNDS, "losers left no gaps");
}

const WRITERS: usize = 8;
const EVENTS_PER_WRITER: u64 = 200;

/// Writers on distinct streams append in batches of 1 to 3 events while a reader tails `read_all`
/// from the last position it saw. The reader must see every position exactly once, in order: a
/// log whose positions could commit out of order would make it skip one.
pub async fn concurrent_writers_leave_no_gaps_for_a_tailing_reader(store: Arc<dyn EventStore>) {
    let total = EVENTS_PER_WRITER * WRITERS as u64;
    let reader = tokio::spawn(tail(Arc::clone(&store), total));

    let start = Arc::new(Barrier::new(WRITERS));
    let mut writers = JoinSet::new();
    for writer in 0..WRITERS {
        let (store, start) = (Arc::clone(&store), Arc::clone(&start));
        writers.spawn(async move {
            let stream = Uuid::now_v7();
            start.wait().await;
            let mut version = 0;
            while version < EVENTS_PER_WRITER {
                let batch = (version % 3 + 1).min(EVENTS_PER_WRITER - version);
                let outcome = store
                    .append(single(stream, ExpectedVersion::from_version(version), batch))
                    .await
                    .unwrap_or_else(|error| panic!("writer {writer} at version {version}: {error}"));
                version = outcome.events.last().expect("events were appended").version;
            }
            stream
        });
    }
    let mut streams = Vec::new();
    while let Some(stream) = writers.join_next().await {
        streams.push(stream.expect("a writer panicked"));
    }

    let seen = reader.await.expect("the reader panicked");
    let log = whole_log(store.as_ref()).await;
    assert_eq!(seen.len() as u64, total);
    assert_eq!(seen, log, "the tailing reader saw exactly the final log");

    // Each stream's events are in the log in version order.
    let mut versions: HashMap<Uuid, Vec<u64>> = HashMap::new();
    for event in &log {
        versions.entry(event.stream_id).or_default().push(event.version);
    }
    for stream in streams {
        assert_eq!(versions[&stream], (1..=EVENTS_PER_WRITER).collect::<Vec<_>>());
    }
}

/// Reads the log from the start until `total` events were seen, waiting on the subscription when
/// it has caught up. Asserts, event by event, that each position is the previous one plus one.
async fn tail(store: Arc<dyn EventStore>, total: u64) -> Vec<RecordedEvent> {
    let mut wake = store.subscribe();
    let mut seen: Vec<RecordedEvent> = Vec::new();
    let mut last = 0;
    while last < total {
        // Marked as seen before reading, so a commit after the read still wakes the wait below.
        wake.borrow_and_update();
        let batch = store.read_all(last, 50).await.expect("read_all");
        if batch.is_empty() {
            wake.changed().await.expect("the store is still there");
            continue;
        }
        for event in batch {
            assert_eq!(event.global_position, last + 1, "the reader skipped or repeated a position");
            last = event.global_position;
            seen.push(event);
        }
    }
    seen
}
