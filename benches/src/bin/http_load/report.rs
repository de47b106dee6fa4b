//! Latency histograms per route, and the printed report.

use std::{collections::BTreeMap, time::Duration};

use hdrhistogram::Histogram;

use crate::{client::Sample, drive::Run};

/// Per route: a latency histogram (microseconds) and the count of each status.
#[derive(Default)]
pub struct Recorder {
    routes: BTreeMap<&'static str, (Histogram<u64>, BTreeMap<u16, u64>)>,
}

/// 1 µs to 60 s at 3 significant digits.
#[allow(clippy::expect_used, reason = "constant bounds, valid by construction")]
fn latency_histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid histogram bounds")
}

impl Recorder {
    pub fn record_all(&mut self, samples: impl Iterator<Item = Sample>) {
        for sample in samples {
            let (histogram, statuses) =
                self.routes.entry(sample.route).or_insert_with(|| (latency_histogram(), BTreeMap::new()));
            let micros = u64::try_from(sample.latency.as_micros()).unwrap_or(u64::MAX).clamp(1, 60_000_000);
            let _ = histogram.record(micros);
            *statuses.entry(sample.status.as_u16()).or_default() += 1;
        }
    }
}

/// How many samples a worker keeps before handing them to the shared recorder.
const BATCH: usize = 256;

/// Hands a worker's samples to the shared recorder once it has a batch of them, or, with
/// `last`, whatever it has left; the lock is taken once a batch, not once a request.
pub fn hand_over(recorder: &std::sync::Mutex<Recorder>, samples: &mut Vec<Sample>, last: bool) {
    if (last || samples.len() >= BATCH)
        && let Ok(mut recorder) = recorder.lock()
    {
        recorder.record_all(samples.drain(..));
    }
}

#[allow(clippy::cast_precision_loss, reason = "figures for people to read")]
fn millis(micros: u64) -> f64 {
    micros as f64 / 1_000.0
}

#[allow(clippy::cast_precision_loss, reason = "figures for people to read")]
fn per_second(count: u64, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64().max(f64::EPSILON)
}

fn percentile(samples: &mut [f64], quantile: f64) -> f64 {
    if samples.is_empty() {
        return 0.0;
    }
    samples.sort_by(f64::total_cmp);
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss,
        reason = "an index"
    )]
    let index = ((samples.len() - 1) as f64 * quantile).round() as usize;
    samples[index]
}

pub fn print(run: &Run, final_lag: &[(String, f64)]) {
    println!();
    println!(
        "{:<36} {:>9} {:>10} {:>9} {:>9} {:>9} {:>9}  statuses",
        "route", "requests", "req/s", "p50 ms", "p95 ms", "p99 ms", "max ms"
    );
    let mut total = 0;
    let mut errors: BTreeMap<u16, u64> = BTreeMap::new();
    for (route, (histogram, statuses)) in &run.recorder.routes {
        let count = histogram.len();
        total += count;
        for (status, n) in statuses {
            if *status >= 400 {
                *errors.entry(*status).or_default() += n;
            }
        }
        let statuses: Vec<String> = statuses.iter().map(|(status, n)| format!("{status}×{n}")).collect();
        println!(
            "{route:<36} {count:>9} {:>10.0} {:>9.2} {:>9.2} {:>9.2} {:>9.2}  {}",
            per_second(count, run.elapsed),
            millis(histogram.value_at_quantile(0.50)),
            millis(histogram.value_at_quantile(0.95)),
            millis(histogram.value_at_quantile(0.99)),
            millis(histogram.max()),
            statuses.join(" ")
        );
    }
    println!();
    println!(
        "total: {total} requests in {:.2} s = {:.0} req/s; {} trades completed ({:.0} trades/s)",
        run.elapsed.as_secs_f64(),
        per_second(total, run.elapsed),
        run.trades_completed,
        per_second(run.trades_completed as u64, run.elapsed)
    );
    if let Some((races, wrong)) = run.races {
        println!("races: {races}, with other than exactly one winner: {wrong}");
    }
    if errors.is_empty() {
        println!("errors: none");
    } else {
        let errors: Vec<String> = errors.iter().map(|(status, n)| format!("{status}: {n}")).collect();
        println!("errors by status: {} (502 = no answer)", errors.join(", "));
    }
    for (projection, samples) in &run.lag {
        let mut samples = samples.clone();
        println!(
            "projection lag {projection}: p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms during the run ({} samples)",
            percentile(&mut samples, 0.50),
            percentile(&mut samples, 0.99),
            percentile(&mut samples, 1.0),
            samples.len()
        );
    }
    if !run.freshness.is_empty() {
        let mut samples: Vec<f64> = run.freshness.iter().map(|d| d.as_secs_f64() * 1_000.0).collect();
        println!(
            "search freshness (publish commit to found): p50 {:.0} ms, p90 {:.0} ms, p99 {:.0} ms, max {:.0} ms \
             ({} listings)",
            percentile(&mut samples, 0.50),
            percentile(&mut samples, 0.90),
            percentile(&mut samples, 0.99),
            percentile(&mut samples, 1.0),
            samples.len()
        );
    }
    for (projection, millis) in final_lag {
        println!("projection lag {projection} at the end: {millis:.0} ms");
    }
}
