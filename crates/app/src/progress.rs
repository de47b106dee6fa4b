//! How far each projection has applied the log, so queries can wait to read their own writes.

use std::time::Duration;

use tokio::sync::watch;

use crate::AppError;

/// Publishes one projection's checkpoint; held by the projection's runner.
#[derive(Debug)]
pub struct ProgressReporter {
    sender: watch::Sender<u64>,
}

impl ProgressReporter {
    pub fn report(&self, position: u64) {
        self.sender.send_replace(position);
    }
}

/// The checkpoints of every projection serving queries in this process.
#[derive(Debug, Clone, Default)]
pub struct ProjectionProgress {
    projections: Vec<(String, watch::Receiver<u64>)>,
}

impl ProjectionProgress {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a projection starting at `position` and returns the handle its runner reports with.
    pub fn register(&mut self, name: &str, position: u64) -> ProgressReporter {
        let (sender, receiver) = watch::channel(position);
        self.projections.push((name.to_owned(), receiver));
        ProgressReporter { sender }
    }

    /// Each projection's name and current position.
    pub fn positions(&self) -> Vec<(String, u64)> {
        self.projections.iter().map(|(name, receiver)| (name.clone(), *receiver.borrow())).collect()
    }

    /// Waits until every projection has applied the log up to `position`, at most `timeout`.
    pub async fn wait_for(&self, position: u64, timeout: Duration) -> Result<(), AppError> {
        let all_caught_up = async {
            for (_, receiver) in &self.projections {
                let mut receiver = receiver.clone();
                if receiver.wait_for(|reached| *reached >= position).await.is_err() {
                    // The runner is gone; its position will never move again.
                    return false;
                }
            }
            true
        };
        match tokio::time::timeout(timeout, all_caught_up).await {
            Ok(true) => Ok(()),
            Ok(false) | Err(_) => Err(AppError::NotCaughtUp(position)),
        }
    }
}
