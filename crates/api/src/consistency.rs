//! Headers that tie a request to the log: read-your-writes positions and idempotency keys.

use actix_web::HttpRequest;

use crate::ApiError;

/// `X-Consistency-Position: <n>`: answer only once the read models reflect the log up to `n`.
pub(crate) const CONSISTENCY_POSITION: &str = "x-consistency-position";

/// `Idempotency-Key: <key>`: a retried request with the same key is applied at most once.
pub(crate) const IDEMPOTENCY_KEY: &str = "idempotency-key";

pub(crate) fn consistency_position(request: &HttpRequest) -> Result<Option<u64>, ApiError> {
    let Some(value) = request.headers().get(CONSISTENCY_POSITION) else { return Ok(None) };
    value
        .to_str()
        .ok()
        .and_then(|text| text.trim().parse::<u64>().ok())
        .map(Some)
        .ok_or(ApiError::InvalidHeader("X-Consistency-Position must be a non-negative integer"))
}

/// The idempotency key, if any: 1 to 255 visible ASCII characters.
pub(crate) fn idempotency_key(request: &HttpRequest) -> Result<Option<String>, ApiError> {
    let Some(value) = request.headers().get(IDEMPOTENCY_KEY) else { return Ok(None) };
    let key = value.to_str().map_err(|_| ApiError::InvalidHeader("Idempotency-Key must be visible ASCII"))?;
    let valid = (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic());
    if valid {
        Ok(Some(key.to_owned()))
    } else {
        Err(ApiError::InvalidHeader("Idempotency-Key must be 1-255 visible ASCII characters"))
    }
}
