//! The HTTP API: the only crate that knows HTTP.
//!
//! Handlers are thin: they turn JSON and headers into validated domain values, call the application
//! layer, and turn its answer into JSON. Every error leaves as RFC 9457 `application/problem+json`
//! with a stable `code` (see [`problem`]).

mod auth;
mod consistency;
mod extract;
mod problem;
mod rate_limit;
mod routes;
mod state;

pub use auth::TokenService;
pub use problem::ApiError;
pub use rate_limit::{InMemoryRateLimiter, RateDecision, RateLimiter, RedisRateLimiter};
pub use state::ApiState;

use std::{net::TcpListener, sync::Arc};

use actix_cors::Cors;
use actix_web::{
    App, HttpServer,
    body::MessageBody,
    dev::{Server, ServiceRequest, ServiceResponse},
    http::header,
    middleware::{Next, from_fn},
    web,
};

/// Largest accepted JSON body: a listing's description is the biggest field (5,000 characters).
const MAX_JSON_BODY: usize = 64 * 1024;

/// Registers every route, with JSON/path/query error handlers that answer in problem+json.
pub fn configure(config: &mut web::ServiceConfig) {
    config
        .app_data(extract::json_config(MAX_JSON_BODY))
        .app_data(extract::query_config())
        .app_data(extract::path_config())
        .configure(routes::configure);
}

/// How the HTTP server itself behaves (as opposed to what it serves).
#[derive(Clone)]
pub struct HttpSettings {
    pub workers: usize,
    /// Origins allowed to call the API from a browser; empty allows no cross-origin calls.
    pub cors_allowed_origins: Vec<String>,
    pub rate_limiter: Arc<dyn RateLimiter>,
}

/// Starts the HTTP server on an already bound listener (so tests can bind port 0).
pub fn serve(listener: TcpListener, state: ApiState, settings: HttpSettings) -> std::io::Result<Server> {
    let data = web::Data::new(state);
    let HttpSettings { workers, cors_allowed_origins: origins, rate_limiter } = settings;
    let limiter = web::Data::from(rate_limiter);
    let server = HttpServer::new(move || {
        App::new()
            .wrap(from_fn(rate_limit))
            .wrap(cors(&origins))
            .wrap(tracing_actix_web::TracingLogger::default())
            .app_data(data.clone())
            .app_data(limiter.clone())
            .configure(configure)
            .default_service(web::to(routes::not_found))
    })
    .workers(workers.max(1))
    .listen(listener)?
    .run();
    Ok(server)
}

fn cors(origins: &[String]) -> Cors {
    origins
        .iter()
        .fold(Cors::default(), |cors, origin| cors.allowed_origin(origin))
        .allowed_methods(["GET", "POST", "PATCH"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::HeaderName::from_static(consistency::IDEMPOTENCY_KEY),
            header::HeaderName::from_static(consistency::CONSISTENCY_POSITION),
        ])
        .expose_headers([header::RETRY_AFTER, header::HeaderName::from_static("idempotent-replayed")])
        .max_age(3600)
}

/// Counts every request but operators' probes against the client's address.
async fn rate_limit(
    request: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let limiter = request.app_data::<web::Data<dyn RateLimiter>>().cloned();
    let client = request.peer_addr().map(|address| address.ip());
    if let (Some(limiter), Some(client)) = (limiter, client)
        && !matches!(request.path(), "/healthz" | "/readyz" | "/metrics")
        && let RateDecision::Limited { retry_after } = limiter.check(client).await
    {
        return Err(ApiError::RateLimited(retry_after).into());
    }
    next.call(request).await
}
