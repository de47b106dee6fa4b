//! Wiring: picks the adapters the configuration asks for and starts the server and workers.

use std::{net::TcpListener, sync::Arc, time::Duration};

use anyhow::{Context, Result};
use jangteo_api::{ApiState, HttpSettings, InMemoryRateLimiter, RateLimiter, RedisRateLimiter, TokenService};
use jangteo_app::{
    Accounts, Listings, Operations, Orders, ProjectionProgress, Queries, Timelines,
    process_manager::TradeProcessManager,
};
use jangteo_domain::{
    Aggregate, account::AccountState, escrow::EscrowState, listing::ListingState, order::OrderState,
};
use jangteo_event_store::{EventStore, postgres::PostgresEventStore, sqlite::SqliteEventStore};
use jangteo_event_stream::{KafkaRelay, Topics};
use jangteo_projections::{
    ListingCacheProjection, ListingDocumentsProjection, ListingSearchProjection, OrderDocumentsProjection,
    Projection,
};
use jangteo_read_models::{
    DocumentStore, ListingSearch,
    redis_cache::{CachedDocumentStore, RedisListingCache},
    sqlite::SqliteDocumentStore,
    tantivy_search::TantivyListingSearch,
};
use tokio::task::JoinSet;

use crate::{config::Config, secrets};

/// How long a worker waits for a wake-up before reading the log anyway (writes by other processes
/// sharing a PostgreSQL store arrive this way at the latest).
const POLL_INTERVAL: Duration = Duration::from_millis(500);
const RETRY_DELAY: Duration = Duration::from_secs(1);
/// Partitions of each topic the relay creates. Messages are keyed by stream, so a stream's order
/// holds whatever the count; more partitions let more consumers share a topic.
const RELAY_PARTITIONS: i32 = 3;
/// How long a cached listing lives without being read again through a miss.
const LISTING_CACHE_TTL: Duration = Duration::from_secs(300);

fn ensure_data_dir(config: &Config) -> Result<()> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating data dir {}", config.data_dir.display()))
}

async fn open_event_store(config: &Config) -> Result<Arc<dyn EventStore>> {
    if let Some(url) = &config.database_url {
        let store = PostgresEventStore::connect(url.expose(), config.database_max_connections)
            .await
            .context("connecting to PostgreSQL (JANGTEO_DATABASE_URL)")?;
        store.migrate().await.context("migrating the PostgreSQL event store")?;
        tracing::info!("event store: PostgreSQL");
        Ok(Arc::new(store))
    } else {
        let path = config.data_dir.join("events.sqlite");
        let store =
            SqliteEventStore::open(&path).await.with_context(|| format!("opening {}", path.display()))?;
        tracing::info!(path = %path.display(), "event store: SQLite (embedded)");
        Ok(Arc::new(store))
    }
}

/// Redis when configured (one budget per client across every instance), else in memory.
async fn rate_limiter(config: &Config) -> Result<Arc<dyn RateLimiter>> {
    match &config.redis_url {
        Some(url) => {
            let limiter = RedisRateLimiter::connect(
                url.expose(),
                &config.redis_key_prefix,
                config.rate_limit_per_minute,
            )
            .await
            .context("connecting to Redis (JANGTEO_REDIS_URL)")?;
            tracing::info!("rate limit: Redis (shared by all instances)");
            Ok(Arc::new(limiter))
        }
        None => Ok(Arc::new(InMemoryRateLimiter::per_minute(config.rate_limit_per_minute))),
    }
}

/// The embedded read models: SQLite documents and the tantivy index, under the data dir.
async fn open_read_models(config: &Config) -> Result<(Arc<dyn DocumentStore>, Arc<dyn ListingSearch>)> {
    let documents_path = config.data_dir.join("read-models.sqlite");
    let documents: Arc<dyn DocumentStore> = Arc::new(
        SqliteDocumentStore::open(&documents_path)
            .await
            .with_context(|| format!("opening {}", documents_path.display()))?,
    );
    let search_dir = config.data_dir.join("search");
    let search: Arc<dyn ListingSearch> =
        Arc::new(TantivyListingSearch::open(&search_dir).with_context(|| {
            format!(
                "opening the search index in {} (is a server running on this data dir?)",
                search_dir.display()
            )
        })?);
    Ok((documents, search))
}

/// Every projection this build serves queries from.
fn projections(
    documents: &Arc<dyn DocumentStore>,
    search: &Arc<dyn ListingSearch>,
    store: &Arc<dyn EventStore>,
) -> Vec<Arc<dyn Projection>> {
    vec![
        Arc::new(ListingDocumentsProjection::new(Arc::clone(documents))),
        Arc::new(OrderDocumentsProjection::new(Arc::clone(documents))),
        Arc::new(ListingSearchProjection::new(Arc::clone(search), Arc::clone(store))),
    ]
}

