//! Subscribers' checkpoints beside the log.

use std::sync::Arc;

use jangteo_event_store::EventStore;

pub async fn checkpoints_save_and_load(store: Arc<dyn EventStore>) {
    let store = store.as_ref();
    assert_eq!(store.load_checkpoint("trade-process").await.expect("load"), 0, "unknown starts at 0");

    store.save_checkpoint("trade-process", 5).await.expect("save");
    store.save_checkpoint("listing-documents", 9).await.expect("save");
    assert_eq!(store.load_checkpoint("trade-process").await.expect("load"), 5);
    assert_eq!(store.load_checkpoint("listing-documents").await.expect("load"), 9);

    // Moving back is allowed: a rebuild starts again from 0.
    store.save_checkpoint("trade-process", 0).await.expect("save");
    assert_eq!(store.load_checkpoint("trade-process").await.expect("load"), 0);
    assert_eq!(store.load_checkpoint("listing-documents").await.expect("load"), 9);
}
