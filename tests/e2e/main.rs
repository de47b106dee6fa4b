//! End-to-end tests: the real `jangteo` binary, spawned on a random port, driven over HTTP.
//!
//! Each test gets its own data directory (and, for PostgreSQL, its own database), so tests run in
//! parallel. The PostgreSQL variants print `SKIPPED (postgresql unreachable)` when no server is
//! reachable, unless `JANGTEO_REQUIRE_SERVICES=1`.

// Tests state their expectations with unwrap/expect and read as scripts, so long functions are fine.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::missing_panics_doc, clippy::too_many_lines)]

/// Declares a test that runs `$body(&Profile)` on the embedded profile, and one that runs it on
/// PostgreSQL (its own database, dropped afterwards; SKIPPED without a server unless required).
macro_rules! on_both_profiles {
    ($embedded:ident, $postgres:ident, $body:ident) => {
        #[tokio::test]
        async fn $embedded() {
            $body(&$crate::support::Profile::Embedded).await;
        }

        #[tokio::test]
        async fn $postgres() {
            let Some(database) = $crate::support::TestDatabase::create().await else { return };
            let profile = $crate::support::Profile::Postgres(database);
            $body(&profile).await;
            let $crate::support::Profile::Postgres(database) = profile else { unreachable!() };
            database.drop_database().await;
        }
    };
}

mod admin;
mod authorization;
mod cache_race;
mod cart;
mod consents;
mod crash;
mod deadlines;
mod degraded;
mod disputes;
mod distributed;
mod erasure;
mod errors;
mod external_read_models;
mod graphql;
mod listing_lifecycle;
mod member_pages;
mod mfa;
mod neighbourhood;
mod password_resets;
mod payments;
mod phone_verification;
mod problem_codes;
mod proxies;
mod races;
mod retries;
mod sale;
mod sessions;
mod shutdown;
mod social_login;
mod stream;
mod support;
mod text_input;
mod tls;
mod visibility;
