//! Per-client rate limiting (the PRD's 100 requests per minute per IP).
//!
//! [`RateLimiter`] is the port: [`InMemoryRateLimiter`] counts in this process (the embedded
//! profile); `RedisRateLimiter` (feature `redis`) counts in Redis, so every API instance shares
//! one budget per client.

mod memory;
#[cfg(feature = "redis")]
mod redis;

use std::{net::IpAddr, time::Duration};

use async_trait::async_trait;

pub use self::memory::InMemoryRateLimiter;
#[cfg(feature = "redis")]
pub use self::redis::RedisRateLimiter;

/// The verdict on one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateDecision {
    Allowed { remaining: u32 },
    Limited { retry_after: Duration },
}

#[async_trait]
pub trait RateLimiter: Send + Sync + 'static {
    /// Counts one request of `client` and says whether it may proceed.
    async fn check(&self, client: IpAddr) -> RateDecision;
}
