//! The route table.

mod accounts;
mod carts;
mod disputes;
mod health;
mod listings;
mod orders;
mod webhooks;

use actix_web::{HttpResponse, web};

use crate::ApiError;

pub(crate) fn configure(config: &mut web::ServiceConfig) {
    config
        .service(resource("/healthz", "GET").route(web::get().to(health::healthz)))
        .service(resource("/readyz", "GET").route(web::get().to(health::readyz)))
        .service(resource("/metrics", "GET").route(web::get().to(health::metrics)))
        .service(
            web::scope("/v1")
                .service(resource("/accounts", "POST").route(web::post().to(accounts::register)))
                .service(resource("/sessions", "POST").route(web::post().to(accounts::sign_in)))
                .service(
                    resource("/listings", "GET, POST")
                        .route(web::get().to(listings::search))
                        .route(web::post().to(listings::create)),
                )
                .service(
                    resource("/listings/{listing_id}", "GET, PATCH")
                        .route(web::get().to(listings::get))
                        .route(web::patch().to(listings::edit)),
                )
                .service(
                    resource("/listings/{listing_id}/publish", "POST")
                        .route(web::post().to(listings::publish)),
                )
                .service(
                    resource("/listings/{listing_id}/favourite", "PUT, DELETE")
                        .route(web::put().to(listings::favourite))
                        .route(web::delete().to(listings::unfavourite)),
                )
                .service(
                    resource("/listings/{listing_id}/withdrawal", "POST")
                        .route(web::post().to(listings::withdraw)),
                )
                .service(resource("/orders", "POST").route(web::post().to(orders::place)))
                .service(resource("/orders/{order_id}", "GET").route(web::get().to(orders::get)))
                .service(resource("/orders/{order_id}/payment", "POST").route(web::post().to(orders::pay)))
                .service(resource("/orders/{order_id}/shipment", "POST").route(web::post().to(orders::ship)))
                .service(
                    resource("/orders/{order_id}/confirmation", "POST")
                        .route(web::post().to(orders::confirm)),
                )
                .service(
                    resource("/orders/{order_id}/cancellation", "POST").route(web::post().to(orders::cancel)),
                )
                .service(
                    resource("/orders/{order_id}/timeline", "GET").route(web::get().to(orders::timeline)),
                )
                .service(
                    resource("/orders/{order_id}/return-request", "POST")
                        .route(web::post().to(disputes::request_return)),
                )
                .service(
                    resource("/orders/{order_id}/return-acceptance", "POST")
                        .route(web::post().to(disputes::accept_return)),
                )
                .service(
                    resource("/orders/{order_id}/dispute", "POST")
                        .route(web::post().to(disputes::open_dispute)),
                )
                .service(
                    resource("/orders/{order_id}/dispute/resolution", "POST")
                        .route(web::post().to(disputes::resolve_dispute)),
                )
                .service(resource("/webhooks/toss", "POST").route(web::post().to(webhooks::toss)))
                .service(resource("/cart", "GET").route(web::get().to(carts::view)))
                .service(
                    resource("/cart/items/{listing_id}", "PUT, DELETE")
                        .route(web::put().to(carts::add))
                        .route(web::delete().to(carts::remove)),
                )
                .service(resource("/cart/checkout", "POST").route(web::post().to(carts::checkout))),
        );
}

/// A resource that answers other methods with `405` and the `Allow` header it must carry.
fn resource(path: &str, allow: &'static str) -> actix_web::Resource {
    web::resource(path).default_service(web::to(move || async move {
        Err::<HttpResponse, _>(ApiError::MethodNotAllowed(allow))
    }))
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
