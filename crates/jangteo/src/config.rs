//! Configuration: an optional TOML file, overridden by `JANGTEO_*` environment variables.

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    time::Duration,
};

use anyhow::{Context, Result, bail};
use jangteo_read_models::elasticsearch::TextAnalyzer;
use serde::Deserialize;

/// A secret string that never shows up in logs or `Debug` output.
#[derive(Clone, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(secret: String) -> Self {
        Self(secret)
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// Everything the server needs to start; passed in, never global.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address and port to serve HTTP on.
    pub listen: SocketAddr,
    /// Where the embedded profile keeps its files (SQLite databases, search index, secrets).
    pub data_dir: PathBuf,
    /// PostgreSQL URL for the event store; unset means the embedded SQLite event store.
    pub database_url: Option<Secret>,
    /// HMAC secret for access tokens; unset means one generated once and kept in the data dir.
    pub jwt_secret: Option<Secret>,
    /// The key that wraps members' data keys (32 bytes as hex or base64); unset means one
    /// generated once and kept in the data dir (`master-key`).
    pub master_key: Option<Secret>,
    /// Lifetime of an access token, in seconds.
    pub access_token_ttl_secs: u64,
    /// How long a query waits for `X-Consistency-Position`, in milliseconds.
    pub consistency_timeout_ms: u64,
    /// Connections in the PostgreSQL pool.
    pub database_max_connections: u32,
    /// Whether concurrent appends share one transaction (group commit); off only to measure.
    pub group_commit: bool,
    /// How many aggregates the command path keeps in memory (0 turns the cache off).
    pub aggregate_cache: usize,
    /// HTTP worker threads (0 = one per core).
    pub http_workers: usize,
    /// Requests per minute per client IP.
    pub rate_limit_per_minute: u32,
    /// The version of the terms of use in force, which sign-ups agree to.
    pub terms_version: String,
    /// The version of the privacy policy in force.
    pub privacy_version: String,
    /// An internal address serving `/metrics` alone; set, the public listener serves it to nobody.
    pub metrics_listen: Option<SocketAddr>,
    /// A bearer token that lets a scraper read `/metrics` on the public listener (loopback
    /// clients read it without one).
    pub metrics_token: Option<Secret>,
    /// SMTP server for members' mail (`smtp://`, `smtps://`, `?tls=required`); unset, each mail
    /// is written as an `.eml` file under `<data_dir>/outbox/`.
    pub smtp_url: Option<Secret>,
    /// The sender of members' mail.
    pub mail_from: String,
    /// Where members reach this deployment; mailed links start with it.
    pub public_url: String,
    /// NAVER Cloud SENS for text messages (phone-verification codes); unset, messages are
    /// simulated: written under `<data_dir>/outbox/sms/`, sent to nobody.
    pub sens_service_id: Option<String>,
    pub sens_access_key: Option<String>,
    pub sens_secret_key: Option<Secret>,
    /// The caller number registered with SENS.
    pub sens_from: Option<String>,
    /// Overrides SENS's address (a local stand-in).
    pub sens_api_base: Option<String>,
    /// Signing in with Google, Kakao and Naver (`[social_login]`; see `wiring/social_login.rs`).
    pub social_login: crate::wiring::SocialLoginSettings,
    /// A PEM certificate chain and its private key: set both and the API serves HTTPS only
    /// (TLS 1.3 preferred, 1.2 accepted) with HSTS.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// Reverse proxies (addresses, networks) whose `X-Forwarded-For` names the client for the
    /// rate limit, the sign-in lockout and record, and the metrics' loopback check; empty
    /// believes no such header.
    pub trusted_proxies: Vec<String>,
    /// Browser origins allowed to call the API (CORS); empty allows none.
    pub cors_allowed_origins: Vec<String>,
    /// Redis URL; set, the rate limit is shared by every instance using this Redis.
    pub redis_url: Option<Secret>,
    /// Prefix of every Redis key Jangteo writes, so several deployments can share one Redis.
    pub redis_key_prefix: String,
    /// Kafka bootstrap servers (`host:port,…`) for `jangteo relay`.
    pub kafka_brokers: Option<String>,
    /// Topic prefix: events of stream type `order` go to `<prefix>.order`.
    pub kafka_topic_prefix: String,
    /// A worker's name in its projections' consumer groups (static membership); unique per
    /// worker and the same across its restarts. Unset: dynamic membership.
    pub kafka_member_name: Option<String>,
    /// MongoDB URL; set, listing and order documents live there instead of SQLite.
    pub mongodb_url: Option<Secret>,
    /// The MongoDB database holding the documents.
    pub mongodb_database: String,
    /// Elasticsearch URL; set, the listing search index lives there instead of tantivy.
    pub elasticsearch_url: Option<Secret>,
    /// The Elasticsearch index of listings (its checkpoint lives in `<index>-checkpoint`).
    pub elasticsearch_index: String,
    /// How the index splits listing text into words: `nori` (Korean morphology, needs the
    /// `analysis-nori` plugin), or `cjk` bigrams for a server without it. Applies when the index
    /// is created (a rebuild of `listing_search` creates it anew).
    pub elasticsearch_analyzer: TextAnalyzer,
    /// Who captures and refunds payments.
    pub payment_gateway: GatewayChoice,
    /// Toss Payments secret key (`test_sk_…`/`live_sk_…`), with `payment_gateway = "toss"`.
    pub toss_secret_key: Option<Secret>,
    /// PortOne V2 API secret, with `payment_gateway = "portone"`.
    pub portone_api_secret: Option<Secret>,
    /// Overrides the gateway's API address (a sandbox, or a local stand-in).
    pub payment_api_base: Option<String>,
    /// How long a buyer has to pay an order before it expires, in seconds.
    pub payment_window_secs: u64,
    /// How long a seller has to ship a paid order before it expires and the buyer is refunded.
    pub shipping_window_secs: u64,
    /// The buyer-protection window: how long after delivery an order completes by itself.
    pub confirmation_window_secs: u64,
    /// Who tells where parcels are.
    pub courier: CourierChoice,
    /// tracker.delivery API credentials, with `courier = "tracker_delivery"`.
    pub tracker_delivery_client_id: Option<String>,
    pub tracker_delivery_client_secret: Option<Secret>,
    /// With the simulated courier: how long after its first scan a parcel is delivered.
    pub simulated_delivery_secs: u64,
    /// How often every parcel on its way is tracked.
    pub tracking_interval_secs: u64,
    /// The cooling-off rule: whether a buyer may return a delivered item for a change of mind.
    pub returns_for_change_of_mind: bool,
    /// The marketplace's fee on each payout to a seller, in basis points (350 = 3.5 %).
    pub seller_fee_basis_points: u16,
    /// How many days after the escrow's release a seller is paid out.
    pub payout_delay_days: u32,
    /// Words that send a published listing to the review queue instead of on sale.
    pub banned_words: Vec<String>,
    /// Approve listings automatically only for sellers with a verified phone number.
    pub review_unverified_sellers: bool,
    /// Kakao Local's REST API key: neighbourhoods named by Kakao instead of the bundled table.
    pub kakao_rest_api_key: Option<Secret>,
    /// Kakao Local's base URL (default `https://dapi.kakao.com`).
    pub kakao_api_base: Option<String>,
}

