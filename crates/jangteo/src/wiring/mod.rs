//! Wiring: picks the adapters the configuration asks for and starts the server and workers.
//!
//! Two profiles share every part but the feed of the projections:
//! * embedded (no `JANGTEO_KAFKA_BROKERS`): `serve` runs the API, the projections (fed by the
//!   in-process tail of the log) and the process manager in one process;
//! * distributed (`JANGTEO_KAFKA_BROKERS` set): `serve` is the API only and reads the read models
//!   that `worker`/`project` processes build from Kafka; `relay` (or `worker`) publishes the log.

mod background;
mod identity;
mod mail;
mod places;
mod rebuild;
mod serve;
mod social_login;
mod staff;
mod tls;
mod workers;

use std::{sync::Arc, time::Duration};

pub use social_login::SocialLoginSettings;

use anyhow::{Context, Result};
use jangteo_app::UnitOfWork;
use jangteo_event_store::{
    CommitMode, EventStore, LogMaintenance, postgres::PostgresEventStore, sqlite::SqliteEventStore,
};
use jangteo_projections::{
    FavouriteDocumentsProjection, ListingCacheProjection, ListingCountersProjection,
    ListingDocumentsProjection, ListingSearchProjection, OrderDocumentsProjection, Projection,
};
use jangteo_read_models::{
    DocumentStore, InMemoryListingCounters, ListingCounters, ListingSearch,
    elasticsearch::ElasticsearchListingSearch,
    mongo::MongoDocumentStore,
    redis_cache::{RedisListingCache, RedisListingCounters},
    sqlite::SqliteDocumentStore,
    tantivy_search::TantivyListingSearch,
};

use jangteo_payments::{
    PaymentGateway, RetryPolicy,
    portone::{self, PortOne},
    simulated::SimulatedGateway,
    toss::{self, TossPayments},
};

use jangteo_shipping::{
    CourierTracker,
    simulated::SimulatedCourier,
    tracker_delivery::{self, TrackerDelivery},
};

use crate::config::{Config, CourierChoice, GatewayChoice};
use background::Background;

pub use self::{
    rebuild::rebuild,
    serve::serve,
    staff::{grant_role, rotate_master_key},
    workers::{project, relay, worker},
};

/// How long a worker waits for a wake-up before reading the log anyway (writes by other processes
/// sharing a PostgreSQL store arrive this way at the latest).
const POLL_INTERVAL: Duration = Duration::from_millis(500);
const RETRY_DELAY: Duration = Duration::from_secs(1);
/// How often deadlines are checked: the most an expiry fires late.
const DEADLINE_TICK: Duration = Duration::from_secs(1);
/// How often a process that keeps projections logs their lag behind the log head.
const LAG_LOG_INTERVAL: Duration = Duration::from_secs(30);
/// How long a cached listing lives without being read again through a miss.
const LISTING_CACHE_TTL: Duration = Duration::from_secs(300);

fn ensure_data_dir(config: &Config) -> Result<()> {
    std::fs::create_dir_all(&config.data_dir)
        .with_context(|| format!("creating data dir {}", config.data_dir.display()))
}

/// The event log and the identity store beside it, with the log's personal data sealed: every
/// process that reads the log opens it through here, so the one-off rewrite of clear personal data
/// (`jangteo_app::PersonalDataMigration`) has run before anything reads or publishes an event.
pub(crate) struct Stores {
    pub(crate) log: Arc<dyn EventStore>,
    pub(crate) identity: identity::Identity,
}

