//! The Redis rate limiter against a real Redis: one budget per client, shared by every instance.
//! Prints `SKIPPED (redis unreachable)` without a server, unless `JANGTEO_REQUIRE_SERVICES=1`.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests state expectations with expect/unwrap")]

use std::net::IpAddr;

use jangteo_api::{RateDecision, RateLimiter, RedisRateLimiter};

async fn limiter(prefix: &str, limit: u32) -> Option<RedisRateLimiter> {
    let url = jangteo_test_support::redis_url()?;
    Some(RedisRateLimiter::connect(&url, prefix, limit).await.expect("connecting to the test Redis"))
}

#[tokio::test]
async fn instances_share_one_budget_per_client() {
    // A prefix of its own, so parallel tests and earlier runs never share counters.
    let prefix = format!("jangteo-test-{}", uuid::Uuid::new_v4().simple());
    let Some(first) = limiter(&prefix, 3).await else { return };
    let Some(second) = limiter(&prefix, 3).await else { return };
    let client = IpAddr::from([192, 0, 2, 7]);
    assert_eq!(first.check(client).await, RateDecision::Allowed { remaining: 2 });
    assert_eq!(second.check(client).await, RateDecision::Allowed { remaining: 1 });
    assert_eq!(first.check(client).await, RateDecision::Allowed { remaining: 0 });
    match second.check(client).await {
        RateDecision::Limited { retry_after } => {
            assert!(retry_after.as_secs() <= 60 && retry_after.as_millis() > 0, "{retry_after:?}");
        }
        allowed @ RateDecision::Allowed { .. } => {
            panic!("the fourth request in a window passed: {allowed:?}")
        }
    }
    let other = IpAddr::from([192, 0, 2, 8]);
    assert_eq!(second.check(other).await, RateDecision::Allowed { remaining: 2 });
}

#[tokio::test]
async fn concurrent_requests_are_all_counted() {
    let prefix = format!("jangteo-test-{}", uuid::Uuid::new_v4().simple());
    let Some(limiter) = limiter(&prefix, 50).await else { return };
    let client = IpAddr::from([198, 51, 100, 1]);
    let checks = (0..80).map(|_| {
        let limiter = limiter.clone();
        tokio::spawn(async move { limiter.check(client).await })
    });
    let mut allowed = 0;
    for check in checks.collect::<Vec<_>>() {
        if matches!(check.await.unwrap(), RateDecision::Allowed { .. }) {
            allowed += 1;
        }
    }
    assert_eq!(allowed, 50, "exactly the budget passes, however the requests interleave");
}
