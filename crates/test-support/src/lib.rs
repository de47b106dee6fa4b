//! What the tests share: where the real services are, the rule for when they are missing, and a
//! throwaway PostgreSQL database per test.
//!
//! The rule: a test that needs a service it cannot reach prints `SKIPPED (<service> unreachable)`
//! and passes, unless `JANGTEO_REQUIRE_SERVICES=1` (CI), where it fails.

use std::{fmt::Display, net::SocketAddr, time::Duration};

use sqlx::Connection;
use uuid::Uuid;

const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379";
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Whether a missing service fails the test instead of skipping it.
pub fn services_required() -> bool {
    std::env::var("JANGTEO_REQUIRE_SERVICES").is_ok_and(|value| value == "1")
}

/// Reports an unreachable service: panics when services are required, else prints SKIPPED.
pub fn unreachable(service: &str, error: &dyn Display) {
    assert!(
        !services_required(),
        "{service} is required (JANGTEO_REQUIRE_SERVICES=1) but unreachable: {error}"
    );
    println!("SKIPPED ({service} unreachable: {error})");
}

/// The test Redis (`JANGTEO_TEST_REDIS_URL`), if it accepts connections.
pub fn redis_url() -> Option<String> {
    let url = std::env::var("JANGTEO_TEST_REDIS_URL").unwrap_or_else(|_| DEFAULT_REDIS_URL.to_owned());
    let address = url.trim_start_matches("redis://").trim_end_matches('/');
    let reached = match address.parse::<SocketAddr>() {
        Ok(address) => std::net::TcpStream::connect_timeout(&address, CONNECT_TIMEOUT)
            .map(drop)
            .map_err(|e| e.to_string()),
        Err(_) => Err(format!("{url} is not redis://<ip>:<port>")),
    };
    match reached {
        Ok(()) => Some(url),
        Err(error) => {
            unreachable("redis", &error);
            None
        }
    }
}

/// A PostgreSQL database created for one test on the server of `JANGTEO_TEST_DATABASE_URL`, so
/// tests run in parallel; [`TestDatabase::drop_database`] removes it.
#[derive(Debug)]
pub struct TestDatabase {
    admin_url: String,
    /// The URL of the new database.
    pub url: String,
    pub name: String,
}

impl TestDatabase {
    /// Creates an empty database, or `None` (see the rule above) when the server is unreachable.
    pub async fn create() -> Option<Self> {
        let admin_url =
            std::env::var("JANGTEO_TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_owned());
        let name = format!("jangteo_test_{}", Uuid::new_v4().simple());
        let created = async {
            let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
            sqlx::raw_sql(&format!("CREATE DATABASE {name}")).execute(&mut admin).await?;
            admin.close().await
        };
        match tokio::time::timeout(CONNECT_TIMEOUT, created).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                unreachable("postgresql", &error);
                return None;
            }
            Err(elapsed) => {
                unreachable("postgresql", &elapsed);
                return None;
            }
        }
        let base = admin_url.rsplit_once('/').map_or(admin_url.as_str(), |(base, _)| base);
        let url = format!("{base}/{name}");
        Some(Self { admin_url, url, name })
    }

    /// Drops the database; `WITH (FORCE)` ends connections a dropped pool or a killed server may
    /// still hold.
    pub async fn drop_database(self) {
        if let Ok(mut admin) = sqlx::PgConnection::connect(&self.admin_url).await {
            let _ = sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name))
                .execute(&mut admin)
                .await;
            let _ = admin.close().await;
        }
    }
}
