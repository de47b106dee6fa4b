//! `jangteo rebuild`: drop read models and project the whole log into them again.

use anyhow::Result;

use super::{
    SearchAccess, ensure_data_dir, open_counters, open_event_store, open_listing_cache, open_read_models,
    projections, select,
};
use crate::config::Config;

/// Drops the named read models (all when `only` is empty) and projects the whole log into each
/// again, with a progress bar. Run it with the process that writes them stopped: it holds the
/// search index's writer lock.
pub async fn rebuild(config: &Config, only: &[String]) -> Result<()> {
    ensure_data_dir(config)?;
    let store = open_event_store(config).await?;
    let (documents, search) = open_read_models(config, SearchAccess::Write).await?;
    let cache = open_listing_cache(config).await?;
    let counters = open_counters(config).await?;
    let selected = select(projections(&documents, &search, &store, cache.as_ref(), Some(&counters)), only)?;
    let head = store.head_position().await?;
    for projection in selected {
        let bar = indicatif::ProgressBar::new(head);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{msg:>18} [{bar:40}] {pos}/{len} events ({per_sec})")
                .map_err(|error| anyhow::anyhow!("progress bar template: {error}"))?
                .progress_chars("=> "),
        );
        bar.set_message(projection.name());
        let started = std::time::Instant::now();
        let applied = jangteo_projections::rebuild(projection.as_ref(), store.as_ref(), |position, _| {
            bar.set_position(position);
        })
        .await?;
        bar.finish();
        let seconds = started.elapsed().as_secs_f64();
        #[allow(clippy::cast_precision_loss, reason = "a rate for people to read")]
        let rate = if seconds > 0.0 { applied as f64 / seconds } else { 0.0 };
        println!(
            "rebuilt {}: {applied} events projected in {seconds:.2} s ({rate:.0} events/s)",
            projection.name()
        );
    }
    Ok(())
}
