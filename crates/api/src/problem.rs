//! RFC 9457 problem details: every error the API sends, with a stable code and status.
//!
//! The `code` is the contract for clients; `title` and `detail` are for people. Internal errors are
//! logged with their cause and answered with a bare 500, never with the cause.

use actix_web::{
    HttpResponse, ResponseError,
    http::{StatusCode, header},
};
use jangteo_app::AppError;
use jangteo_domain::{CategoryRefusal, DomainError, ValidationError};
use jangteo_geo::GeoError;
use jangteo_media::MediaError;
use jangteo_payments::PaymentError;
use jangteo_social_login::SocialLoginError;
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

    /// `/metrics` asked for by a client it is not served to (see `MetricsAccess`).
    #[error("metrics are not served to this client")]
    MetricsRefused,

    /// A browser's cross-origin request that the CORS policy does not allow (`JANGTEO_CORS_ALLOWED_ORIGINS`).
    #[error("cross-origin request refused: {0}")]
    CorsRefused(String),

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
            ApiError::CorsRefused(_) => ("cors_refused", S::BAD_REQUEST, "Cross-origin request refused"),
            ApiError::MetricsRefused => ("forbidden", S::FORBIDDEN, "Forbidden"),
            ApiError::MethodNotAllowed(_) => {
                ("method_not_allowed", S::METHOD_NOT_ALLOWED, "Method not allowed")
            }
            ApiError::RateLimited(_) => ("rate_limited", S::TOO_MANY_REQUESTS, "Too many requests"),
            ApiError::ShuttingDown => ("shutting_down", S::SERVICE_UNAVAILABLE, "Shutting down"),
        }
    }
}