async fn open_stores(config: &Config) -> Result<Stores> {
    let mode = if config.group_commit { CommitMode::Grouped } else { CommitMode::OneByOne };
    let (log, maintenance): (Arc<dyn EventStore>, Arc<dyn LogMaintenance>) =
        if let Some(url) = &config.database_url {
            let store = Arc::new(
                PostgresEventStore::connect_with_mode(url.expose(), config.database_max_connections, mode)
                    .await
                    .context("connecting to PostgreSQL (JANGTEO_DATABASE_URL)")?,
            );
            store.migrate().await.context("migrating the PostgreSQL event store")?;
            tracing::info!(?mode, "event store: PostgreSQL");
            (store.clone(), store)
        } else {
            let path = config.data_dir.join("events.sqlite");
            let store = Arc::new(
                SqliteEventStore::open_with_mode(&path, mode)
                    .await
                    .with_context(|| format!("opening {}", path.display()))?,
            );
            tracing::info!(path = %path.display(), ?mode, "event store: SQLite (embedded)");
            (store.clone(), store)
        };
    let identity = identity::open_identity(config).await?;
    jangteo_app::PersonalDataMigration {
        store: log.as_ref(),
        maintenance: maintenance.as_ref(),
        vault: &identity.vault,
        credentials: identity.credentials.as_ref(),
        steps: identity.steps.as_ref(),
    }
    .run()
    .await
    .context("sealing personal data written in the clear (AccountRegistered v1)")?;
    Ok(Stores { log, identity })
}

async fn open_event_store(config: &Config) -> Result<Arc<dyn EventStore>> {
    Ok(open_stores(config).await?.log)
}

/// Who may write the embedded search index: one process per data dir.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SearchAccess {
    Write,
    /// An API instance beside a worker that writes.
    ReadOnly,
}

/// The read models: MongoDB documents and the Elasticsearch index when configured, else SQLite
/// and tantivy under the data dir.
async fn open_read_models(
    config: &Config,
    access: SearchAccess,
) -> Result<(Arc<dyn DocumentStore>, Arc<dyn ListingSearch>)> {
    let documents: Arc<dyn DocumentStore> = if let Some(url) = &config.mongodb_url {
        let store = MongoDocumentStore::connect(url.expose(), &config.mongodb_database)
            .await
            .context("connecting to MongoDB (JANGTEO_MONGODB_URL)")?;
        tracing::info!(database = %config.mongodb_database, "documents: MongoDB");
        Arc::new(store)
    } else {
        let path = config.data_dir.join("read-models.sqlite");
        Arc::new(
            SqliteDocumentStore::open(&path).await.with_context(|| format!("opening {}", path.display()))?,
        )
    };
    let search: Arc<dyn ListingSearch> = if let Some(url) = &config.elasticsearch_url {
        let index = ElasticsearchListingSearch::connect(
            url.expose(),
            &config.elasticsearch_index,
            config.elasticsearch_analyzer,
        )
        .await
        .context("connecting to Elasticsearch (JANGTEO_ELASTICSEARCH_URL)")?;
        tracing::info!(
            index = %config.elasticsearch_index,
            analyzer = config.elasticsearch_analyzer.as_str(),
            "search: Elasticsearch"
        );
        Arc::new(index)
    } else {
        let dir = config.data_dir.join("search");
        let opened = match access {
            SearchAccess::Write => TantivyListingSearch::open(&dir),
            SearchAccess::ReadOnly => TantivyListingSearch::open_reader(&dir),
        };
        Arc::new(opened.with_context(|| {
            format!("opening the search index in {} (does another process write it?)", dir.display())
        })?)
    };
    Ok((documents, search))
}

/// The Redis listing cache, when Redis is configured.
async fn open_listing_cache(config: &Config) -> Result<Option<RedisListingCache>> {
    let Some(url) = &config.redis_url else { return Ok(None) };
    let cache = RedisListingCache::connect(url.expose(), &config.redis_key_prefix, LISTING_CACHE_TTL)
        .await
        .context("connecting the listing cache to Redis (JANGTEO_REDIS_URL)")?;
    Ok(Some(cache))
}

/// The listing counters: in Redis when configured (shared by every instance), else in this
/// process's memory.
async fn open_counters(config: &Config) -> Result<Counters> {
    match &config.redis_url {
        Some(url) => {
            let counters = RedisListingCounters::connect(url.expose(), &config.redis_key_prefix)
                .await
                .context("connecting the listing counters to Redis (JANGTEO_REDIS_URL)")?;
            Ok(Counters { store: Arc::new(counters), shared: true })
        }
        None => Ok(Counters { store: Arc::new(InMemoryListingCounters::new()), shared: false }),
    }
}

