//! The HTTP API: the only crate that knows HTTP.
//!
//! Handlers are thin: they turn JSON and headers into validated domain values, call the application
//! layer, and turn its answer into JSON. Every error leaves as RFC 9457 `application/problem+json`
//! with a stable `code` (see [`problem`]).

mod auth;
mod client_address;
mod consistency;
mod extract;
mod graphql;
mod language;
mod listing_view;
mod metrics_access;
mod openapi;
mod problem;
mod problem_language;
mod problem_text;
mod rate_limit;
mod request_spans;
mod routes;
mod state;

pub use auth::TokenService;
pub use client_address::TrustedProxies;
pub use metrics_access::MetricsAccess;
pub use problem::ApiError;
#[cfg(feature = "redis")]
pub use rate_limit::RedisRateLimiter;
pub use rate_limit::{InMemoryRateLimiter, RateDecision, RateLimiter};
pub use state::ApiState;

use std::{
    net::TcpListener,
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicUsize, Ordering},
    },
};

use tokio::sync::Notify;

use actix_cors::Cors;
use actix_web::{
    App, HttpServer, ResponseError,
    body::{EitherBody, MessageBody},
    dev::{Server, ServiceRequest, ServiceResponse},
    http::{ConnectionType, header},
    middleware::{Next, from_fn},
    web,
};

/// Paths the rate limiter does not count: operators' probes.
pub(crate) const UNLIMITED_PATHS: [&str; 3] = ["/healthz", "/readyz", "/metrics"];

/// Paths still served while the server drains: operators watch a stopping instance too.
pub(crate) const SERVED_WHILE_DRAINING: [&str; 2] = ["/healthz", "/metrics"];

/// Largest accepted JSON body: a listing's description is the biggest field (5,000 characters).
const MAX_JSON_BODY: usize = 64 * 1024;

/// Registers every route, with JSON/path/query error handlers that answer in problem+json.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .app_data(extract::json_config(MAX_JSON_BODY))
        .app_data(extract::query_config())
        .app_data(extract::path_config())
        .app_data(web::Data::new(graphql::schema()))
        .configure(routes::configure);
}

/// Whether the server is stopping, and how many requests are still being handled. Once draining,
/// every new request is answered `503 shutting_down` with `Connection: close`, so clients go
/// elsewhere and keep-alive connections close; [`Draining::drained`] then resolves when the
/// requests already taken have all been answered, and the server can stop without cutting any.
#[derive(Clone, Debug, Default)]
pub struct Draining(Arc<DrainingState>);

#[derive(Debug, Default)]
struct DrainingState {
    draining: AtomicBool,
    in_flight: AtomicUsize,
    idle: Notify,
}

impl Draining {
    /// Refuses new requests from now on.
    pub fn start(&self) {
        self.0.draining.store(true, Ordering::SeqCst);
        self.0.idle.notify_waiters();
    }

    pub fn is_draining(&self) -> bool {
        self.0.draining.load(Ordering::SeqCst)
    }

    /// Resolves once draining has started and no request is being handled.
    pub async fn drained(&self) {
        loop {
            // Registered before the check, so a request finishing in between still wakes us.
            let idle = self.0.idle.notified();
            if self.is_draining() && self.0.in_flight.load(Ordering::SeqCst) == 0 {
                return;
            }
            idle.await;
        }
    }

    /// Counts a request as in flight until the returned guard drops; `None` when draining.
    fn enter(&self) -> Option<InFlight> {
        self.0.in_flight.fetch_add(1, Ordering::SeqCst);
        let guard = InFlight(Arc::clone(&self.0));
        // Checked after counting, so `drained` never misses a request that got past this point.
        (!self.is_draining()).then_some(guard)
    }
}

/// One request being handled (see [`Draining::enter`]).
struct InFlight(Arc<DrainingState>);

