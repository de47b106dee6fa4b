//! The shared limiter of the distributed profile: fixed one-minute windows counted in Redis.
//!
//! One Lua script increments the client's counter and, on the window's first request, sets its
//! expiry, atomically: instances racing on one client never lose a count or leave a counter
//! without expiry. If Redis cannot be reached the request is let through (and logged): a limiter
//! outage must not become an API outage.

use std::{net::IpAddr, time::Duration};

use async_trait::async_trait;
use redis::{Script, aio::ConnectionManager};

use super::{RateDecision, RateLimiter};

/// Redis calls that take longer than this are abandoned (fail open).
const CALL_TIMEOUT: Duration = Duration::from_millis(250);

const COUNT_SCRIPT: &str = r"
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return {count, redis.call('PTTL', KEYS[1])}
";

#[derive(Clone)]
pub struct RedisRateLimiter {
    connection: ConnectionManager,
    script: Script,
    key_prefix: String,
    limit: u32,
    window: Duration,
}

impl RedisRateLimiter {
    /// Connects to `url`; keys are `<key_prefix>:rate:<ip>`.
    pub async fn connect(
        url: &str,
        key_prefix: &str,
        limit_per_minute: u32,
    ) -> Result<Self, redis::RedisError> {
        let client = redis::Client::open(url)?;
        let connection =
            tokio::time::timeout(Duration::from_secs(5), ConnectionManager::new(client)).await.map_err(
                |_| redis::RedisError::from((redis::ErrorKind::Io, "timed out connecting to Redis")),
            )??;
        Ok(Self {
            connection,
            script: Script::new(COUNT_SCRIPT),
            key_prefix: key_prefix.to_owned(),
            limit: limit_per_minute.max(1),
            window: Duration::from_secs(60),
        })
    }

    async fn count(&self, client: IpAddr) -> Result<(u64, i64), redis::RedisError> {
        let key = format!("{}:rate:{client}", self.key_prefix);
        let window_ms = u64::try_from(self.window.as_millis()).unwrap_or(u64::MAX);
        let mut connection = self.connection.clone();
        let mut invocation = self.script.key(key);
        invocation.arg(window_ms);
        tokio::time::timeout(CALL_TIMEOUT, invocation.invoke_async(&mut connection))
            .await
            .map_err(|_| redis::RedisError::from((redis::ErrorKind::Io, "Redis call timed out")))?
    }
}

#[async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn check(&self, client: IpAddr) -> RateDecision {
        match self.count(client).await {
            Ok((count, ttl_ms)) if count > u64::from(self.limit) => {
                let retry_after = Duration::from_millis(u64::try_from(ttl_ms).unwrap_or(0));
                RateDecision::Limited { retry_after }
            }
            Ok((count, _)) => RateDecision::Allowed {
                remaining: self.limit.saturating_sub(u32::try_from(count).unwrap_or(u32::MAX)),
            },
            Err(error) => {
                tracing::warn!(%error, "rate limiter unavailable; letting the request through");
                RateDecision::Allowed { remaining: self.limit }
            }
        }
    }
}
