//! The runtime that background work runs on: projections, the process manager, the timekeepers
//! and the lag log. It is not the one serving HTTP (actix gives each HTTP worker a runtime of its
//! own, and its system runtime drives the accept loop), so a projection catching up on a burst of
//! events never delays a request's wake-up on the same thread; the OS shares the cores.

use std::future::Future;

use anyhow::{Context, Result};
use tokio::runtime::{Builder, Runtime};
use tokio::task::JoinSet;

/// Threads of the background runtime: its tasks mostly wait on the log, the read models' own
/// threads (SQLite, tantivy) and the network, so two keep one slow projection from holding up
/// the others without taking a core from the API.
const THREADS: usize = 2;
/// How long a stop waits for the background tasks to end.
const STOP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Background tasks on their own runtime. Stop them with [`Background::shutdown`].
pub(crate) struct Background {
    runtime: Runtime,
    tasks: JoinSet<()>,
}

impl Background {
    pub fn start() -> Result<Self> {
        let runtime = Builder::new_multi_thread()
            .worker_threads(THREADS)
            .thread_name("jangteo-background")
            .enable_all()
            .build()
            .context("starting the background runtime")?;
        Ok(Self { runtime, tasks: JoinSet::new() })
    }

    pub fn spawn(&mut self, task: impl Future<Output = ()> + Send + 'static) {
        self.tasks.spawn_on(task, self.runtime.handle());
    }

    /// Waits until one task ends (they run until stopped, so an end is a failure to report).
    pub async fn first_to_end(&mut self) {
        let _ = self.tasks.join_next().await;
    }

    /// Stops every task, then the runtime, without blocking the caller's runtime. A task that
    /// does not stop within [`STOP_TIMEOUT`] (one inside a long read-model write on a loaded
    /// machine) is left to the process's exit: projections resume from their checkpoints, as
    /// after a crash, so cutting one short loses nothing.
    pub async fn shutdown(mut self) {
        if tokio::time::timeout(STOP_TIMEOUT, self.tasks.shutdown()).await.is_err() {
            tracing::warn!("background tasks still stopping after {STOP_TIMEOUT:?}; exiting without them");
        }
        self.runtime.shutdown_background();
    }
}
