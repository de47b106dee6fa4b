//! The distributed profile's feed: a Kafka consumer of the log topic.
//!
//! Each projection is its own consumer group (`<prefix>.projection.<name>`), so every projection
//! reads the whole log at its own pace. The log topic has one partition: one member of a group
//! works, any other started for the same projection stands by and takes over on a rebalance.
//! Offsets are committed only through [`EventFeed::applied`], which the runner calls after the
//! read model's own commit; a crash in between re-delivers events the runner then drops.

use std::{collections::BTreeMap, time::Duration};

use async_trait::async_trait;
use jangteo_event_store::{EventFeed, FeedError, FeedSource, GlobalPosition, RecordedEvent};
use rdkafka::{
    ClientConfig, Message, Offset, TopicPartitionList,
    consumer::{CommitMode, Consumer, StreamConsumer},
    error::KafkaError,
};

use crate::{CloudEvent, Topics};

/// The most messages handed out in one batch.
const BATCH_SIZE: usize = 512;
/// Receive errors in a row after which the consumer is given up and rebuilt. librdkafka reports
/// many passing conditions (a broker connection lost and re-established, a topic not created
/// yet) as errors while it recovers by itself.
const ERRORS_BEFORE_GIVING_UP: u32 = 20;

/// A consumer-group member reading the log topic.
pub struct KafkaLogFeed {
    consumer: StreamConsumer,
    topic: String,
    /// Offsets received but not yet committed, by partition: the position of the event each
    /// carried, so [`EventFeed::applied`] knows how far the committed offset may move.
    pending: BTreeMap<i32, Vec<(i64, GlobalPosition)>>,
}

impl KafkaLogFeed {
    /// Joins the consumer group `group` and subscribes to the log topic. A group without
    /// committed offsets starts at the beginning of the topic.
    ///
    /// With a `member_name` the consumer is a static member of its group (`group.instance.id`):
    /// restarted after a crash under the same name, it takes its partitions back at once instead of
    /// waiting for the broker to give up on its predecessor.
    pub fn subscribe(
        brokers: &str,
        topics: &Topics,
        group: &str,
        member_name: Option<&str>,
    ) -> Result<Self, KafkaError> {
        let mut config = ClientConfig::new();
        if let Some(name) = member_name {
            config.set("group.instance.id", format!("{group}.{name}"));
        }
        let consumer: StreamConsumer = config
            .set("bootstrap.servers", brokers)
            .set("group.id", group)
            .set("enable.auto.commit", "false")
            .set("auto.offset.reset", "earliest")
            .set("enable.partition.eof", "false")
            .set("session.timeout.ms", "10000")
            // How long the broker may hold a fetch that finds nothing new. Kafka answers as soon
            // as data arrives; brokers that do not (tansu) answer only when this runs out, so it
            // bounds the idle lag, at the cost of one fetch per interval while idle.
            .set("fetch.wait.max.ms", "50")
            .create()?;
        let topic = topics.log();
        consumer.subscribe(&[&topic])?;
        Ok(Self { consumer, topic, pending: BTreeMap::new() })
    }

    /// The consumer group of a projection.
    pub fn group_for(topics: &Topics, projection: &str) -> String {
        format!("{}.projection.{projection}", topics.prefix())
    }

    fn remember(&mut self, partition: i32, offset: i64, position: GlobalPosition) {
        self.pending.entry(partition).or_default().push((offset, position));
    }
}

/// Opens [`KafkaLogFeed`]s for one consumer group: a projection's feed in the distributed
/// profile.
#[derive(Debug, Clone)]
pub struct KafkaLogSource {
    brokers: String,
    topics: Topics,
    group: String,
    member_name: Option<String>,
}

impl KafkaLogSource {
    /// The feed source of `projection`, in that projection's consumer group.
    pub fn for_projection(brokers: &str, topics: &Topics, projection: &str) -> Self {
        Self {
            brokers: brokers.to_owned(),
            topics: topics.clone(),
            group: KafkaLogFeed::group_for(topics, projection),
            member_name: None,
        }
    }

    /// Makes the consumers static members of their group under `name` (see
    /// [`KafkaLogFeed::subscribe`]); the name must be unique among the group's workers.
    #[must_use]
    pub fn with_member_name(mut self, name: Option<&str>) -> Self {
        self.member_name = name.map(str::to_owned);
        self
    }

    pub fn group(&self) -> &str {
        &self.group
    }
}

#[async_trait]
impl FeedSource for KafkaLogSource {
    async fn open(&self, _after: GlobalPosition) -> Result<Box<dyn EventFeed>, FeedError> {
        // The group's committed offsets say where to resume, not `after`: the consumer drops
        // what it already applied and fills gaps from the event store.
        let feed =
            KafkaLogFeed::subscribe(&self.brokers, &self.topics, &self.group, self.member_name.as_deref())
                .map_err(transport)?;
        Ok(Box::new(feed))
    }
}

fn transport(error: KafkaError) -> FeedError {
    FeedError::Transport(Box::new(error))
}

#[async_trait]
impl EventFeed for KafkaLogFeed {
    async fn next_batch(&mut self) -> Result<Vec<RecordedEvent>, FeedError> {
        let mut batch = Vec::new();
        let mut errors = 0;
        loop {
            let message = if batch.is_empty() {
                match self.consumer.recv().await {
                    Ok(message) => message,
                    Err(error) if errors + 1 < ERRORS_BEFORE_GIVING_UP => {
                        errors += 1;
                        tracing::warn!(topic = %self.topic, %error, errors, "Kafka consumer error; waiting for it to recover");
                        continue;
                    }
                    Err(error) => return Err(transport(error)),
                }
            } else if batch.len() >= BATCH_SIZE {
                break;
            } else {
                // Take what is already fetched, without waiting for more.
                match tokio::time::timeout(Duration::ZERO, self.consumer.recv()).await {
                    Ok(Ok(message)) => message,
                    // Hand out what arrived; the next call meets the error again, or not.
                    Ok(Err(_)) | Err(_) => break,
                }
            };
            let (partition, offset) = (message.partition(), message.offset());
            match message.payload().map(CloudEvent::decode) {
                Some(Ok(event)) => {
                    let position = event.global_position;
                    drop(message);
                    self.remember(partition, offset, position);
                    batch.push(event);
                }
                // Not an event of ours: skip it. Were it standing in for a real position, the runner
                // fills that position from the event store.
                Some(Err(error)) => {
                    tracing::warn!(topic = %self.topic, partition, offset, %error, "skipping a message that is not a Jangteo event");
                }
                None => {
                    tracing::warn!(topic = %self.topic, partition, offset, "skipping an empty message");
                }
            }
        }
        Ok(batch)
    }

    async fn applied(&mut self, position: GlobalPosition) -> Result<(), FeedError> {
        let mut offsets = TopicPartitionList::new();
        for (partition, received) in &mut self.pending {
            let done = received.iter().take_while(|(_, carried)| *carried <= position).count();
            if let Some((offset, _)) = done.checked_sub(1).and_then(|last| received.get(last)) {
                offsets
                    .add_partition_offset(&self.topic, *partition, Offset::Offset(offset + 1))
                    .map_err(transport)?;
            }
            received.drain(..done);
        }
        if offsets.count() > 0 {
            // Asynchronous: a commit lost in a crash only means redeliveries, which are dropped.
            self.consumer.commit(&offsets, CommitMode::Async).map_err(transport)?;
        }
        Ok(())
    }
}
