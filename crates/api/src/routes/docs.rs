//! The API's own documentation: the OpenAPI document and the reference page (Swagger UI) that
//! reads it. Swagger UI's files are compiled into the binary (`utoipa-swagger-ui`, `vendored`):
//! the page works without any network beyond this server.

use std::sync::{Arc, LazyLock};

use actix_web::{HttpResponse, http::header, web};
use utoipa_swagger_ui::Config;

use crate::{ApiError, openapi};

/// Where the page finds the document, and the page's settings: no call to swagger.io's online
/// validator (the page would otherwise send the document there).
static CONFIG: LazyLock<Arc<Config<'static>>> =
    LazyLock::new(|| Arc::new(Config::new(["/openapi.json"]).validator_url("none")));

/// This document: the API contract, OpenAPI 3.1.
#[utoipa::path(
    get, path = "/openapi.json", operation_id = "openapi_document", tag = "documentation",
    responses((status = 200, description = "This document (OpenAPI 3.1).", content_type = "application/json",
        body = Object)),
)]
pub(crate) async fn openapi_json() -> HttpResponse {
    HttpResponse::Ok().json(openapi::document())
}

/// The API reference page (Swagger UI), read from `/docs` itself.
///
/// Its assets are named relative to `/docs/`, hence the base the page is given.
#[utoipa::path(
    get, path = "/docs", operation_id = "docs_page", tag = "documentation",
    responses((status = 200, description = "The API reference page.", content_type = "text/html",
        body = String)),
)]
pub(crate) async fn page() -> Result<HttpResponse, ApiError> {
    let index = file("index.html")?.ok_or(ApiError::RouteNotFound)?;
    let html = String::from_utf8_lossy(&index.bytes).replacen("<head>", "<head><base href=\"/docs/\">", 1);
    Ok(HttpResponse::Ok().content_type("text/html; charset=utf-8").body(html))
}

/// One of the reference page's assets (scripts, style sheets, icons), compiled into the binary.
#[utoipa::path(
    get, path = "/docs/{file}", operation_id = "docs_asset", tag = "documentation",
    params(("file" = String, Path, description = "An asset's file name, e.g. `swagger-ui.css`.")),
    responses(
        (status = 200, description = "The asset.", content(
            ("text/html"), ("text/css"), ("text/javascript"), ("image/png"), ("application/json"),
        )),
        (status = 404, description = "- `not_found`: no such asset"),
    ),
)]
pub(crate) async fn asset(path: web::Path<String>) -> Result<HttpResponse, ApiError> {
    let file = file(&path)?.ok_or(ApiError::RouteNotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(file.content_type)
        // The files change only with the binary.
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(file.bytes.into_owned()))
}

fn file(name: &str) -> Result<Option<utoipa_swagger_ui::SwaggerFile<'static>>, ApiError> {
    utoipa_swagger_ui::serve(name, Arc::clone(&CONFIG))
        .map_err(|error| jangteo_app::AppError::internal("serving Swagger UI", error.to_string()).into())
}
