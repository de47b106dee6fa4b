//! The request headers that tie a request to the log, as OpenAPI parameters (read by
//! [`crate::consistency`]).

#![allow(dead_code, reason = "the types exist for their parameters; nothing constructs them")]

use utoipa::IntoParams;

/// `Idempotency-Key`, taken by the order commands and the cart checkout.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub(crate) struct IdempotencyKey {
    /// 1–255 visible ASCII characters. The same member repeating the same operation with the same
    /// key gets the first answer again (with `Idempotent-Replayed: true`) and nothing is appended
    /// twice; the key reused for a different request is `422 idempotency_key_reused`.
    #[param(rename = "Idempotency-Key", value_type = String, required = false, min_length = 1, max_length = 255,
        pattern = "^[!-~]+$")]
    idempotency_key: Option<String>,
}

/// `X-Consistency-Position`, taken by the queries of the read models.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub(crate) struct ConsistencyPosition {
    /// Answer only once every projection has applied the log up to this position (a command's
    /// `position`); waits at most 2 s, then `503 not_caught_up` with `Retry-After: 1`.
    #[param(rename = "X-Consistency-Position", value_type = u64, required = false, minimum = 0)]
    x_consistency_position: Option<u64>,
}
