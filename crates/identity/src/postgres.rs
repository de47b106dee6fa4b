//! The identity store on PostgreSQL: the event log's database, in a schema of its own
//! (`identity`), with its own migration history there.

use std::time::Duration;

use sqlx::{
    Executor, Postgres,
    postgres::{PgConnectOptions, PgPoolOptions},
};

const SCHEMA: &str = "identity";
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(10);

crate::sql::identity_store_on!(Postgres);

/// The identity store in `url`'s database.
pub type PostgresIdentityStore = SqlIdentityStore<Postgres>;

impl SqlIdentityStore<Postgres> {
    /// Connects, creating the schema `identity` if missing, and brings it up to date.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, IdentityError> {
        let options: PgConnectOptions = url.parse()?;
        let setup = PgPoolOptions::new().max_connections(1).connect_with(options.clone()).await?;
        // Two processes starting at once may both try to create it; the loser's error is harmless.
        if let Err(error) = setup.execute(format!("CREATE SCHEMA IF NOT EXISTS {SCHEMA}").as_str()).await {
            let exists: Option<(i32,)> = sqlx::query_as("SELECT 1 FROM pg_namespace WHERE nspname = $1")
                .bind(SCHEMA)
                .fetch_optional(&setup)
                .await?;
            if exists.is_none() {
                return Err(error.into());
            }
        }
        setup.close().await;
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .connect_with(options.options([("search_path", SCHEMA)]))
            .await?;
        sqlx::migrate!("./migrations/postgres").run(&pool).await?;
        Ok(Self { pool })
    }
}
