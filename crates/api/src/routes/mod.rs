//! The route table: one entry per resource, the single list of what the API serves.

pub(crate) mod accounts;
pub(crate) mod admin;
pub(crate) mod carts;
pub(crate) mod categories;
pub(crate) mod consents;
pub(crate) mod disputes;
pub(crate) mod docs;
pub(crate) mod health;
pub(crate) mod listings;
pub(crate) mod me;
pub(crate) mod meeting_places;
pub(crate) mod member_pages;
pub(crate) mod mfa;
pub(crate) mod moderation;
pub(crate) mod neighbourhood_verification;
pub(crate) mod orders;
pub(crate) mod password_resets;
pub(crate) mod phone_verification;
pub(crate) mod photos;
pub(crate) mod sessions;
pub(crate) mod social_login;
pub(crate) mod suggestions;
pub(crate) mod webhooks;

use actix_web::{HttpResponse, web};

use crate::ApiError;

/// One resource: its path, the methods it allows (named in `405`'s `Allow`), and its routes.
pub(crate) struct Route {
    pub(crate) path: &'static str,
    pub(crate) allow: &'static str,
    routes: fn(actix_web::Resource) -> actix_web::Resource,
}

const fn route(
    path: &'static str,
    allow: &'static str,
    routes: fn(actix_web::Resource) -> actix_web::Resource,
) -> Route {
    Route { path, allow, routes }
}

