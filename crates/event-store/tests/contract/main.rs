//! The event-store contract: one suite written once against `dyn EventStore` and run on every
//! backend, so SQLite and PostgreSQL keep the same guarantees.
//!
//! Each concern is a module of plain `async fn(Arc<dyn EventStore>)` checks; [`contract!`] turns
//! every check into a `sqlite::<name>` and a `postgres::<name>` test, and the same again with one
//! transaction per append (`sqlite_one_by_one`, `postgres_one_by_one`). Each test gets a fresh
//! store (a temporary SQLite file, a PostgreSQL database of its own), so tests run in parallel.

// The checks are helper functions, not `#[test]`s, so clippy's test exemption does not reach them.
#![allow(clippy::expect_used, reason = "a failed expectation is a failed test, with its message")]

mod backends;
mod checkpoints;
mod claims;
mod concurrency;
mod embedded;
mod fixtures;
mod idempotency;
mod pg;
mod roundtrip;
mod subscribe;
mod versions;

/// Instantiates each listed check for both backends, with group commit (the default) and with one
/// transaction per append.
macro_rules! contract {
    ($($module:ident :: $check:ident),+ $(,)?) => {
        contract!(@backend sqlite, on_sqlite, Grouped; $($module::$check),+);
        contract!(@backend postgres, on_postgres, Grouped; $($module::$check),+);
        contract!(@backend sqlite_one_by_one, on_sqlite, OneByOne; $($module::$check),+);
        contract!(@backend postgres_one_by_one, on_postgres, OneByOne; $($module::$check),+);
    };
    (@backend $name:ident, $runner:ident, $mode:ident; $($module:ident :: $check:ident),+) => {
        mod $name {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $check() {
                    crate::backends::$runner(
                        jangteo_event_store::CommitMode::$mode,
                        crate::$module::$check,
                    )
                    .await;
                }
            )+
        }
    };
}

contract! {
    roundtrip::appends_and_reads_back_every_field,
    roundtrip::empty_store_reads_nothing,
    roundtrip::malformed_appends_are_refused,
    versions::no_stream_on_existing_stream_fails,
    versions::wrong_exact_version_fails,
    versions::multi_stream_append_is_all_or_nothing,
    idempotency::retried_command_returns_first_outcome,
    idempotency::retry_with_different_events_returns_first_outcome,
    idempotency::failed_command_is_not_recorded,
    idempotency::find_command_returns_stored_outcome,
    idempotency::a_command_that_is_never_repeated_is_not_recorded,
    claims::second_claim_of_a_value_fails_and_rolls_back,
    claims::owner_may_claim_its_value_again,
    checkpoints::checkpoints_save_and_load,
    subscribe::subscriber_is_woken_after_append,
    subscribe::subscription_closes_when_store_is_dropped,
    concurrency::concurrent_appenders_to_one_stream,
    concurrency::concurrent_writers_leave_no_gaps_for_a_tailing_reader,
    concurrency::concurrent_retries_of_one_command_apply_once,
    concurrency::concurrent_claims_of_one_value_have_one_winner,
    concurrency::a_reused_event_id_fails_only_its_own_command,
}