/// Every stable code the API answers with, and its status: the contract `docs/api.md` lists. A
/// debug build refuses to send a code that is not here, and the tests below hold the table
/// against every kind of error in turn.
pub(crate) const CODES: &[(&str, StatusCode)] = &[
    ("malformed_json", StatusCode::BAD_REQUEST),
    ("invalid_query", StatusCode::BAD_REQUEST),
    ("cors_refused", StatusCode::BAD_REQUEST),
    ("invalid_header", StatusCode::BAD_REQUEST),
    ("invalid_reset_token", StatusCode::BAD_REQUEST),
    ("invalid_redirect_uri", StatusCode::BAD_REQUEST),
    ("invalid_oauth_state", StatusCode::BAD_REQUEST),
    ("invalid_link_token", StatusCode::BAD_REQUEST),
    ("social_sign_in_denied", StatusCode::BAD_REQUEST),
    ("social_code_refused", StatusCode::BAD_REQUEST),
    ("unauthorized", StatusCode::UNAUTHORIZED),
    ("invalid_mfa_token", StatusCode::UNAUTHORIZED),
    ("invalid_mfa_code", StatusCode::UNAUTHORIZED),
    ("fresh_sign_in_required", StatusCode::UNAUTHORIZED),
    ("invalid_credentials", StatusCode::UNAUTHORIZED),
    ("invalid_refresh_token", StatusCode::UNAUTHORIZED),
    ("refresh_token_reused", StatusCode::UNAUTHORIZED),
    ("payment_declined", StatusCode::PAYMENT_REQUIRED),
    ("forbidden", StatusCode::FORBIDDEN),
    ("not_found", StatusCode::NOT_FOUND),
    ("social_provider_not_configured", StatusCode::NOT_FOUND),
    ("method_not_allowed", StatusCode::METHOD_NOT_ALLOWED),
    ("already_exists", StatusCode::CONFLICT),
    ("email_taken", StatusCode::CONFLICT),
    ("mfa_already_enabled", StatusCode::CONFLICT),
    ("mfa_not_pending", StatusCode::CONFLICT),
    ("mfa_not_enabled", StatusCode::CONFLICT),
    ("open_trades", StatusCode::CONFLICT),
    ("no_phone_verification", StatusCode::CONFLICT),
    ("listing_not_available", StatusCode::CONFLICT),
    ("bump_too_soon", StatusCode::CONFLICT),
    ("review_window_closed", StatusCode::CONFLICT),
    ("invalid_state_transition", StatusCode::CONFLICT),
    ("concurrent_modification", StatusCode::CONFLICT),
    ("payment_pending", StatusCode::CONFLICT),
    ("payment_already_processed", StatusCode::CONFLICT),
    ("payment_already_refunded", StatusCode::CONFLICT),
    ("payment_not_refundable", StatusCode::CONFLICT),
    ("category_too_deep", StatusCode::CONFLICT),
    ("category_cycle", StatusCode::CONFLICT),
    ("category_name_taken", StatusCode::CONFLICT),
    ("category_has_children", StatusCode::CONFLICT),
    ("category_retired", StatusCode::CONFLICT),
    ("category_tree_seeded", StatusCode::CONFLICT),
    ("payload_too_large", StatusCode::PAYLOAD_TOO_LARGE),
    ("image_too_large", StatusCode::PAYLOAD_TOO_LARGE),
    ("unsupported_image", StatusCode::UNSUPPORTED_MEDIA_TYPE),
    ("invalid_image", StatusCode::UNPROCESSABLE_ENTITY),
    ("unsupported_media_type", StatusCode::UNSUPPORTED_MEDIA_TYPE),
    ("validation_failed", StatusCode::UNPROCESSABLE_ENTITY),
    ("invalid_body", StatusCode::UNPROCESSABLE_ENTITY),
    ("invalid_phone_code", StatusCode::UNPROCESSABLE_ENTITY),
    ("consent_required", StatusCode::UNPROCESSABLE_ENTITY),
    ("verified_email_required", StatusCode::UNPROCESSABLE_ENTITY),
    ("buyer_is_seller", StatusCode::UNPROCESSABLE_ENTITY),
    ("amount_mismatch", StatusCode::UNPROCESSABLE_ENTITY),
    ("return_not_accepted", StatusCode::UNPROCESSABLE_ENTITY),
    ("category_not_leaf", StatusCode::UNPROCESSABLE_ENTITY),
    ("unknown_category", StatusCode::UNPROCESSABLE_ENTITY),
    ("payment_not_found", StatusCode::UNPROCESSABLE_ENTITY),
    ("idempotency_key_reused", StatusCode::UNPROCESSABLE_ENTITY),
    ("rate_limited", StatusCode::TOO_MANY_REQUESTS),
    ("too_many_attempts", StatusCode::TOO_MANY_REQUESTS),
    ("internal_error", StatusCode::INTERNAL_SERVER_ERROR),
    ("payment_gateway_misconfigured", StatusCode::INTERNAL_SERVER_ERROR),
    ("social_provider_unavailable", StatusCode::BAD_GATEWAY),
    ("social_provider_invalid_answer", StatusCode::BAD_GATEWAY),
    ("not_caught_up", StatusCode::SERVICE_UNAVAILABLE),
    ("read_model_unavailable", StatusCode::SERVICE_UNAVAILABLE),
    ("overloaded", StatusCode::SERVICE_UNAVAILABLE),
    ("payment_gateway_unavailable", StatusCode::SERVICE_UNAVAILABLE),
    ("geocoder_unavailable", StatusCode::SERVICE_UNAVAILABLE),
    ("shutting_down", StatusCode::SERVICE_UNAVAILABLE),
];

/// The headers every answer carries: no MIME sniffing, no framing by another site
/// (`X-Frame-Options` and CSP `frame-ancestors`), no referrer passed on.
pub(crate) const SECURITY_HEADERS: [(&str, &str); 4] = [
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("content-security-policy", "frame-ancestors 'none'"),
    ("referrer-policy", "no-referrer"),
];

