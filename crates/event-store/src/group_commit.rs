//! Group commit: appends from concurrent callers are queued to one writer (a task on a thread of
//! its own), which commits whatever has queued up as one transaction, so many commands share one
//! log lock and one fsync.
//!
//! Each caller still gets its own answer: the batch is decided request by request (see
//! `crate::batch`), so a refused command fails alone. When the batch transaction fails for
//! something one command may have caused (an event id that is already stored, which only the
//! database can see), the writer appends the batch's requests again one at a time, so that each
//! caller gets its own answer (such failures come from a statement, never from the commit, so
//! nothing of the batch is stored). Any other failure (the database unreachable, a lock timeout)
//! is every caller's answer.
//!
//! An append that was queued completes even if its caller stops waiting (a dropped HTTP request):
//! the command is then in the log, and a retry with the same command id is answered from it.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::OnceLock;
use std::time::Duration;

use futures::FutureExt;
use tokio::sync::{mpsc, oneshot};

use crate::{AppendOutcome, AppendRequest, EventStoreError, plan};

/// How many commands one transaction takes at most. Larger batches amortise the commit further
/// but make the first caller of a batch wait for the whole batch to be written.
const MAX_BATCH: usize = 512;

/// How many commands may wait for the writer; beyond this, callers wait for a place.
const QUEUE_CAPACITY: usize = 8192;

/// Whether appends share transactions. Grouping is the default; one transaction per append is
/// kept for measurement and for comparing the two (`JANGTEO_GROUP_COMMIT=false`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CommitMode {
    /// Concurrent appends are committed together by one writer task.
    #[default]
    Grouped,
    /// Every append runs its own transaction.
    OneByOne,
}

/// A backend's batch transaction: decides and writes `requests` in one transaction. `Ok` holds one
/// answer per request; `Err` means the transaction as a whole failed: nothing was written, or,
/// for a failure at commit, it is unknown whether it was (a retry is answered from the log).
pub(crate) trait BatchWriter: Send + Sync + 'static {
    fn append_batch(
        &self,
        requests: &[AppendRequest],
    ) -> impl Future<Output = Result<Vec<Result<AppendOutcome, EventStoreError>>, EventStoreError>> + Send;
}

/// A store's way to append: checks each request, then hands it to the group-commit writer or runs
/// it as its own transaction, by the store's [`CommitMode`].
#[derive(Debug)]
pub(crate) struct Appender<W> {
    writer: W,
    mode: CommitMode,
    group_commit: OnceLock<GroupCommit>,
    /// How long a caller waits for a place in a full queue.
    patience: Duration,
}

impl<W: BatchWriter + Clone> Appender<W> {
    /// With [`CommitMode::Grouped`], starts the writer on a thread of its own. Should the thread
    /// not start, appends fall back to one transaction each rather than fail.
    pub fn new(writer: W, mode: CommitMode, patience: Duration) -> Self {
        let group_commit = OnceLock::new();
        let mode = match mode {
            CommitMode::Grouped => match GroupCommit::start(writer.clone()) {
                Ok(started) => {
                    let _ = group_commit.set(started);
                    CommitMode::Grouped
                }
                Err(error) => {
                    tracing::warn!(%error, "the group-commit writer did not start; appending one by one");
                    CommitMode::OneByOne
                }
            },
            CommitMode::OneByOne => CommitMode::OneByOne,
        };
        Self { writer, mode, group_commit, patience }
    }

    pub async fn append(&self, request: AppendRequest) -> Result<AppendOutcome, EventStoreError> {
        plan::validate(&request)?;
        match (self.mode, self.group_commit.get()) {
            (CommitMode::Grouped, Some(group_commit)) => group_commit.append(request, self.patience).await,
            _ => append_alone(&self.writer, request).await,
        }
    }
}

/// Appends one request as a batch of one, turning a failed transaction into its error.
pub(crate) async fn append_alone(
    writer: &impl BatchWriter,
    request: AppendRequest,
) -> Result<AppendOutcome, EventStoreError> {
    writer.append_batch(std::slice::from_ref(&request)).await?.pop().unwrap_or_else(|| {
        Err(EventStoreError::Corrupt("a batch of one was answered with nothing".to_owned()))
    })
}

struct Pending {
    request: AppendRequest,
    answer: oneshot::Sender<Result<AppendOutcome, EventStoreError>>,
}

/// The queue in front of the writer task. Dropping it (with the store's last handle) lets the
/// writer finish what is queued and stop.
#[derive(Debug)]
pub(crate) struct GroupCommit {
    queue: mpsc::Sender<Pending>,
}

