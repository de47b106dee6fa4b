//! Retrying gateway calls that failed for reasons that may pass: timeouts, lost connections, the
//! gateway's own 5xx. Every retry carries the same idempotency key, so the gateway applies the
//! call at most once. The policy is plain data; the HTTP adapters apply it (`crate::http`).

use std::time::Duration;

/// How often and how patiently a call is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// Wait before the first retry; doubled before each further one.
    pub first_backoff: Duration,
    /// How long one attempt may take.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { attempts: 3, first_backoff: Duration::from_millis(200), timeout: Duration::from_secs(10) }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (1 for the first retry).
    pub fn backoff(&self, retry: u32) -> Duration {
        self.first_backoff.saturating_mul(2_u32.saturating_pow(retry.saturating_sub(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles() {
        let policy =
            RetryPolicy { attempts: 4, first_backoff: Duration::from_millis(100), ..RetryPolicy::default() };
        let waits: Vec<_> = (1..=3).map(|retry| policy.backoff(retry).as_millis()).collect();
        assert_eq!(waits, [100, 200, 400]);
    }
}
