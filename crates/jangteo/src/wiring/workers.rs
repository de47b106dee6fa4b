//! The distributed profile's background processes: the relay, and projection workers fed by
//! Kafka.

use std::sync::Arc;

use anyhow::{Context, Result};
use jangteo_app::{Operations, ProjectionProgress};
use jangteo_domain::registry;
use jangteo_event_stream::{KafkaLogSource, KafkaRelay, Topics};

use super::{
    Background, POLL_INTERVAL, RETRY_DELAY, SearchAccess, ensure_data_dir, log_lag, open_counters,
    open_event_store, open_listing_cache, open_read_models, payment_gateway, projections, select,
    spawn_trade_duties, unit_of_work,
};
use crate::config::Config;

/// Partitions of each stream-type topic the relay creates. Messages are keyed by stream, so a
/// stream's order holds whatever the count; more partitions let more analysts' consumers share a
/// topic. (The log topic that projections read always has one.)
const STREAM_TOPIC_PARTITIONS: i32 = 3;

fn brokers(config: &Config) -> Result<&str> {
    config.kafka_brokers.as_deref().context("JANGTEO_KAFKA_BROKERS is not set")
}

/// What a worker process runs besides its projections.
#[derive(Debug, Clone, Copy)]
struct Duties {
    relay: bool,
    process_manager: bool,
}

/// Runs the Kafka relay until stopped: one process per deployment (a second one would only send
/// duplicates, which consumers absorb).
pub async fn relay(config: &Config) -> Result<()> {
    run(config, &[], Duties { relay: true, process_manager: false }, false).await
}

/// Runs everything but the API: the relay, the trade process manager and every projection,
/// fed by Kafka.
pub async fn worker(config: &Config) -> Result<()> {
    run(config, &[], Duties { relay: true, process_manager: true }, true).await
}

/// Runs the named projections (all when empty), fed by Kafka.
pub async fn project(config: &Config, only: &[String]) -> Result<()> {
    run(config, only, Duties { relay: false, process_manager: false }, true).await
}

async fn run(config: &Config, only: &[String], duties: Duties, with_projections: bool) -> Result<()> {
    let brokers = brokers(config)?;
    ensure_data_dir(config)?;
    let store = open_event_store(config).await?;
    let uow = unit_of_work(config, &store);
    let topics = Topics::new(&config.kafka_topic_prefix);
    jangteo_event_stream::ensure_topics(brokers, &topics, &registry::stream_types(), STREAM_TOPIC_PARTITIONS)
        .await
        .context("creating the Kafka topics")?;

    let mut tasks = Background::start()?;
    if duties.relay {
        let relay = KafkaRelay::new(Arc::clone(&store), brokers, topics.clone())?;
        tracing::info!(brokers, prefix = %config.kafka_topic_prefix, "relaying the event log to Kafka");
        tasks.spawn(relay.run(POLL_INTERVAL, RETRY_DELAY));
    }
    if duties.process_manager {
        spawn_trade_duties(config, &uow, &payment_gateway(config)?, &mut tasks)?;
    }
    if with_projections {
        let (documents, search) = open_read_models(config, SearchAccess::Write).await?;
        let cache = open_listing_cache(config).await?;
        let counters = open_counters(config).await?;
        let mut progress = ProjectionProgress::new();
        let kept = projections(&documents, &search, &store, cache.as_ref(), Some(&counters));
        for projection in select(kept, only)? {
            let source = Arc::new(
                KafkaLogSource::for_projection(brokers, &topics, projection.name())
                    .with_member_name(config.kafka_member_name.as_deref()),
            );
            let checkpoint = projection.checkpoint().await?;
            tracing::info!(
                projection = projection.name(),
                checkpoint,
                group = source.group(),
                "projecting from Kafka"
            );
            let reporter = progress.register(projection.read_model(), checkpoint);
            tasks.spawn(jangteo_projections::run(
                projection,
                source,
                Arc::clone(&store),
                reporter,
                RETRY_DELAY,
            ));
        }
        let operations = Operations::new(&uow, documents, search, counters.store, progress);
        tasks.spawn(log_lag(operations));
    }
    tokio::select! {
        () = tasks.first_to_end() => anyhow::bail!("a worker task stopped"),
        () = super::stop_requested() => tracing::info!("worker stopped"),
    }
    tasks.shutdown().await;
    Ok(())
}
