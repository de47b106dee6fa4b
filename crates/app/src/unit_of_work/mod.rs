//! The unit of work: the one way a command reaches the log, for one stream or several.
//!
//! Every command handler describes its decision as a [`Decision`]: which aggregates it loads and
//! what it decides on them, through a [`Work`]. The unit of work owns everything around it:
//!
//! * **idempotency**: a command whose id a retry may repeat (derived ids: an `Idempotency-Key`,
//!   a cause, a saga step) is looked up first and answered from the log if it is stored; when a
//!   decision is refused or changes nothing, it is looked up again, because a concurrent retry of
//!   the same command may have committed in between (its events are what the refusal saw);
//! * **loading** through the aggregate cache (`cache.rs`), and the **expected versions**: each
//!   stream is appended expecting the version the decision saw;
//! * the **append** of every stream that got events, in one transaction; streams that got none
//!   are only read, and a decision with no events at all is a normal answer, not an append;
//! * the **bounded retry**: a lost race (`WrongExpectedVersion`) or a cached copy found stale
//!   re-runs the decision against the newer state, at most [`MAX_ATTEMPTS`] times. Within one
//!   process, commands on a contended stream take turns at its gate (`gates.rs`), so a hot stream
//!   costs no retries there; across processes the store's version check decides.

mod cache;
mod gates;
mod work;

use std::{
    collections::HashSet,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
};

use async_trait::async_trait;
use jangteo_domain::{Aggregate, DomainEvent};
use jangteo_event_store::{AppendOutcome, EventStore, EventStoreError};
use uuid::Uuid;

use crate::{AppError, CommandContext};
use cache::{AggregateCache, CachedState};
use gates::StreamGates;
pub(crate) use work::Work;

/// How often a command is decided before it gives up with [`AppError::Contention`]. Each retry
/// decides against the state that beat it, so the domain may now refuse.
pub(crate) const MAX_ATTEMPTS: usize = 16;

/// The aggregates kept in memory unless configured otherwise.
pub const DEFAULT_CACHE_CAPACITY: usize = 50_000;

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

/// A command's decision over one or more aggregates.
#[async_trait]
pub(crate) trait Decision: Sync {
    type Output: Send;

    /// The stream that concurrent commands of this kind meet on (a cart, a listing, an order):
    /// within one process they take turns on it. `None`: no gate.
    fn contended_stream(&self) -> Option<Uuid>;

    /// Loads what it needs through `work` and decides; the events stay in `work` for the append.
    /// May run several times (after a lost race), so it must not act outside `work`.
    async fn decide(&self, work: &mut Work<'_>) -> Result<Self::Output, AppError>;

    /// The answer to this command when the log holds it already (a retry): `outcome` is the
    /// first append's.
    async fn replayed(&self, uow: &UnitOfWork, outcome: &AppendOutcome) -> Result<Self::Output, AppError>;
}

/// A decided command: its answer and its receipt.
pub(crate) struct Decided<T> {
    pub output: T,
    pub receipt: CommandReceipt,
}

/// What the unit of work has counted since the process started (for `/metrics`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CommandStats {
    pub cache_enabled: bool,
    pub cache_hits: u64,
    pub cache_misses: u64,
    /// Decisions run again after a lost race or a stale cached copy.
    pub retries: u64,
    /// Commands that ran out of attempts (answered `409 concurrent_modification`).
    pub exhausted: u64,
}

/// The unit of work over one event store, shared by every command handler of a process (so that
/// they share one aggregate cache and one set of gates). Cheap to clone.
#[derive(Clone)]
pub struct UnitOfWork {
    inner: Arc<Inner>,
}

struct Inner {
    store: Arc<dyn EventStore>,
    cache: AggregateCache,
    gates: StreamGates,
    retries: AtomicU64,
    exhausted: AtomicU64,
}

impl UnitOfWork {
    /// A unit of work keeping up to `cache_capacity` aggregates in memory (0: no cache).
    pub fn new(store: Arc<dyn EventStore>, cache_capacity: usize) -> Self {
        Self {
            inner: Arc::new(Inner {
                store,
                cache: AggregateCache::new(cache_capacity),
                gates: StreamGates::default(),
                retries: AtomicU64::new(0),
                exhausted: AtomicU64::new(0),
            }),
        }
    }

    /// The event store, for what is not a command (claims, checkpoints, whole streams).
    pub fn store(&self) -> &Arc<dyn EventStore> {
        &self.inner.store
    }

    pub fn stats(&self) -> CommandStats {
        let inner = &self.inner;
        CommandStats {
            cache_enabled: inner.cache.enabled(),
            cache_hits: inner.cache.hits(),
            cache_misses: inner.cache.misses(),
            retries: inner.retries.load(Ordering::Relaxed),
            exhausted: inner.exhausted.load(Ordering::Relaxed),
        }
    }

