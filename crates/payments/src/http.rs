//! What the HTTP gateways share (compiled with the `toss` or `portone` feature): a client with
//! the policy's timeout, and sending a call again, with the same idempotency key, after failures
//! that may pass.

use reqwest::{RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;

use crate::{PaymentError, RetryPolicy};

/// What to do about an error answer of a gateway.
pub(crate) enum Verdict {
    /// It may pass: try again (the text says what failed).
    Retry(String),
    Fail(PaymentError),
}

impl RetryPolicy {
    /// An HTTP client whose requests give up after [`RetryPolicy::timeout`].
    pub(crate) fn http_client(&self) -> Result<reqwest::Client, PaymentError> {
        reqwest::Client::builder()
            .timeout(self.timeout)
            .build()
            .map_err(|error| PaymentError::Misconfigured(format!("HTTP client: {error}")))
    }

    /// Sends the request `build` makes, again after failures that may pass, and decodes the
    /// success answer. `judge` sorts an error answer (status and body) into retry or failure;
    /// connection failures and timeouts are always retried. `gateway` names it in logs.
    pub(crate) async fn send<T: DeserializeOwned>(
        &self,
        gateway: &str,
        build: impl Fn() -> RequestBuilder,
        judge: impl Fn(StatusCode, &str) -> Verdict,
    ) -> Result<T, PaymentError> {
        let mut last_failure = String::new();
        for attempt in 1..=self.attempts.max(1) {
            if attempt > 1 {
                tokio::time::sleep(self.backoff(attempt - 1)).await;
            }
            let response = match build().send().await {
                Ok(response) => response,
                Err(error) => {
                    tracing::warn!(gateway, attempt, %error, "payment gateway call failed; retrying");
                    last_failure = error.to_string();
                    continue;
                }
            };
            let status = response.status();
            let text = response.text().await.map_err(|error| PaymentError::Unavailable(error.to_string()))?;
            if status.is_success() {
                return serde_json::from_str(&text).map_err(|error| {
                    PaymentError::Unavailable(format!("unexpected {gateway} answer: {error}: {text}"))
                });
            }
            match judge(status, &text) {
                Verdict::Retry(failure) => {
                    tracing::warn!(gateway, attempt, %status, failure, "payment gateway error; retrying");
                    last_failure = failure;
                }
                Verdict::Fail(error) => return Err(error),
            }
        }
        Err(PaymentError::Unavailable(format!(
            "{gateway}: no answer after {} attempts: {last_failure}",
            self.attempts
        )))
    }
}
