//! Probes for operators: liveness, readiness of every backend, and Prometheus metrics.

use std::fmt::Write as _;

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{ApiError, ApiState};

#[derive(Serialize, ToSchema)]
pub(crate) struct Health {
    #[schema(pattern = "^ok$")]
    status: &'static str,
}

/// Whether every backend answers.
#[derive(Serialize, ToSchema)]
pub(crate) struct Readiness {
    /// `ready` or `not_ready`.
    #[schema(pattern = "^(ready|not_ready)$")]
    status: &'static str,
    backends: Vec<BackendReadiness>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct BackendReadiness {
    /// The backend's name, e.g. `event_store`.
    backend: &'static str,
    ready: bool,
}

/// Liveness: the process serves HTTP.
#[utoipa::path(
    get, path = "/healthz", operation_id = "healthz", tag = "operations",
    responses((status = 200, description = "The process serves HTTP.", body = Health)),
)]
pub(crate) async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// Readiness: every configured backend answers; 503 otherwise (a load balancer stops routing here).
#[utoipa::path(
    get, path = "/readyz", operation_id = "readyz", tag = "operations",
    responses(
        (status = 200, description = "Every backend answers.", body = Readiness),
        (status = 503, description = "- `not_ready`: a backend fails to answer (the body says which)",
            body = Readiness),
    ),
)]
pub(crate) async fn readyz(state: web::Data<ApiState>) -> HttpResponse {
    let backends = state.operations.readiness().await;
    let ready = backends.iter().all(|backend| backend.ready);
    for failing in backends.iter().filter(|backend| !backend.ready) {
        tracing::warn!(
            backend = failing.backend,
            error = failing.error.as_deref().unwrap_or(""),
            "not ready"
        );
    }
    let body = Readiness {
        status: if ready { "ready" } else { "not_ready" },
        backends: backends
            .iter()
            .map(|backend| BackendReadiness { backend: backend.backend, ready: backend.ready })
            .collect(),
    };
    if ready { HttpResponse::Ok().json(body) } else { HttpResponse::ServiceUnavailable().json(body) }
}

/// Prometheus metrics: the log head, each projection's lag in events and time, and the command
/// path's aggregate-cache and retry counters.
#[utoipa::path(
    get, path = "/metrics", operation_id = "metrics", tag = "operations",
    responses(
        (status = 403, description = "- `forbidden`: on the public listener, metrics are served only to \
            loopback clients, or with `Authorization: Bearer <JANGTEO_METRICS_TOKEN>`, or not at all \
            when `JANGTEO_METRICS_LISTEN` serves them on an internal address"),
        (status = 200, description = "Prometheus text: `jangteo_log_head_position`; per \
        projection `jangteo_projection_position`, `jangteo_projection_lag_events`, \
        `jangteo_projection_lag_milliseconds`; the command path's \
        `jangteo_aggregate_cache_hits_total`, `jangteo_aggregate_cache_misses_total`, \
        `jangteo_aggregate_cache_enabled`, `jangteo_command_retries_total`, \
        `jangteo_command_contention_total`.", content_type = "text/plain; version=0.0.4", body = String),
    ),
)]
pub(crate) async fn metrics(
    state: web::Data<ApiState>,
    access: Option<web::Data<crate::MetricsAccess>>,
    request: actix_web::HttpRequest,
) -> Result<HttpResponse, ApiError> {
    if let Some(access) = access {
        access.check(&request)?;
    }
    let report = state.operations.lag(chrono::Utc::now()).await?;
    let mut text = String::new();
    let _ =
        writeln!(text, "# HELP jangteo_log_head_position Global position of the newest event in the log.");
    let _ = writeln!(text, "# TYPE jangteo_log_head_position gauge");
    let _ = writeln!(text, "jangteo_log_head_position {}", report.head);
    let series = [
        ("jangteo_projection_position", "Global position a projection has applied.", "position"),
        ("jangteo_projection_lag_events", "Events a projection is behind the log head.", "events"),
        (
            "jangteo_projection_lag_milliseconds",
            "Age of the oldest event a projection has not applied.",
            "millis",
        ),
    ];
    for (name, help, value) in series {
        let _ = writeln!(text, "# HELP {name} {help}");
        let _ = writeln!(text, "# TYPE {name} gauge");
        for lag in &report.projections {
            let number = match value {
                "position" => lag.position,
                "events" => lag.events_behind,
                _ => lag.millis_behind,
            };
            let _ = writeln!(text, "{name}{{projection=\"{}\"}} {number}", lag.projection);
        }
    }
    let commands = state.operations.command_stats();
    let counters = [
        (
            "jangteo_aggregate_cache_hits_total",
            "Aggregates the command path took from its cache.",
            commands.cache_hits,
        ),
        (
            "jangteo_aggregate_cache_misses_total",
            "Aggregates the command path looked for in its cache and read from the log.",
            commands.cache_misses,
        ),
        (
            "jangteo_command_retries_total",
            "Decisions run again after a lost race or a stale cached copy.",
            commands.retries,
        ),
        (
            "jangteo_command_contention_total",
            "Commands that ran out of attempts (409 concurrent_modification).",
            commands.exhausted,
        ),
    ];
    for (name, help, value) in counters {
        let _ = writeln!(text, "# HELP {name} {help}");
        let _ = writeln!(text, "# TYPE {name} counter");
        let _ = writeln!(text, "{name} {value}");
    }
    let _ =
        writeln!(text, "# HELP jangteo_aggregate_cache_enabled Whether the command path caches aggregates.");
    let _ = writeln!(text, "# TYPE jangteo_aggregate_cache_enabled gauge");
    let _ = writeln!(text, "jangteo_aggregate_cache_enabled {}", u8::from(commands.cache_enabled));
    Ok(HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(text))
}