/// What sends a listing to review out of the box: counterfeits and what may not be sold
/// second-hand in Korea (medicines, tobacco, alcohol, weapons, accounts).
const DEFAULT_BANNED_WORDS: [&str; 12] = [
    "짝퉁",
    "가품",
    "레플리카",
    "replica",
    "이미테이션",
    "의약품",
    "전문의약품",
    "담배",
    "전자담배 액상",
    "주류",
    "총포",
    "계정 판매",
];

/// The courier-tracking service a deployment uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CourierChoice {
    /// Built in: parcels are delivered a fixed time after they are first tracked.
    #[default]
    Simulated,
    TrackerDelivery,
}

/// The payment gateway a deployment uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GatewayChoice {
    /// Built in: approves every payment except amounts ending in 13 won.
    #[default]
    Simulated,
    Toss,
    Portone,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("data"),
            database_url: None,
            jwt_secret: None,
            master_key: None,
            access_token_ttl_secs: 900,
            consistency_timeout_ms: 2000,
            database_max_connections: 16,
            group_commit: true,
            aggregate_cache: jangteo_app::DEFAULT_CACHE_CAPACITY,
            http_workers: 0,
            rate_limit_per_minute: 100,
            cors_allowed_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            tls_cert: None,
            tls_key: None,
            smtp_url: None,
            mail_from: "Jangteo <no-reply@jangteo.localhost>".to_owned(),
            public_url: "http://127.0.0.1:8080".to_owned(),
            sens_service_id: None,
            sens_access_key: None,
            sens_secret_key: None,
            sens_from: None,
            sens_api_base: None,
            social_login: crate::wiring::SocialLoginSettings::default(),
            terms_version: jangteo_app::FIRST_POLICY_VERSION.to_owned(),
            privacy_version: jangteo_app::FIRST_POLICY_VERSION.to_owned(),
            metrics_listen: None,
            metrics_token: None,
            redis_url: None,
            redis_key_prefix: "jangteo".to_owned(),
            kafka_brokers: None,
            kafka_topic_prefix: "jangteo".to_owned(),
            kafka_member_name: None,
            mongodb_url: None,
            mongodb_database: "jangteo".to_owned(),
            elasticsearch_url: None,
            elasticsearch_index: "jangteo-listings".to_owned(),
            elasticsearch_analyzer: TextAnalyzer::Nori,
            payment_gateway: GatewayChoice::Simulated,
            toss_secret_key: None,
            portone_api_secret: None,
            payment_api_base: None,
            payment_window_secs: 30 * 60,
            shipping_window_secs: 5 * 24 * 60 * 60,
            confirmation_window_secs: 3 * 24 * 60 * 60,
            courier: CourierChoice::Simulated,
            tracker_delivery_client_id: None,
            tracker_delivery_client_secret: None,
            simulated_delivery_secs: 24 * 60 * 60,
            tracking_interval_secs: 10 * 60,
            returns_for_change_of_mind: false,
            seller_fee_basis_points: 350,
            payout_delay_days: 1,
            banned_words: DEFAULT_BANNED_WORDS.map(str::to_owned).to_vec(),
            review_unverified_sellers: false,
            kakao_rest_api_key: None,
            kakao_api_base: None,
        }
    }
}

