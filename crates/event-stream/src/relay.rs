//! The relay: publishes the global log to Kafka, one CloudEvent per stored event.
//!
//! It follows the log from its checkpoint (kept in the event store), publishes a batch with an
//! idempotent producer (`acks=all`), waits until the broker has acknowledged every message, and
//! only then moves the checkpoint. A crash between publishing and the checkpoint therefore sends
//! the batch again: consumers see duplicates (same CloudEvent `id`, same stream version) and
//! absorb them, but never a gap. Messages are keyed by stream id, so one stream's events keep
//! their order within a partition. Each event goes to its stream type's topic and to the log
//! topic, whose single partition keeps the global order.

use std::{sync::Arc, time::Duration};

use jangteo_event_store::{EventStore, EventStoreError, LogTail, RecordedEvent};
use rdkafka::{
    ClientConfig,
    admin::{AdminClient, AdminOptions, NewTopic, TopicReplication},
    client::DefaultClientContext,
    error::{KafkaError, RDKafkaErrorCode},
    producer::{FutureProducer, FutureRecord},
};

use crate::{CloudEvent, Topics};

/// The relay's checkpoint name in the event store.
pub const CHECKPOINT: &str = "kafka_relay";

/// How long the broker may take to acknowledge a message before the batch counts as failed.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(15);

#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("event store: {0}")]
    Store(#[from] EventStoreError),
    #[error("kafka: {0}")]
    Kafka(#[from] KafkaError),
    #[error("encoding an event: {0}")]
    Encode(#[from] serde_json::Error),
    #[error("the producer dropped a delivery report")]
    DeliveryLost,
}

/// Creates the topics of these stream types (`partitions` each) and the log topic (one
/// partition: it is ordered by global position) on `brokers` if they do not exist yet.
pub async fn ensure_topics(
    brokers: &str,
    topics: &Topics,
    stream_types: &[&str],
    partitions: i32,
) -> Result<(), RelayError> {
    let admin: AdminClient<DefaultClientContext> =
        ClientConfig::new().set("bootstrap.servers", brokers).create()?;
    create_topics(&admin, topics, stream_types, partitions).await
}

async fn create_topics(
    admin: &AdminClient<DefaultClientContext>,
    topics: &Topics,
    stream_types: &[&str],
    partitions: i32,
) -> Result<(), RelayError> {
    let mut names: Vec<(String, i32)> =
        stream_types.iter().map(|t| (topics.for_stream_type(t), partitions)).collect();
    names.push((topics.log(), 1));
    let new_topics: Vec<NewTopic<'_>> = names
        .iter()
        .map(|(name, partitions)| NewTopic::new(name, *partitions, TopicReplication::Fixed(1)))
        .collect();
    let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
    for result in admin.create_topics(&new_topics, &options).await? {
        match result {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((topic, code)) => {
                tracing::error!(topic, ?code, "creating a topic failed");
                return Err(KafkaError::AdminOp(code).into());
            }
        }
    }
    Ok(())
}

pub struct KafkaRelay {
    store: Arc<dyn EventStore>,
    producer: FutureProducer,
    admin: AdminClient<DefaultClientContext>,
    topics: Topics,
}

impl KafkaRelay {
    /// A relay publishing to the brokers in `brokers` (comma-separated `host:port`).
    pub fn new(store: Arc<dyn EventStore>, brokers: &str, topics: Topics) -> Result<Self, RelayError> {
        let timeout_ms = DELIVERY_TIMEOUT.as_millis().to_string();
        let producer: FutureProducer = ClientConfig::new()
            .set("bootstrap.servers", brokers)
            .set("enable.idempotence", "true")
            .set("acks", "all")
            .set("message.timeout.ms", &timeout_ms)
            .set("linger.ms", "5")
            .create()?;
        let admin: AdminClient<DefaultClientContext> =
            ClientConfig::new().set("bootstrap.servers", brokers).create()?;
        Ok(Self { store, producer, admin, topics })
    }

    /// Creates the topics the relay writes to if they do not exist yet (see [`ensure_topics`]).
    pub async fn ensure_topics(&self, stream_types: &[&str], partitions: i32) -> Result<(), RelayError> {
        create_topics(&self.admin, &self.topics, stream_types, partitions).await
    }

    /// Publishes `events` in order and returns once the broker acknowledged all of them.
    pub async fn publish(&self, events: &[RecordedEvent]) -> Result<(), RelayError> {
        let log_topic = self.topics.log();
        let mut messages = Vec::with_capacity(events.len() * 2);
        for event in events {
            let body = CloudEvent::from_recorded(event).to_json()?;
            let key = Topics::key(event);
            messages.push((self.topics.for_event(event), key.clone(), body.clone()));
            messages.push((log_topic.clone(), key, body));
        }
        // Enqueue everything first (in log order, which the idempotent producer keeps per
        // partition), then wait for every acknowledgement.
        let mut deliveries = Vec::with_capacity(messages.len());
        for (topic, key, body) in &messages {
            let record = FutureRecord::to(topic).key(key).payload(body);
            let delivery = self.producer.send_result(record).map_err(|(error, _)| error)?;
            deliveries.push(delivery);
        }
        for delivery in deliveries {
            match delivery.await {
                Ok(Ok(_)) => {}
                Ok(Err((error, _))) => return Err(error.into()),
                Err(_) => return Err(RelayError::DeliveryLost),
            }
        }
        Ok(())
    }

    /// Publishes everything after the checkpoint up to the log's current head, moving the
    /// checkpoint after each acknowledged batch; returns the number of events published.
    pub async fn catch_up(&self) -> Result<u64, RelayError> {
        let head = self.store.head_position().await?;
        let mut position = self.store.load_checkpoint(CHECKPOINT).await?;
        let mut published = 0;
        while position < head {
            let batch = self.store.read_all(position, 512).await?;
            let Some(last) = batch.last() else { break };
            self.publish(&batch).await?;
            position = last.global_position;
            self.store.save_checkpoint(CHECKPOINT, position).await?;
            published += batch.len() as u64;
        }
        Ok(published)
    }

    /// Follows the log forever. After a failure it waits `retry_delay` and resumes from the
    /// checkpoint, re-sending the unacknowledged batch.
    pub async fn run(self, poll_interval: Duration, retry_delay: Duration) {
        loop {
            if let Err(error) = self.follow(poll_interval).await {
                tracing::error!(%error, "relay failed; resuming from its checkpoint");
                tokio::time::sleep(retry_delay).await;
            }
        }
    }

    async fn follow(&self, poll_interval: Duration) -> Result<(), RelayError> {
        let checkpoint = self.store.load_checkpoint(CHECKPOINT).await?;
        let mut tail = LogTail::new(Arc::clone(&self.store), checkpoint, poll_interval);
        loop {
            let batch = tail.next_batch().await?;
            self.publish(&batch).await?;
            self.store.save_checkpoint(CHECKPOINT, tail.position()).await?;
            tracing::debug!(position = tail.position(), "relayed");
        }
    }
}
