//! Concurrency: racing appenders on one stream, and concurrent writers on the global log under a
//! tailing reader. The races are real (spawned tasks, one connection each); nothing sleeps.

use std::collections::HashMap;
use std::sync::Arc;

use jangteo_event_store::{
    AppendOutcome, AppendRequest, EventStore, EventStoreError, ExpectedVersion, RecordedEvent, UniqueClaim,
};
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

/// The same command sent by 16 callers at once (a client retrying over several connections) is
/// stored once: every caller gets the same events, and all but one are told it was a duplicate.
pub async fn concurrent_retries_of_one_command_apply_once(store: Arc<dyn EventStore>) {
    let request = single(Uuid::now_v7(), ExpectedVersion::NoStream, 2);
    let outcomes = race(&store, vec![request; RACERS]).await;
    let outcomes: Vec<_> = outcomes.into_iter().map(|result| result.expect("a retry is answered")).collect();
    assert_eq!(outcomes.iter().filter(|outcome| !outcome.duplicate).count(), 1, "one caller stored it");
    assert!(
        outcomes.iter().all(|outcome| outcome.events == outcomes[0].events),
        "everyone got the same events"
    );
    assert_eq!(whole_log(store.as_ref()).await, outcomes[0].events, "the log holds the command once");
}

/// 16 new streams claim the same value at once: one claim wins, the others are refused with
/// `ClaimTaken` and leave nothing in the log.
pub async fn concurrent_claims_of_one_value_have_one_winner(store: Arc<dyn EventStore>) {
    let requests = (0..RACERS)
        .map(|_| {
            let owner = Uuid::now_v7();
            let mut request = single(owner, ExpectedVersion::NoStream, 1);
            request.claims.push(UniqueClaim {
                scope: "email".to_owned(),
                value: "same-digest".to_owned(),
                owner_stream_id: owner,
            });
            request
        })
        .collect();
    let mut winners = Vec::new();
    for result in race(&store, requests).await {
        match result {
            Ok(outcome) => winners.push(outcome),
            Err(EventStoreError::ClaimTaken { scope }) => assert_eq!(scope, "email"),
            Err(other) => panic!("unexpected error {other}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one claim wins");
    let owner = winners[0].events[0].stream_id;
    assert_eq!(store.find_claim("email", "same-digest").await.expect("find_claim"), Some(owner));
    assert_eq!(whole_log(store.as_ref()).await, winners[0].events, "the refused claims left nothing");
}

/// Among 16 commands sent at once, one reuses an event id that is already stored. Only that
/// command fails; the other 15 are stored, with a gap-free log. (With group commit they may share
/// the failing transaction; the writer then appends them again one by one.)
pub async fn a_reused_event_id_fails_only_its_own_command(store: Arc<dyn EventStore>) {
    let earlier =
        store.append(single(Uuid::now_v7(), ExpectedVersion::NoStream, 1)).await.expect("first append");
    let mut requests: Vec<AppendRequest> =
        (0..RACERS).map(|_| single(Uuid::now_v7(), ExpectedVersion::NoStream, 1)).collect();
    let reuser = RACERS / 2;
    requests[reuser].streams[0].events[0].event_id = earlier.events[0].event_id;

    let results = race(&store, requests).await;
    for (index, result) in results.iter().enumerate() {
        if index == reuser {
            assert!(matches!(result, Err(EventStoreError::InvalidAppend(_))), "got {result:?}");
        } else {
            assert!(result.is_ok(), "command {index}: {result:?}");
        }
    }
    let log = whole_log(store.as_ref()).await;
    let positions: Vec<u64> = log.iter().map(|event| event.global_position).collect();
    assert_eq!(positions, (1..=RACERS as u64).collect::<Vec<_>>(), "15 new events after the first, no gaps");
}

/// Sends every request at once from its own task and returns the results in request order.
async fn race(
    store: &Arc<dyn EventStore>,
    requests: Vec<AppendRequest>,
) -> Vec<Result<AppendOutcome, EventStoreError>> {
    let start = Arc::new(Barrier::new(requests.len()));
    let racers: Vec<_> = requests
        .into_iter()
        .map(|request| {
            let (store, start) = (Arc::clone(store), Arc::clone(&start));
            tokio::spawn(async move {
                start.wait().await;
                store.append(request).await
            })
        })
        .collect();
    let mut results = Vec::with_capacity(racers.len());
    for racer in racers {
        results.push(racer.await.expect("a racer panicked"));
    }
    results
}
