//! The backend-neutral plan of one write transaction holding several commands (group commit).
//!
//! A backend takes its log lock, reads what the store holds for the batch's commands, streams and
//! claims ([`Stored`]), and hands it to [`plan`]. The plan decides every command as if the commands
//! had been appended one after another, in queue order: a command already stored (or stored earlier
//! in the same batch) gets the first outcome back, a command whose expected version or claim fails
//! is refused on its own, and the rest are numbered from the current head without gaps. The
//! backend then writes [`BatchPlan`] in the same transaction and commits once for everyone.
//!
//! A single append is a batch of one, so both paths keep exactly the same rules.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::plan::{self, StreamHead};
use crate::{AppendOutcome, AppendRequest, EventStoreError, GlobalPosition, RecordedEvent, UniqueClaim};

/// A claim's key: its scope and value.
pub(crate) type ClaimKey = (String, String);

/// What the store held for a batch when its transaction took the log lock.
#[derive(Debug, Default)]
pub(crate) struct Stored {
    /// The first outcome of every command of the batch that is already stored.
    pub commands: HashMap<Uuid, AppendOutcome>,
    /// The heads of the batch's streams that exist.
    pub streams: HashMap<Uuid, StreamHead>,
    /// The owners of the batch's claimed values that are already claimed.
    pub claims: HashMap<ClaimKey, Uuid>,
}

impl Stored {
    /// The batch's repeatable command ids, for the backend's lookup.
    pub fn command_ids(requests: &[AppendRequest]) -> Vec<Uuid> {
        requests
            .iter()
            .filter(|request| request.repeatable)
            .map(|request| request.metadata.command_id)
            .collect()
    }

