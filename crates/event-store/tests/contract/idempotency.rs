//! Idempotent commands: a retried `command_id` returns the first outcome and appends nothing.

use std::sync::Arc;

use jangteo_event_store::{AppendOutcome, AppendRequest, EventStore, ExpectedVersion};
use uuid::Uuid;

use crate::fixtures::{append_ok, expect_wrong_version, single, stream, whole_log};

/// The first outcome as a retry reports it.
fn as_duplicate(outcome: &AppendOutcome) -> AppendOutcome {
    AppendOutcome { duplicate: true, ..outcome.clone() }
}

pub async fn retried_command_returns_first_outcome(store: Arc<dyn EventStore>) {
    let store = store.as_ref();
    let request = single(Uuid::now_v7(), ExpectedVersion::NoStream, 2);
    let first = append_ok(store, request.clone()).await;
    let log = whole_log(store).await;

    let retry = append_ok(store, request.clone()).await;
    assert_eq!(retry, as_duplicate(&first), "same positions and events, marked duplicate");
    assert_eq!(whole_log(store).await, log, "the log is unchanged");
    assert_eq!(store.head_position().await.expect("head"), first.last_position);

    // The positions a retry reserved were handed back: the next command continues the log.
    let next = append_ok(store, single(Uuid::now_v7(), ExpectedVersion::NoStream, 1)).await;
    assert_eq!(next.last_position, first.last_position + 1);
}

pub async fn retry_with_different_events_returns_first_outcome(store: Arc<dyn EventStore>) {
    let store = store.as_ref();
    let request = single(Uuid::now_v7(), ExpectedVersion::NoStream, 1);
    let first = append_ok(store, request.clone()).await;
    let log = whole_log(store).await;

    // Same command id; another stream, more events, an expected version that would now fail.
    let other = Uuid::now_v7();
    let mut changed = request.clone();
    changed.streams = vec![
        stream(other, ExpectedVersion::NoStream, 3),
        stream(Uuid::now_v7(), ExpectedVersion::Exact(9), 1),
    ];
    let retry = append_ok(store, changed).await;
    assert_eq!(retry, as_duplicate(&first));
    assert_eq!(whole_log(store).await, log);
    assert_eq!(store.read_stream(other, 0).await.expect("read_stream"), []);
}

pub async fn failed_command_is_not_recorded(store: Arc<dyn EventStore>) {
    let store = store.as_ref();
    let id = Uuid::now_v7();
    append_ok(store, single(id, ExpectedVersion::NoStream, 1)).await;

    // A command that failed its version check is not remembered: deciding it again and retrying
    // with the same command id must be able to succeed.
    let mut request = single(id, ExpectedVersion::NoStream, 1);
    expect_wrong_version(store.append(request.clone()).await, id);
    assert_eq!(store.find_command(request.metadata.command_id).await.expect("find_command"), None);
    request.streams[0].expected_version = ExpectedVersion::Exact(1);
    let outcome = append_ok(store, request).await;
    assert!(!outcome.duplicate);
    assert_eq!(outcome.events[0].version, 2);
}

pub async fn find_command_returns_stored_outcome(store: Arc<dyn EventStore>) {
    let store = store.as_ref();
    let request = single(Uuid::now_v7(), ExpectedVersion::NoStream, 3);
    assert_eq!(store.find_command(request.metadata.command_id).await.expect("find_command"), None);
    append_ok(store, single(Uuid::now_v7(), ExpectedVersion::NoStream, 1)).await;
    let first = append_ok(store, request.clone()).await;
    append_ok(store, single(Uuid::now_v7(), ExpectedVersion::NoStream, 1)).await;

    let found = store.find_command(request.metadata.command_id).await.expect("find_command");
    assert_eq!(found, Some(as_duplicate(&first)), "the stored outcome, as a retry would get it");
}

pub async fn a_command_that_is_never_repeated_is_not_recorded(store: Arc<dyn EventStore>) {
    let store = store.as_ref();
    let stream_id = Uuid::now_v7();
    let request = AppendRequest { repeatable: false, ..single(stream_id, ExpectedVersion::NoStream, 2) };
    let outcome = append_ok(store, request.clone()).await;
    assert_eq!(outcome.events.len(), 2);
    assert_eq!(store.find_command(request.metadata.command_id).await.expect("find_command"), None);
    // Its events are in the log and its stream's head moved as for any other command.
    assert_eq!(store.read_stream(stream_id, 0).await.expect("read_stream").len(), 2);
    let next = single(stream_id, ExpectedVersion::Exact(2), 1);
    assert_eq!(append_ok(store, next).await.events[0].version, 3);
}
