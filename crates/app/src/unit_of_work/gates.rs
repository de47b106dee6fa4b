//! One gate per contended stream, so that commands of one process on the same stream take turns.
//!
//! Without it, concurrent commands on one hot stream (a cart filled from several tabs, buyers
//! racing for one listing) all decide against the same version and all but one lose the append;
//! each loser re-decides, so n commands cost O(n²) decisions and many run out of retries. Behind
//! the gate they decide one after another, each against the previous one's result (from the
//! aggregate cache, without a read). Commands of other processes still meet at the store's
//! expected-version check. A command holds at most one gate, so gates cannot deadlock.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError, Weak},
};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};
use uuid::Uuid;

/// How many gates may exist before unused ones are swept (a gate lives only while it is held or
/// awaited).
const SWEEP_ABOVE: usize = 1024;

#[derive(Default)]
pub(crate) struct StreamGates {
    gates: Mutex<HashMap<Uuid, Weak<AsyncMutex<()>>>>,
}

impl StreamGates {
    /// Waits for the gate of `stream_id`; it opens again when the guard is dropped.
    pub async fn enter(&self, stream_id: Uuid) -> OwnedMutexGuard<()> {
        let gate = {
            let mut gates = self.gates.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(gate) = gates.get(&stream_id).and_then(Weak::upgrade) {
                gate
            } else {
                if gates.len() >= SWEEP_ABOVE {
                    gates.retain(|_, gate| gate.strong_count() > 0);
                }
                let gate = Arc::new(AsyncMutex::new(()));
                gates.insert(stream_id, Arc::downgrade(&gate));
                gate
            }
        };
        gate.lock_owned().await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, reason = "a failed expectation is a failed test")]

    use std::time::Duration;

    use super::*;

    #[tokio::test]
    async fn one_stream_takes_turns_and_others_pass() {
        let gates = Arc::new(StreamGates::default());
        let (hot, other) = (Uuid::now_v7(), Uuid::now_v7());
        let held = gates.enter(hot).await;
        let waiting = tokio::spawn({
            let gates = Arc::clone(&gates);
            async move { drop(gates.enter(hot).await) }
        });
        // Another stream's gate opens at once while `hot` is held.
        tokio::time::timeout(Duration::from_secs(5), gates.enter(other)).await.expect("other stream");
        // On this single-threaded runtime the waiting task has run by now, and is still waiting.
        for _ in 0..10 {
            tokio::task::yield_now().await;
        }
        assert!(!waiting.is_finished(), "the hot stream's gate let a second command in");
        drop(held);
        tokio::time::timeout(Duration::from_secs(5), waiting).await.expect("turn").expect("task");
    }
}