/// Every resource the API serves. [`configure`] registers exactly these, so the OpenAPI test can
/// hold the document against this table.
pub(crate) const ROUTES: &[Route] = &[
    route("/healthz", "GET", |r| r.route(web::get().to(health::healthz))),
    route("/readyz", "GET", |r| r.route(web::get().to(health::readyz))),
    route("/metrics", "GET", |r| r.route(web::get().to(health::metrics))),
    route("/openapi.json", "GET", |r| r.route(web::get().to(docs::openapi_json))),
    route("/docs", "GET", |r| r.route(web::get().to(docs::page))),
    route("/docs/{file}", "GET", |r| r.route(web::get().to(docs::asset))),
    route("/v1/accounts", "POST", |r| r.route(web::post().to(accounts::register))),
    route("/v1/sessions", "POST, DELETE", |r| {
        r.route(web::post().to(sessions::sign_in)).route(web::delete().to(sessions::sign_out_everywhere))
    }),
    route("/v1/sessions/refresh", "POST", |r| r.route(web::post().to(sessions::refresh))),
    route("/v1/sessions/current", "DELETE", |r| r.route(web::delete().to(sessions::sign_out))),
    route("/v1/sessions/mfa", "POST", |r| r.route(web::post().to(sessions::complete_mfa))),
    route("/v1/oauth/{provider}/authorize", "GET", |r| r.route(web::get().to(social_login::authorize))),
    route("/v1/oauth/{provider}/callback", "GET", |r| r.route(web::get().to(social_login::callback))),
    route("/v1/oauth/links", "POST", |r| r.route(web::post().to(social_login::link))),
    route("/v1/password-resets", "POST", |r| r.route(web::post().to(password_resets::request))),
    route("/v1/password-resets/{token}", "POST", |r| r.route(web::post().to(password_resets::complete))),
    route("/password-reset", "GET", |r| r.route(web::get().to(password_resets::page))),
    route("/v1/me", "GET, PATCH, DELETE", |r| {
        r.route(web::get().to(me::me)).route(web::patch().to(me::change)).route(web::delete().to(me::close))
    }),
    route("/v1/me/export", "GET", |r| r.route(web::get().to(me::export))),
    route("/v1/me/phone-verification", "POST", |r| r.route(web::post().to(phone_verification::start))),
    route("/v1/me/phone-verification/confirmation", "POST", |r| {
        r.route(web::post().to(phone_verification::confirm))
    }),
    route("/v1/me/neighbourhood-verification", "POST", |r| {
        r.route(web::post().to(neighbourhood_verification::verify))
    }),
    route("/v1/members/{account_id}", "GET", |r| r.route(web::get().to(me::member))),
    route("/v1/admin/members/{account_id}/roles", "POST", |r| r.route(web::post().to(admin::grant_role))),
    route("/v1/me/listings", "GET", |r| r.route(web::get().to(member_pages::my_listings))),
    route("/v1/me/orders", "GET", |r| r.route(web::get().to(member_pages::my_orders))),
    route("/v1/me/favourites", "GET", |r| r.route(web::get().to(member_pages::my_favourites))),
    route("/v1/me/sign-ins", "GET", |r| r.route(web::get().to(me::sign_ins))),
    route("/v1/me/mfa", "GET", |r| r.route(web::get().to(mfa::status))),
    route("/v1/me/mfa/totp", "POST, DELETE", |r| {
        r.route(web::post().to(mfa::set_up)).route(web::delete().to(mfa::turn_off))
    }),
    route("/v1/me/mfa/totp/confirmation", "POST", |r| r.route(web::post().to(mfa::confirm))),
    route("/v1/consents/current", "GET", |r| r.route(web::get().to(consents::current))),
    route("/v1/me/consents", "GET, PUT", |r| {
        r.route(web::get().to(consents::mine)).route(web::put().to(consents::change))
    }),
    route("/v1/categories", "GET", |r| r.route(web::get().to(categories::tree))),
    route("/v1/admin/categories", "POST", |r| r.route(web::post().to(categories::create))),
    route("/v1/admin/categories/{category_id}/names", "PUT", |r| r.route(web::put().to(categories::rename))),
    route("/v1/admin/categories/{category_id}/parent", "PUT", |r| {
        r.route(web::put().to(categories::move_under))
    }),
    route("/v1/admin/categories/{category_id}/retirement", "POST", |r| {
        r.route(web::post().to(categories::retire))
    }),
    route("/v1/listings", "GET, POST", |r| {
        r.route(web::get().to(listings::search)).route(web::post().to(listings::create))
    }),
    route("/v1/listings/{listing_id}", "GET, PATCH", |r| {
        r.route(web::get().to(listings::get)).route(web::patch().to(listings::edit))
    }),
    route("/v1/listings/{listing_id}/publish", "POST", |r| r.route(web::post().to(listings::publish))),
    route("/v1/listings/{listing_id}/bump", "POST", |r| r.route(web::post().to(listings::bump))),
    route("/v1/listings/{listing_id}/images", "POST", |r| r.route(web::post().to(photos::add))),
    route("/v1/listings/{listing_id}/images/order", "PUT", |r| r.route(web::put().to(photos::reorder))),
    route("/v1/listings/{listing_id}/images/{image_id}", "DELETE", |r| {
        r.route(web::delete().to(photos::remove))
    }),
    route("/v1/images/{file}", "GET", |r| r.route(web::get().to(photos::file))),
    route("/v1/meeting-places", "GET", |r| r.route(web::get().to(meeting_places::between))),
    route("/v1/search/suggestions", "GET", |r| r.route(web::get().to(suggestions::suggest))),
    route("/v1/admin/listings", "GET", |r| r.route(web::get().to(moderation::queue))),
    route("/v1/admin/photos/{sha256}/listings", "GET", |r| {
        r.route(web::get().to(moderation::listings_with_photo))
    }),
    route("/v1/admin/listings/{listing_id}/approval", "POST", |r| {
        r.route(web::post().to(moderation::approve))
    }),
    route("/v1/admin/listings/{listing_id}/rejection", "POST", |r| {
        r.route(web::post().to(moderation::reject))
    }),
    route("/v1/listings/{listing_id}/favourite", "PUT, DELETE", |r| {
        r.route(web::put().to(listings::favourite)).route(web::delete().to(listings::unfavourite))
    }),
    route("/v1/listings/{listing_id}/withdrawal", "POST", |r| r.route(web::post().to(listings::withdraw))),
    route("/v1/orders", "POST", |r| r.route(web::post().to(orders::place))),
    route("/v1/orders/{order_id}", "GET", |r| r.route(web::get().to(orders::get))),
    route("/v1/orders/{order_id}/payment", "POST", |r| r.route(web::post().to(orders::pay))),
    route("/v1/orders/{order_id}/shipment", "POST", |r| r.route(web::post().to(orders::ship))),
    route("/v1/orders/{order_id}/confirmation", "POST", |r| r.route(web::post().to(orders::confirm))),
    route("/v1/orders/{order_id}/cancellation", "POST", |r| r.route(web::post().to(orders::cancel))),
    route("/v1/orders/{order_id}/timeline", "GET", |r| r.route(web::get().to(orders::timeline))),
    route("/v1/orders/{order_id}/return-request", "POST", |r| {
        r.route(web::post().to(disputes::request_return))
    }),
    route("/v1/orders/{order_id}/return-acceptance", "POST", |r| {
        r.route(web::post().to(disputes::accept_return))
    }),
    route("/v1/orders/{order_id}/dispute", "POST", |r| r.route(web::post().to(disputes::open_dispute))),
    route("/v1/orders/{order_id}/dispute/resolution", "POST", |r| {
        r.route(web::post().to(disputes::resolve_dispute))
    }),
    route("/v1/webhooks/toss", "POST", |r| r.route(web::post().to(webhooks::toss))),
    route("/v1/cart", "GET", |r| r.route(web::get().to(carts::view))),
    route("/v1/cart/items/{listing_id}", "PUT, DELETE", |r| {
        r.route(web::put().to(carts::add)).route(web::delete().to(carts::remove))
    }),
    route("/v1/cart/checkout", "POST", |r| r.route(web::post().to(carts::checkout))),
    route("/graphql", "POST", |r| r.route(web::post().to(crate::graphql::execute))),
];

pub(crate) fn configure(config: &mut web::ServiceConfig) {
    for Route { path, allow, routes } in ROUTES {
        config.service(routes(resource(path, allow)));
    }
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
