//! Durable appends to the embedded (SQLite, synchronous=FULL) event store, one event per command.
//! The PostgreSQL figures and group commit come with the load harness.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "benchmark set-up")]

use criterion::{Criterion, criterion_group, criterion_main};
use jangteo_event_store::{
    ActorRole, AppendRequest, EventMetadata, EventStore, ExpectedVersion, NewEvent, StreamAppend,
    sqlite::SqliteEventStore,
};
use uuid::Uuid;

fn request() -> AppendRequest {
    let command_id = Uuid::now_v7();
    AppendRequest {
        metadata: EventMetadata {
            actor_id: Some(Uuid::now_v7()),
            actor_role: ActorRole::User,
            command_id,
            correlation_id: command_id,
            causation_id: None,
        },
        streams: vec![StreamAppend {
            stream_id: Uuid::now_v7(),
            stream_type: "listing".to_owned(),
            expected_version: ExpectedVersion::NoStream,
            events: vec![NewEvent {
                event_id: Uuid::now_v7(),
                event_type: "ListingCreated".to_owned(),
                schema_version: 1,
                payload: serde_json::json!({"title": "아이폰 15", "description": "", "price": 900_000}),
            }],
        }],
        claims: Vec::new(),
    }
}

fn appends(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = runtime.block_on(SqliteEventStore::open(&dir.path().join("bench.sqlite"))).unwrap();
    c.bench_function("sqlite: durable append of one event", |b| {
        b.to_async(&runtime).iter(|| async { store.append(request()).await.unwrap() });
    });
}

criterion_group!(benches, appends);
criterion_main!(benches);
