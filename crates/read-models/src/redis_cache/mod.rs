//! A Redis cache of listing documents, kept fresh by the log (the hot read path of listing pages).
//!
//! Each key holds either a document with its stream version, or a *floor*: "nothing below version
//! v is valid any more". The listing-cache projection raises the floor on every listing event
//! (through the [`ListingCacheFloors`] port);
//! readers fill the cache on a miss from the document store. Both writes go through one Lua
//! script that never lowers what a key holds, so the classic race (a reader fills the cache with a
//! document read just before the document store caught up, right after the invalidation) cannot
//! leave a stale document behind: the stale fill is below the floor and is refused.

mod counters;
mod store;

pub use counters::RedisListingCounters;
pub use store::CachedDocumentStore;

use std::time::Duration;

use async_trait::async_trait;
use jangteo_domain::ListingId;
use redis::{AsyncCommands, Script, aio::ConnectionManager};

use crate::{ListingCacheFloors, ListingDocument, ReadModelError};

/// Every Redis call gives up after this long; the cache is an optimisation, never a dependency.
const CALL_TIMEOUT: Duration = Duration::from_millis(500);

/// Stores ARGV[1] (a JSON entry `{"v": version, "doc": ...}` or `{"v": version}` for a floor)
/// unless the key already holds a version at least as new. Returns 1 when it stored.
const RAISE_SCRIPT: &str = r"
local current = redis.call('GET', KEYS[1])
if current then
  local held = cjson.decode(current)
  local incoming = tonumber(ARGV[2])
  if held.v > incoming or (held.v == incoming and (held.doc ~= nil or ARGV[3] == 'floor')) then
    return 0
  end
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[4])
return 1
";

#[derive(Clone)]
pub struct RedisListingCache {
    connection: ConnectionManager,
    script: Script,
    key_prefix: String,
    ttl: Duration,
}

impl std::fmt::Debug for RedisListingCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisListingCache").field("key_prefix", &self.key_prefix).finish_non_exhaustive()
    }
}

impl RedisListingCache {
    /// Connects to `url`; keys are `<key_prefix>:listing:<id>`, kept for `ttl`.
    pub async fn connect(url: &str, key_prefix: &str, ttl: Duration) -> Result<Self, ReadModelError> {
        let connection = connect(url).await?;
        Ok(Self { connection, script: Script::new(RAISE_SCRIPT), key_prefix: key_prefix.to_owned(), ttl })
    }

    fn key(&self, listing_id: ListingId) -> String {
        format!("{}:listing:{listing_id}", self.key_prefix)
    }

    /// The cached document, if the key holds one (a floor is a miss).
    pub async fn get(&self, listing_id: ListingId) -> Result<Option<ListingDocument>, ReadModelError> {
        let mut connection = self.connection.clone();
        let key = self.key(listing_id);
        let raw: Option<String> = with_timeout(connection.get(key)).await?;
        let Some(raw) = raw else { return Ok(None) };
        let entry: serde_json::Value = serde_json::from_str(&raw)
            .map_err(|error| ReadModelError::Corrupt(format!("cache entry: {error}")))?;
        match entry.get("doc") {
            Some(document) => serde_json::from_value(document.clone())
                .map(Some)
                .map_err(|error| ReadModelError::Corrupt(format!("cached listing: {error}"))),
            None => Ok(None),
        }
    }

    /// Caches `document` unless the key already holds its version or a newer one (or a floor
    /// above it). Returns whether it was stored.
    pub async fn fill(&self, document: &ListingDocument) -> Result<bool, ReadModelError> {
        let entry = serde_json::json!({ "v": document.version, "doc": document });
        self.raise(document.listing_id, &entry, document.version, "doc").await
    }

    async fn raise(
        &self,
        listing_id: ListingId,
        entry: &serde_json::Value,
        version: u64,
        kind: &str,
    ) -> Result<bool, ReadModelError> {
        let mut connection = self.connection.clone();
        let ttl_ms = u64::try_from(self.ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        let mut invocation = self.script.key(self.key(listing_id));
        invocation.arg(entry.to_string()).arg(version).arg(kind).arg(ttl_ms);
        let stored: i64 = with_timeout(invocation.invoke_async(&mut connection)).await?;
        Ok(stored == 1)
    }
}

/// The floors and the checkpoint live in the same Redis, under the same prefix.
#[async_trait]
impl ListingCacheFloors for RedisListingCache {
    /// Makes every cached version below `version` invalid. Idempotent, and a no-op when the key
    /// already holds something at least as new.
    async fn invalidate_below(&self, listing_id: ListingId, version: u64) -> Result<bool, ReadModelError> {
        self.raise(listing_id, &serde_json::json!({ "v": version }), version, "floor").await
    }

    /// A checkpoint kept beside the cache (for the projection that maintains it).
    async fn checkpoint(&self, name: &str) -> Result<u64, ReadModelError> {
        let mut connection = self.connection.clone();
        let position: Option<u64> =
            with_timeout(connection.get(format!("{}:checkpoint:{name}", self.key_prefix))).await?;
        Ok(position.unwrap_or(0))
    }

    async fn save_checkpoint(&self, name: &str, position: u64) -> Result<(), ReadModelError> {
        let mut connection = self.connection.clone();
        let key = format!("{}:checkpoint:{name}", self.key_prefix);
        with_timeout(connection.set::<_, _, ()>(key, position)).await
    }
}

/// How long connecting to Redis may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// A managed connection to `url` (it reconnects by itself after a failure).
async fn connect(url: &str) -> Result<ConnectionManager, ReadModelError> {
    let client = redis::Client::open(url)?;
    match tokio::time::timeout(CONNECT_TIMEOUT, ConnectionManager::new(client)).await {
        Ok(connected) => Ok(connected?),
        Err(source) => Err(ReadModelError::TimedOut {
            service: "Redis",
            operation: "connecting",
            limit: CONNECT_TIMEOUT,
            source,
        }),
    }
}

/// A Redis call, bounded by [`CALL_TIMEOUT`]: a timeout is [`ReadModelError::TimedOut`], which
/// the API answers as an unavailable read model.
async fn with_timeout<T>(
    call: impl Future<Output = Result<T, redis::RedisError>>,
) -> Result<T, ReadModelError> {
    match tokio::time::timeout(CALL_TIMEOUT, call).await {
        Ok(result) => Ok(result?),
        Err(source) => Err(ReadModelError::TimedOut {
            service: "Redis",
            operation: "a call",
            limit: CALL_TIMEOUT,
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, reason = "a failed expectation is a failed test")]

    use super::*;

    #[tokio::test]
    async fn a_redis_call_that_does_not_answer_is_an_unavailable_read_model() {
        let silent = std::future::pending::<Result<(), redis::RedisError>>();
        let error = with_timeout(silent).await.expect_err("a call that never answers times out");
        assert!(matches!(error, ReadModelError::TimedOut { service: "Redis", .. }), "{error}");
        assert!(error.is_unavailable());
    }
}
