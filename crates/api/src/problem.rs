//! RFC 9457 problem details: every error the API sends, with a stable code and status.
//!
//! The `code` is the contract for clients; `title` and `detail` are for people. Internal errors are
//! logged with their cause and answered with a bare 500, never with the cause.

use actix_web::{
    HttpResponse, ResponseError,
    http::{StatusCode, header},
};
use jangteo_app::AppError;
use jangteo_domain::{DomainError, ValidationError};
use jangteo_payments::PaymentError;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    App(#[from] AppError),

    /// One or more fields failed validation.
    #[error("the request has invalid fields")]
    Validation(Vec<ValidationError>),

    #[error("authentication is required: {0}")]
    Unauthorized(&'static str),

    #[error("the request body is not valid JSON: {0}")]
    MalformedJson(String),

    #[error("the request body does not match the expected shape: {0}")]
    InvalidBody(String),

    #[error("the request body is too large")]
    PayloadTooLarge,

    #[error("the request body must be application/json")]
    UnsupportedMediaType,

    #[error("invalid query parameters: {0}")]
    InvalidQuery(String),

    #[error("invalid header {0}")]
    InvalidHeader(&'static str),

    #[error("no such resource")]
    RouteNotFound,

    /// The resource exists but not with this method; carries the methods it allows.
    #[error("this resource allows only {0}")]
    MethodNotAllowed(&'static str),

    #[error("too many requests; retry in {} s", .0.as_secs().max(1))]
    RateLimited(std::time::Duration),

    /// The server is stopping: it finishes what it took and takes nothing new.
    #[error("the server is shutting down; retry on another instance")]
    ShuttingDown,
}

impl From<DomainError> for ApiError {
    fn from(error: DomainError) -> Self {
        ApiError::App(AppError::Domain(error))
    }
}

impl From<ValidationError> for ApiError {
    fn from(error: ValidationError) -> Self {
        ApiError::Validation(vec![error])
    }
}

/// One invalid field of a `validation_failed` problem.
#[derive(Serialize, ToSchema)]
pub(crate) struct FieldProblem {
    /// The field's name in the request, e.g. `price`.
    field: &'static str,
    /// What is wrong with it, for people.
    reason: &'static str,
}

/// An RFC 9457 problem: what every error answers, as `application/problem+json`.
#[derive(Serialize, ToSchema)]
#[schema(examples(json!({
    "type": "urn:jangteo:problem:listing_not_available", "title": "Refused", "status": 409,
    "detail": "the listing is reserved, not on sale", "code": "listing_not_available"
})))]
pub(crate) struct Problem<'a> {
    /// `urn:jangteo:problem:<code>`.
    #[serde(rename = "type")]
    #[schema(pattern = "^urn:jangteo:problem:[a-z_]+$")]
    kind: String,
    /// A short summary, for people.
    title: &'a str,
    /// The HTTP status, repeated.
    #[schema(minimum = 400, maximum = 599)]
    status: u16,
    /// What happened in this case, for people; a bare sentence for internal errors.
    detail: String,
    /// The stable code clients branch on (see the responses of each operation).
    #[schema(pattern = "^[a-z_]+$")]
    code: &'a str,
    /// Every invalid field at once, for `validation_failed`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<FieldProblem>,
}

impl ApiError {
    /// The stable code, the HTTP status and a short title.
    fn classify(&self) -> (&'static str, StatusCode, &'static str) {
        use StatusCode as S;
        match self {
            ApiError::App(error) => classify_app(error),
            ApiError::Validation(_) => ("validation_failed", S::UNPROCESSABLE_ENTITY, "Invalid fields"),
            ApiError::Unauthorized(_) => ("unauthorized", S::UNAUTHORIZED, "Authentication required"),
            ApiError::MalformedJson(_) => ("malformed_json", S::BAD_REQUEST, "Malformed JSON"),
            ApiError::InvalidBody(_) => ("invalid_body", S::UNPROCESSABLE_ENTITY, "Unexpected body shape"),
            ApiError::PayloadTooLarge => ("payload_too_large", S::PAYLOAD_TOO_LARGE, "Body too large"),
            ApiError::UnsupportedMediaType => {
                ("unsupported_media_type", S::UNSUPPORTED_MEDIA_TYPE, "Unsupported media type")
            }
            ApiError::InvalidQuery(_) => ("invalid_query", S::BAD_REQUEST, "Invalid query"),
            ApiError::InvalidHeader(_) => ("invalid_header", S::BAD_REQUEST, "Invalid header"),
            ApiError::RouteNotFound => ("not_found", S::NOT_FOUND, "Not found"),
            ApiError::MethodNotAllowed(_) => {
                ("method_not_allowed", S::METHOD_NOT_ALLOWED, "Method not allowed")
            }
            ApiError::RateLimited(_) => ("rate_limited", S::TOO_MANY_REQUESTS, "Too many requests"),
            ApiError::ShuttingDown => ("shutting_down", S::SERVICE_UNAVAILABLE, "Shutting down"),
        }
    }
}

