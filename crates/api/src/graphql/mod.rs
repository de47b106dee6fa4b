//! `POST /graphql`: the read models as one GraphQL schema — listings and their search,
//! categories, members' public profiles, and the caller's own orders.
//!
//! Every resolver answers through the same functions as the REST routes, so both interfaces
//! answer the same, authorise the same (the bearer token is read by the same extractor; a bad
//! token is `401` before any query runs) and refuse the same input with the same stable code,
//! carried in each GraphQL error's `extensions`.

mod objects;
mod query;

use actix_web::{HttpRequest, HttpResponse, http::header::CONTENT_LANGUAGE, web};
use async_graphql::{EmptyMutation, EmptySubscription, ErrorExtensions, Schema};
use jangteo_domain::AccountId;
use serde_json::Value;

use crate::{
    ApiError, ApiState, auth::MaybeAuthenticated, consistency::consistency_position, language::Language,
    openapi::headers::ConsistencyPosition, problem_language::localise,
};

pub(crate) use query::QueryRoot;

/// The schema served at `/graphql`.
pub(crate) type JangteoSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

/// Deeper than any data query needs (four levels: `listings { items { images { url } } }`) and as
/// deep as the standard introspection query goes (twelve), so tools can read the schema; the
/// only recursive type, `Category.children`, cannot be nested past it.
pub(crate) const MAX_DEPTH: usize = 12;

/// Each field costs one, and a list field costs its page size times its selection: a page of
/// 100 listings with ten fields (about 1,100) passes, two such pages in one request do not.
pub(crate) const MAX_COMPLEXITY: usize = 2_000;

/// The schema, with its depth and complexity limits.
pub(crate) fn schema() -> JangteoSchema {
    Schema::build(QueryRoot, EmptyMutation, EmptySubscription)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .finish()
}

/// Who asks, in which language, and how fresh the read models must be: what every resolver
/// reads besides the application services.
pub(crate) struct RequestContext {
    pub(crate) state: web::Data<ApiState>,
    pub(crate) viewer: Option<AccountId>,
    pub(crate) language: Language,
    pub(crate) position: Option<u64>,
}

/// Query listings, search, categories, members' public profiles and the caller's own orders in
/// one GraphQL request (token optional; `order` and `myOrders` need one). The schema is read by
/// introspection; depth is limited to 12 and complexity to 2,000 (a list field costs its `limit`
/// times its selection). Refusals come in `errors[].extensions` with the same `code` as the REST
/// routes'.
#[utoipa::path(
    post, path = "/graphql", operation_id = "graphql", tag = "graphql", security((), ("bearer" = [])),
    params(ConsistencyPosition),
    request_body(content = Object, description = "`{\"query\": \"…\", \"variables\": {…}, \"operationName\": \"…\"}`"),
    responses(
        (status = 200, description = "`{\"data\": {…}, \"errors\": [{\"message\", \"path\", \"extensions\": \
            {\"code\", \"status\", \"title\"}}]}`: the query's answer, and a refusal per field that \
            failed (or for a query past the limits).", body = Object),
    ),
)]
// Errors of the query itself (syntax, unknown fields, limits) and of its resolvers answer `200`
// with `errors`, as GraphQL over HTTP does; a bad token or body is a problem+json like every
// route's.
pub(crate) async fn execute(
    state: web::Data<ApiState>,
    schema: web::Data<JangteoSchema>,
    MaybeAuthenticated(viewer): MaybeAuthenticated,
    language: Language,
    request: HttpRequest,
    body: web::Json<async_graphql::Request>,
) -> Result<HttpResponse, ApiError> {
    let position = consistency_position(&request)?;
    let context = RequestContext { state, viewer, language, position };
    let response = schema.execute(body.into_inner().data(context)).await;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_LANGUAGE, language.tag()))
        .insert_header(("Cache-Control", "no-store"))
        .json(response))
}

/// A refusal as a GraphQL error: the problem's detail as the message, its code, status, title
/// and invalid fields as extensions, in the request's language.
pub(crate) fn graphql_error(error: &ApiError, language: Language) -> async_graphql::Error {
    let mut problem = serde_json::to_value(error.problem()).unwrap_or(Value::Null);
    localise(&mut problem, language);
    let message = problem.get("detail").and_then(Value::as_str).unwrap_or_default().to_owned();
    async_graphql::Error::new(message).extend_with(move |_, extensions| {
        for key in ["code", "status", "title", "errors"] {
            let value =
                problem.get(key).cloned().and_then(|value| async_graphql::Value::from_json(value).ok());
            if let Some(value) = value {
                extensions.set(key, value);
            }
        }
    })
}
