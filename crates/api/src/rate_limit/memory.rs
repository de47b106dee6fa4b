//! The in-process limiter of the embedded profile: counts in a bounded table in memory.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::Mutex,
    time::{Duration, Instant},
};

use async_trait::async_trait;

use super::{RateDecision, RateLimiter};

/// Fixed one-minute windows per client IP, counted in memory. The table is bounded: when it grows
/// past `MAX_CLIENTS`, expired windows are dropped first.
pub struct InMemoryRateLimiter {
    limit: u32,
    window: Duration,
    clients: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

const MAX_CLIENTS: usize = 100_000;

impl InMemoryRateLimiter {
    pub fn per_minute(limit: u32) -> Self {
        Self { limit: limit.max(1), window: Duration::from_secs(60), clients: Mutex::new(HashMap::new()) }
    }
}

#[async_trait]
impl RateLimiter for InMemoryRateLimiter {
    async fn check(&self, client: IpAddr) -> RateDecision {
        self.check_at(client, Instant::now())
    }
}

impl InMemoryRateLimiter {
    /// Counts one request of `client` at `now`.
    pub fn check_at(&self, client: IpAddr, now: Instant) -> RateDecision {
        // A poisoned lock only means another request panicked mid-count; the counts are still usable.
        let mut clients = self.clients.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if clients.len() >= MAX_CLIENTS {
            let window = self.window;
            clients.retain(|_, (started, _)| now.duration_since(*started) < window);
            if clients.len() >= MAX_CLIENTS {
                // Under a flood of distinct addresses, forget every count rather than grow.
                clients.clear();
            }
        }
        let entry = clients.entry(client).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        if entry.1 >= self.limit {
            let retry_after = self.window.saturating_sub(now.duration_since(entry.0));
            return RateDecision::Limited { retry_after };
        }
        entry.1 += 1;
        RateDecision::Allowed { remaining: self.limit - entry.1 }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_applies_per_client_and_per_window() {
        let limiter = InMemoryRateLimiter::per_minute(3);
        let start = Instant::now();
        let alice = IpAddr::from([10, 0, 0, 1]);
        let bob = IpAddr::from([10, 0, 0, 2]);
        assert_eq!(limiter.check_at(alice, start), RateDecision::Allowed { remaining: 2 });
        assert_eq!(limiter.check_at(alice, start), RateDecision::Allowed { remaining: 1 });
        assert_eq!(limiter.check_at(alice, start), RateDecision::Allowed { remaining: 0 });
        let later = start + Duration::from_secs(20);
        assert_eq!(
            limiter.check_at(alice, later),
            RateDecision::Limited { retry_after: Duration::from_secs(40) }
        );
        assert_eq!(limiter.check_at(bob, later), RateDecision::Allowed { remaining: 2 });
        let next_window = start + Duration::from_secs(60);
        assert_eq!(limiter.check_at(alice, next_window), RateDecision::Allowed { remaining: 2 });
    }
}
