//! `jangteo serve`: the HTTP API, plus (embedded profile) the projections and process manager.

use std::{net::TcpListener, sync::Arc, time::Duration};

use anyhow::{Context, Result};
use jangteo_api::{
    ApiState, Draining, HttpSettings, InMemoryRateLimiter, MetricsAccess, RateLimiter, RedisRateLimiter,
    TokenService,
};
use jangteo_app::{
    Carts, Categories, Checkouts, Disputes, Favourites, Operations, Orders, ProjectionProgress, Queries,
    Timelines,
};
use jangteo_event_store::StoreTail;
use jangteo_read_models::{
    DocumentStore,
    redis_cache::{CachedDocumentStore, RedisListingCache},
};

use super::{
    Background, POLL_INTERVAL, RETRY_DELAY, SearchAccess, ensure_data_dir, identity::MemberServices, log_lag,
    open_counters, open_listing_cache, open_read_models, payment_gateway, places, projections,
    spawn_trade_duties, unit_of_work,
};
use crate::{config::Config, secrets};

/// How often an API instance of the distributed profile reads the workers' checkpoints: the most
/// a read-your-writes query waits beyond the workers themselves.
const CHECKPOINT_WATCH_INTERVAL: Duration = Duration::from_millis(20);

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

/// The access tokens' signing secret: configured (32 bytes at least), or generated into the data
/// dir.
fn jwt_secret(config: &Config) -> Result<Vec<u8>> {
    match config.jwt_secret_bytes()? {
        Some(secret) => Ok(secret),
        None => secrets::load_or_create(&config.data_dir, secrets::JWT_SECRET_FILE),
    }
}

/// Serves `/metrics` on `JANGTEO_METRICS_LISTEN`, when set.
fn serve_internal_metrics(config: &Config, state: &ApiState) -> Result<()> {
    if let Some(address) = config.metrics_listen {
        let listener = TcpListener::bind(address).with_context(|| format!("binding {address} (metrics)"))?;
        tracing::info!(%address, "metrics on http://{address}/metrics");
        tokio::spawn(jangteo_api::serve_metrics(listener, state.clone())?);
    }
    Ok(())
}

/// Who reads `/metrics` on the public listener: nobody when an internal address serves them, a
/// scraper with the configured token, and loopback clients.
/// A token (from the environment or the file) shorter than 32 characters is refused.
fn metrics_access(config: &Config) -> Result<MetricsAccess> {
    Ok(match (&config.metrics_listen, &config.metrics_token) {
        (Some(_), _) => MetricsAccess::Elsewhere,
        (None, Some(token)) if token.expose().len() < 32 => {
            anyhow::bail!("the metrics token (JANGTEO_METRICS_TOKEN) must be at least 32 characters")
        }
        (None, Some(token)) => MetricsAccess::Token(token.expose().to_owned()),
        (None, None) => MetricsAccess::Loopback,
    })
}

/// HTTP worker threads: as configured, or one per core.
fn http_workers(config: &Config) -> usize {
    if config.http_workers == 0 {
        std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get)
    } else {
        config.http_workers
    }
}

/// How long a stopping server waits for the requests it has taken; with the HTTP server's own 5 s
/// for closing connections, a stop stays within Kubernetes' default grace period of 30 s.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(25);

/// Graceful stop: on SIGTERM or Ctrl-C, new requests are refused (`503 shutting_down`, closing
/// their connections) while those in flight run to their answer; then the server stops.
async fn stop_on_request(server: actix_web::dev::ServerHandle, draining: Draining) {
    super::stop_requested().await;
    tracing::info!("stopping: refusing new requests, finishing those in flight");
    draining.start();
    if tokio::time::timeout(DRAIN_TIMEOUT, draining.drained()).await.is_err() {
        tracing::warn!("requests still running after {DRAIN_TIMEOUT:?}; stopping anyway");
    }
    server.stop(true).await;
}

/// What queries read listings and orders from: with Redis, a cache in front of the document
/// store that its own projection keeps fresh (the projections keep reading the store itself).
fn query_documents(
    documents: &Arc<dyn DocumentStore>,
    cache: Option<&RedisListingCache>,
) -> Arc<dyn DocumentStore> {
    match cache {
        Some(cache) => Arc::new(CachedDocumentStore::new(Arc::clone(documents), cache.clone())),
        None => Arc::clone(documents),
    }
}

/// The read models this process serves from, and how it starts their projections.
struct ReadModels<'a> {
    documents: &'a Arc<dyn DocumentStore>,
    search: &'a Arc<dyn jangteo_read_models::ListingSearch>,
    cache: Option<&'a RedisListingCache>,
    counters: &'a super::Counters,
}