    /// The batch's stream ids, each once, for the backend's lookup.
    pub fn stream_ids(requests: &[AppendRequest]) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = requests
            .iter()
            .flat_map(|request| request.streams.iter().map(|stream| stream.stream_id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// The batch's claims, each key once, for the backend's lookup.
    pub fn claim_keys(requests: &[AppendRequest]) -> Vec<(&str, &str)> {
        let mut keys: Vec<(&str, &str)> = requests
            .iter()
            .flat_map(|request| {
                request.claims.iter().map(|claim| (claim.scope.as_str(), claim.value.as_str()))
            })
            .collect();
        keys.sort_unstable();
        keys.dedup();
        keys
    }

    /// Groups stored events by command into outcomes marked as duplicates.
    pub fn add_command_events(&mut self, events: Vec<RecordedEvent>) -> Result<(), EventStoreError> {
        let mut by_command: HashMap<Uuid, Vec<RecordedEvent>> = HashMap::new();
        for event in events {
            by_command.entry(event.metadata.command_id).or_default().push(event);
        }
        for (command_id, mut events) in by_command {
            events.sort_by_key(|event| event.global_position);
            self.commands.insert(command_id, plan::outcome(command_id, events, true)?);
        }
        Ok(())
    }
}

/// What one transaction writes for a batch, and what each caller is answered once it commits.
#[derive(Debug)]
pub(crate) struct BatchPlan {
    /// One answer per request, in request order.
    pub answers: Vec<Result<AppendOutcome, EventStoreError>>,
    /// The new events, in position order.
    pub events: Vec<RecordedEvent>,
    /// The new head of every stream the batch appends to, for a backend that keeps a table of
    /// them (SQLite; PostgreSQL reads a stream's head from its last event).
    pub stream_heads: Vec<NewStreamHead>,
    /// Values claimed for the first time.
    pub claims: Vec<UniqueClaim>,
    /// The idempotency record of every accepted command.
    pub commands: Vec<CommandRecord>,
    /// The log head after the batch (unchanged when nothing was accepted).
    pub head: GlobalPosition,
}

impl BatchPlan {
    /// Whether the transaction has anything to write.
    pub fn writes_nothing(&self) -> bool {
        self.events.is_empty()
    }
}

#[derive(Debug)]
#[cfg_attr(not(feature = "sqlite"), allow(dead_code, reason = "only SQLite keeps a table of heads"))]
pub(crate) struct NewStreamHead {
    pub stream_id: Uuid,
    pub stream_type: String,
    pub version: u64,
}

#[derive(Debug)]
pub(crate) struct CommandRecord {
    pub command_id: Uuid,
    pub first_position: GlobalPosition,
    pub last_position: GlobalPosition,
}

/// Decides every request of a batch in order against what the store held (`stored`) and what the
/// requests before it did; `head` is the log head read under the lock. The requests were checked
/// by [`plan::validate`] before they were queued.
pub(crate) fn plan(
    requests: &[AppendRequest],
    mut stored: Stored,
    head: GlobalPosition,
    recorded_at: DateTime<Utc>,
) -> BatchPlan {
    let mut batch = BatchPlan {
        answers: Vec::with_capacity(requests.len()),
        events: Vec::new(),
        stream_heads: Vec::new(),
        claims: Vec::new(),
        commands: Vec::new(),
        head,
    };
    let mut touched: HashMap<Uuid, usize> = HashMap::new();
    for request in requests {
        let answer = decide(request, &mut stored, &mut batch, &mut touched, recorded_at);
        batch.answers.push(answer);
    }
    batch
}

/// Decides one request; on acceptance, adds its writes to `batch` and what it changed to `stored`
/// so that the requests after it see it.
fn decide(
    request: &AppendRequest,
    stored: &mut Stored,
    batch: &mut BatchPlan,
    touched: &mut HashMap<Uuid, usize>,
    recorded_at: DateTime<Utc>,
) -> Result<AppendOutcome, EventStoreError> {
    let command_id = request.metadata.command_id;
    if let Some(first) = stored.commands.get(&command_id) {
        return Ok(first.clone());
    }
    let current_versions: Vec<u64> = request
        .streams
        .iter()
        .map(|stream| plan::check_expected(stream, stored.streams.get(&stream.stream_id)))
        .collect::<Result<_, _>>()?;
    let mut new_claims = Vec::new();
    for claim in &request.claims {
        match stored.claims.get(&(claim.scope.clone(), claim.value.clone())) {
            Some(owner) if *owner == claim.owner_stream_id => {}
            Some(_) => return Err(EventStoreError::ClaimTaken { scope: claim.scope.clone() }),
            None => new_claims.push(claim.clone()),
        }
    }
    let first_position = batch
        .head
        .checked_add(1)
        .ok_or_else(|| EventStoreError::InvalidAppend("position overflow".to_owned()))?;
    let events = plan::number_events(
        &request.metadata,
        request.streams.clone(),
        &current_versions,
        first_position,
        recorded_at,
    )?;
    let outcome = plan::outcome(command_id, events, false)?;

    // Accepted: record what it changes, for the store and for the requests after it.
    batch.head = outcome.last_position;
    for last in plan::stream_heads(&outcome.events) {
        let head = StreamHead { stream_type: last.stream_type.clone(), version: last.version };
        stored.streams.insert(last.stream_id, head);
        let new_head = NewStreamHead {
            stream_id: last.stream_id,
            stream_type: last.stream_type.clone(),
            version: last.version,
        };
        if let Some(&index) = touched.get(&last.stream_id) {
            batch.stream_heads[index] = new_head;
        } else {
            touched.insert(last.stream_id, batch.stream_heads.len());
            batch.stream_heads.push(new_head);
        }
    }
    for claim in new_claims {
        stored.claims.insert((claim.scope.clone(), claim.value.clone()), claim.owner_stream_id);
        batch.claims.push(claim);
    }
    batch.events.extend(outcome.events.iter().cloned());
    // A repeat later in this batch gets this outcome; a command that cannot repeat needs no copy.
    if request.repeatable {
        batch.commands.push(CommandRecord {
            command_id,
            first_position,
            last_position: outcome.last_position,
        });
        stored.commands.insert(command_id, AppendOutcome { duplicate: true, ..outcome.clone() });
    }
    Ok(outcome)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, reason = "a failed expectation is a failed test")]

    use super::*;
    use crate::{ActorRole, EventMetadata, ExpectedVersion, NewEvent, StreamAppend};

    fn request(stream_id: Uuid, expected: ExpectedVersion, events: usize) -> AppendRequest {
        let command_id = Uuid::now_v7();
        AppendRequest {
            metadata: EventMetadata {
                actor_id: None,
                actor_role: ActorRole::System,
                command_id,
                correlation_id: command_id,
                causation_id: None,
            },
            streams: vec![StreamAppend {
                stream_id,
                stream_type: "listing".to_owned(),
                expected_version: expected,
                events: (0..events)
                    .map(|_| NewEvent {
                        event_id: Uuid::now_v7(),
                        event_type: "Noted".to_owned(),
                        schema_version: 1,
                        payload: serde_json::json!({}),
                    })
                    .collect(),
            }],
            claims: Vec::new(),
            repeatable: true,
        }
    }

