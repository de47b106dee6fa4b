//! Benchmarks live in `benches/`; run them with `cargo bench -p jangteo-benches`. This library
//! holds what the non-criterion benches share: reporting latency samples as percentiles.

use std::time::Duration;

/// The sample at quantile `p` (0.0–1.0) of `sorted`, or zero when there is none.
#[must_use]
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss, clippy::cast_precision_loss)]
    let index = ((sorted.len() as f64 - 1.0) * p.clamp(0.0, 1.0)).round() as usize;
    sorted[index]
}

/// Prints `name: n=… p50=… p90=… p99=… max=…` in milliseconds, to a tenth.
pub fn report(name: &str, samples: Vec<Duration>) {
    report_to(name, samples, 1);
}

/// [`report`] with `decimals` digits after the point, for samples well under a millisecond.
pub fn report_to(name: &str, mut samples: Vec<Duration>, decimals: usize) {
    samples.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "{name}: n={} p50={:.decimals$} ms p90={:.decimals$} ms p99={:.decimals$} ms max={:.decimals$} ms",
        samples.len(),
        ms(percentile(&samples, 0.50)),
        ms(percentile(&samples, 0.90)),
        ms(percentile(&samples, 0.99)),
        ms(percentile(&samples, 1.0)),
    );
}
