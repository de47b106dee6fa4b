//! Loading aggregates from their streams and appending what they decide.

use jangteo_domain::{Aggregate, DomainEvent};
use jangteo_event_store::{
    AppendOutcome, AppendRequest, EventStore, EventStoreError, ExpectedVersion, NewEvent, StreamAppend,
};
use uuid::Uuid;

use crate::{AppError, CommandContext};

/// How often a command is re-decided after losing an optimistic-concurrency race. Each retry reads
/// the winner's events first, so the domain decides against the real state (and may now refuse).
pub(crate) const MAX_ATTEMPTS: usize = 8;

/// What a client learns from a successful command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandReceipt {
    /// The global position of the command's last event; wait for it to read your own writes.
    /// For a command that changed nothing, the current head of the log at decision time.
    pub position: u64,
    /// The command was a retry of one already stored; nothing new was appended.
    pub duplicate: bool,
}

impl CommandReceipt {
    pub(crate) fn from_outcome(outcome: &AppendOutcome) -> Self {
        Self { position: outcome.last_position, duplicate: outcome.duplicate }
    }
}

/// An aggregate's state and the stream version it was rebuilt from.
pub(crate) struct Loaded<A> {
    pub state: A,
    pub version: u64,
}

/// Rebuilds an aggregate by replaying its stream. A stream of another type is reported as absent
/// ids are global, so a listing id sent to an order route must not load a listing as an order.
pub(crate) async fn load<A: Aggregate>(
    store: &dyn EventStore,
    stream_id: Uuid,
) -> Result<Loaded<A>, AppError> {
    let events = store.read_stream(stream_id, 0).await?;
    let mut state = A::default();
    let mut version = 0;
    for recorded in events {
        if recorded.stream_type != A::STREAM_TYPE {
            return Err(AppError::NotFound);
        }
        let event = A::Event::from_payload(&recorded.event_type, recorded.schema_version, recorded.payload)?;
        state = state.evolve(&event);
        version = recorded.version;
    }
    Ok(Loaded { state, version })
}

/// Serializes one aggregate's new events into a stream append expecting `version`.
pub(crate) fn stream_append<A: Aggregate>(
    stream_id: Uuid,
    version: u64,
    events: &[A::Event],
) -> Result<StreamAppend, AppError> {
    let events = events
        .iter()
        .map(|event| {
            Ok(NewEvent {
                event_id: Uuid::now_v7(),
                event_type: event.event_type().to_owned(),
                schema_version: event.schema_version(),
                payload: event.to_payload()?,
            })
        })
        .collect::<Result<Vec<_>, AppError>>()?;
    Ok(StreamAppend {
        stream_id,
        stream_type: A::STREAM_TYPE.to_owned(),
        expected_version: ExpectedVersion::from_version(version),
        events,
    })
}

/// The result of [`execute`]: the state after the command, and the receipt.
pub(crate) struct Executed<A> {
    pub state: A,
    pub receipt: CommandReceipt,
}

/// Runs a command against one aggregate: load, decide, append; re-decides after a lost race.
///
/// A command whose id is already stored is answered from the log without deciding again, so a
/// retried request gets its first answer even if the aggregate moved on since.
pub(crate) async fn execute<A: Aggregate>(
    store: &dyn EventStore,
    stream_id: Uuid,
    context: &CommandContext,
    command: &A::Command,
) -> Result<Executed<A>, AppError>
where
    A::Command: Clone,
{
    if let Some(outcome) = context.earlier_outcome(store).await? {
        let loaded = load::<A>(store, stream_id).await?;
        return Ok(Executed { state: loaded.state, receipt: CommandReceipt::from_outcome(&outcome) });
    }
    for _ in 0..MAX_ATTEMPTS {
        let loaded = load::<A>(store, stream_id).await?;
        let events = loaded.state.decide(command.clone())?;
        if events.is_empty() {
            let position = store.head_position().await?;
            return Ok(Executed {
                state: loaded.state,
                receipt: CommandReceipt { position, duplicate: false },
            });
        }
        let request = AppendRequest {
            metadata: context.metadata(),
            streams: vec![stream_append::<A>(stream_id, loaded.version, &events)?],
            claims: Vec::new(),
        };
        match store.append(request).await {
            Ok(outcome) => {
                let state = if outcome.duplicate {
                    load::<A>(store, stream_id).await?.state
                } else {
                    events.iter().fold(loaded.state, A::evolve)
                };
                return Ok(Executed { state, receipt: CommandReceipt::from_outcome(&outcome) });
            }
            Err(EventStoreError::WrongExpectedVersion { .. }) => {}
            Err(error) => return Err(error.into()),
        }
    }
    Err(AppError::Contention)
}