    fn cache(&self) -> &AggregateCache {
        &self.inner.cache
    }

    /// Runs `decision` as the command `context` describes, and appends what it decides.
    pub(crate) async fn run<D: Decision>(
        &self,
        context: &CommandContext,
        decision: &D,
    ) -> Result<Decided<D::Output>, AppError> {
        self.run_looking_up(context, decision, LookUp::First).await
    }

    /// As [`UnitOfWork::run`], with the earlier outcome looked up `when`.
    async fn run_looking_up<D: Decision>(
        &self,
        context: &CommandContext,
        decision: &D,
        when: LookUp,
    ) -> Result<Decided<D::Output>, AppError> {
        if when == LookUp::First
            && let Some(outcome) = context.earlier_outcome(self.store().as_ref()).await?
        {
            return self.replay(decision, &outcome).await;
        }
        let _turn = match decision.contended_stream() {
            Some(stream_id) => Some(self.inner.gates.enter(stream_id).await),
            None => None,
        };
        let mut refresh = HashSet::new();
        for attempt in 0..MAX_ATTEMPTS {
            if attempt > 0 {
                self.inner.retries.fetch_add(1, Ordering::Relaxed);
            }
            let mut work = Work::new(self, &refresh);
            let output = match decision.decide(&mut work).await {
                Ok(output) => output,
                Err(refusal @ (AppError::Domain(_) | AppError::NotFound)) => {
                    // A refusal decided from a cached copy stands only if the copy was current.
                    let stale = work.stale_copies(true).await?;
                    if !stale.is_empty() {
                        refresh.extend(stale);
                        continue;
                    }
                    return match context.earlier_outcome(self.store().as_ref()).await? {
                        Some(outcome) => self.replay(decision, &outcome).await,
                        None => Err(refusal),
                    };
                }
                Err(error) => return Err(error),
            };
            if work.appends_nothing() {
                let stale = work.stale_copies(true).await?;
                if !stale.is_empty() {
                    refresh.extend(stale);
                    continue;
                }
                if let Some(outcome) = context.earlier_outcome(self.store().as_ref()).await? {
                    return self.replay(decision, &outcome).await;
                }
                let position = self.store().head_position().await?;
                return Ok(Decided { output, receipt: CommandReceipt { position, duplicate: false } });
            }
            // What the decision only read is not confirmed by the append: check it now.
            let stale = work.stale_copies(false).await?;
            if !stale.is_empty() {
                refresh.extend(stale);
                continue;
            }
            let (request, after) = work.into_append(context.metadata(), context.may_repeat());
            match self.store().append(request).await {
                Ok(outcome) if outcome.duplicate => return self.replay(decision, &outcome).await,
                Ok(outcome) => {
                    for (stream_id, state) in after {
                        self.cache().put(stream_id, state);
                    }
                    return Ok(Decided { output, receipt: CommandReceipt::from_outcome(&outcome) });
                }
                Err(EventStoreError::WrongExpectedVersion { stream_id, .. }) => {
                    refresh.insert(stream_id);
                }
                Err(error) => return Err(error.into()),
            }
        }
        self.inner.exhausted.fetch_add(1, Ordering::Relaxed);
        Err(AppError::Contention)
    }

    async fn replay<D: Decision>(
        &self,
        decision: &D,
        outcome: &AppendOutcome,
    ) -> Result<Decided<D::Output>, AppError> {
        let output = decision.replayed(self, outcome).await?;
        Ok(Decided { output, receipt: CommandReceipt::from_outcome(outcome) })
    }

    /// Runs `command` on the one aggregate of `stream_id`; the answer is the state after it.
    pub(crate) async fn execute<A>(
        &self,
        stream_id: Uuid,
        context: &CommandContext,
        command: &A::Command,
    ) -> Result<Decided<A>, AppError>
    where
        A: Aggregate,
        A::Command: Clone + Sync,
    {
        self.run(context, &OnStream::<A> { stream_id, command }).await
    }

    /// A reaction of the process manager: `command` on the aggregate of `stream_id`, decided
    /// before its earlier outcome is looked up. A reaction is nearly always new; when it is a
    /// replay, the append finds the stored command under the log lock and answers with its first
    /// outcome, and a refusal or an empty decision looks it up as always, so this saves a read
    /// per reaction and changes no answer.
    pub(crate) async fn react<A>(
        &self,
        stream_id: Uuid,
        context: &CommandContext,
        command: &A::Command,
    ) -> Result<Decided<A>, AppError>
    where
        A: Aggregate,
        A::Command: Clone + Sync,
    {
        self.run_looking_up(context, &OnStream::<A> { stream_id, command }, LookUp::AtTheAppend).await
    }

