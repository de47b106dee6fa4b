//! The mix: every worker takes the next listing and trades it through — place, pay, ship,
//! confirm — with listing reads and searches in between, until the time is up or the stock runs
//! out. Meanwhile a sampler reads the projections' lag from `/metrics`.

use std::{
    collections::BTreeMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use reqwest::Method;
use serde_json::json;

use crate::{
    client::{Client, Sample},
    report::{Recorder, hand_over},
    seed::{SEARCH, World},
};

/// What a run measured.
pub struct Run {
    pub recorder: Recorder,
    pub elapsed: Duration,
    /// Projection lag samples (milliseconds) taken during the run, per projection.
    pub lag: BTreeMap<String, Vec<f64>>,
    pub trades_completed: usize,
    /// Racing mode: races run, and races that did not end with exactly one winner.
    pub races: Option<(usize, usize)>,
    /// The mix: from a publish's commit to the listing being found by search, one listing at a
    /// time through the run.
    pub freshness: Vec<Duration>,
}

const LAG_SAMPLE_INTERVAL: Duration = Duration::from_millis(250);

pub async fn drive(
    client: &Client,
    world: World,
    concurrency: usize,
    duration: Duration,
    reads_per_trade: usize,
) -> Run {
    let world = Arc::new(world);
    let next = Arc::new(AtomicUsize::new(0));
    let completed = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let recorder = Arc::new(Mutex::new(Recorder::default()));
    let lag = Arc::new(Mutex::new(BTreeMap::<String, Vec<f64>>::new()));
    let started = Instant::now();
    let deadline = started + duration;

    let lag_sampler = {
        let (client, stop, lag) = (client.clone(), Arc::clone(&stop), Arc::clone(&lag));
        tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                if let Ok(samples) = client.projection_lag().await
                    && let Ok(mut lag) = lag.lock()
                {
                    for (projection, millis) in samples {
                        lag.entry(projection).or_default().push(millis);
                    }
                }
                tokio::time::sleep(LAG_SAMPLE_INTERVAL).await;
            }
        })
    };

    let freshness = world.sellers.first().map(|seller| {
        tokio::spawn(crate::freshness::probe(client.clone(), seller.token.clone(), Arc::clone(&stop)))
    });

    let workers: Vec<_> = (0..concurrency.max(1))
        .map(|worker| {
            let (client, world, next) = (client.clone(), Arc::clone(&world), Arc::clone(&next));
            let (completed, recorder) = (Arc::clone(&completed), Arc::clone(&recorder));
            tokio::spawn(async move {
                let mut samples = Vec::new();
                while Instant::now() < deadline {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let Some(stock) = world.stock.get(n) else { break };
                    let buyer = &world.buyers[(n + worker) % world.buyers.len()];
                    let seller = &world.sellers[stock.seller];
                    if trade(&client, &stock.listing_id, &buyer.token, &seller.token, &mut samples).await {
                        completed.fetch_add(1, Ordering::Relaxed);
                    }
                    for read in 0..reads_per_trade {
                        let (sample, _) = if read % 2 == 0 {
                            let path = format!("/v1/listings/{}", stock.listing_id);
                            client
                                .send("GET /v1/listings/{id}", Method::GET, &path, Some(&buyer.token), None)
                                .await
                        } else {
                            client
                                .send("GET /v1/listings?q=", Method::GET, SEARCH, Some(&buyer.token), None)
                                .await
                        };
                        samples.push(sample);
                    }
                    hand_over(&recorder, &mut samples, false);
                }
                hand_over(&recorder, &mut samples, true);
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.await;
    }
    let elapsed = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let _ = lag_sampler.await;
    let freshness = match freshness {
        Some(probe) => probe.await.unwrap_or_default(),
        None => Vec::new(),
    };

    let recorder = Arc::try_unwrap(recorder).ok().and_then(|m| m.into_inner().ok()).unwrap_or_default();
    let lag = Arc::try_unwrap(lag).ok().and_then(|m| m.into_inner().ok()).unwrap_or_default();
    Run {
        recorder,
        elapsed,
        lag,
        trades_completed: completed.load(Ordering::Relaxed),
        races: None,
        freshness,
    }
}

/// One listing traded through; stops at the first step that fails. Returns whether it completed.
async fn trade(
    client: &Client,
    listing_id: &str,
    buyer: &str,
    seller: &str,
    samples: &mut Vec<Sample>,
) -> bool {
    let body = json!({ "listing_id": listing_id });
    let (sample, placed) =
        client.send("POST /v1/orders", Method::POST, "/v1/orders", Some(buyer), Some(&body)).await;
    let ok = sample.status.is_success();
    samples.push(sample);
    let Some(order_id) = placed["order_id"].as_str().filter(|_| ok) else { return false };
    let steps = [
        ("POST /v1/orders/{id}/payment", "payment", buyer, Some(json!({ "method": "card" }))),
        (
            "POST /v1/orders/{id}/shipment",
            "shipment",
            seller,
            Some(json!({ "carrier": "kr.cjlogistics", "tracking_number": "630612345678" })),
        ),
        ("POST /v1/orders/{id}/confirmation", "confirmation", buyer, None),
    ];
    for (route, step, token, body) in steps {
        let path = format!("/v1/orders/{order_id}/{step}");
        let (sample, _) = client.send(route, Method::POST, &path, Some(token), body.as_ref()).await;
        let ok = sample.status.is_success();
        samples.push(sample);
        if !ok {
            return false;
        }
    }
    true
}