struct Counters {
    store: Arc<dyn ListingCounters>,
    /// Whether other processes see the same counters (Redis), so that a worker may keep them.
    shared: bool,
}

impl Counters {
    fn projection(&self) -> Arc<dyn Projection> {
        Arc::new(ListingCountersProjection::new(Arc::clone(&self.store)))
    }
}

/// The projections kept by whichever process keeps the shared read models: the documents, the
/// search index, and the Redis cache and counters when configured.
fn projections(
    documents: &Arc<dyn DocumentStore>,
    search: &Arc<dyn ListingSearch>,
    store: &Arc<dyn EventStore>,
    cache: Option<&RedisListingCache>,
    counters: Option<&Counters>,
) -> Vec<Arc<dyn Projection>> {
    let mut projections: Vec<Arc<dyn Projection>> = vec![
        Arc::new(ListingDocumentsProjection::new(Arc::clone(documents))),
        Arc::new(OrderDocumentsProjection::new(Arc::clone(documents))),
        Arc::new(FavouriteDocumentsProjection::new(Arc::clone(documents))),
        Arc::new(ListingSearchProjection::new(Arc::clone(search), Arc::clone(store))),
    ];
    if let Some(cache) = cache {
        projections.push(Arc::new(ListingCacheProjection::new(Arc::new(cache.clone()))));
    }
    if let Some(counters) = counters.filter(|counters| counters.shared) {
        projections.push(counters.projection());
    }
    projections
}

/// Keeps the projections whose names are in `only` (all when empty); unknown names are an error.
fn select(projections: Vec<Arc<dyn Projection>>, only: &[String]) -> Result<Vec<Arc<dyn Projection>>> {
    if let Some(unknown) = only.iter().find(|name| !projections.iter().any(|p| p.name() == name.as_str())) {
        let known: Vec<_> = projections.iter().map(|p| p.name()).collect();
        anyhow::bail!("no projection named {unknown:?}; known: {}", known.join(", "));
    }
    Ok(projections
        .into_iter()
        .filter(|p| only.is_empty() || only.iter().any(|name| name == p.name()))
        .collect())
}

/// Logs each projection's lag (events and milliseconds behind the log head) every
/// [`LAG_LOG_INTERVAL`], forever; a lag that is not zero is a warning.
async fn log_lag(operations: jangteo_app::Operations) {
    let mut ticks = tokio::time::interval(LAG_LOG_INTERVAL);
    loop {
        ticks.tick().await;
        match operations.lag(chrono::Utc::now()).await {
            Ok(report) => {
                for lag in report.projections {
                    if lag.events_behind == 0 {
                        tracing::info!(
                            projection = lag.projection,
                            position = lag.position,
                            "projection caught up"
                        );
                    } else {
                        tracing::warn!(
                            projection = lag.projection,
                            position = lag.position,
                            head = report.head,
                            events_behind = lag.events_behind,
                            millis_behind = lag.millis_behind,
                            "projection lags behind the log"
                        );
                    }
                }
            }
            Err(error) => tracing::warn!(%error, "measuring projection lag failed"),
        }
    }
}

/// The one unit of work of this process, over `store`, with the configured aggregate cache.
fn unit_of_work(config: &Config, store: &Arc<dyn EventStore>) -> UnitOfWork {
    UnitOfWork::new(Arc::clone(store), config.aggregate_cache)
}

/// Starts the trade's own duties: the process manager (listings, refunds, escrows, settlements
/// after each order's outcome) and the timekeepers. One per deployment is enough; more are
/// harmless (their commands are idempotent).
fn spawn_trade_duties(
    config: &Config,
    uow: &UnitOfWork,
    gateway: &Arc<dyn jangteo_payments::PaymentGateway>,
    tasks: &mut Background,
) -> Result<()> {
    let mut manager = jangteo_app::process_manager::TradeProcessManager::new(uow, Arc::clone(gateway))
        .with_settlement_policy(config.settlement_policy()?);
    if let Some(logistics) = escrow_logistics(config)? {
        manager = manager.with_escrow_logistics(logistics);
    }
    tasks.spawn(manager.run(POLL_INTERVAL, RETRY_DELAY));
    spawn_timekeepers(config, uow.store(), &jangteo_app::Orders::new(uow, Arc::clone(gateway)), tasks)
}