pub(crate) fn add_security_headers(headers: &mut actix_web::http::header::HeaderMap) {
    use actix_web::http::header::{HeaderName, HeaderValue};
    for (name, value) in SECURITY_HEADERS {
        headers.insert(HeaderName::from_static(name), HeaderValue::from_static(value));
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
                // A listing's category or a new parent that is not in the tree is bad input;
                // the rest are conflicts with the tree as it is.
                DomainError::Category(CategoryRefusal::Unknown | CategoryRefusal::NotLeaf) => {
                    S::UNPROCESSABLE_ENTITY
                }
                DomainError::AlreadyExists(_)
                | DomainError::ListingNotAvailable { .. }
                | DomainError::InvalidTransition { .. }
                | DomainError::BumpTooSoon { .. }
                | DomainError::ReviewWindowClosed { .. }
                | DomainError::Category(_) => S::CONFLICT,
            };
            (refusal.code(), status, "Refused")
        }
        AppError::NotFound => ("not_found", S::NOT_FOUND, "Not found"),
        AppError::EmailTaken => ("email_taken", S::CONFLICT, "E-mail already registered"),
        AppError::InvalidCredentials => ("invalid_credentials", S::UNAUTHORIZED, "Invalid credentials"),
        AppError::InvalidRefreshToken => ("invalid_refresh_token", S::UNAUTHORIZED, "Invalid refresh token"),
        AppError::RefreshTokenReused => ("refresh_token_reused", S::UNAUTHORIZED, "Refresh token reused"),
        AppError::InvalidResetToken => ("invalid_reset_token", S::BAD_REQUEST, "Invalid password-reset link"),
        AppError::InvalidMfaToken => ("invalid_mfa_token", S::UNAUTHORIZED, "Invalid sign-in challenge"),
        AppError::InvalidMfaCode => ("invalid_mfa_code", S::UNAUTHORIZED, "Invalid code"),
        AppError::FreshSignInRequired => ("fresh_sign_in_required", S::UNAUTHORIZED, "Sign in again"),
        AppError::MfaAlreadyEnabled => ("mfa_already_enabled", S::CONFLICT, "Two-factor sign-in already on"),
        AppError::MfaNotPending => ("mfa_not_pending", S::CONFLICT, "No two-factor setup to confirm"),
        AppError::MfaNotEnabled => ("mfa_not_enabled", S::CONFLICT, "Two-factor sign-in not on"),
        AppError::OpenTrades => ("open_trades", S::CONFLICT, "Orders in progress"),
        AppError::InvalidPhoneCode { .. } => ("invalid_phone_code", S::UNPROCESSABLE_ENTITY, "Wrong code"),
        AppError::NoPhoneVerification => {
            ("no_phone_verification", S::CONFLICT, "No phone verification under way")
        }
        AppError::IdempotencyKeyReused => {
            ("idempotency_key_reused", S::UNPROCESSABLE_ENTITY, "Idempotency key reused")
        }
        AppError::SocialProviderNotConfigured => {
            ("social_provider_not_configured", S::NOT_FOUND, "Provider not available")
        }
        AppError::InvalidRedirectUri => ("invalid_redirect_uri", S::BAD_REQUEST, "Unregistered redirect URI"),
        AppError::InvalidOAuthState => ("invalid_oauth_state", S::BAD_REQUEST, "Unknown sign-in answer"),
        AppError::SocialSignInDenied(_) => ("social_sign_in_denied", S::BAD_REQUEST, "Sign-in refused"),
        AppError::VerifiedEmailRequired => {
            ("verified_email_required", S::UNPROCESSABLE_ENTITY, "No verified e-mail address")
        }
        AppError::ConsentRequired => ("consent_required", S::UNPROCESSABLE_ENTITY, "Consents required"),
        AppError::InvalidLinkToken => ("invalid_link_token", S::BAD_REQUEST, "Invalid link offer"),
        AppError::SocialLogin(failure) => match failure {
            SocialLoginError::CodeRefused(_) => ("social_code_refused", S::BAD_REQUEST, "Code refused"),
            SocialLoginError::Unavailable(_) => {
                ("social_provider_unavailable", S::BAD_GATEWAY, "Provider unavailable")
            }
            SocialLoginError::InvalidAnswer(_) => {
                ("social_provider_invalid_answer", S::BAD_GATEWAY, "Provider's answer invalid")
            }
        },
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
        AppError::Photo(failure) => classify_photo(failure),
        AppError::Geocoder(GeoError::Unavailable { .. }) => {
            ("geocoder_unavailable", S::SERVICE_UNAVAILABLE, "Geocoder unavailable")
        }
        AppError::Store(error) if error.is_saturated() => {
            ("overloaded", S::SERVICE_UNAVAILABLE, "Too busy right now")
        }
        AppError::Overloaded => ("overloaded", S::SERVICE_UNAVAILABLE, "Too busy right now"),
        AppError::TooManyAttempts { .. } => {
            ("too_many_attempts", S::TOO_MANY_REQUESTS, "Too many failed sign-ins")
        }
        AppError::ReadModel(error) if error.is_unavailable() => {
            ("read_model_unavailable", S::SERVICE_UNAVAILABLE, "Read model unavailable")
        }
        AppError::Store(_)
        | AppError::ReadModel(_)
        | AppError::Identity(_)
        | AppError::Codec(_)
        | AppError::Geocoder(_)
        | AppError::Internal { .. } => ("internal_error", S::INTERNAL_SERVER_ERROR, "Internal error"),
    }
}

