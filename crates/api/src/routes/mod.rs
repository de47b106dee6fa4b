//! The route table.

mod accounts;
mod health;
mod listings;
mod orders;

use actix_web::{HttpResponse, web};

use crate::ApiError;

pub(crate) fn configure(config: &mut web::ServiceConfig) {
    config
        .route("/healthz", web::get().to(health::healthz))
        .route("/readyz", web::get().to(health::readyz))
        .route("/metrics", web::get().to(health::metrics))
        .service(
            web::scope("/v1")
                .route("/accounts", web::post().to(accounts::register))
                .route("/sessions", web::post().to(accounts::sign_in))
                .route("/listings", web::post().to(listings::create))
                .route("/listings", web::get().to(listings::search))
                .route("/listings/{listing_id}", web::get().to(listings::get))
                .route("/listings/{listing_id}", web::patch().to(listings::edit))
                .route("/listings/{listing_id}/publish", web::post().to(listings::publish))
                .route("/listings/{listing_id}/withdrawal", web::post().to(listings::withdraw))
                .route("/orders", web::post().to(orders::place))
                .route("/orders/{order_id}", web::get().to(orders::get))
                .route("/orders/{order_id}/payment", web::post().to(orders::pay))
                .route("/orders/{order_id}/shipment", web::post().to(orders::ship))
                .route("/orders/{order_id}/confirmation", web::post().to(orders::confirm))
                .route("/orders/{order_id}/cancellation", web::post().to(orders::cancel))
                .route("/orders/{order_id}/timeline", web::get().to(orders::timeline)),
        );
}

pub(crate) async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::RouteNotFound)
}

/// Collects the validation errors of several fields, so a client learns all of them at once.
pub(crate) struct Fields(Vec<jangteo_domain::ValidationError>);

impl Fields {
    pub(crate) fn new() -> Self {
        Self(Vec::new())
    }

    /// Keeps the value, or records its error and yields `None`.
    pub(crate) fn check<T>(&mut self, result: Result<T, jangteo_domain::ValidationError>) -> Option<T> {
        result.map_err(|error| self.0.push(error)).ok()
    }

    /// Fails with every recorded error, if any.
    pub(crate) fn finish(self) -> Result<(), ApiError> {
        if self.0.is_empty() { Ok(()) } else { Err(ApiError::Validation(self.0)) }
    }
}
