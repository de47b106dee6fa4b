//! The newest committed position as a `watch` channel, shared by both backends.

use tokio::sync::watch;

use crate::GlobalPosition;

/// Publishes `position` if it is newer than the last published one. Appends and pollers may
/// report out of order, and a subscriber must never see the head go backwards.
pub(crate) fn publish(sender: &watch::Sender<GlobalPosition>, position: GlobalPosition) {
    sender.send_if_modified(|current| {
        if position > *current {
            *current = position;
            true
        } else {
            false
        }
    });
}