/// A refused photo is the upload's fault; a store that failed is the server's.
fn classify_photo(failure: &MediaError) -> (&'static str, StatusCode, &'static str) {
    use StatusCode as S;
    match failure {
        MediaError::TooLarge { .. } => ("image_too_large", S::PAYLOAD_TOO_LARGE, "Photo too large"),
        MediaError::UnsupportedFormat => {
            ("unsupported_image", S::UNSUPPORTED_MEDIA_TYPE, "Not a JPEG, PNG, WebP or HEIC photo")
        }
        MediaError::Malformed { .. } | MediaError::TooManyPixels { .. } | MediaError::Undecodable { .. } => {
            ("invalid_image", S::UNPROCESSABLE_ENTITY, "Broken photo")
        }
        _ => ("internal_error", S::INTERNAL_SERVER_ERROR, "Internal error"),
    }
}

impl ApiError {
    /// A 5xx that is no fault of this server's code but a passing condition (a lagging or
    /// unreachable read model, a saturated store, a stop): answered with `Retry-After: 1`, and not
    /// logged as an error.
    fn is_transient(&self) -> bool {
        match self {
            ApiError::App(
                AppError::NotCaughtUp(_)
                | AppError::Overloaded
                | AppError::Geocoder(GeoError::Unavailable { .. }),
            )
            | ApiError::ShuttingDown => true,
            ApiError::App(AppError::Store(error)) => error.is_saturated(),
            ApiError::App(AppError::ReadModel(error)) => error.is_unavailable(),
            _ => false,
        }
    }

