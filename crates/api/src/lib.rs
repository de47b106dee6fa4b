//! The HTTP API: the only crate that knows HTTP.
//!
//! Handlers are thin: they turn JSON and headers into validated domain values, call the application
//! layer, and turn its answer into JSON. Every error leaves as RFC 9457 `application/problem+json`
//! with a stable `code` (see [`problem`]).

mod auth;
mod consistency;
mod extract;
mod problem;
mod routes;
mod state;

pub use auth::TokenService;
pub use problem::ApiError;
pub use state::ApiState;

use std::net::TcpListener;

use actix_web::{App, HttpServer, dev::Server, web};

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

/// Starts the HTTP server on an already bound listener (so tests can bind port 0).
pub fn serve(listener: TcpListener, state: ApiState, workers: usize) -> std::io::Result<Server> {
    let data = web::Data::new(state);
    let server = HttpServer::new(move || {
        App::new()
            .wrap(tracing_actix_web::TracingLogger::default())
            .app_data(data.clone())
            .configure(configure)
            .default_service(web::to(routes::not_found))
    })
    .workers(workers.max(1))
    .listen(listener)?
    .run();
    Ok(server)
}