impl Drop for InFlight {
    fn drop(&mut self) {
        if self.0.in_flight.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

/// How the HTTP server itself behaves (as opposed to what it serves).
#[derive(Clone)]
pub struct HttpSettings {
    pub workers: usize,
    /// Set by whoever stops the server (see [`Draining`]).
    pub draining: Draining,
    /// Origins allowed to call the API from a browser; empty allows no cross-origin calls.
    pub cors_allowed_origins: Vec<String>,
    pub rate_limiter: Arc<dyn RateLimiter>,
    /// Who may read `/metrics` here.
    pub metrics_access: MetricsAccess,
    /// The reverse proxies whose `X-Forwarded-For` names the client.
    pub trusted_proxies: TrustedProxies,
    /// Serve HTTPS with this configuration (and send `Strict-Transport-Security`); `None`: HTTP.
    pub tls: Option<rustls::ServerConfig>,
}

/// Whether the server speaks HTTPS: every answer then carries HSTS.
#[derive(Debug, Clone, Copy)]
struct ServesTls(bool);

/// Two years, the subdomains too (the value the HSTS preload list asks for).
const HSTS: &str = "max-age=63072000; includeSubDomains";

/// Starts the HTTP server on an already bound listener (so tests can bind port 0).
pub fn serve(listener: TcpListener, state: ApiState, settings: HttpSettings) -> std::io::Result<Server> {
    let data = web::Data::new(state);
    let HttpSettings {
        workers,
        draining,
        cors_allowed_origins: origins,
        rate_limiter,
        metrics_access,
        trusted_proxies,
        tls,
    } = settings;
    let trusted_proxies = web::Data::new(trusted_proxies);
    let serves_tls = web::Data::new(ServesTls(tls.is_some()));
    let limiter = web::Data::from(rate_limiter);
    let metrics_access = web::Data::new(metrics_access);
    let draining = web::Data::new(draining);
    let server = HttpServer::new(move || {
        App::new()
            .wrap(from_fn(rate_limit))
            .wrap(from_fn(refuse_while_draining))
            .wrap(cors(&origins))
            .wrap(from_fn(finish_response))
            .wrap(from_fn(problem_language::localise_problems))
            .wrap(tracing_actix_web::TracingLogger::<request_spans::RouteSpans>::new())
            .app_data(data.clone())
            .app_data(limiter.clone())
            .app_data(draining.clone())
            .app_data(metrics_access.clone())
            .app_data(trusted_proxies.clone())
            .app_data(serves_tls.clone())
            .configure(configure)
            .default_service(web::to(routes::not_found))
    })
    .workers(workers.max(1))
    // The caller stops the server (`ServerHandle::stop`) after setting `Draining` and waiting for
    // the requests in flight; what is left then is connections closing, which gets a few seconds.
    .disable_signals()
    .shutdown_timeout(5);
    let server = match tls {
        Some(config) => server.listen_rustls_0_23(listener, config)?,
        None => server.listen(listener)?,
    };
    Ok(server.run())
}

/// Serves `/metrics` alone on an internal address (`JANGTEO_METRICS_LISTEN`), to anyone who
/// reaches it: the network keeps outsiders away.
pub fn serve_metrics(listener: TcpListener, state: ApiState) -> std::io::Result<Server> {
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .wrap(from_fn(finish_response))
            .app_data(data.clone())
            .route("/metrics", web::get().to(routes::health::metrics))
            .default_service(web::to(routes::not_found))
    })
    .workers(1)
    .disable_signals()
    .shutdown_timeout(1)
    .listen(listener)?
    .run();
    Ok(server)
}

fn cors(origins: &[String]) -> Cors {
    origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::HeaderName::from_static(consistency::IDEMPOTENCY_KEY),
            header::HeaderName::from_static(consistency::CONSISTENCY_POSITION),
        ])
        .expose_headers([header::RETRY_AFTER, header::HeaderName::from_static("idempotent-replayed")])
        .max_age(3600)
}

/// What every answer carries: a CORS refusal becomes problem+json like every other error (the
/// server turns a middleware's error into its answer, so a refusal is handed on as an
/// [`ApiError`]), and each response gets [`problem::SECURITY_HEADERS`] (error answers get them
/// from [`ApiError`]'s response).
async fn finish_response(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    match next.call(request).await {
        Ok(response) => {
            // A refused preflight is answered by the CORS layer itself, from its error.
            let refusal = response
                .response()
                .error()
                .and_then(|error| error.as_error::<actix_cors::CorsError>())
                .map(ToString::to_string);
            let mut response = match refusal {
                Some(reason) => response
                    .into_response(ApiError::CorsRefused(reason).error_response())
                    .map_into_right_body(),
                None => response.map_into_left_body(),
            };
            problem::add_security_headers(response.headers_mut());
            if response.request().app_data::<web::Data<ServesTls>>().is_some_and(|tls| tls.0) {
                response
                    .headers_mut()
                    .insert(header::STRICT_TRANSPORT_SECURITY, header::HeaderValue::from_static(HSTS));
            }
            Ok(response)
        }
        Err(error) => match error.as_error::<actix_cors::CorsError>() {
            Some(refusal) => Err(ApiError::CorsRefused(refusal.to_string()).into()),
            None => Err(error),
        },
    }
}

/// Answers every request `503 shutting_down` + `Connection: close` once the server drains, but the
/// liveness probe and the metrics (operators watch a stopping instance too).
async fn refuse_while_draining(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let Some(draining) = request.app_data::<web::Data<Draining>>().cloned() else {
        return Ok(next.call(request).await?.map_into_left_body());
    };
    if SERVED_WHILE_DRAINING.contains(&request.path()) {
        return Ok(next.call(request).await?.map_into_left_body());
    }
    let Some(_in_flight) = draining.enter() else {
        let mut response = ApiError::ShuttingDown.error_response();
        response.head_mut().set_connection_type(ConnectionType::Close);
        return Ok(request.into_response(response).map_into_right_body());
    };
    Ok(next.call(request).await?.map_into_left_body())
}

/// The client's address: the peer, or what a trusted proxy says it forwarded
/// ([`TrustedProxies`]).
pub(crate) fn client_ip(request: &actix_web::HttpRequest) -> Option<std::net::IpAddr> {
    let peer = request.peer_addr().map(|address| address.ip());
    match request.app_data::<web::Data<TrustedProxies>>() {
        Some(trusted) => trusted.client(peer, request.headers()),
        None => peer,
    }
}

/// Counts every request but operators' probes against the client's address.
async fn rate_limit(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let limiter = request.app_data::<web::Data<dyn RateLimiter>>().cloned();
    let client = client_ip(request.request());
    if let (Some(limiter), Some(client)) = (limiter, client)
        && !UNLIMITED_PATHS.contains(&request.path())
        && let RateDecision::Limited { retry_after } = limiter.check(client).await
    {
        // An answer, not an error: it then passes `finish_response` like every other answer.
        let refusal = ApiError::RateLimited(retry_after).error_response();
        return Ok(request.into_response(refusal).map_into_right_body());
    }
    Ok(next.call(request).await?.map_into_left_body())
}