    /// The aggregate of `stream_id` as of `version` or later: the cached copy when it is that
    /// recent, else as the log holds it now.
    pub(crate) async fn at_least<A: Aggregate>(&self, stream_id: Uuid, version: u64) -> Result<A, AppError> {
        if let Some(cached) = self.cache().get(stream_id)
            && cached.version >= version
            && cached.stream_type == A::STREAM_TYPE
            && let Some(state) = cached.state.downcast_ref::<A>()
        {
            return Ok(state.clone());
        }
        self.current::<A>(stream_id).await
    }

    /// The aggregate of `stream_id` as the log holds it now: the cached copy brought up to date
    /// with one read of what follows it, or the whole stream replayed.
    pub(crate) async fn current<A: Aggregate>(&self, stream_id: Uuid) -> Result<A, AppError> {
        let loaded = self.current_erased::<A>(stream_id).await?;
        loaded.state.downcast_ref::<A>().cloned().ok_or(AppError::NotFound)
    }

    /// Runs `check` on the aggregate of `stream_id`, for a decision made before an outside call
    /// (a gateway capture) and decided again in the append after it. It tries the cached copy
    /// first; a refusal there is checked again against the log, so a stale copy never refuses.
    pub(crate) async fn check<A: Aggregate, T>(
        &self,
        stream_id: Uuid,
        check: impl Fn(&A) -> Result<T, AppError>,
    ) -> Result<T, AppError> {
        if let Some(cached) = self.cache().get(stream_id)
            && cached.stream_type == A::STREAM_TYPE
            && let Some(state) = cached.state.downcast_ref::<A>()
            && let Ok(passed) = check(state)
        {
            return Ok(passed);
        }
        check(&self.current::<A>(stream_id).await?)
    }

    async fn current_erased<A: Aggregate>(&self, stream_id: Uuid) -> Result<CachedState, AppError> {
        self.up_to_date::<A>(stream_id, self.cache().get(stream_id)).await
    }

    /// `base` (a cached copy, if any) brought up to date with what the log holds after it; the
    /// result is cached when the read found anything.
    async fn up_to_date<A: Aggregate>(
        &self,
        stream_id: Uuid,
        base: Option<CachedState>,
    ) -> Result<CachedState, AppError> {
        let (mut state, mut version) = match base {
            Some(cached) if cached.stream_type != A::STREAM_TYPE => return Err(AppError::NotFound),
            Some(cached) => match cached.state.downcast_ref::<A>() {
                Some(state) => (state.clone(), cached.version),
                None => (A::default(), 0),
            },
            None => (A::default(), 0),
        };
        let newer = self.store().read_stream(stream_id, version).await?;
        let unchanged = newer.is_empty();
        for recorded in newer {
            if recorded.stream_type != A::STREAM_TYPE {
                return Err(AppError::NotFound);
            }
            let event =
                A::Event::from_payload(&recorded.event_type, recorded.schema_version, recorded.payload)?;
            state = state.evolve(&event);
            version = recorded.version;
        }
        let current = CachedState { stream_type: A::STREAM_TYPE, version, state: Arc::new(state) };
        if version > 0 && !unchanged {
            self.cache().put(stream_id, current.clone());
        }
        Ok(current)
    }

    /// Whether the log holds events of `stream_id` after `version`: a copy at `version` is stale.
    async fn is_stale(&self, stream_id: Uuid, version: u64) -> Result<bool, AppError> {
        Ok(!self.store().read_stream(stream_id, version).await?.is_empty())
    }
}

/// When a command's earlier outcome is looked up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LookUp {
    /// Before deciding (a client's retry is answered without deciding again).
    First,
    /// Only by the append (and after a refusal or an empty decision).
    AtTheAppend,
}

/// A command on one aggregate, answered with the aggregate's state after it.
struct OnStream<'c, A: Aggregate> {
    stream_id: Uuid,
    command: &'c A::Command,
}

#[async_trait]
impl<A> Decision for OnStream<'_, A>
where
    A: Aggregate,
    A::Command: Clone + Sync,
{
    type Output = A;

    fn contended_stream(&self) -> Option<Uuid> {
        Some(self.stream_id)
    }

    async fn decide(&self, work: &mut Work<'_>) -> Result<A, AppError> {
        work.decide::<A>(self.stream_id, self.command.clone()).await
    }

    async fn replayed(&self, uow: &UnitOfWork, _outcome: &AppendOutcome) -> Result<A, AppError> {
        Ok(uow.current::<A>(self.stream_id).await?)
    }
}