impl ReadModels<'_> {
    /// Shared read models are kept here (embedded) or by workers (distributed), whose checkpoints
    /// this process then watches; counters in this process's memory are kept here whatever the
    /// profile. Returns where each stands, for read-your-writes queries.
    async fn start(
        &self,
        store: &Arc<dyn jangteo_event_store::EventStore>,
        distributed: bool,
        workers: &mut Background,
    ) -> Result<ProjectionProgress> {
        let mut progress = ProjectionProgress::new();
        let feed = Arc::new(StoreTail::new(Arc::clone(store), POLL_INTERVAL));
        let shared = projections(self.documents, self.search, store, self.cache, Some(self.counters))
            .into_iter()
            .map(|projection| (projection, !distributed));
        let own = (!self.counters.shared).then(|| (self.counters.projection(), true));
        for (projection, kept_here) in shared.chain(own) {
            let checkpoint = projection.checkpoint().await?;
            let reporter = progress.register(projection.read_model(), checkpoint);
            if kept_here {
                workers.spawn(jangteo_projections::run(
                    projection,
                    Arc::clone(&feed) as _,
                    Arc::clone(store),
                    reporter,
                    RETRY_DELAY,
                ));
            } else {
                workers.spawn(jangteo_projections::watch_checkpoint(
                    projection,
                    reporter,
                    CHECKPOINT_WATCH_INTERVAL,
                ));
            }
        }
        Ok(progress)
    }
}

pub async fn serve(config: Config) -> Result<()> {
    ensure_data_dir(&config)?;
    let super::Stores { log: store, identity } = super::open_stores(&config).await?;
    let uow = unit_of_work(&config, &store);
    let distributed = config.kafka_brokers.is_some();
    let access = if distributed { SearchAccess::ReadOnly } else { SearchAccess::Write };
    let (documents, search) = open_read_models(&config, access).await?;
    let cache = open_listing_cache(&config).await?;
    let query_documents = query_documents(&documents, cache.as_ref());

    let counters = open_counters(&config).await?;
    let gateway = payment_gateway(&config)?;

    // Projections and the trade's duties run on a runtime of their own (`background.rs`).
    let mut workers = Background::start()?;
    let progress =
        ReadModels { documents: &documents, search: &search, cache: cache.as_ref(), counters: &counters }
            .start(&store, distributed, &mut workers)
            .await?;
    if distributed {
        tracing::info!(
            "distributed profile: projections, process manager and deadlines run in `jangteo worker`"
        );
    } else {
        spawn_trade_duties(&config, &uow, &gateway, &mut workers)?;
    }

    let jwt_secret = jwt_secret(&config)?;
    let orders = Orders::new(&uow, Arc::clone(&gateway));
    // Shipping priced by where the parcel goes: the listing's place to the buyer's `deliver_to`.
    let carts = Carts::new(&uow, Arc::new(jangteo_shipping::fees::DistanceFees::standard()));
    let members = MemberServices::new(&config, &uow, &identity)?;
    let queries = Queries::new(
        query_documents,
        Arc::clone(&search),
        Arc::clone(&counters.store),
        progress.clone(),
        config.consistency_timeout(),
    );
    let places::ListingServices { listings, photos, neighbourhoods, neighbourhood_verifications } =
        places::listing_services(&config, &uow, &identity.vault, &queries)?;
    let categories = Categories::new(&uow);
    if categories.plant_default_tree().await? {
        tracing::info!("planted the default category tree");
    }
    let member_data = members.member_data(&queries, &listings, &uow);
    let state = ApiState {
        checkouts: Checkouts::new(&uow, orders.clone(), carts.clone()),
        carts,
        accounts: members.accounts,
        profiles: members.profiles,
        sessions: members.sessions,
        sign_ins: members.sign_ins,
        password_resets: members.password_resets,
        mfa: members.mfa,
        phone_verifications: members.phone_verifications,
        social_logins: members.social_logins,
        member_data,
        categories,
        listings,
        photos,
        neighbourhoods,
        neighbourhood_verifications,
        orders,
        disputes: Disputes::new(&uow, config.return_policy()),
        favourites: Favourites::new(&uow),
        operations: Operations::new(
            &uow,
            Arc::clone(&documents),
            Arc::clone(&search),
            Arc::clone(&counters.store),
            progress.clone(),
        ),
        queries,
        timelines: Timelines::new(&uow),
        tokens: TokenService::new(&jwt_secret, config.access_token_ttl()),
    };

    workers.spawn(log_lag(state.operations.clone()));

    let listener = TcpListener::bind(config.listen).with_context(|| format!("binding {}", config.listen))?;
    let address = listener.local_addr()?;
    let draining = Draining::default();
    let settings = HttpSettings {
        workers: http_workers(&config),
        draining: draining.clone(),
        cors_allowed_origins: config.cors_allowed_origins.clone(),
        rate_limiter: rate_limiter(&config).await?,
        metrics_access: metrics_access(&config)?,
        trusted_proxies: config.trusted_proxies()?,
        tls: super::tls::server_config(&config)?,
    };
    let scheme = if settings.tls.is_some() { "https" } else { "http" };
    serve_internal_metrics(&config, &state)?;
    let server = jangteo_api::serve(listener, state, settings)?;
    // Tests and scripts wait for this exact line to learn the bound port.
    tracing::info!(%address, "listening on {scheme}://{address}");
    println!("jangteo listening on {scheme}://{address}");
    tokio::spawn(stop_on_request(server.handle(), draining));
    server.await?;
    workers.shutdown().await;
    tracing::info!("stopped");
    Ok(())
}
