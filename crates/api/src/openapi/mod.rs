//! The API contract as code: the OpenAPI 3.1 document, generated from the handlers' annotations
//! and the request and response types, served at `GET /openapi.json` (and read by the reference
//! page at `GET /docs`).
//!
//! Each handler documents its own operation (`#[utoipa::path]` beside it, with the refusals it
//! can give); [`errors`] adds the refusals every operation shares, and the test below holds the
//! document against the route table, so a route cannot be served undocumented.

mod errors;
pub(crate) mod headers;
pub(crate) mod schemas;

use std::sync::LazyLock;

use utoipa::{
    Modify, OpenApi,
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
};

use crate::{problem, routes};
use errors::ProblemResponses;

/// The name of the bearer scheme, as the operations' `security(("bearer" = []))` refer to it.
const BEARER: &str = "bearer";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Jangteo API",
        description = "Jangteo (장터) is the backend of a second-hand marketplace. JSON in and out, \
            field names in `snake_case`, ids are UUIDs, money is an integer number of won. Every \
            command answers with the `position` in the global log of its last event; a query \
            given that position in `X-Consistency-Position` reads its own writes. Every error is \
            `application/problem+json` (RFC 9457) with a stable `code` to branch on."
    ),
    paths(
        routes::health::healthz,
        routes::health::readyz,
        routes::health::metrics,
        routes::docs::openapi_json,
        routes::docs::page,
        routes::docs::asset,
        routes::accounts::register,
        routes::sessions::sign_in,
        routes::sessions::refresh,
        routes::sessions::sign_out,
        routes::sessions::sign_out_everywhere,
        routes::sessions::complete_mfa,
        routes::social_login::authorize,
        routes::social_login::callback,
        routes::social_login::link,
        routes::password_resets::request,
        routes::password_resets::complete,
        routes::password_resets::page,
        routes::me::me,
        routes::me::change,
        routes::me::close,
        routes::me::export,
        routes::phone_verification::start,
        routes::phone_verification::confirm,
        routes::me::member,
        routes::admin::grant_role,
        routes::member_pages::my_listings,
        routes::member_pages::my_orders,
        routes::member_pages::my_favourites,
        routes::me::sign_ins,
        routes::mfa::status,
        routes::mfa::set_up,
        routes::mfa::confirm,
        routes::mfa::turn_off,
        routes::consents::current,
        routes::consents::mine,
        routes::consents::change,
        routes::listings::create,
        routes::listings::search,
        routes::listings::get,
        routes::listings::edit,
        routes::listings::publish,
        routes::listings::withdraw,
        routes::listings::favourite,
        routes::listings::unfavourite,
        routes::listings::bump,
        routes::photos::add,
        routes::photos::remove,
        routes::photos::reorder,
        routes::photos::file,
        routes::meeting_places::between,
        routes::neighbourhood_verification::verify,
        routes::suggestions::suggest,
        routes::categories::tree,
        routes::categories::create,
        routes::categories::rename,
        routes::categories::move_under,
        routes::categories::retire,
        routes::moderation::queue,
        routes::moderation::approve,
        routes::moderation::reject,
        routes::moderation::listings_with_photo,
        routes::orders::place,
        routes::orders::get,
        routes::orders::pay,
        routes::orders::ship,
        routes::orders::confirm,
        routes::orders::cancel,
        routes::orders::timeline,
        routes::disputes::request_return,
        routes::disputes::accept_return,
        routes::disputes::open_dispute,
        routes::disputes::resolve_dispute,
        routes::webhooks::toss,
        routes::carts::view,
        routes::carts::add,
        routes::carts::remove,
        routes::carts::checkout,
        crate::graphql::execute,
    ),
    components(schemas(problem::Problem, problem::FieldProblem)),
    modifiers(&BearerScheme, &ProblemResponses),
    tags(
        (name = "accounts", description = "Sign-up, sign-in, sessions, password resets and two-factor sign-in."),
        (name = "my pages", description = "The member's own listings, orders and favourites."),
        (name = "listings", description = "Listings: the seller's commands, everyone's queries, favourites."),
        (name = "orders", description = "Orders from placing to completion."),
        (name = "returns and disputes", description = "After delivery: returns, disputes, staff decisions."),
        (name = "cart", description = "The member's cart and its checkout: one order per seller."),
        (name = "webhooks", description = "Payment gateways' notifications (no bearer token)."),
        (name = "admin", description = "What admins do: give members their roles, keep the category tree, \
            moderate listings."),
        (name = "graphql", description = "The read side as one GraphQL schema, answering as the REST routes."),
        (name = "operations", description = "Probes and metrics for operators."),
        (name = "documentation", description = "This document and its reference page."),
    )
)]
struct ApiDoc;