impl Config {
    /// Reads `file` (if given) and then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self> {
        let mut config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading config file {}", path.display()))?;
                toml::from_str(&text).with_context(|| format!("parsing config file {}", path.display()))?
            }
            None => Config::default(),
        };
        config.apply_env(|name| std::env::var(name).ok())?;
        Ok(config)
    }

    /// The secrets, TLS, and the metrics' exposure.
    fn apply_security_env(&mut self, var: &impl Fn(&str) -> Option<String>) -> Result<()> {
        if let Some(secret) = var("JANGTEO_JWT_SECRET").filter(|s| !s.is_empty()) {
            self.jwt_secret = Some(Secret(secret));
        }
        if let Some(key) = var("JANGTEO_MASTER_KEY").filter(|s| !s.is_empty()) {
            self.master_key = Some(Secret(key));
        }
        if let Some(listen) = var("JANGTEO_METRICS_LISTEN").filter(|s| !s.is_empty()) {
            self.metrics_listen = Some(
                listen
                    .parse()
                    .with_context(|| format!("JANGTEO_METRICS_LISTEN={listen} is not address:port"))?,
            );
        }
        if let Some(cert) = var("JANGTEO_TLS_CERT").filter(|path| !path.is_empty()) {
            self.tls_cert = Some(PathBuf::from(cert));
        }
        if let Some(key) = var("JANGTEO_TLS_KEY").filter(|path| !path.is_empty()) {
            self.tls_key = Some(PathBuf::from(key));
        }
        if let Some(token) = var("JANGTEO_METRICS_TOKEN").filter(|s| !s.is_empty()) {
            if token.len() < 32 {
                bail!("JANGTEO_METRICS_TOKEN must be at least 32 characters");
            }
            self.metrics_token = Some(Secret(token));
        }
        Ok(())
    }

    /// The reverse proxies in front, checked at start.
    pub fn trusted_proxies(&self) -> Result<jangteo_api::TrustedProxies> {
        jangteo_api::TrustedProxies::parse(&self.trusted_proxies.join(","))
            .map_err(|reason| anyhow::anyhow!("JANGTEO_TRUSTED_PROXIES: {reason}"))
    }

    /// Members' mail and the links in it, and text messages.
    fn apply_mail_env(&mut self, var: &impl Fn(&str) -> Option<String>) -> Result<()> {
        if let Some(url) = var("JANGTEO_SMTP_URL").filter(|s| !s.is_empty()) {
            if !url.starts_with("smtp://") && !url.starts_with("smtps://") {
                bail!("JANGTEO_SMTP_URL must be an smtp:// or smtps:// URL");
            }
            self.smtp_url = Some(Secret(url));
        }
        if let Some(from) = var("JANGTEO_MAIL_FROM").filter(|s| !s.is_empty()) {
            self.mail_from = from;
        }
        if let Some(url) = var("JANGTEO_PUBLIC_URL").filter(|s| !s.is_empty()) {
            if !url.starts_with("http://") && !url.starts_with("https://") {
                bail!("JANGTEO_PUBLIC_URL must be an http:// or https:// URL");
            }
            self.public_url = url;
        }
        let text = |name: &str| var(name).filter(|value| !value.is_empty());
        self.sens_service_id = text("JANGTEO_SENS_SERVICE_ID").or(self.sens_service_id.take());
        self.sens_access_key = text("JANGTEO_SENS_ACCESS_KEY").or(self.sens_access_key.take());
        self.sens_secret_key = text("JANGTEO_SENS_SECRET_KEY").map(Secret).or(self.sens_secret_key.take());
        self.sens_from = text("JANGTEO_SENS_FROM").or(self.sens_from.take());
        self.sens_api_base = text("JANGTEO_SENS_API_BASE").or(self.sens_api_base.take());
        self.kakao_rest_api_key =
            text("JANGTEO_KAKAO_REST_API_KEY").map(Secret).or(self.kakao_rest_api_key.take());
        self.kakao_api_base = text("JANGTEO_KAKAO_API_BASE").or(self.kakao_api_base.take());
        Ok(())
    }

    /// What sends a published listing to the review queue.
    fn apply_moderation_env(&mut self, var: &impl Fn(&str) -> Option<String>) -> Result<()> {
        if let Some(words) = var("JANGTEO_BANNED_WORDS") {
            self.banned_words =
                words.split(',').map(str::trim).filter(|w| !w.is_empty()).map(str::to_owned).collect();
        }
        if let Some(review) = flag(var, "JANGTEO_REVIEW_UNVERIFIED_SELLERS")? {
            self.review_unverified_sellers = review;
        }
        Ok(())
    }

    fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<()> {
        if let Some(listen) = var("JANGTEO_LISTEN") {
            self.listen =
                listen.parse().with_context(|| format!("JANGTEO_LISTEN={listen} is not address:port"))?;
        }
        if let Some(dir) = var("JANGTEO_DATA_DIR") {
            self.data_dir = PathBuf::from(dir);
        }
        if let Some(url) = var("JANGTEO_DATABASE_URL").filter(|url| !url.is_empty()) {
            if !url.starts_with("postgres://") && !url.starts_with("postgresql://") {
                bail!("JANGTEO_DATABASE_URL must be a postgres:// URL");
            }
            self.database_url = Some(Secret(url));
        }
        self.apply_security_env(&var)?;
        self.apply_mail_env(&var)?;
        self.social_login.apply_env(&var);
        if let Some(version) = var("JANGTEO_TERMS_VERSION").filter(|s| !s.is_empty()) {
            self.terms_version = version;
        }
        if let Some(version) = var("JANGTEO_PRIVACY_VERSION").filter(|s| !s.is_empty()) {
            self.privacy_version = version;
        }
        let number = |name: &str| number(&var, name);
        if let Some(ttl) = number("JANGTEO_ACCESS_TOKEN_TTL_SECS")? {
            self.access_token_ttl_secs = ttl;
        }
        if let Some(timeout) = number("JANGTEO_CONSISTENCY_TIMEOUT_MS")? {
            self.consistency_timeout_ms = timeout;
        }
        if let Some(max) = number("JANGTEO_DATABASE_MAX_CONNECTIONS")? {
            self.database_max_connections =
                u32::try_from(max).context("JANGTEO_DATABASE_MAX_CONNECTIONS is too large")?;
        }
        if let Some(grouped) = flag(&var, "JANGTEO_GROUP_COMMIT")? {
            self.group_commit = grouped;
        }
        if let Some(capacity) = number("JANGTEO_AGGREGATE_CACHE")? {
            self.aggregate_cache =
                usize::try_from(capacity).context("JANGTEO_AGGREGATE_CACHE is too large")?;
        }
        if let Some(limit) = number("JANGTEO_RATE_LIMIT_PER_MINUTE")? {
            self.rate_limit_per_minute =
                u32::try_from(limit).context("JANGTEO_RATE_LIMIT_PER_MINUTE is too large")?;
        }
        self.apply_moderation_env(&var)?;
        if let Some(origins) = var("JANGTEO_CORS_ALLOWED_ORIGINS") {
            self.cors_allowed_origins =
                origins.split(',').map(str::trim).filter(|o| !o.is_empty()).map(str::to_owned).collect();
        }
        if let Some(proxies) = var("JANGTEO_TRUSTED_PROXIES") {
            self.trusted_proxies =
                proxies.split(',').map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect();
        }
        if let Some(url) = var("JANGTEO_REDIS_URL").filter(|url| !url.is_empty()) {
            if !url.starts_with("redis://") && !url.starts_with("rediss://") {
                bail!("JANGTEO_REDIS_URL must be a redis:// URL");
            }
            self.redis_url = Some(Secret(url));
        }
        if let Some(prefix) = var("JANGTEO_REDIS_KEY_PREFIX").filter(|p| !p.is_empty()) {
            self.redis_key_prefix = prefix;
        }
        if let Some(brokers) = var("JANGTEO_KAFKA_BROKERS").filter(|b| !b.is_empty()) {
            self.kafka_brokers = Some(brokers);
        }
        if let Some(prefix) = var("JANGTEO_KAFKA_TOPIC_PREFIX").filter(|p| !p.is_empty()) {
            self.kafka_topic_prefix = prefix;
        }
        if let Some(name) = var("JANGTEO_KAFKA_MEMBER_NAME").filter(|n| !n.is_empty()) {
            self.kafka_member_name = Some(name);
        }
        if let Some(url) = var("JANGTEO_MONGODB_URL").filter(|url| !url.is_empty()) {
            if !url.starts_with("mongodb://") && !url.starts_with("mongodb+srv://") {
                bail!("JANGTEO_MONGODB_URL must be a mongodb:// URL");
            }
            self.mongodb_url = Some(Secret(url));
        }
        if let Some(database) = var("JANGTEO_MONGODB_DATABASE").filter(|d| !d.is_empty()) {
            self.mongodb_database = database;
        }
        if let Some(url) = var("JANGTEO_ELASTICSEARCH_URL").filter(|url| !url.is_empty()) {
            if !url.starts_with("http://") && !url.starts_with("https://") {
                bail!("JANGTEO_ELASTICSEARCH_URL must be an http:// or https:// URL");
            }
            self.elasticsearch_url = Some(Secret(url));
        }
        if let Some(index) = var("JANGTEO_ELASTICSEARCH_INDEX").filter(|i| !i.is_empty()) {
            self.elasticsearch_index = index;
        }
        if let Some(analyzer) = var("JANGTEO_ELASTICSEARCH_ANALYZER").filter(|a| !a.is_empty()) {
            self.elasticsearch_analyzer = analyzer
                .parse()
                .map_err(|error| anyhow::anyhow!("JANGTEO_ELASTICSEARCH_ANALYZER={error}"))?;
        }
        self.apply_trade_env(&var)?;
        if let Some(workers) = number("JANGTEO_HTTP_WORKERS")? {
            self.http_workers = usize::try_from(workers).context("JANGTEO_HTTP_WORKERS is too large")?;
        }
        Ok(())
    }

    /// The settings of trades: payment gateway, deadlines, courier tracking.
    fn apply_trade_env(&mut self, var: &impl Fn(&str) -> Option<String>) -> Result<()> {
        let number = |name: &str| number(&var, name);
        if let Some(gateway) = var("JANGTEO_PAYMENT_GATEWAY").filter(|g| !g.is_empty()) {
            self.payment_gateway = match gateway.as_str() {
                "simulated" => GatewayChoice::Simulated,
                "toss" => GatewayChoice::Toss,
                "portone" => GatewayChoice::Portone,
                other => bail!("JANGTEO_PAYMENT_GATEWAY={other} is not one of simulated, toss, portone"),
            };
        }
        if let Some(key) = var("JANGTEO_TOSS_SECRET_KEY").filter(|k| !k.is_empty()) {
            self.toss_secret_key = Some(Secret(key));
        }
        if let Some(secret) = var("JANGTEO_PORTONE_API_SECRET").filter(|k| !k.is_empty()) {
            self.portone_api_secret = Some(Secret(secret));
        }
        if let Some(base) = var("JANGTEO_PAYMENT_API_BASE").filter(|b| !b.is_empty()) {
            self.payment_api_base = Some(base);
        }
        if let Some(window) = number("JANGTEO_PAYMENT_WINDOW_SECS")? {
            self.payment_window_secs = window;
        }
        if let Some(window) = number("JANGTEO_SHIPPING_WINDOW_SECS")? {
            self.shipping_window_secs = window;
        }
        if let Some(window) = number("JANGTEO_CONFIRMATION_WINDOW_SECS")? {
            self.confirmation_window_secs = window;
        }
        if let Some(courier) = var("JANGTEO_COURIER").filter(|c| !c.is_empty()) {
            self.courier = match courier.as_str() {
                "simulated" => CourierChoice::Simulated,
                "tracker_delivery" => CourierChoice::TrackerDelivery,
                other => bail!("JANGTEO_COURIER={other} is not one of simulated, tracker_delivery"),
            };
        }
        if let Some(id) = var("JANGTEO_TRACKER_DELIVERY_CLIENT_ID").filter(|i| !i.is_empty()) {
            self.tracker_delivery_client_id = Some(id);
        }
        if let Some(secret) = var("JANGTEO_TRACKER_DELIVERY_CLIENT_SECRET").filter(|s| !s.is_empty()) {
            self.tracker_delivery_client_secret = Some(Secret(secret));
        }
        if let Some(secs) = number("JANGTEO_SIMULATED_DELIVERY_SECS")? {
            self.simulated_delivery_secs = secs;
        }
        if let Some(secs) = number("JANGTEO_TRACKING_INTERVAL_SECS")? {
            self.tracking_interval_secs = secs.max(1);
        }
        if let Some(allowed) = flag(var, "JANGTEO_RETURNS_FOR_CHANGE_OF_MIND")? {
            self.returns_for_change_of_mind = allowed;
        }
        if let Some(points) = number("JANGTEO_SELLER_FEE_BASIS_POINTS")? {
            self.seller_fee_basis_points =
                u16::try_from(points).ok().filter(|points| *points <= 10_000).with_context(|| {
                    format!("JANGTEO_SELLER_FEE_BASIS_POINTS={points} is above 10000 (100 %)")
                })?;
        }
        if let Some(days) = number("JANGTEO_PAYOUT_DELAY_DAYS")? {
            self.payout_delay_days = u32::try_from(days).context("JANGTEO_PAYOUT_DELAY_DAYS is too large")?;
        }
        Ok(())
    }

    /// The cooling-off rule for returns.
    pub fn return_policy(&self) -> jangteo_domain::order::ReturnPolicy {
        jangteo_domain::order::ReturnPolicy { change_of_mind: self.returns_for_change_of_mind }
    }

    /// How sellers are paid out.
    pub fn settlement_policy(&self) -> Result<jangteo_app::process_manager::SettlementPolicy> {
        let fee_rate = jangteo_domain::FeeRate::basis_points(self.seller_fee_basis_points)
            .map_err(|error| anyhow::anyhow!("seller_fee_basis_points {error}"))?;
        Ok(jangteo_app::process_manager::SettlementPolicy {
            fee_rate,
            payout_delay_days: self.payout_delay_days,
        })
    }

    pub fn access_token_ttl(&self) -> Duration {
        Duration::from_secs(self.access_token_ttl_secs)
    }

    pub fn deadline_policy(&self) -> jangteo_app::DeadlinePolicy {
        let seconds = |secs: u64| {
            chrono::TimeDelta::try_seconds(i64::try_from(secs).unwrap_or(i64::MAX))
                .unwrap_or(chrono::TimeDelta::MAX)
        };
        jangteo_app::DeadlinePolicy {
            payment_window: seconds(self.payment_window_secs),
            shipping_window: seconds(self.shipping_window_secs),
            confirmation_window: seconds(self.confirmation_window_secs),
        }
    }

    pub fn consistency_timeout(&self) -> Duration {
        Duration::from_millis(self.consistency_timeout_ms)
    }
}

