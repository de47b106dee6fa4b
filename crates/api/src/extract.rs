//! Extractor configuration: malformed input becomes problem+json, not actix's plain-text errors.

use actix_web::{
    error::{JsonPayloadError, PathError, QueryPayloadError},
    web,
};

use crate::ApiError;

pub(crate) fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default().limit(limit).error_handler(|error, _request| {
        let api_error = match error {
            JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
                ApiError::PayloadTooLarge
            }
            JsonPayloadError::ContentType => ApiError::UnsupportedMediaType,
            JsonPayloadError::Deserialize(error) if error.is_data() => {
                ApiError::InvalidBody(error.to_string())
            }
            JsonPayloadError::Deserialize(error) => ApiError::MalformedJson(error.to_string()),
            other => ApiError::MalformedJson(other.to_string()),
        };
        api_error.into()
    })
}

pub(crate) fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|error, _request| {
        let detail = match error {
            QueryPayloadError::Deserialize(error) => error.to_string(),
            other => other.to_string(),
        };
        ApiError::InvalidQuery(detail).into()
    })
}

/// A path segment that is not a valid id names no resource.
pub(crate) fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_error: PathError, _request| ApiError::RouteNotFound.into())
}
