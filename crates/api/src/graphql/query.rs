//! The query root: each field answers through the function its REST route answers with.

use async_graphql::{Context, ID, InputObject, Object, Result};
use jangteo_domain::{AccountId, ListingId, OrderId};

use super::{
    RequestContext, graphql_error,
    objects::{ListingObject, ListingPageObject, OrderObject, OrderPageObject},
};
use crate::{
    ApiError,
    routes::{
        categories::{CategoryNode, live_tree},
        listings::{SearchParams, listing_body, search_page},
        me::{MemberCard, member_card},
        member_pages::{MyOrdersParams, Role, orders_page},
    },
};

pub(crate) struct QueryRoot;

/// A point on the map, in degrees.
#[derive(InputObject)]
pub(crate) struct PointInput {
    lat: f64,
    lng: f64,
}

/// The request's context, which [`super::execute`] always gives.
fn context<'a>(ctx: &'a Context<'_>) -> Result<&'a RequestContext> {
    ctx.data::<RequestContext>()
}

/// Answers `result`, its refusal as a GraphQL error in the request's language.
fn answer<T>(request: &RequestContext, result: Result<T, ApiError>) -> Result<T> {
    result.map_err(|error| graphql_error(&error, request.language))
}

fn parse_id<T: std::str::FromStr<Err = jangteo_domain::ValidationError>>(raw: &ID) -> Result<T, ApiError> {
    raw.parse::<T>().map_err(ApiError::from)
}

/// The signed-in member, or the refusal every route for members gives without a token.
fn member(request: &RequestContext) -> Result<AccountId, ApiError> {
    request.viewer.ok_or(ApiError::Unauthorized("this field needs a bearer token"))
}

#[Object]
impl QueryRoot {
    /// A listing by id, with its counters, as `GET /v1/listings/{id}` shows it (a look by
    /// anyone but the seller counts as a view). Drafts, pending and rejected listings only for
    /// their seller.
    async fn listing(&self, ctx: &Context<'_>, id: ID) -> Result<ListingObject> {
        let request = context(ctx)?;
        let result = async {
            let listing_id: ListingId = parse_id(&id)?;
            listing_body(&request.state, request.viewer, listing_id, request.position).await
        };
        answer(request, result.await).map(ListingObject::from)
    }

    /// Public listings, as `GET /v1/listings` searches them: the same filters, sorts and
    /// cursor, the same refusals.
    #[graphql(complexity = "limit.map_or(20, |limit| limit as usize) * child_complexity + 1")]
    #[allow(clippy::too_many_arguments, reason = "one argument per search filter, as the REST route")]
    async fn listings(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Words to look for in titles and descriptions (at most 200 characters).")] q: Option<
            String,
        >,
        #[graphql(desc = "A category of the tree: listings in it or under it.")] category: Option<String>,
        #[graphql(desc = "Only listings within `radiusKm` of this point, closest boosted.")] near: Option<
            PointInput,
        >,
        #[graphql(desc = "With `near`: 0.1–100 km (default 5).")] radius_km: Option<f64>,
        #[graphql(desc = "In won.")] min_price: Option<i64>,
        #[graphql(desc = "In won.")] max_price: Option<i64>,
        #[graphql(desc = "Public statuses: on_sale (the default), reserved, sold.")] status: Option<
            Vec<String>,
        >,
        #[graphql(desc = "Only this seller's listings.")] seller: Option<ID>,
        #[graphql(desc = "relevance (the default), newest, distance, price_asc or price_desc.")] sort: Option<
            String,
        >,
        #[graphql(desc = "Page size, 1–100 (default 20).")] limit: Option<u32>,
        #[graphql(desc = "The `nextCursor` of the previous page.")] cursor: Option<String>,
    ) -> Result<ListingPageObject> {
        let request = context(ctx)?;
        let result = async {
            let params = SearchParams {
                q,
                min_price,
                max_price,
                status: status.map(|names| names.join(",")),
                category,
                near: near.map(|point| format!("{},{}", point.lat, point.lng)),
                radius_km,
                seller: seller.as_ref().map(parse_id::<AccountId>).transpose()?,
                sort,
                limit: limit.map(|limit| limit as usize),
                cursor,
            };
            search_page(&request.state, params, request.position).await
        };
        answer(request, result.await).map(ListingPageObject::from)
    }

    /// The live category tree, names in the request's language (`Accept-Language`, Korean by
    /// default), as `GET /v1/categories`.
    async fn categories(&self, ctx: &Context<'_>) -> Result<Vec<CategoryNode>> {
        let request = context(ctx)?;
        answer(request, live_tree(&request.state, request.language).await)
    }

    /// A member's public profile, as `GET /v1/members/{id}`.
    async fn member(&self, ctx: &Context<'_>, id: ID) -> Result<MemberCard> {
        let request = context(ctx)?;
        let result = async { member_card(&request.state, parse_id(&id)?).await };
        answer(request, result.await)
    }

    /// One of the caller's orders, as buyer or seller (a bearer token is needed), as
    /// `GET /v1/orders/{id}`.
    async fn order(&self, ctx: &Context<'_>, id: ID) -> Result<OrderObject> {
        let request = context(ctx)?;
        let result = async {
            let viewer = member(request)?;
            let order_id: OrderId = parse_id(&id)?;
            Ok(request.state.queries.order(viewer, order_id, request.position).await?)
        };
        answer(request, result.await).map(OrderObject::from)
    }

    /// The caller's orders as buyer (the default) or seller, newest first (a bearer token is
    /// needed), as `GET /v1/me/orders`.
    #[graphql(complexity = "limit.map_or(20, |limit| limit as usize) * child_complexity + 1")]
    async fn my_orders(
        &self,
        ctx: &Context<'_>,
        role: Option<Role>,
        #[graphql(desc = "Order statuses (default all), as REST names them: placed, paid, …")] status: Option<
            Vec<String>,
        >,
        #[graphql(desc = "Page size, 1–100 (default 20).")] limit: Option<u32>,
        #[graphql(desc = "The `nextCursor` of the previous page.")] cursor: Option<String>,
    ) -> Result<OrderPageObject> {
        let request = context(ctx)?;
        let result = async {
            let viewer = member(request)?;
            let params = MyOrdersParams { role, status: status.map(|names| names.join(",")), limit, cursor };
            orders_page(&request.state, viewer, params, request.position).await
        };
        answer(request, result.await).map(OrderPageObject::from)
    }
}