/// The number in the variable `name`, if set.
fn number(var: &impl Fn(&str) -> Option<String>, name: &str) -> Result<Option<u64>> {
    var(name).map(|v| v.parse::<u64>().with_context(|| format!("{name}={v} is not a number"))).transpose()
}

/// The yes/no in the variable `name`, if set and not empty.
fn flag(var: &impl Fn(&str) -> Option<String>, name: &str) -> Result<Option<bool>> {
    match var(name).as_deref() {
        None | Some("") => Ok(None),
        Some("true" | "1") => Ok(Some(true)),
        Some("false" | "0") => Ok(Some(false)),
        Some(other) => bail!("{name}={other} is not true or false"),
    }
}

impl Config {
    /// The versions of the terms and the privacy policy in force.
    pub fn consent_policy(&self) -> Result<jangteo_app::ConsentPolicy> {
        let parse = |name: &str, text: &str| {
            jangteo_domain::consent::ConsentVersion::parse(text)
                .map_err(|error| anyhow::anyhow!("{name}={text}: {error}"))
        };
        Ok(jangteo_app::ConsentPolicy {
            terms: parse("JANGTEO_TERMS_VERSION", &self.terms_version)?,
            privacy: parse("JANGTEO_PRIVACY_VERSION", &self.privacy_version)?,
        })
    }