/// Drops the named read model (or all) and projects the whole log into it again, with a progress
/// bar. Run it with the server stopped: the server holds the search index's writer lock.
pub async fn rebuild(config: &Config, only: Option<&str>) -> Result<()> {
    ensure_data_dir(config)?;
    let store = open_event_store(config).await?;
    let (documents, search) = open_read_models(config).await?;
    let selected: Vec<_> = projections(&documents, &search, &store)
        .into_iter()
        .filter(|p| only.is_none_or(|name| p.name() == name))
        .collect();
    if selected.is_empty() {
        let known: Vec<_> = projections(&documents, &search, &store).iter().map(|p| p.name()).collect();
        anyhow::bail!("no projection named {:?}; known: {}", only.unwrap_or_default(), known.join(", "));
    }
    let head = store.head_position().await?;
    for projection in selected {
        let bar = indicatif::ProgressBar::new(head);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{msg:>18} [{bar:40}] {pos}/{len} events ({per_sec})")
                .map_err(|error| anyhow::anyhow!("progress bar template: {error}"))?
                .progress_chars("=> "),
        );
        bar.set_message(projection.name());
        let applied = jangteo_projections::rebuild(projection.as_ref(), store.as_ref(), |position, _| {
            bar.set_position(position);
        })
        .await?;
        bar.finish();
        println!("rebuilt {}: {applied} events projected", projection.name());
    }
    Ok(())
}

/// Runs the Kafka relay until stopped: one process per deployment (a second one would only send
/// duplicates, which consumers absorb).
pub async fn relay(config: &Config) -> Result<()> {
    let brokers = config.kafka_brokers.as_deref().context("JANGTEO_KAFKA_BROKERS is not set")?;
    ensure_data_dir(config)?;
    let store = open_event_store(config).await?;
    let relay = KafkaRelay::new(store, brokers, Topics::new(&config.kafka_topic_prefix))?;
    let stream_types = [
        AccountState::STREAM_TYPE,
        ListingState::STREAM_TYPE,
        OrderState::STREAM_TYPE,
        EscrowState::STREAM_TYPE,
    ];
    relay.ensure_topics(&stream_types, RELAY_PARTITIONS).await?;
    tracing::info!(brokers, prefix = %config.kafka_topic_prefix, "relaying the event log to Kafka");
    tokio::select! {
        () = relay.run(POLL_INTERVAL, RETRY_DELAY) => {}
        _ = tokio::signal::ctrl_c() => tracing::info!("relay stopped"),
    }
    Ok(())
}

pub async fn migrate(config: &Config) -> Result<()> {
    ensure_data_dir(config)?;
    open_event_store(config).await?;
    tracing::info!("event store schema is up to date");
    Ok(())
}

pub async fn serve(config: Config) -> Result<()> {
    ensure_data_dir(&config)?;
    let store = open_event_store(&config).await?;

    let (documents, search) = open_read_models(&config).await?;
    let mut projections = projections(&documents, &search, &store);
    // With Redis, listing reads go through a cache that its own projection keeps fresh; the
    // projections above keep reading the document store itself.
    let query_documents: Arc<dyn DocumentStore> = match &config.redis_url {
        Some(url) => {
            let cache = RedisListingCache::connect(url.expose(), &config.redis_key_prefix, LISTING_CACHE_TTL)
                .await
                .context("connecting the listing cache to Redis (JANGTEO_REDIS_URL)")?;
            projections.push(Arc::new(ListingCacheProjection::new(cache.clone())));
            Arc::new(CachedDocumentStore::new(Arc::clone(&documents), cache))
        }
        None => Arc::clone(&documents),
    };
    let mut progress = ProjectionProgress::new();
    let mut workers = JoinSet::new();
    for projection in projections {
        let checkpoint = projection.checkpoint().await?;
        let reporter = progress.register(projection.name(), checkpoint);
        workers.spawn(jangteo_projections::run(
            projection,
            Arc::clone(&store),
            reporter,
            POLL_INTERVAL,
            RETRY_DELAY,
        ));
    }
    workers.spawn(TradeProcessManager::new(Arc::clone(&store)).run(POLL_INTERVAL, RETRY_DELAY));

    let jwt_secret = match &config.jwt_secret {
        Some(secret) => secret.expose().as_bytes().to_vec(),
        None => secrets::load_or_create_jwt_secret(&config.data_dir)?,
    };
    let state = ApiState {
        accounts: Accounts::new(Arc::clone(&store)),
        listings: Listings::new(Arc::clone(&store)),
        orders: Orders::new(Arc::clone(&store)),
        operations: Operations::new(
            Arc::clone(&store),
            Arc::clone(&documents),
            Arc::clone(&search),
            progress.clone(),
        ),
        queries: Queries::new(query_documents, search, progress, config.consistency_timeout()),
        timelines: Timelines::new(Arc::clone(&store)),
        tokens: TokenService::new(&jwt_secret, config.access_token_ttl()),
    };

    let listener = TcpListener::bind(config.listen).with_context(|| format!("binding {}", config.listen))?;
    let address = listener.local_addr()?;
    let http_workers = if config.http_workers == 0 {
        std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
    } else {
        config.http_workers
    };
    let settings = HttpSettings {
        workers: http_workers,
        cors_allowed_origins: config.cors_allowed_origins.clone(),
        rate_limiter: rate_limiter(&config).await?,
    };
    let server = jangteo_api::serve(listener, state, settings)?;
    // Tests and scripts wait for this exact line to learn the bound port.
    tracing::info!(%address, "listening on http://{address}");
    println!("jangteo listening on http://{address}");
    server.await?;
    workers.shutdown().await;
    tracing::info!("stopped");
    Ok(())
}
