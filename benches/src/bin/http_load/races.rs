//! Racing mode: for each listing, several buyers press "buy" at the same moment. Exactly one
//! order may win each race; the others must be refused (409). The report counts races that
//! ended otherwise, and the latency of winning and losing attempts alike.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use reqwest::Method;
use serde_json::json;

use crate::{client::Client, drive::Run, report::Recorder, seed::World};

pub async fn race(
    client: &Client,
    world: World,
    buyers: usize,
    races_at_once: usize,
    duration: Duration,
) -> Run {
    let world = Arc::new(world);
    let next = Arc::new(AtomicUsize::new(0));
    let (raced, wrong) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let recorder = Arc::new(Mutex::new(Recorder::default()));
    let started = Instant::now();
    let deadline = started + duration;
    let racers: Vec<_> = (0..races_at_once.max(1))
        .map(|_| {
            let (client, world, next) = (client.clone(), Arc::clone(&world), Arc::clone(&next));
            let (raced, wrong, recorder) = (Arc::clone(&raced), Arc::clone(&wrong), Arc::clone(&recorder));
            tokio::spawn(async move {
                while Instant::now() < deadline {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let Some(stock) = world.stock.get(n) else { break };
                    let body = json!({ "listing_id": stock.listing_id });
                    let attempts = (0..buyers).map(|b| {
                        let (client, body) = (&client, &body);
                        let buyer = &world.buyers[(n * buyers + b) % world.buyers.len()];
                        async move {
                            client
                                .send(
                                    "POST /v1/orders (race)",
                                    Method::POST,
                                    "/v1/orders",
                                    Some(&buyer.token),
                                    Some(body),
                                )
                                .await
                                .0
                        }
                    });
                    let samples = futures::future::join_all(attempts).await;
                    let winners = samples.iter().filter(|sample| sample.status.is_success()).count();
                    raced.fetch_add(1, Ordering::Relaxed);
                    if winners != 1 {
                        wrong.fetch_add(1, Ordering::Relaxed);
                    }
                    if let Ok(mut recorder) = recorder.lock() {
                        recorder.record_all(samples.into_iter());
                    }
                }
            })
        })
        .collect();
    for racer in racers {
        let _ = racer.await;
    }
    let elapsed = started.elapsed();
    let recorder = Arc::try_unwrap(recorder).ok().and_then(|m| m.into_inner().ok()).unwrap_or_default();
    Run {
        recorder,
        elapsed,
        lag: std::collections::BTreeMap::new(),
        trades_completed: 0,
        races: Some((raced.load(Ordering::Relaxed), wrong.load(Ordering::Relaxed))),
        freshness: Vec::new(),
    }
}