    /// The problem this error answers with, in English (and logged, for a server's fault).
    pub(crate) fn problem(&self) -> Problem<'static> {
        let (code, status, title) = self.classify();
        debug_assert!(CODES.contains(&(code, status)), "{code} ({status}) is missing from problem::CODES");
        let detail = match self {
            // The cause names the backend and its driver's words: for operators, not clients.
            ApiError::App(AppError::ReadModel(error)) if error.is_unavailable() => {
                tracing::warn!(%error, "a read model is unavailable");
                "a read model this request reads is unavailable right now; retry shortly".to_owned()
            }
            _ if status.is_server_error() && !self.is_transient() => {
                tracing::error!(error = %self, "request failed");
                "the server could not complete the request; it has been logged".to_owned()
            }
            _ => self.to_string(),
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
        Problem {
            kind: format!("urn:jangteo:problem:{code}"),
            title,
            status: status.as_u16(),
            detail,
            code,
            errors,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.classify().1
    }

    fn error_response(&self) -> HttpResponse {
        let problem = self.problem();
        let status = self.status_code();
        let mut response = HttpResponse::build(status);
        response.content_type("application/problem+json");
        for (name, value) in SECURITY_HEADERS {
            response.insert_header((name, value));
        }
        match self {
            ApiError::Unauthorized(_)
            | ApiError::App(
                AppError::InvalidCredentials
                | AppError::InvalidRefreshToken
                | AppError::RefreshTokenReused
                | AppError::InvalidMfaToken
                | AppError::InvalidMfaCode
                | AppError::FreshSignInRequired,
            ) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"jangteo\""));
            }
            _ if self.is_transient() => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            ApiError::MethodNotAllowed(allow) => {
                response.insert_header((header::ALLOW, *allow));
            }
            ApiError::RateLimited(retry_after) | ApiError::App(AppError::TooManyAttempts { retry_after }) => {
                response.insert_header((header::RETRY_AFTER, retry_after.as_secs().max(1).to_string()));
            }
            _ => {}
        }
        response.json(problem)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, clippy::unwrap_used, reason = "a failed expectation is a failed test")]

    use std::{collections::BTreeSet, time::Duration};

    use actix_web::{ResponseError, http::header};
    use jangteo_domain::{EventCodecError, Forbidden, Kind, ListingId};
    use jangteo_event_store::EventStoreError;
    use jangteo_read_models::ReadModelError;

    use super::*;

    /// A read model's call that ran past its deadline, as the MongoDB adapter reports it.
    async fn timed_out() -> ReadModelError {
        let source = tokio::time::timeout(Duration::ZERO, std::future::pending::<()>())
            .await
            .expect_err("a pending future never finishes");
        ReadModelError::TimedOut {
            service: "MongoDB",
            operation: "reading a document",
            limit: Duration::from_secs(30),
            source,
        }
    }

    /// One error of every kind the API answers, and of every distinction its table makes (a
    /// saturated store and a failing one, say). Codes no request can provoke without injecting a
    /// fault are asserted here only, at the API layer: `already_exists` (ids are the server's),
    /// `concurrent_modification` (16 lost races in a row), `overloaded` (a saturated store),
    /// `payment_already_refunded` and `payment_not_refundable` (refunds run in the process
    /// manager, not in a request), `internal_error`.
    async fn one_of_each() -> Vec<ApiError> {
        let domain = |refusal: DomainError| ApiError::App(AppError::Domain(refusal));
        let payment = |failure: PaymentError| ApiError::App(AppError::Payment(failure));
        vec![
            ApiError::Validation(vec![ValidationError::new("price", "must be positive")]),
            ApiError::Unauthorized("no token"),
            ApiError::MalformedJson("EOF".to_owned()),
            ApiError::InvalidBody("price: expected an integer".to_owned()),
            ApiError::PayloadTooLarge,
            ApiError::UnsupportedMediaType,
            ApiError::InvalidQuery("limit".to_owned()),
            ApiError::InvalidHeader("X-Consistency-Position"),
            ApiError::RouteNotFound,
            ApiError::CorsRefused("origin is not allowed".to_owned()),
            ApiError::MetricsRefused,
            ApiError::MethodNotAllowed("GET"),
            ApiError::RateLimited(Duration::from_secs(30)),
            ApiError::ShuttingDown,
            domain(DomainError::Invalid(ValidationError::new("title", "is empty"))),
            domain(DomainError::NotFound(Kind::Order)),
            domain(DomainError::AlreadyExists(Kind::Listing)),
            domain(DomainError::Forbidden(Forbidden::NotSeller)),
            domain(DomainError::BuyerIsSeller),
            domain(DomainError::ListingNotAvailable { status: "reserved" }),
            domain(DomainError::InvalidTransition { kind: Kind::Order, action: "ship", status: "placed" }),
            domain(DomainError::AmountMismatch { expected: 10, given: 9 }),
            domain(DomainError::ReturnNotAccepted),
            domain(DomainError::BumpTooSoon { next_at: chrono::DateTime::UNIX_EPOCH }),
            domain(DomainError::ReviewWindowClosed { closed_at: chrono::DateTime::UNIX_EPOCH }),
            domain(DomainError::Category(CategoryRefusal::TooDeep)),
            domain(DomainError::Category(CategoryRefusal::Cycle)),
            domain(DomainError::Category(CategoryRefusal::NameTaken)),
            domain(DomainError::Category(CategoryRefusal::HasChildren)),
            domain(DomainError::Category(CategoryRefusal::Retired)),
            domain(DomainError::Category(CategoryRefusal::NotLeaf)),
            domain(DomainError::Category(CategoryRefusal::Unknown)),
            domain(DomainError::Category(CategoryRefusal::AlreadySeeded)),
            ApiError::App(AppError::NotFound),
            ApiError::App(AppError::EmailTaken),
            ApiError::App(AppError::InvalidCredentials),
            ApiError::App(AppError::InvalidRefreshToken),
            ApiError::App(AppError::RefreshTokenReused),
            ApiError::App(AppError::InvalidResetToken),
            ApiError::App(AppError::InvalidMfaToken),
            ApiError::App(AppError::InvalidMfaCode),
            ApiError::App(AppError::FreshSignInRequired),
            ApiError::App(AppError::MfaAlreadyEnabled),
            ApiError::App(AppError::MfaNotPending),
            ApiError::App(AppError::MfaNotEnabled),
            ApiError::App(AppError::OpenTrades),
            ApiError::App(AppError::InvalidPhoneCode { attempts_left: 3 }),
            ApiError::App(AppError::NoPhoneVerification),
            ApiError::App(AppError::IdempotencyKeyReused),
            ApiError::App(AppError::SocialProviderNotConfigured),
            ApiError::App(AppError::InvalidRedirectUri),
            ApiError::App(AppError::InvalidOAuthState),
            ApiError::App(AppError::SocialSignInDenied("access_denied".to_owned())),
            ApiError::App(AppError::VerifiedEmailRequired),
            ApiError::App(AppError::ConsentRequired),
            ApiError::App(AppError::InvalidLinkToken),
            ApiError::App(AppError::SocialLogin(SocialLoginError::CodeRefused("invalid_grant".to_owned()))),
            ApiError::App(AppError::SocialLogin(SocialLoginError::Unavailable("timed out".to_owned()))),
            ApiError::App(AppError::SocialLogin(SocialLoginError::InvalidAnswer("nonce".to_owned()))),
            ApiError::App(AppError::ListingsTaken(vec![ListingId::from_uuid(uuid::Uuid::nil())])),
            ApiError::App(AppError::Contention),
            ApiError::App(AppError::Overloaded),
            ApiError::App(AppError::TooManyAttempts { retry_after: Duration::from_secs(600) }),
            ApiError::App(AppError::NotCaughtUp(7)),
            ApiError::App(AppError::Photo(MediaError::TooLarge { size: 11, limit: 10 })),
            ApiError::App(AppError::Photo(MediaError::UnsupportedFormat)),
            ApiError::App(AppError::Geocoder(GeoError::Unavailable {
                reason: "timed out".into(),
                source: None,
            })),
            ApiError::App(AppError::Photo(MediaError::Malformed {
                kind: jangteo_media::ImageKind::Png,
                reason: "no IHDR",
            })),
            payment(PaymentError::Declined {
                code: "REJECT_CARD_PAYMENT".to_owned(),
                message: "한도초과".to_owned(),
            }),
            payment(PaymentError::AmountMismatch { expected: 10, reported: 1 }),
            payment(PaymentError::NotFound),
            payment(PaymentError::Pending("WAITING_FOR_DEPOSIT".to_owned())),
            payment(PaymentError::AlreadyProcessed),
            payment(PaymentError::AlreadyRefunded),
            payment(PaymentError::NotRefundable("NOT_CANCELABLE_AMOUNT".to_owned())),
            payment(PaymentError::Unavailable("timed out".to_owned())),
            payment(PaymentError::Misconfigured("UNAUTHORIZED_KEY".to_owned())),
            ApiError::App(AppError::Store(EventStoreError::Saturated)),
            ApiError::App(AppError::Store(EventStoreError::Corrupt("x".to_owned()))),
            ApiError::App(AppError::ReadModel(timed_out().await)),
            ApiError::App(AppError::ReadModel(ReadModelError::Corrupt("x".to_owned()))),
            ApiError::App(AppError::Identity(jangteo_identity::IdentityError::NoDataKey)),
            ApiError::App(AppError::Codec(EventCodecError::NotAnObject)),
            ApiError::App(AppError::internal("testing", "a cause")),
        ]
    }

    /// The code of each kind of error, spelled out once more. The match is exhaustive down to
    /// the variants of the domain's, the application's and the gateways' errors: a new variant
    /// does not compile until it is named here with its code, which must then be in `CODES` (and
    /// in `docs/api.md`), and an error of its kind belongs in `one_of_each`.
    #[allow(clippy::too_many_lines, reason = "one arm per kind of error, exhaustive on purpose")]
    fn expected_code(error: &ApiError) -> &'static str {
        match error {
            ApiError::App(error) => match error {
                AppError::Domain(refusal) => match refusal {
                    DomainError::Invalid(_) => "validation_failed",
                    DomainError::NotFound(_) => "not_found",
                    DomainError::AlreadyExists(_) => "already_exists",
                    DomainError::Forbidden(_) => "forbidden",
                    DomainError::BuyerIsSeller => "buyer_is_seller",
                    DomainError::ListingNotAvailable { .. } => "listing_not_available",
                    DomainError::InvalidTransition { .. } => "invalid_state_transition",
                    DomainError::AmountMismatch { .. } => "amount_mismatch",
                    DomainError::ReturnNotAccepted => "return_not_accepted",
                    DomainError::BumpTooSoon { .. } => "bump_too_soon",
                    DomainError::ReviewWindowClosed { .. } => "review_window_closed",
                    DomainError::Category(refusal) => match refusal {
                        CategoryRefusal::TooDeep => "category_too_deep",
                        CategoryRefusal::Cycle => "category_cycle",
                        CategoryRefusal::NameTaken => "category_name_taken",
                        CategoryRefusal::HasChildren => "category_has_children",
                        CategoryRefusal::Retired => "category_retired",
                        CategoryRefusal::NotLeaf => "category_not_leaf",
                        CategoryRefusal::Unknown => "unknown_category",
                        CategoryRefusal::AlreadySeeded => "category_tree_seeded",
                    },
                },
                AppError::NotFound => "not_found",
                AppError::EmailTaken => "email_taken",
                AppError::InvalidCredentials => "invalid_credentials",
                AppError::InvalidRefreshToken => "invalid_refresh_token",
                AppError::RefreshTokenReused => "refresh_token_reused",
                AppError::InvalidResetToken => "invalid_reset_token",
                AppError::InvalidMfaToken => "invalid_mfa_token",
                AppError::InvalidMfaCode => "invalid_mfa_code",
                AppError::FreshSignInRequired => "fresh_sign_in_required",
                AppError::MfaAlreadyEnabled => "mfa_already_enabled",
                AppError::MfaNotPending => "mfa_not_pending",
                AppError::MfaNotEnabled => "mfa_not_enabled",
                AppError::OpenTrades => "open_trades",
                AppError::InvalidPhoneCode { .. } => "invalid_phone_code",
                AppError::NoPhoneVerification => "no_phone_verification",
                AppError::IdempotencyKeyReused => "idempotency_key_reused",
                AppError::SocialProviderNotConfigured => "social_provider_not_configured",
                AppError::InvalidRedirectUri => "invalid_redirect_uri",
                AppError::InvalidOAuthState => "invalid_oauth_state",
                AppError::SocialSignInDenied(_) => "social_sign_in_denied",
                AppError::VerifiedEmailRequired => "verified_email_required",
                AppError::ConsentRequired => "consent_required",
                AppError::InvalidLinkToken => "invalid_link_token",
                AppError::SocialLogin(failure) => match failure {
                    SocialLoginError::CodeRefused(_) => "social_code_refused",
                    SocialLoginError::Unavailable(_) => "social_provider_unavailable",
                    SocialLoginError::InvalidAnswer(_) => "social_provider_invalid_answer",
                },
                AppError::ListingsTaken(_) => "listing_not_available",
                AppError::Contention => "concurrent_modification",
                AppError::Overloaded => "overloaded",
                AppError::TooManyAttempts { .. } => "too_many_attempts",
                AppError::Payment(failure) => match failure {
                    PaymentError::Declined { .. } => "payment_declined",
                    PaymentError::AmountMismatch { .. } => "amount_mismatch",
                    PaymentError::NotFound => "payment_not_found",
                    PaymentError::Pending(_) => "payment_pending",
                    PaymentError::AlreadyProcessed => "payment_already_processed",
                    PaymentError::AlreadyRefunded => "payment_already_refunded",
                    PaymentError::NotRefundable(_) => "payment_not_refundable",
                    PaymentError::Unavailable(_) => "payment_gateway_unavailable",
                    PaymentError::Misconfigured(_) => "payment_gateway_misconfigured",
                },
                AppError::NotCaughtUp(_) => "not_caught_up",
                AppError::Photo(failure) => match failure {
                    MediaError::TooLarge { .. } => "image_too_large",
                    MediaError::UnsupportedFormat => "unsupported_image",
                    MediaError::Malformed { .. }
                    | MediaError::TooManyPixels { .. }
                    | MediaError::Undecodable { .. } => "invalid_image",
                    _ => "internal_error",
                },
                AppError::Geocoder(GeoError::Unavailable { .. }) => "geocoder_unavailable",
                AppError::Store(error) if error.is_saturated() => "overloaded",
                AppError::ReadModel(error) if error.is_unavailable() => "read_model_unavailable",
                AppError::Store(_)
                | AppError::ReadModel(_)
                | AppError::Identity(_)
                | AppError::Codec(_)
                | AppError::Geocoder(_)
                | AppError::Internal { .. } => "internal_error",
            },
            ApiError::Validation(_) => "validation_failed",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::MalformedJson(_) => "malformed_json",
            ApiError::InvalidBody(_) => "invalid_body",
            ApiError::PayloadTooLarge => "payload_too_large",
            ApiError::UnsupportedMediaType => "unsupported_media_type",
            ApiError::InvalidQuery(_) => "invalid_query",
            ApiError::InvalidHeader(_) => "invalid_header",
            ApiError::RouteNotFound => "not_found",
            ApiError::CorsRefused(_) => "cors_refused",
            ApiError::MetricsRefused => "forbidden",
            ApiError::MethodNotAllowed(_) => "method_not_allowed",
            ApiError::RateLimited(_) => "rate_limited",
            ApiError::ShuttingDown => "shutting_down",
        }
    }

    #[tokio::test]
    async fn every_error_answers_a_code_of_the_table_with_its_status() {
        let mut answered = BTreeSet::new();
        for error in one_of_each().await {
            let (code, status, _) = error.classify();
            assert_eq!(code, expected_code(&error), "{error:?}");
            assert!(CODES.contains(&(code, status)), "{code} ({status}) for {error:?} is not in CODES");
            let response = error.error_response();
            assert_eq!(response.status(), status, "{error:?}");
            answered.insert(code);
        }
        let listed: BTreeSet<&str> = CODES.iter().map(|(code, _)| *code).collect();
        assert_eq!(listed.len(), CODES.len(), "a code is listed twice");
        let never: Vec<_> = listed.difference(&answered).collect();
        assert!(never.is_empty(), "CODES lists codes no error answers with: {never:?}");
    }

    #[test]
    fn the_reference_lists_every_code_with_its_status() {
        let reference = include_str!("../../../docs/api.md");
        let errors = reference.split("\n## Errors").nth(1).expect("docs/api.md has an Errors section");
        for (code, status) in CODES {
            let row = errors
                .lines()
                .filter(|line| line.starts_with('|'))
                .find(|line| line.split('|').nth(1).is_some_and(|codes| codes.contains(&format!("`{code}`"))))
                .unwrap_or_else(|| panic!("docs/api.md's problem table does not list `{code}`"));
            let documented = row.split('|').nth(2).unwrap().trim();
            assert_eq!(documented, status.as_str(), "docs/api.md's status of `{code}`");
        }
    }

    /// A response's `Retry-After`, if any.
    fn retry_after(error: &ApiError) -> Option<String> {
        let response = error.error_response();
        response.headers().get(header::RETRY_AFTER).map(|value| value.to_str().unwrap().to_owned())
    }

    #[test]
    fn a_saturated_store_answers_503_with_retry_after() {
        let error = ApiError::App(AppError::Store(EventStoreError::pool_timed_out()));
        let response = error.error_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(retry_after(&error).as_deref(), Some("1"));
        let other = ApiError::App(AppError::Store(EventStoreError::Corrupt("x".to_owned())));
        assert_eq!(other.error_response().status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(retry_after(&other), None);
    }

    #[tokio::test]
    async fn a_read_model_that_does_not_answer_is_503_with_retry_after_and_no_cause() {
        let error = ApiError::App(AppError::ReadModel(timed_out().await));
        assert_eq!(
            error.classify(),
            ("read_model_unavailable", StatusCode::SERVICE_UNAVAILABLE, "Read model unavailable")
        );
        assert_eq!(retry_after(&error).as_deref(), Some("1"));
        let body = actix_web::body::to_bytes(error.error_response().into_body()).await.unwrap();
        let problem: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(problem["code"], "read_model_unavailable");
        let detail = problem["detail"].as_str().unwrap();
        assert!(!detail.contains("MongoDB") && !detail.contains("reading a document"), "{detail}");
        // A read model that answers wrongly is a fault of ours, not a passing one.
        let corrupt = ApiError::App(AppError::ReadModel(ReadModelError::Corrupt("bad row".to_owned())));
        assert_eq!(corrupt.classify().0, "internal_error");
        assert_eq!(retry_after(&corrupt), None);
    }

    /// The refunds' refusals happen in the process manager, which logs them; should a request
    /// ever meet one, it is a 409 the client can read, like an already processed payment.
    #[test]
    fn refunds_refused_by_the_gateway_are_conflicts() {
        for (failure, code) in [
            (PaymentError::AlreadyRefunded, "payment_already_refunded"),
            (PaymentError::NotRefundable("NOT_CANCELABLE_AMOUNT".to_owned()), "payment_not_refundable"),
        ] {
            let error = ApiError::App(AppError::Payment(failure));
            assert_eq!(error.classify().0, code);
            assert_eq!(error.error_response().status(), StatusCode::CONFLICT);
        }
    }

    #[test]
    fn contention_and_duplicates_are_conflicts_without_retry_after() {
        for (error, code) in [
            (ApiError::App(AppError::Contention), "concurrent_modification"),
            (ApiError::from(DomainError::AlreadyExists(Kind::Listing)), "already_exists"),
        ] {
            assert_eq!(error.classify().0, code);
            assert_eq!(error.error_response().status(), StatusCode::CONFLICT);
            assert_eq!(retry_after(&error), None);
        }
    }
}