/// Declares the bearer scheme the operations' `security(("bearer" = []))` name.
struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .bearer_format("JWT")
            .description(Some("An access token from `POST /v1/sessions` (HS256 JWT, 15 minutes)."))
            .build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(BEARER, SecurityScheme::Http(scheme));
    }
}

/// The document, built once: it depends on nothing but the code.
pub(crate) fn document() -> &'static utoipa::openapi::OpenApi {
    static DOCUMENT: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(ApiDoc::openapi);
    &DOCUMENT
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests state expectations with unwrap")]

    use std::collections::BTreeSet;

    use super::{errors::PROBLEM_JSON, *};

    /// (path, method) of every operation in the document.
    fn documented() -> BTreeSet<(String, String)> {
        let mut document = document().clone();
        let mut operations = BTreeSet::new();
        for (path, item) in &mut document.paths.paths {
            for (method, _) in errors::operations(item) {
                let method = serde_json::to_value(method).unwrap();
                let method = method.as_str().unwrap().to_ascii_uppercase();
                operations.insert((path.clone(), method));
            }
        }
        operations
    }

    #[test]
    fn every_route_is_documented_and_nothing_else() {
        let registered: BTreeSet<(String, String)> = routes::ROUTES
            .iter()
            .flat_map(|route| {
                route.allow.split(", ").map(|method| (route.path.to_owned(), method.to_owned()))
            })
            .collect();
        let documented = documented();
        let undocumented: Vec<_> = registered.difference(&documented).collect();
        let unserved: Vec<_> = documented.difference(&registered).collect();
        assert!(undocumented.is_empty(), "routes missing from the document: {undocumented:?}");
        assert!(unserved.is_empty(), "documented operations no route serves: {unserved:?}");
    }

    #[test]
    fn operation_ids_are_unique() {
        let json = serde_json::to_value(document()).unwrap();
        let mut seen = BTreeSet::new();
        for item in json["paths"].as_object().unwrap().values() {
            for operation in item.as_object().unwrap().values() {
                let id = operation["operationId"].as_str().unwrap().to_owned();
                assert!(seen.insert(id.clone()), "operationId {id} twice");
            }
        }
    }

    #[test]
    fn the_document_is_openapi_3_1_with_the_bearer_scheme() {
        let json = serde_json::to_value(document()).unwrap();
        assert_eq!(json["openapi"], "3.1.0");
        assert_eq!(json["components"]["securitySchemes"][BEARER]["scheme"], "bearer");
        // Every operation but the public ones takes the bearer token; the listings' reads take it
        // optionally (`security: [{}, {bearer: []}]`).
        let public = ["/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/docs/{file}"]
            .map(|path| ("get", path))
            .into_iter()
            .chain([
                ("post", "/v1/accounts"),
                ("post", "/v1/sessions"),
                ("post", "/v1/sessions/refresh"),
                ("post", "/v1/sessions/mfa"),
                ("get", "/v1/oauth/{provider}/authorize"),
                ("get", "/v1/oauth/{provider}/callback"),
                ("post", "/v1/oauth/links"),
                ("post", "/v1/password-resets"),
                ("post", "/v1/password-resets/{token}"),
                ("get", "/password-reset"),
                ("get", "/v1/consents/current"),
                ("get", "/v1/categories"),
                ("get", "/v1/images/{file}"),
                ("post", "/v1/webhooks/toss"),
            ])
            .collect::<Vec<_>>();
        let optional = [
            ("get", "/v1/listings"),
            ("get", "/v1/listings/{listing_id}"),
            ("get", "/v1/members/{account_id}"),
            ("get", "/v1/meeting-places"),
            ("get", "/v1/search/suggestions"),
            ("post", "/graphql"),
        ];
        for (path, item) in json["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                let key = (method.as_str(), path.as_str());
                let security = operation.get("security");
                if optional.contains(&key) {
                    assert_eq!(security, Some(&serde_json::json!([{}, {BEARER: []}])), "{method} {path}");
                } else {
                    assert_eq!(security.is_some(), !public.contains(&key), "{method} {path}");
                }
                if security.is_some() {
                    assert!(operation["responses"].get("401").is_some(), "{method} {path}");
                }
            }
        }
    }

    #[test]
    fn every_error_response_is_a_problem() {
        let json = serde_json::to_value(document()).unwrap();
        for (path, item) in json["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                for (status, response) in operation["responses"].as_object().unwrap() {
                    if status.as_str() >= "400" {
                        let problem = &response["content"][PROBLEM_JSON]["schema"]["$ref"];
                        assert_eq!(problem, "#/components/schemas/Problem", "{method} {path} {status}");
                    }
                }
            }
        }
    }
}