/// Starts what Jangteo does by itself as time passes: deadlines and shipment tracking.
fn spawn_timekeepers(
    config: &Config,
    store: &Arc<dyn EventStore>,
    orders: &jangteo_app::Orders,
    tasks: &mut Background,
) -> Result<()> {
    let deadlines = jangteo_app::Deadlines::new(
        Arc::clone(store),
        orders.clone(),
        Arc::new(jangteo_app::SystemClock),
        config.deadline_policy(),
    );
    tasks.spawn(deadlines.run(DEADLINE_TICK));
    let courier: Arc<dyn CourierTracker> = match config.courier {
        CourierChoice::Simulated => {
            Arc::new(SimulatedCourier::new(Duration::from_secs(config.simulated_delivery_secs)))
        }
        CourierChoice::TrackerDelivery => {
            let id = config
                .tracker_delivery_client_id
                .as_deref()
                .context("JANGTEO_TRACKER_DELIVERY_CLIENT_ID is not set")?;
            let secret = config
                .tracker_delivery_client_secret
                .as_ref()
                .context("JANGTEO_TRACKER_DELIVERY_CLIENT_SECRET is not set")?;
            Arc::new(TrackerDelivery::new(
                tracker_delivery::API_URL,
                id,
                secret.expose(),
                Duration::from_secs(10),
            )?)
        }
    };
    let tracking = jangteo_app::ShipmentTracking::new(Arc::clone(store), orders.clone(), courier);
    tasks.spawn(tracking.run(Duration::from_secs(config.tracking_interval_secs)));
    Ok(())
}

/// The payment gateway the configuration names.
fn payment_gateway(config: &Config) -> Result<Arc<dyn PaymentGateway>> {
    let base = |default: &str| config.payment_api_base.clone().unwrap_or_else(|| default.to_owned());
    Ok(match config.payment_gateway {
        GatewayChoice::Simulated => Arc::new(SimulatedGateway::new()),
        GatewayChoice::Toss => {
            let key = config.toss_secret_key.as_ref().context("JANGTEO_TOSS_SECRET_KEY is not set")?;
            Arc::new(TossPayments::new(&base(toss::API_BASE), key.expose(), RetryPolicy::default())?)
        }
        GatewayChoice::Portone => Arc::new(portone_client(config)?),
    })
}

/// The escrow PG's shipment and purchase-confirmation API, when payments go through one.
fn escrow_logistics(config: &Config) -> Result<Option<Arc<dyn jangteo_payments::EscrowLogistics>>> {
    if config.payment_gateway != GatewayChoice::Portone {
        return Ok(None);
    }
    Ok(Some(Arc::new(portone_client(config)?)))
}

/// The PortOne V2 client: the gateway, and the escrow PG's logistics API.
fn portone_client(config: &Config) -> Result<PortOne> {
    let secret = config.portone_api_secret.as_ref().context("JANGTEO_PORTONE_API_SECRET is not set")?;
    let base = config.payment_api_base.clone().unwrap_or_else(|| portone::API_BASE.to_owned());
    Ok(PortOne::new(&base, secret.expose(), RetryPolicy::default())?)
}

pub async fn migrate(config: &Config) -> Result<()> {
    ensure_data_dir(config)?;
    open_stores(config).await?;
    tracing::info!("event store and identity store are up to date");
    Ok(())
}

/// Resolves when the process is asked to stop: SIGTERM (what service managers and Kubernetes send)
/// or Ctrl-C.
async fn stop_requested() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = terminate.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(error) => {
                tracing::warn!(%error, "cannot listen for SIGTERM; stopping on Ctrl-C only");
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