    /// The configured token-signing secret, refused when shorter than 32 bytes: an HS256 key
    /// shorter than its hash's output is guessable offline from any token it signed.
    pub fn jwt_secret_bytes(&self) -> Result<Option<Vec<u8>>> {
        let Some(secret) = &self.jwt_secret else { return Ok(None) };
        let bytes = secret.expose().as_bytes().to_vec();
        if bytes.len() < 32 {
            bail!(
                "JANGTEO_JWT_SECRET must be at least 32 bytes (it is {}); e.g. head -c 32 /dev/urandom | base64",
                bytes.len()
            );
        }
        Ok(Some(bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_short_token_secret_is_refused() {
        let mut config = Config::default();
        assert!(config.apply_env(|n| (n == "JANGTEO_JWT_SECRET").then(|| "a".to_owned())).is_ok());
        assert!(config.jwt_secret_bytes().is_err());
        let long = "0123456789abcdef0123456789abcdef";
        assert!(config.apply_env(|n| (n == "JANGTEO_JWT_SECRET").then(|| long.to_owned())).is_ok());
        assert_eq!(config.jwt_secret_bytes().ok().flatten().map(|bytes| bytes.len()), Some(32));
    }

    #[test]
    fn environment_overrides_defaults() {
        let mut config = Config::default();
        let env = |name: &str| match name {
            "JANGTEO_LISTEN" => Some("0.0.0.0:9090".to_owned()),
            "JANGTEO_DATABASE_URL" => Some("postgres://postgres@localhost/jangteo".to_owned()),
            _ => None,
        };
        assert!(config.apply_env(env).is_ok());
        assert_eq!(config.listen, SocketAddr::from(([0, 0, 0, 0], 9090)));
        assert!(config.database_url.is_some());
        assert!(!format!("{config:?}").contains("postgres://"), "secrets must not be printed");
    }

    #[test]
    fn bad_values_are_reported() {
        let mut config = Config::default();
        assert!(config.apply_env(|n| (n == "JANGTEO_LISTEN").then(|| "nope".to_owned())).is_err());
        assert!(config.apply_env(|n| (n == "JANGTEO_DATABASE_URL").then(|| "mysql://x".to_owned())).is_err());
        assert!(config.apply_env(|n| (n == "JANGTEO_GROUP_COMMIT").then(|| "maybe".to_owned())).is_err());
        let unknown = |n: &str| (n == "JANGTEO_ELASTICSEARCH_ANALYZER").then(|| "kuromoji".to_owned());
        assert!(config.apply_env(unknown).is_err());
    }

    #[test]
    fn the_search_analyzer_is_nori_unless_set() {
        let mut config = Config::default();
        assert_eq!(config.elasticsearch_analyzer, TextAnalyzer::Nori);
        assert!(
            config.apply_env(|n| (n == "JANGTEO_ELASTICSEARCH_ANALYZER").then(|| "cjk".to_owned())).is_ok()
        );
        assert_eq!(config.elasticsearch_analyzer, TextAnalyzer::Cjk);
        let file: Config = toml::from_str("elasticsearch_analyzer = \"cjk\"").unwrap_or_default();
        assert_eq!(file.elasticsearch_analyzer, TextAnalyzer::Cjk);
    }
}