    fn claiming(mut request: AppendRequest, value: &str) -> AppendRequest {
        let owner_stream_id = request.streams[0].stream_id;
        request.claims.push(UniqueClaim {
            scope: "email".to_owned(),
            value: value.to_owned(),
            owner_stream_id,
        });
        request
    }

    #[test]
    fn requests_are_decided_in_order_as_if_appended_one_by_one() {
        let stream = Uuid::now_v7();
        let first = request(stream, ExpectedVersion::NoStream, 2);
        let racer = request(stream, ExpectedVersion::NoStream, 1);
        let follower = request(stream, ExpectedVersion::Exact(2), 1);
        let retried = first.clone();
        let batch = plan(&[first, racer, follower, retried], Stored::default(), 10, Utc::now());

        let first = batch.answers[0].as_ref().expect("the first is accepted");
        assert_eq!(
            first.events.iter().map(|e| (e.global_position, e.version)).collect::<Vec<_>>(),
            [(11, 1), (12, 2)]
        );
        assert!(matches!(
            batch.answers[1],
            Err(EventStoreError::WrongExpectedVersion { expected: 0, actual: 2, .. })
        ));
        let follower = batch.answers[2].as_ref().expect("the follower saw the first's version");
        assert_eq!((follower.events[0].global_position, follower.events[0].version), (13, 3));
        let retried = batch.answers[3].as_ref().expect("a retry is answered");
        assert!(retried.duplicate);
        assert_eq!(retried.events, first.events);

        assert_eq!(batch.head, 13, "no position was spent on the refused request");
        assert_eq!(batch.events.iter().map(|e| e.global_position).collect::<Vec<_>>(), [11, 12, 13]);
        assert_eq!(batch.stream_heads.len(), 1);
        assert_eq!(batch.stream_heads[0].version, 3);
        assert_eq!(batch.commands.len(), 2);
    }

    #[test]
    fn a_command_already_stored_is_answered_with_its_first_outcome() {
        let stream = Uuid::now_v7();
        let mut earlier =
            plan(&[request(stream, ExpectedVersion::NoStream, 1)], Stored::default(), 0, Utc::now());
        let stored_outcome = earlier.answers.remove(0).expect("accepted");
        let mut retry = request(stream, ExpectedVersion::NoStream, 1);
        retry.metadata.command_id = stored_outcome.command_id;
        let mut stored = Stored::default();
        stored.add_command_events(stored_outcome.events.clone()).expect("one command's events");

        let batch = plan(&[retry], stored, 1, Utc::now());
        let answer = batch.answers[0].as_ref().expect("answered");
        assert!(answer.duplicate);
        assert_eq!(answer.events, stored_outcome.events);
        assert!(batch.writes_nothing());
    }

    #[test]
    fn a_value_is_claimed_once_per_batch_and_its_owner_may_claim_it_again() {
        let owner = claiming(request(Uuid::now_v7(), ExpectedVersion::NoStream, 1), "a@example.com");
        let rival = claiming(request(Uuid::now_v7(), ExpectedVersion::NoStream, 1), "a@example.com");
        let mut again =
            claiming(request(owner.streams[0].stream_id, ExpectedVersion::Exact(1), 1), "a@example.com");
        again.claims[0].owner_stream_id = owner.streams[0].stream_id;
        let batch = plan(&[owner, rival, again], Stored::default(), 0, Utc::now());

        assert!(batch.answers[0].is_ok());
        assert!(matches!(&batch.answers[1], Err(EventStoreError::ClaimTaken { scope }) if scope == "email"));
        assert!(batch.answers[2].is_ok());
        assert_eq!(batch.claims.len(), 1, "the value is inserted once");
        assert_eq!(batch.head, 2);
    }

    #[test]
    fn a_value_claimed_before_the_batch_is_refused_to_another_owner() {
        let rival = claiming(request(Uuid::now_v7(), ExpectedVersion::NoStream, 1), "a@example.com");
        let mut stored = Stored::default();
        stored.claims.insert(("email".to_owned(), "a@example.com".to_owned()), Uuid::now_v7());
        let batch = plan(&[rival], stored, 5, Utc::now());
        assert!(matches!(batch.answers[0], Err(EventStoreError::ClaimTaken { .. })));
        assert!(batch.writes_nothing());
        assert_eq!(batch.head, 5);
    }
}