impl GroupCommit {
    /// Starts the writer on a thread of its own, with its own single-threaded runtime: commits
    /// then never wait behind other work of the process (projections, the HTTP accept loop), and
    /// the writer lives exactly as long as the store, whichever runtime the store was opened on.
    pub fn start(writer: impl BatchWriter) -> std::io::Result<Self> {
        let (queue, pending) = mpsc::channel(QUEUE_CAPACITY);
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        std::thread::Builder::new()
            .name("jangteo-append".to_owned())
            .spawn(move || runtime.block_on(write(writer, pending)))?;
        Ok(Self { queue })
    }

    /// Queues one validated request and waits for its answer. A full queue is waited on for at
    /// most `patience`, then the store is reported saturated.
    pub async fn append(
        &self,
        request: AppendRequest,
        patience: Duration,
    ) -> Result<AppendOutcome, EventStoreError> {
        let (answer, answered) = oneshot::channel();
        let queued = self.queue.send_timeout(Pending { request, answer }, patience).await;
        match queued {
            Ok(()) => {}
            Err(mpsc::error::SendTimeoutError::Timeout(_)) => return Err(EventStoreError::Saturated),
            Err(mpsc::error::SendTimeoutError::Closed(_)) => return Err(EventStoreError::WriterStopped),
        }
        answered.await.map_err(|_| EventStoreError::WriterStopped)?
    }
}

