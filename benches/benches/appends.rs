//! Durable appends per backend and commit mode: one event per command, from one appender and from
//! 64 concurrent appenders (each on a stream of its own, as independent requests are). Criterion
//! reports the time per append; at 64 appenders, throughput is 1 / that time.
//!
//! SQLite runs with `synchronous=FULL`; PostgreSQL runs on `JANGTEO_TEST_DATABASE_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`, a database of its own, dropped at the end) and is
//! skipped when the server is unreachable. `cargo bench -p jangteo-benches --bench appends`.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "benchmark set-up")]

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jangteo_event_store::{
    ActorRole, AppendRequest, CommitMode, EventMetadata, EventStore, ExpectedVersion, NewEvent, StreamAppend,
    postgres::PostgresEventStore, sqlite::SqliteEventStore,
};
use jangteo_test_support::TestDatabase;
use tokio::runtime::Runtime;
use uuid::Uuid;

/// Concurrent appenders, as in the HTTP load harness's default.
const APPENDERS: u64 = 64;
/// The PostgreSQL pool: the API's default.
const POOL: u32 = 16;

fn request(stream_id: Uuid, expected_version: ExpectedVersion) -> AppendRequest {
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
            stream_id,
            stream_type: "listing".to_owned(),
            expected_version,
            events: vec![NewEvent {
                event_id: Uuid::now_v7(),
                event_type: "ListingPriceChanged".to_owned(),
                schema_version: 1,
                payload: serde_json::json!({"title": "아이폰 15", "description": "", "price": 900_000}),
            }],
        }],
        claims: Vec::new(),
        repeatable: true,
    }
}

/// Appends `total` events from `APPENDERS` tasks, each to its own stream, and returns the time.
async fn appended_concurrently(store: &Arc<dyn EventStore>, total: u64) -> Duration {
    let per_appender = total.div_ceil(APPENDERS);
    let started = Instant::now();
    let appenders: Vec<_> = (0..APPENDERS)
        .map(|_| {
            let store = Arc::clone(store);
            tokio::spawn(async move {
                let stream = Uuid::now_v7();
                for version in 0..per_appender {
                    store.append(request(stream, ExpectedVersion::from_version(version))).await.unwrap();
                }
            })
        })
        .collect();
    for appender in appenders {
        appender.await.unwrap();
    }
    // Scaled back to `total`, the number criterion asked for.
    let appended = u128::from(per_appender * APPENDERS);
    let scaled = started.elapsed().as_nanos() * u128::from(total) / appended;
    Duration::from_nanos(u64::try_from(scaled).unwrap_or(u64::MAX))
}

fn bench_store(c: &mut Criterion, runtime: &Runtime, name: &str, store: &Arc<dyn EventStore>) {
    let mut group = c.benchmark_group(name);
    group.throughput(Throughput::Elements(1));
    group.bench_function("one appender", |b| {
        b.to_async(runtime).iter(|| async {
            store.append(request(Uuid::now_v7(), ExpectedVersion::NoStream)).await.unwrap()
        });
    });
    group.bench_function("64 appenders", |b| {
        b.to_async(runtime).iter_custom(|total| appended_concurrently(store, total));
    });
    group.finish();
}

fn appends(c: &mut Criterion) {
    let runtime = Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (mode, label) in [(CommitMode::Grouped, "group commit"), (CommitMode::OneByOne, "one by one")] {
        let path = dir.path().join(format!("{label}.sqlite"));
        let store: Arc<dyn EventStore> =
            Arc::new(runtime.block_on(SqliteEventStore::open_with_mode(&path, mode)).unwrap());
        bench_store(c, &runtime, &format!("sqlite append, {label}"), &store);
    }

    let Some(database) = runtime.block_on(TestDatabase::create()) else { return };
    for (mode, label) in [(CommitMode::Grouped, "group commit"), (CommitMode::OneByOne, "one by one")] {
        let store =
            runtime.block_on(PostgresEventStore::connect_with_mode(&database.url, POOL, mode)).unwrap();
        runtime.block_on(store.migrate()).unwrap();
        let store: Arc<dyn EventStore> = Arc::new(store);
        bench_store(c, &runtime, &format!("postgres append, {label}"), &store);
        runtime.block_on(async { drop(store) });
    }
    runtime.block_on(database.drop_database());
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(5));
    targets = appends
}
criterion_main!(benches);