fn classify_app(error: &AppError) -> (&'static str, StatusCode, &'static str) {
    use StatusCode as S;
    match error {
        AppError::Domain(refusal) => {
            let status = match refusal {
                DomainError::Invalid(_)
                | DomainError::BuyerIsSeller
                | DomainError::AmountMismatch { .. }
                | DomainError::ReturnNotAccepted => S::UNPROCESSABLE_ENTITY,
                DomainError::NotFound(_) => S::NOT_FOUND,
                DomainError::Forbidden(_) => S::FORBIDDEN,
                DomainError::AlreadyExists(_)
                | DomainError::ListingNotAvailable { .. }
                | DomainError::InvalidTransition { .. } => S::CONFLICT,
            };
            (refusal.code(), status, "Refused")
        }
        AppError::NotFound => ("not_found", S::NOT_FOUND, "Not found"),
        AppError::EmailTaken => ("email_taken", S::CONFLICT, "E-mail already registered"),
        AppError::InvalidCredentials => ("invalid_credentials", S::UNAUTHORIZED, "Invalid credentials"),
        AppError::IdempotencyKeyReused => {
            ("idempotency_key_reused", S::UNPROCESSABLE_ENTITY, "Idempotency key reused")
        }
        AppError::Contention => ("concurrent_modification", S::CONFLICT, "Changed concurrently"),
        AppError::ListingsTaken(_) => ("listing_not_available", S::CONFLICT, "Listings no longer on sale"),
        AppError::NotCaughtUp(_) => ("not_caught_up", S::SERVICE_UNAVAILABLE, "Read models lagging"),
        AppError::Payment(failure) => {
            let (status, title) = match failure {
                PaymentError::Declined { .. } => (S::PAYMENT_REQUIRED, "Payment declined"),
                PaymentError::AmountMismatch { .. } => (S::UNPROCESSABLE_ENTITY, "Payment amount mismatch"),
                PaymentError::NotFound => (S::UNPROCESSABLE_ENTITY, "Unknown payment"),
                PaymentError::Pending(_) => (S::CONFLICT, "Payment awaiting the deposit"),
                PaymentError::AlreadyProcessed
                | PaymentError::AlreadyRefunded
                | PaymentError::NotRefundable(_) => (S::CONFLICT, "Payment already processed"),
                PaymentError::Unavailable(_) => (S::SERVICE_UNAVAILABLE, "Payment gateway unavailable"),
                PaymentError::Misconfigured(_) => (S::INTERNAL_SERVER_ERROR, "Internal error"),
            };
            (failure.code(), status, title)
        }
        AppError::Store(error) if error.is_saturated() => {
            ("overloaded", S::SERVICE_UNAVAILABLE, "Too busy right now")
        }
        AppError::Store(_) | AppError::ReadModel(_) | AppError::Codec(_) | AppError::Internal { .. } => {
            ("internal_error", S::INTERNAL_SERVER_ERROR, "Internal error")
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.classify().1
    }

    fn error_response(&self) -> HttpResponse {
        let (code, status, title) = self.classify();
        let expected = match self {
            ApiError::App(AppError::NotCaughtUp(_)) | ApiError::ShuttingDown => true,
            ApiError::App(AppError::Store(error)) => error.is_saturated(),
            _ => false,
        };
        let detail = if status.is_server_error() && !expected {
            tracing::error!(error = %self, "request failed");
            "the server could not complete the request; it has been logged".to_owned()
        } else {
            self.to_string()
        };
        let errors = match self {
            ApiError::Validation(errors) => {
                errors.iter().map(|e| FieldProblem { field: e.field, reason: e.reason }).collect()
            }
            ApiError::App(AppError::Domain(DomainError::Invalid(e))) => {
                vec![FieldProblem { field: e.field, reason: e.reason }]
            }
            _ => Vec::new(),
        };
        let problem = Problem {
            kind: format!("urn:jangteo:problem:{code}"),
            title,
            status: status.as_u16(),
            detail,
            code,
            errors,
        };
        let mut response = HttpResponse::build(status);
        response.content_type("application/problem+json");
        match self {
            ApiError::Unauthorized(_) | ApiError::App(AppError::InvalidCredentials) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"jangteo\""));
            }
            ApiError::App(AppError::NotCaughtUp(_)) | ApiError::ShuttingDown => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            ApiError::App(AppError::Store(error)) if error.is_saturated() => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            ApiError::MethodNotAllowed(allow) => {
                response.insert_header((header::ALLOW, *allow));
            }
            ApiError::RateLimited(retry_after) => {
                response.insert_header((header::RETRY_AFTER, retry_after.as_secs().max(1).to_string()));
            }
            _ => {}
        }
        response.json(problem)
    }
}

#[cfg(test)]
mod tests {
    use actix_web::{ResponseError, http::header};
    use jangteo_event_store::EventStoreError;

    use super::*;

    #[test]
    fn a_saturated_store_answers_503_with_retry_after() {
        let error = ApiError::App(AppError::Store(EventStoreError::pool_timed_out()));
        let response = error.error_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers().get(header::RETRY_AFTER).and_then(|v| v.to_str().ok()), Some("1"));
        let other = ApiError::App(AppError::Store(EventStoreError::Corrupt("x".to_owned())));
        assert_eq!(other.error_response().status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
