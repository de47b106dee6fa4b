//! A migrated PostgreSQL event store per test, on a database of its own (see
//! `jangteo_test_support::TestDatabase`), so tests run in parallel and leave nothing behind.

use jangteo_event_store::CommitMode;
use jangteo_event_store::postgres::PostgresEventStore;
use sqlx::postgres::PgPoolOptions;

/// More than the concurrency tests' parallel appenders, so they really run side by side.
const POOL_SIZE: u32 = 24;

/// A test database; [`TestDatabase::drop_database`] removes it.
pub struct TestDatabase(jangteo_test_support::TestDatabase);

impl TestDatabase {
    /// Creates and migrates a fresh database, or returns `None` (after saying so) when the server
    /// is unreachable and `JANGTEO_REQUIRE_SERVICES` is not `1`.
    pub async fn create(mode: CommitMode) -> Option<(Self, PostgresEventStore)> {
        let database = jangteo_test_support::TestDatabase::create().await?;
        let pool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .connect(&database.url)
            .await
            .expect("connect to the test database");
        let store = PostgresEventStore::from_pool_with_mode(pool, mode);
        store.migrate().await.expect("migrate the test database");
        Some((Self(database), store))
    }

    /// A second, independent handle on the same database (another "process").
    pub async fn connect_again(&self) -> PostgresEventStore {
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .connect(&self.0.url)
            .await
            .expect("connect to the test database again");
        PostgresEventStore::from_pool(pool)
    }

    pub async fn drop_database(self) {
        self.0.drop_database().await;
    }
}
