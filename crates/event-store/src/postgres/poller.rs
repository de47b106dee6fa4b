//! Wakes this process's subscribers when another process appends: a background task reads the
//! committed head every [`POLL_INTERVAL`] and publishes it on the handle's `watch` channel.
//!
//! Polling one indexed row is cheap and needs no dedicated connection. Appends send no
//! `pg_notify`: it would serialize every commit on PostgreSQL's notification queue lock for a
//! channel nobody listens to.

use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::runtime::Handle;
use tokio::sync::oneshot;
use tokio::time::MissedTickBehavior;

use sqlx::Postgres;

use super::Inner;
use crate::head;
use crate::queries::Queries;

/// How stale a subscriber of another process's appends can be.
pub(super) const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// Starts the poller once per store. Without a tokio runtime (a handle used from plain threads)
/// no poller runs and subscribers see only this handle's appends.
pub(super) fn ensure_started(inner: &Arc<Inner>) {
    inner.poller_stop.get_or_init(|| {
        let (stop, stopped) = oneshot::channel();
        if let Ok(runtime) = Handle::try_current() {
            runtime.spawn(poll(Arc::downgrade(inner), stopped));
        } else {
            tracing::warn!(
                "no tokio runtime: subscribers of this event store will not see other processes' appends"
            );
        }
        stop
    });
}

/// The task holds only a `Weak` to the store, so it never keeps the pool alive; it ends when the
/// last handle drops (its `stop` sender goes with it) or the pool is closed.
async fn poll(inner: Weak<Inner>, mut stopped: oneshot::Receiver<()>) {
    let mut interval = tokio::time::interval(POLL_INTERVAL);
    interval.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut failing = false;
    loop {
        tokio::select! {
            _ = &mut stopped => return,
            _ = interval.tick() => {}
        }
        let Some(inner) = inner.upgrade() else { return };
        match Postgres::head_position(&inner.pool).await {
            Ok(position) => {
                failing = false;
                head::publish(&inner.head, position);
            }
            Err(error) if error.is_pool_closed() => return,
            Err(error) => {
                // Once per outage, not four times a second.
                if !failing {
                    tracing::warn!(%error, "cannot poll the event log head; retrying");
                }
                failing = true;
            }
        }
    }
}
