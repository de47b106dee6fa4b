//! A keep-alive HTTP client for the harness, timing every request by route.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// One request's outcome: its route name, status and latency.
pub struct Sample {
    pub route: &'static str,
    pub status: StatusCode,
    pub latency: Duration,
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    pub fn new(base: &str, concurrency: usize) -> Result<Self> {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(concurrency)
            .timeout(Duration::from_secs(30))
            .build()
            .context("building the HTTP client")?;
        Ok(Self { http, base: base.trim_end_matches('/').to_owned() })
    }

    /// Sends one request and returns its sample and JSON body (`Null` when there is none).
    pub async fn send(
        &self,
        route: &'static str,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (Sample, Value) {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        let started = Instant::now();
        let answer = request.send().await;
        let (status, body) = match answer {
            Ok(response) => {
                let status = response.status();
                (status, response.json::<Value>().await.unwrap_or(Value::Null))
            }
            // No answer at all (connection refused or reset, timeout): counted apart.
            Err(_) => (StatusCode::BAD_GATEWAY, Value::Null),
        };
        (Sample { route, status, latency: started.elapsed() }, body)
    }

    /// Like [`Client::send`] for the set-up, where anything but success stops the harness.
    pub async fn expect(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Value> {
        let (sample, answer) = self.send("setup", method, path, token, body).await;
        if !sample.status.is_success() {
            bail!("{path} answered {}: {answer}", sample.status);
        }
        Ok(answer)
    }

    /// Waits (at most `limit`) until every projection has caught up with the log, so that a run
    /// measures the load it drives and not the seeding's backlog; returns whether they did.
    pub async fn caught_up(&self, limit: Duration) -> bool {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(lag) = self.projection_lag().await
                && !lag.is_empty()
                && lag.iter().all(|(_, millis)| *millis == 0.0)
            {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    }

    /// The projections' lag in milliseconds, from `/metrics`.
    pub async fn projection_lag(&self) -> Result<Vec<(String, f64)>> {
        let text = self.http.get(format!("{}/metrics", self.base)).send().await?.text().await?;
        Ok(text
            .lines()
            .filter_map(|line| line.strip_prefix("jangteo_projection_lag_milliseconds{projection=\""))
            .filter_map(|rest| {
                let (name, value) = rest.split_once("\"} ")?;
                Some((name.to_owned(), value.trim().parse().ok()?))
            })
            .collect())
    }
}
