//! What the tests share: where the real services are, the rule for when they are missing, and a
//! throwaway PostgreSQL database per test.
//!
//! The rule: a test that needs a service it cannot reach prints `SKIPPED (<service> unreachable)`
//! and passes, unless `JANGTEO_REQUIRE_SERVICES=1` (CI), where it fails.

use std::{
    fmt::Display,
    net::{SocketAddr, TcpListener, TcpStream},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

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

/// A Kafka-protocol broker (tansu, SQLite storage in a temp dir) on a free loopback port, killed
/// on drop. The binary is `JANGTEO_TANSU_BIN`, else `tansu` on the `PATH`.
pub struct KafkaBroker {
    child: Child,
    /// `127.0.0.1:<port>`, for `bootstrap.servers`.
    pub address: String,
    _dir: tempfile::TempDir,
}

impl KafkaBroker {
    /// Starts a broker, or `None` (see the rule above) when none can be started.
    pub fn start() -> Option<Self> {
        let program = std::env::var("JANGTEO_TANSU_BIN").unwrap_or_else(|_| "tansu".to_owned());
        let dir = tempfile::tempdir().ok()?;
        let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).ok()?.port();
        let address = format!("127.0.0.1:{port}");
        let url = format!("tcp://{address}");
        // tansu resolves a sqlite:// path against its working directory, so it runs in the temp dir.
        let spawned = Command::new(&program)
            .current_dir(dir.path())
            .args(["broker", "--listener-url", &url, "--advertised-listener-url", &url, "--storage-engine"])
            .arg("sqlite://tansu.db")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(child) => child,
            Err(error) => {
                unreachable("kafka", &format!("cannot start {program}: {error}"));
                return None;
            }
        };
        let mut broker = Self { child, address, _dir: dir };
        // Wait (bounded) until the broker accepts connections.
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(&broker.address).is_err() {
            assert!(broker.child.try_wait().ok().flatten().is_none(), "tansu exited before listening");
            assert!(Instant::now() < deadline, "tansu did not listen on {} within 30 s", broker.address);
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(broker)
    }
}

impl Drop for KafkaBroker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
