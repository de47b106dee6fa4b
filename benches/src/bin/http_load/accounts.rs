//! Accounts mode: what the account path costs.
//!
//! First a burst of sign-ins sent at once, as a credential-stuffing bot or a morning rush would:
//! the server hashes on a fixed pool (one argon2id hasher per core) behind a bounded queue, so
//! the burst is answered `201` as fast as the pool goes and `503 overloaded` past the queue,
//! while its memory stays flat (read the server's peak, `VmHWM` in `/proc/<pid>/status`, before
//! and after). Then, for the rest of the run, one listing is read with a bearer token and without
//! one, alternately by every worker: the route, the document and the counters are the same, so
//! the difference between the two is the check of the token's session on every signed-in request.

use std::{
    sync::{
        Arc, Mutex,
        atomic::{AtomicUsize, Ordering},
    },
    time::{Duration, Instant},
};

use reqwest::Method;
use serde_json::json;

use crate::{
    client::Client,
    drive::Run,
    report::{Recorder, hand_over},
    seed::{PASSWORD, World},
};

pub async fn accounts(
    client: &Client,
    world: World,
    burst: usize,
    concurrency: usize,
    duration: Duration,
) -> Run {
    let world = Arc::new(world);
    let recorder = Arc::new(Mutex::new(Recorder::default()));
    let members: Vec<_> = world.buyers.iter().chain(&world.sellers).cloned().collect();
    let started = Instant::now();

    let sign_ins = (0..burst).map(|n| {
        let member = &members[n % members.len()];
        let body = json!({ "email": member.email, "password": PASSWORD });
        async move {
            client.send("POST /v1/sessions (burst)", Method::POST, "/v1/sessions", None, Some(&body)).await.0
        }
    });
    let samples = futures::future::join_all(sign_ins).await;
    if let Ok(mut recorder) = recorder.lock() {
        recorder.record_all(samples.into_iter());
    }

    let deadline = Instant::now() + duration;
    let reads = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..concurrency.max(1))
        .map(|worker| {
            let (client, world, recorder, reads) =
                (client.clone(), Arc::clone(&world), Arc::clone(&recorder), Arc::clone(&reads));
            tokio::spawn(async move {
                let mut samples = Vec::new();
                let member = &world.buyers[worker % world.buyers.len()];
                while Instant::now() < deadline {
                    let n = reads.fetch_add(1, Ordering::Relaxed);
                    let Some(stock) = world.stock.get(n % world.stock.len().max(1)) else { break };
                    let path = format!("/v1/listings/{}", stock.listing_id);
                    let (route, token) = if n % 2 == 0 {
                        ("GET /v1/listings/{id} (signed in)", Some(member.token.as_str()))
                    } else {
                        ("GET /v1/listings/{id} (anonymous)", None)
                    };
                    samples.push(client.send(route, Method::GET, &path, token, None).await.0);
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
    let recorder = Arc::try_unwrap(recorder).ok().and_then(|m| m.into_inner().ok()).unwrap_or_default();
    Run {
        recorder,
        elapsed,
        lag: std::collections::BTreeMap::new(),
        trades_completed: 0,
        races: None,
        freshness: Vec::new(),
    }
}
