//! Listing counters in Redis, shared by every API instance: two hashes (views, favourites) and
//! the favourites projection's checkpoint. A projection commit is one Lua script, so the counts
//! and the checkpoint move together, and a replayed commit (checkpoint not beyond the stored one)
//! is refused whole.

use async_trait::async_trait;
use jangteo_domain::ListingId;
use redis::{AsyncCommands, Script, aio::ConnectionManager};

use super::{connect, with_timeout};
use crate::{ListingCounters, ListingCounts, ReadModelError};

/// KEYS: favourites hash, checkpoint. ARGV: checkpoint, then listing/delta pairs.
const COMMIT_SCRIPT: &str = r"
local stored = tonumber(redis.call('GET', KEYS[2]) or '0')
local incoming = tonumber(ARGV[1])
if incoming <= stored then
  return 0
end
for i = 2, #ARGV, 2 do
  redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('SET', KEYS[2], ARGV[1])
return 1
";

#[derive(Clone)]
pub struct RedisListingCounters {
    connection: ConnectionManager,
    commit: Script,
    key_prefix: String,
}

impl std::fmt::Debug for RedisListingCounters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisListingCounters").field("key_prefix", &self.key_prefix).finish_non_exhaustive()
    }
}

impl RedisListingCounters {
    /// Connects to `url`; keys are `<key_prefix>:counters:*`.
    pub async fn connect(url: &str, key_prefix: &str) -> Result<Self, ReadModelError> {
        let connection = connect(url).await?;
        Ok(Self { connection, commit: Script::new(COMMIT_SCRIPT), key_prefix: key_prefix.to_owned() })
    }

    fn key(&self, name: &str) -> String {
        format!("{}:counters:{name}", self.key_prefix)
    }
}

#[async_trait]
impl ListingCounters for RedisListingCounters {
    async fn counts(&self, listing_id: ListingId) -> Result<ListingCounts, ReadModelError> {
        let mut connection = self.connection.clone();
        let field = listing_id.to_string();
        let (views, favourites): (Option<u64>, Option<i64>) = with_timeout(
            redis::pipe()
                .hget(self.key("views"), &field)
                .hget(self.key("favourites"), &field)
                .query_async(&mut connection),
        )
        .await?;
        Ok(ListingCounts {
            views: views.unwrap_or(0),
            favourites: favourites.map_or(0, |count| u64::try_from(count).unwrap_or(0)),
        })
    }

    async fn record_view(&self, listing_id: ListingId) -> Result<(), ReadModelError> {
        let mut connection = self.connection.clone();
        with_timeout(connection.hincr::<_, _, _, ()>(self.key("views"), listing_id.to_string(), 1)).await
    }

    async fn checkpoint(&self) -> Result<u64, ReadModelError> {
        let mut connection = self.connection.clone();
        let position: Option<u64> = with_timeout(connection.get(self.key("checkpoint"))).await?;
        Ok(position.unwrap_or(0))
    }

    async fn commit(
        &self,
        favourite_deltas: Vec<(ListingId, i64)>,
        checkpoint: u64,
    ) -> Result<(), ReadModelError> {
        let mut connection = self.connection.clone();
        let mut invocation = self.commit.key(self.key("favourites"));
        invocation.key(self.key("checkpoint")).arg(checkpoint);
        for (listing_id, delta) in favourite_deltas {
            invocation.arg(listing_id.to_string()).arg(delta);
        }
        let _applied: i64 = with_timeout(invocation.invoke_async(&mut connection)).await?;
        Ok(())
    }

    async fn reset(&self) -> Result<(), ReadModelError> {
        let mut connection = self.connection.clone();
        with_timeout(connection.del::<_, ()>(&[self.key("favourites"), self.key("checkpoint")])).await
    }
}
