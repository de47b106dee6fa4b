//! Probes for operators: liveness, readiness of every backend, and Prometheus metrics.

use std::fmt::Write as _;

use actix_web::{HttpResponse, web};

use crate::{ApiError, ApiState};

/// The process is up and serving HTTP.
pub(crate) async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({ "status": "ok" }))
}

/// Every configured backend answers; 503 otherwise (a load balancer stops routing here).
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
    let body = serde_json::json!({
        "status": if ready { "ready" } else { "not_ready" },
        "backends": backends
            .iter()
            .map(|backend| serde_json::json!({ "backend": backend.backend, "ready": backend.ready }))
            .collect::<Vec<_>>(),
    });
    if ready { HttpResponse::Ok().json(body) } else { HttpResponse::ServiceUnavailable().json(body) }
}

/// Prometheus text exposition: the log head, each projection's lag in events and time, and the
/// command path's cache and retry counters.
pub(crate) async fn metrics(state: web::Data<ApiState>) -> Result<HttpResponse, ApiError> {
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
