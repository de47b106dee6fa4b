//! A PostgreSQL database per test: created on the server named by `JANGTEO_TEST_DATABASE_URL`,
//! migrated, and dropped at the end, so tests run in parallel and leave nothing behind.

use std::str::FromStr;
use std::time::Duration;

use jangteo_event_store::postgres::PostgresEventStore;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions, Connection, PgConnection};
use uuid::Uuid;

const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// More than the concurrency tests' parallel appenders, so they really run side by side.
const POOL_SIZE: u32 = 24;

/// A test database; [`TestDatabase::drop_database`] removes it.
pub struct TestDatabase {
    admin: PgConnectOptions,
    name: String,
}

impl TestDatabase {
    /// Creates and migrates a fresh database, or returns `None` (after saying so) when the server
    /// is unreachable and `JANGTEO_REQUIRE_SERVICES` is not `1`.
    pub async fn create() -> Option<(Self, PostgresEventStore)> {
        let url = std::env::var("JANGTEO_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_ADMIN_URL.to_owned());
        let admin = PgConnectOptions::from_str(&url).expect("JANGTEO_TEST_DATABASE_URL is not a valid URL");
        let mut connection = match connect(&admin).await {
            Ok(connection) => connection,
            Err(error) => {
                assert!(
                    std::env::var("JANGTEO_REQUIRE_SERVICES").as_deref() != Ok("1"),
                    "PostgreSQL at {}:{} is unreachable ({error}) and JANGTEO_REQUIRE_SERVICES=1",
                    admin.get_host(),
                    admin.get_port()
                );
                println!("SKIPPED (postgresql unreachable): {error}");
                return None;
            }
        };
        let name = format!("jangteo_test_{}", Uuid::new_v4().simple());
        sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
            .execute(&mut connection)
            .await
            .expect("create the test database");
        connection.close().await.expect("close the admin connection");

        let pool = PgPoolOptions::new()
            .max_connections(POOL_SIZE)
            .connect_with(admin.clone().database(&name))
            .await
            .expect("connect to the test database");
        let store = PostgresEventStore::from_pool(pool);
        store.migrate().await.expect("migrate the test database");
        Some((Self { admin, name }, store))
    }

    /// A second, independent handle on the same database (another "process").
    pub async fn connect_again(&self) -> PostgresEventStore {
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .connect_with(self.admin.clone().database(&self.name))
            .await
            .expect("connect to the test database again");
        PostgresEventStore::from_pool(pool)
    }

    /// Drops the database; `WITH (FORCE)` ends connections a dropped pool may still hold.
    pub async fn drop_database(self) {
        let mut connection = connect(&self.admin).await.expect("reconnect to drop the test database");
        sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name))
            .execute(&mut connection)
            .await
            .expect("drop the test database");
        connection.close().await.expect("close the admin connection");
    }
}

async fn connect(options: &PgConnectOptions) -> Result<PgConnection, String> {
    match tokio::time::timeout(CONNECT_TIMEOUT, options.connect()).await {
        Ok(Ok(connection)) => Ok(connection),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err(format!("no answer within {CONNECT_TIMEOUT:?}")),
    }
}