/// The writer task: takes everything queued (up to [`MAX_BATCH`]) and commits it together.
async fn write(writer: impl BatchWriter, mut queue: mpsc::Receiver<Pending>) {
    let mut pending = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut pending, MAX_BATCH).await > 0 {
        let (requests, answers): (Vec<AppendRequest>, Vec<_>) =
            pending.drain(..).map(|Pending { request, answer }| (request, answer)).unzip();
        // A bug that panics in one batch fails that batch's callers, not every later append.
        let committed = AssertUnwindSafe(writer.append_batch(&requests)).catch_unwind().await;
        let committed = committed.unwrap_or_else(|_| {
            tracing::error!(commands = requests.len(), "the append writer panicked on a batch");
            Err(EventStoreError::TransactionFailed("the append writer failed".to_owned()))
        });
        match committed {
            Ok(results) => {
                for (answer, result) in answers.into_iter().zip(results) {
                    // A caller that stopped waiting finds its command in the log when it retries.
                    let _ = answer.send(result);
                }
            }
            Err(error) if requests.len() > 1 && error.may_be_one_commands_fault() => {
                tracing::debug!(%error, commands = requests.len(), "batch refused; appending its commands one by one");
                for (answer, request) in answers.into_iter().zip(requests) {
                    let _ = answer.send(append_alone(&writer, request).await);
                }
            }
            Err(error) => {
                // Nothing one command did (the database is unreachable, a lock timed out): each
                // caller gets the failure, rather than a queue of retries that would fail alike.
                tracing::warn!(%error, commands = requests.len(), "batch append failed");
                let mut answers = answers.into_iter();
                if let Some(first) = answers.next() {
                    for answer in answers {
                        let _ = answer.send(Err(error.for_another_caller()));
                    }
                    let _ = first.send(Err(error));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, reason = "a failed expectation is a failed test")]

    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    use tokio::sync::Semaphore;
    use uuid::Uuid;

    use super::*;
    use crate::{ActorRole, EventMetadata};

    /// A writer that records the size of every batch, answers each request with its own command
    /// id, waits for a permit before each transaction (so the test decides when batches run),
    /// and fails every batch larger than `fail_above` as a whole.
    #[derive(Clone)]
    struct Recorder {
        /// Transactions begun, counted before waiting for the permit.
        begun: Arc<AtomicUsize>,
        batches: Arc<Mutex<Vec<usize>>>,
        permits: Arc<Semaphore>,
        fail_above: usize,
        failure: fn() -> EventStoreError,
    }

    impl BatchWriter for Recorder {
        async fn append_batch(
            &self,
            requests: &[AppendRequest],
        ) -> Result<Vec<Result<AppendOutcome, EventStoreError>>, EventStoreError> {
            self.begun.fetch_add(1, Ordering::SeqCst);
            self.permits.acquire().await.expect("the semaphore stays open").forget();
            self.batches.lock().expect("not poisoned").push(requests.len());
            if requests.len() > self.fail_above {
                return Err((self.failure)());
            }
            Ok(requests
                .iter()
                .map(|request| {
                    Ok(AppendOutcome {
                        command_id: request.metadata.command_id,
                        events: Vec::new(),
                        last_position: 0,
                        duplicate: false,
                    })
                })
                .collect())
        }
    }

    fn request() -> AppendRequest {
        let command_id = Uuid::now_v7();
        let metadata = EventMetadata {
            actor_id: None,
            actor_role: ActorRole::System,
            command_id,
            correlation_id: command_id,
            causation_id: None,
        };
        AppendRequest { metadata, streams: Vec::new(), claims: Vec::new(), repeatable: true }
    }

    /// Starts a writer over a recorder, queues one request that takes the writer's first batch, and
    /// then `more` requests while that batch waits for its permit.
    async fn queue_behind_a_busy_writer(
        fail_above: usize,
        failure: fn() -> EventStoreError,
        more: usize,
    ) -> (
        Recorder,
        Arc<GroupCommit>,
        Vec<(Uuid, tokio::task::JoinHandle<Result<AppendOutcome, EventStoreError>>)>,
    ) {
        let recorder = Recorder {
            begun: Arc::default(),
            batches: Arc::default(),
            permits: Arc::new(Semaphore::new(0)),
            fail_above,
            failure,
        };
        let group_commit = Arc::new(GroupCommit::start(recorder.clone()).expect("the writer starts"));
        let mut callers = Vec::new();
        for index in 0..=more {
            let request = request();
            let command_id = request.metadata.command_id;
            let queue = Arc::clone(&group_commit);
            let caller = tokio::spawn(async move { queue.append(request, Duration::from_secs(5)).await });
            callers.push((command_id, caller));
            if index == 0 {
                // The first request alone is the writer's first transaction, now waiting.
                while recorder.begun.load(Ordering::SeqCst) == 0 {
                    tokio::task::yield_now().await;
                }
            }
        }
        // Every other request is queued before that transaction may finish.
        while QUEUE_CAPACITY - group_commit.queue.capacity() < more {
            tokio::task::yield_now().await;
        }
        recorder.permits.add_permits(1_000);
        (recorder, group_commit, callers)
    }

    fn reused_event_id() -> EventStoreError {
        EventStoreError::InvalidAppend("an event id is already stored".to_owned())
    }

    #[tokio::test]
    async fn a_batch_failing_for_everyone_is_answered_at_once_without_retries() {
        let unreachable = EventStoreError::pool_timed_out;
        let (recorder, _, callers) = queue_behind_a_busy_writer(1, unreachable, 5).await;
        for (_, caller) in callers.into_iter().skip(1) {
            let error = caller.await.expect("the caller ran").expect_err("the batch failed");
            assert!(error.is_saturated(), "a saturated store is every caller's 503: {error}");
        }
        assert_eq!(*recorder.batches.lock().expect("not poisoned"), [1, 5], "no one-by-one retries");
    }

    #[tokio::test]
    async fn what_queues_during_a_commit_is_committed_together_and_answered_one_by_one() {
        let (recorder, _, callers) = queue_behind_a_busy_writer(usize::MAX, reused_event_id, 40).await;
        for (command_id, caller) in callers {
            let outcome = caller.await.expect("the caller ran").expect("appended");
            assert_eq!(outcome.command_id, command_id, "each caller gets its own answer");
        }
        assert_eq!(*recorder.batches.lock().expect("not poisoned"), [1, 40]);
    }

    #[tokio::test]
    async fn a_failed_batch_is_appended_again_one_request_at_a_time() {
        let (recorder, _, callers) = queue_behind_a_busy_writer(1, reused_event_id, 5).await;
        for (command_id, caller) in callers {
            let outcome = caller.await.expect("the caller ran").expect("appended alone");
            assert_eq!(outcome.command_id, command_id);
        }
        assert_eq!(*recorder.batches.lock().expect("not poisoned"), [1, 5, 1, 1, 1, 1, 1]);
    }

    /// A bug in the writer, panicking in the middle of a batch.
    fn writer_bug() -> EventStoreError {
        panic!("a bug in the append writer")
    }

    #[tokio::test]
    async fn a_panic_in_the_writer_fails_only_its_batch() {
        let (recorder, group_commit, callers) = queue_behind_a_busy_writer(1, writer_bug, 5).await;
        let mut callers = callers.into_iter();
        let (command_id, first) = callers.next().expect("the first caller");
        let outcome = first.await.expect("the caller ran").expect("the batch before the panic commits");
        assert_eq!(outcome.command_id, command_id);
        for (_, caller) in callers {
            let error = caller.await.expect("the caller ran").expect_err("its batch panicked");
            assert!(matches!(error, EventStoreError::TransactionFailed(_)), "{error}");
        }
        let after = request();
        let command_id = after.metadata.command_id;
        let outcome = group_commit.append(after, Duration::from_secs(5)).await.expect("the writer lives on");
        assert_eq!(outcome.command_id, command_id);
        assert_eq!(*recorder.batches.lock().expect("not poisoned"), [1, 5, 1]);
    }
}
