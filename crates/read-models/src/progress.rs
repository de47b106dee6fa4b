//! The read models by name, and how far each has applied the log, so that a query can wait to
//! read its own writes in the read models it reads (and only those).

use std::time::Duration;

use tokio::sync::watch;

/// Every read model a projection keeps. The name is its checkpoint's key in the stores, so it
/// never changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReadModel {
    ListingDocuments,
    OrderDocuments,
    ListingSearch,
    ListingCache,
    ListingCounters,
    FavouriteDocuments,
}

impl ReadModel {
    pub const ALL: [ReadModel; 6] = [
        ReadModel::ListingDocuments,
        ReadModel::OrderDocuments,
        ReadModel::FavouriteDocuments,
        ReadModel::ListingSearch,
        ReadModel::ListingCache,
        ReadModel::ListingCounters,
    ];

    /// The stored name (checkpoint key, and the `projection` label on `/metrics`).
    pub const fn name(self) -> &'static str {
        match self {
            ReadModel::ListingDocuments => "listing_documents",
            ReadModel::OrderDocuments => "order_documents",
            ReadModel::ListingSearch => "listing_search",
            ReadModel::ListingCache => "listing_cache",
            ReadModel::ListingCounters => "listing_counters",
            ReadModel::FavouriteDocuments => "favourite_documents",
        }
    }

    /// The read model of a stored name, if there is one.
    pub fn parse(name: &str) -> Option<ReadModel> {
        ReadModel::ALL.into_iter().find(|model| model.name() == name)
    }
}

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

/// A read model did not reach the position in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{} has not reached position {position}", .model.name())]
pub struct NotCaughtUp {
    pub model: ReadModel,
    pub position: u64,
}

/// The checkpoints of every read model serving queries in this process.
#[derive(Debug, Clone, Default)]
pub struct ProjectionProgress {
    projections: Vec<(ReadModel, watch::Receiver<u64>)>,
}

impl ProjectionProgress {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a read model starting at `position` and returns the handle its runner reports with.
    pub fn register(&mut self, model: ReadModel, position: u64) -> ProgressReporter {
        let (sender, receiver) = watch::channel(position);
        self.projections.push((model, receiver));
        ProgressReporter { sender }
    }

    /// Each read model's name and current position.
    pub fn positions(&self) -> Vec<(String, u64)> {
        self.projections
            .iter()
            .map(|(model, receiver)| (model.name().to_owned(), *receiver.borrow()))
            .collect()
    }

    /// Waits until each of `models` has applied the log up to `position`, at most `timeout` in
    /// all. A read model another process keeps is followed here too (its checkpoint is watched);
    /// one this process does not follow at all is not waited for.
    pub async fn wait_for(
        &self,
        models: &[ReadModel],
        position: u64,
        timeout: Duration,
    ) -> Result<(), NotCaughtUp> {
        let deadline = tokio::time::Instant::now() + timeout;
        for (model, receiver) in self.projections.iter().filter(|(model, _)| models.contains(model)) {
            let mut receiver = receiver.clone();
            // A runner that is gone (`Err` inside) will never move its position again.
            match tokio::time::timeout_at(deadline, receiver.wait_for(|reached| *reached >= position)).await {
                Ok(Ok(_)) => {}
                Ok(Err(_)) | Err(_) => return Err(NotCaughtUp { model: *model, position }),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, reason = "a failed expectation is a failed test")]

    use super::*;

    #[tokio::test]
    async fn a_query_waits_only_for_the_read_models_it_reads() {
        let mut progress = ProjectionProgress::new();
        let documents = progress.register(ReadModel::ListingDocuments, 0);
        let _search_stays_behind = progress.register(ReadModel::ListingSearch, 0);
        documents.report(10);
        let short = Duration::from_millis(50);
        progress.wait_for(&[ReadModel::ListingDocuments], 10, short).await.expect("documents are there");
        assert_eq!(
            progress.wait_for(&[ReadModel::ListingDocuments, ReadModel::ListingSearch], 10, short).await,
            Err(NotCaughtUp { model: ReadModel::ListingSearch, position: 10 })
        );
    }

    #[test]
    fn names_are_the_stored_ones() {
        for model in ReadModel::ALL {
            assert_eq!(ReadModel::parse(model.name()), Some(model));
        }
        assert_eq!(ReadModel::parse("orders"), None);
    }
}
