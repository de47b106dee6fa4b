//! Autocomplete (자동완성) for the search box.

use actix_web::{HttpResponse, web};
use jangteo_domain::ValidationError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{ApiError, ApiState, routes::Fields};

const DEFAULT_SUGGESTIONS: usize = 8;
const MAX_SUGGESTIONS: usize = 20;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct SuggestionParams {
    /// What is typed so far, 1–50 characters: a keystroke prefix (`아이ㅍ`), initials (`ㅇㅇㅍ`)
    /// or Latin letters.
    #[param(min_length = 1, max_length = 50)]
    q: String,
    /// 1–20 (default 8).
    #[param(minimum = 1, maximum = 20)]
    limit: Option<usize>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct SuggestionBody {
    /// What the search box would hold.
    text: String,
    /// `title` (completed from listing titles) or `query` (a popular past search).
    source: &'static str,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct SuggestionPage {
    items: Vec<SuggestionBody>,
}

/// Completions of what is typed, best first, from the titles of listings on sale and from
/// popular past searches (a query is proposed once searched twice); no token needed.
#[utoipa::path(
    get, path = "/v1/search/suggestions", operation_id = "search_suggestions", tag = "listings",
    security((), ("bearer" = [])),
    params(SuggestionParams),
    responses(
        (status = 200, description = "Completions, best first.", body = SuggestionPage),
        (status = 422, description = "- `validation_failed`: an empty or too long `q`, a `limit` out of 1–20"),
    ),
)]
pub(crate) async fn suggest(
    state: web::Data<ApiState>,
    params: web::Query<SuggestionParams>,
) -> Result<HttpResponse, ApiError> {
    let mut fields = Fields::new();
    let typed = params.q.trim();
    if typed.is_empty() || typed.chars().count() > 50 {
        fields.check::<()>(Err(ValidationError::new("q", "must be 1-50 characters")));
    }
    let limit = params.limit.unwrap_or(DEFAULT_SUGGESTIONS);
    if !(1..=MAX_SUGGESTIONS).contains(&limit) {
        fields.check::<()>(Err(ValidationError::new("limit", "must be between 1 and 20")));
    }
    fields.finish()?;
    let items = state
        .queries
        .suggest(typed, limit)
        .await?
        .into_iter()
        .map(|suggestion| SuggestionBody { text: suggestion.text, source: suggestion.source.as_str() })
        .collect();
    Ok(HttpResponse::Ok().json(SuggestionPage { items }))
}
