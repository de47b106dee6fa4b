//! What the tests share: where the real services are, the rule for when they are missing, a
//! throwaway PostgreSQL database per test, and the services tests start themselves on free
//! loopback ports (a Kafka broker, a MongoDB server, an Elasticsearch-API server, a Redis server,
//! an SMTP server, an OpenID provider, an S3-protocol server),
//! some of which a test may kill and start again ([`Restartable`]).
//!
//! The rule: a test that needs a service it cannot reach prints `SKIPPED (<service> unreachable)`
//! and passes, unless `JANGTEO_REQUIRE_SERVICES=1` (CI), where it fails.

use std::{
    fmt::Display,
    fs::File,
    io::{Read, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use sqlx::Connection;
use uuid::Uuid;

const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379";
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long dropping a test database may take.
const DROP_TIMEOUT: Duration = Duration::from_secs(30);

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
/// tests run in parallel. It is dropped when the value is: by [`TestDatabase::drop_database`]
/// where a test can await it, else on `Drop`, so a test that fails half-way leaks nothing.
#[derive(Debug)]
pub struct TestDatabase {
    admin_url: String,
    /// The URL of the new database.
    pub url: String,
    pub name: String,
    /// Set once the database is gone, so `Drop` does not drop it again.
    dropped: bool,
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
        Some(Self { admin_url, url, name, dropped: false })
    }

    /// Drops the database now.
    pub async fn drop_database(mut self) {
        drop_named_database(&self.admin_url, &self.name).await;
        self.dropped = true;
    }
}

/// Drops the database `name`; `WITH (FORCE)` ends connections a dropped pool or a killed server
/// may still hold. Bounded, so that a hung server cannot hang a test's teardown.
async fn drop_named_database(admin_url: &str, name: &str) {
    let dropped = async {
        let mut admin = sqlx::PgConnection::connect(admin_url).await?;
        sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin).await?;
        admin.close().await
    };
    match tokio::time::timeout(DROP_TIMEOUT, dropped).await {
        Ok(Ok(())) => {}
        Ok(Err(error)) => eprintln!("test database {name} was not dropped: {error}"),
        Err(elapsed) => eprintln!("test database {name} was not dropped: {elapsed}"),
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        // `drop` cannot await, and blocking on the test's runtime from inside it panics. A thread
        // of its own with a runtime of its own works inside and outside a runtime alike; joining
        // it makes the database gone when the value is.
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let dropping = std::thread::spawn(move || {
            match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(runtime) => runtime.block_on(drop_named_database(&admin_url, &name)),
                Err(error) => eprintln!("test database {name} was not dropped: {error}"),
            }
        });
        if dropping.join().is_err() {
            eprintln!("test database {} was not dropped: the dropping thread panicked", self.name);
        }
    }
}

/// How to start a service: the command for a port and a working directory.
type Launcher = Box<dyn Fn(u16, &Path) -> Command + Send + Sync>;

/// A service process started for a test, with its working directory (a temp dir, which also
/// holds its log and its data); killed and waited for on drop, so no test leaves one running.
/// It keeps how it was started, so that a test may kill it and start it again on the same port
/// and data ([`Restartable`]).
struct ServiceProcess {
    service: String,
    /// The program it runs, for messages.
    program: String,
    child: Child,
    dir: tempfile::TempDir,
    port: u16,
    command: Launcher,
    answers: fn(u16) -> bool,
}

impl ServiceProcess {
    /// The last lines the service wrote, for a failure message.
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(self.dir.path().join(LOG_FILE)).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// Starts the service in `dir` on `port`, its output appended to the log there; returns the
    /// process and the program it runs.
    fn spawn(
        dir: &Path,
        port: u16,
        command: &(dyn Fn(u16, &Path) -> Command + Send + Sync),
    ) -> Result<(Child, String), String> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join(LOG_FILE))
            .and_then(|log| Ok((log.try_clone()?, log)))
            .map_err(|error| format!("cannot open its log: {error}"))?;
        let mut command = command(port, dir);
        let program = command.get_program().to_string_lossy().into_owned();
        command.current_dir(dir).stdin(Stdio::null()).stdout(log.0).stderr(log.1);
        let child = command.spawn().map_err(|error| format!("cannot start {program}: {error}"))?;
        Ok((child, program))
    }

    /// Waits, bounded, until the service answers on its port.
    fn wait_until_it_answers(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + START_TIMEOUT;
        while !(self.answers)(self.port) {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!(
                    "{} exited ({status}) before answering:\n{}",
                    self.program,
                    self.log_tail()
                ));
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "{} did not answer on port {} within {START_TIMEOUT:?}:\n{}",
                    self.program,
                    self.port,
                    self.log_tail()
                ));
            }
            std::thread::sleep(POLL_INTERVAL);
        }
        Ok(())
    }

    /// SIGKILL, no chance to clean up, as a crash or an OOM kill would stop it; returns once the
    /// process is gone and its port refuses connections.
    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let deadline = Instant::now() + START_TIMEOUT;
        while accepts_connections(self.port) {
            assert!(Instant::now() < deadline, "{} still accepts connections after SIGKILL", self.service);
            std::thread::sleep(POLL_INTERVAL);
        }
    }

    /// Starts the service again on the same port and data, and waits until it answers. Panics
    /// when it cannot: the service was there a moment ago, so this is the test's failure.
    fn restart(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            self.kill();
        }
        let (child, _) = Self::spawn(self.dir.path(), self.port, self.command.as_ref())
            .unwrap_or_else(|error| panic!("restarting {}: {error}", self.service));
        self.child = child;
        if let Err(error) = self.wait_until_it_answers() {
            panic!("restarting {}: {error}", self.service);
        }
    }
}

impl Drop for ServiceProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A server a test started itself, which it may kill (SIGKILL: a crash, not a shutdown) and start
/// again on the same port and data, to see what a backend outage does to the code under test.
/// Both calls return once the server is gone, or answers again (bounded; they panic past that).
pub trait Restartable {
    fn kill(&mut self);
    fn restart(&mut self);
}

/// Where a started service writes its output, in its temp dir.
const LOG_FILE: &str = "service.log";
/// How long a service may take from its start until it answers (secantusdb, in Python, takes
/// a few seconds on a loaded machine).
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// How often a starting service is asked whether it answers yet.
const POLL_INTERVAL: Duration = Duration::from_millis(50);

/// A free loopback port: bound and released, so the service can bind it a moment later.
fn free_port() -> std::io::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Starts a service in a fresh temp dir (its working directory) on a free loopback port, and
/// waits, bounded, until `answers(port)`. Every way this can fail goes through the rule above:
/// `None` after SKIPPED, or a panic when services are required.
fn start_service(
    service: &str,
    command: impl Fn(u16, &Path) -> Command + Send + Sync + 'static,
    answers: fn(u16) -> bool,
) -> Option<(ServiceProcess, u16)> {
    let started = (|| {
        let dir = tempfile::tempdir().map_err(|error| format!("no temp dir: {error}"))?;
        let port = free_port().map_err(|error| format!("no free loopback port: {error}"))?;
        let (child, program) = ServiceProcess::spawn(dir.path(), port, &command)?;
        let service = service.to_owned();
        let command = Box::new(command);
        let mut process = ServiceProcess { service, program, child, dir, port, command, answers };
        process.wait_until_it_answers()?;
        Ok::<_, String>((process, port))
    })();
    match started {
        Ok(started) => Some(started),
        Err(error) => {
            unreachable(service, &error);
            None
        }
    }
}

/// `program` as found on the `PATH`, if it is there.
fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(program)).find(|candidate| candidate.is_file())
}

/// A Kafka-protocol broker (tansu, SQLite storage in a temp dir) on a free loopback port, killed
/// on drop. The binary is `JANGTEO_TANSU_BIN`, else `tansu` on the `PATH`.
pub struct KafkaBroker {
    /// `127.0.0.1:<port>`, for `bootstrap.servers`.
    pub address: String,
    _process: ServiceProcess,
}

impl KafkaBroker {
    /// Starts a broker, or `None` (see the rule above) when none can be started.
    pub fn start() -> Option<Self> {
        let program = std::env::var("JANGTEO_TANSU_BIN").unwrap_or_else(|_| "tansu".to_owned());
        let command = move |port: u16, _: &Path| {
            let url = format!("tcp://127.0.0.1:{port}");
            let mut command = Command::new(&program);
            // tansu resolves a sqlite:// path against its working directory: the temp dir.
            command
                .args([
                    "broker",
                    "--listener-url",
                    &url,
                    "--advertised-listener-url",
                    &url,
                    "--storage-engine",
                ])
                .arg("sqlite://tansu.db");
            command
        };
        let (process, port) = start_service("kafka", command, accepts_connections)?;
        Some(Self { address: format!("127.0.0.1:{port}"), _process: process })
    }
}

fn accepts_connections(port: u16) -> bool {
    TcpStream::connect_timeout(&SocketAddr::from(([127, 0, 0, 1], port)), CONNECT_TIMEOUT).is_ok()
}

/// A MongoDB server for one test: the one `JANGTEO_TEST_MONGODB_URL` names (a real MongoDB, e.g.
/// `docker compose up -d mongodb`), else a secantusdb server (MongoDB wire protocol on
/// WiredTiger; `scripts/services.sh` installs it) started on a free loopback port with its data
/// in a temp dir, and killed on drop. The binary is `JANGTEO_SECANTUSD_BIN`, else `secantusd-py`
/// on the `PATH`.
pub struct MongoServer {
    /// A `mongodb://` URL for the driver.
    pub url: String,
    process: Option<ServiceProcess>,
}

impl MongoServer {
    /// Starts (or names) a server, or `None` (see the rule above) when none can be had.
    pub fn start() -> Option<Self> {
        if let Some(url) = std::env::var("JANGTEO_TEST_MONGODB_URL").ok().filter(|url| !url.is_empty()) {
            return Some(Self { url, process: None });
        }
        Self::start_secantusdb(false)
    }

    /// Starts a secantusdb server of the test's own, even where `JANGTEO_TEST_MONGODB_URL` names
    /// one: a server the test may kill and start again ([`Restartable`]), its data kept in its
    /// temp dir in between. It syncs its log on every commit (`--sync-on-commit`): without, a
    /// SIGKILL loses writes it acknowledged, some collections' and not others', where a mongod's
    /// journal survives the crash of its process.
    pub fn start_own() -> Option<Self> {
        Self::start_secantusdb(true)
    }

    fn start_secantusdb(durable: bool) -> Option<Self> {
        let program = std::env::var("JANGTEO_SECANTUSD_BIN").unwrap_or_else(|_| "secantusd-py".to_owned());
        let command = move |port: u16, dir: &Path| {
            let mut command = Command::new(&program);
            // An empty configuration file of its own: without `--config` it would read a
            // secantusd.toml from the home directory or /etc.
            let config = dir.join("secantusd.toml");
            if let Err(error) = File::create(&config) {
                eprintln!("cannot write {}: {error}", config.display());
            }
            command
                .args(["--host", "127.0.0.1", "--port", &port.to_string(), "--log-level", "WARNING"])
                .arg("--config")
                .arg(&config)
                .arg("--storage-path")
                .arg(dir.join("data"));
            if durable {
                command.arg("--sync-on-commit");
            }
            command
        };
        let (process, port) = start_service("mongodb", command, answers_hello)?;
        // It announces itself as a one-node replica set named `secantus` whose member is the
        // address it was started on; a direct connection skips replica-set discovery, as for a
        // standalone mongod.
        let url = format!("mongodb://127.0.0.1:{port}/?directConnection=true");
        Some(Self { url, process: Some(process) })
    }

    /// The test's own process, which a named server is not.
    fn own(&mut self) -> &mut ServiceProcess {
        let Some(process) = self.process.as_mut() else {
            panic!("a server JANGTEO_TEST_MONGODB_URL names is not the test's to stop: use start_own");
        };
        process
    }
}

impl Restartable for MongoServer {
    fn kill(&mut self) {
        self.own().kill();
    }

    fn restart(&mut self) {
        self.own().restart();
    }
}

/// A Redis server of the test's own (`redis-server`, or `JANGTEO_REDIS_SERVER_BIN`) on a free
/// loopback port, killed on drop: unlike the shared one of `JANGTEO_TEST_REDIS_URL`, a test may
/// kill it and start it again ([`Restartable`]). It keeps an append-only file in its temp dir,
/// written through on every write, so a restarted server holds what it acknowledged.
pub struct RedisServer {
    /// A `redis://` URL for the client.
    pub url: String,
    process: ServiceProcess,
}

impl RedisServer {
    /// Starts a server, or `None` (see the rule above) when none can be started.
    pub fn start() -> Option<Self> {
        let program = redis_server_program()?;
        let command = move |port: u16, dir: &Path| {
            let mut command = Command::new(&program);
            command
                .args(["--bind", "127.0.0.1", "--port", &port.to_string(), "--save", ""])
                .args(["--appendonly", "yes", "--appendfsync", "always", "--dir"])
                .arg(dir);
            command
        };
        let (process, port) = start_service("redis-server", command, answers_ping)?;
        Some(Self { url: format!("redis://127.0.0.1:{port}"), process })
    }

    /// Starts a server that speaks TLS only (no plain port), with a certificate of its own
    /// (self-signed, so the URL is `rediss://…/#insecure`, which skips the check), or `None`.
    pub fn start_tls() -> Option<Self> {
        let program = redis_server_program()?;
        let certified = match rcgen::generate_simple_self_signed(vec!["127.0.0.1".to_owned()]) {
            Ok(certified) => certified,
            Err(error) => {
                unreachable("redis-server", &format!("no certificate: {error}"));
                return None;
            }
        };
        let (cert, key) = (certified.cert.pem(), certified.key_pair.serialize_pem());
        let command = move |port: u16, dir: &Path| {
            // The files go beside its data on each start (a failed write shows as a failed start).
            let _ = std::fs::write(dir.join("redis-cert.pem"), &cert);
            let _ = std::fs::write(dir.join("redis-key.pem"), &key);
            let mut command = Command::new(&program);
            command
                .args(["--bind", "127.0.0.1", "--port", "0", "--tls-port", &port.to_string(), "--save", ""])
                .arg("--tls-cert-file")
                .arg(dir.join("redis-cert.pem"))
                .arg("--tls-key-file")
                .arg(dir.join("redis-key.pem"))
                .args(["--tls-auth-clients", "no", "--dir"])
                .arg(dir);
            command
        };
        let (process, port) = start_service("redis-server (TLS)", command, accepts_connections)?;
        Some(Self { url: format!("rediss://127.0.0.1:{port}/#insecure"), process })
    }
}

/// `JANGTEO_REDIS_SERVER_BIN`, else `redis-server` on the `PATH`; `None` (see the rule above)
/// without either.
fn redis_server_program() -> Option<PathBuf> {
    let program =
        std::env::var_os("JANGTEO_REDIS_SERVER_BIN").map(PathBuf::from).or_else(|| on_path("redis-server"));
    if program.is_none() {
        unreachable("redis-server", &"redis-server is not on the PATH (apt-get install redis-server)");
    }
    program
}

impl Restartable for RedisServer {
    fn kill(&mut self) {
        self.process.kill();
    }

    fn restart(&mut self) {
        self.process.restart();
    }
}

/// Whether a Redis server on `port` answers `PING` with `PONG` (not `-LOADING`, as it does while
/// it reads its append-only file back).
fn answers_ping(port: u16) -> bool {
    let exchange = || -> std::io::Result<bool> {
        let mut stream =
            TcpStream::connect_timeout(&SocketAddr::from(([127, 0, 0, 1], port)), CONNECT_TIMEOUT)?;
        stream.set_read_timeout(Some(CONNECT_TIMEOUT))?;
        stream.write_all(b"PING\r\n")?;
        let mut reply = [0_u8; 7];
        stream.read_exact(&mut reply)?;
        Ok(&reply == b"+PONG\r\n")
    };
    exchange().unwrap_or(false)
}

/// Whether a MongoDB-protocol server on `port` answers a `hello` command (an `OP_MSG`), which
/// it does only once it can serve requests, unlike a bare TCP accept.
fn answers_hello(port: u16) -> bool {
    const OP_MSG: i32 = 2013;
    let mut document = Vec::new();
    document.push(0x10); // int32 element
    document.extend_from_slice(b"hello\0");
    document.extend_from_slice(&1_i32.to_le_bytes());
    document.push(0x02); // string element
    document.extend_from_slice(b"$db\0");
    document.extend_from_slice(&6_i32.to_le_bytes());
    document.extend_from_slice(b"admin\0");
    document.push(0);
    let document_length = i32::try_from(document.len() + 4).unwrap_or(i32::MAX);
    let mut body = Vec::new();
    body.extend_from_slice(&0_u32.to_le_bytes()); // flag bits
    body.push(0); // section kind 0: the command document
    body.extend_from_slice(&document_length.to_le_bytes());
    body.extend_from_slice(&document);
    let message_length = i32::try_from(body.len() + 16).unwrap_or(i32::MAX);
    let mut message = Vec::new();
    for field in [message_length, 1, 0, OP_MSG] {
        message.extend_from_slice(&field.to_le_bytes());
    }
    message.extend_from_slice(&body);

    let exchange = || -> std::io::Result<bool> {
        let mut stream =
            TcpStream::connect_timeout(&SocketAddr::from(([127, 0, 0, 1], port)), CONNECT_TIMEOUT)?;
        stream.set_read_timeout(Some(CONNECT_TIMEOUT))?;
        stream.write_all(&message)?;
        let mut header = [0_u8; 16];
        stream.read_exact(&mut header)?;
        let op_code = i32::from_le_bytes([header[12], header[13], header[14], header[15]]);
        let response_to = i32::from_le_bytes([header[8], header[9], header[10], header[11]]);
        Ok(op_code == OP_MSG && response_to == 1)
    };
    exchange().unwrap_or(false)
}

/// An Elasticsearch-API server for one test: the one `JANGTEO_TEST_ELASTICSEARCH_URL` names (a
/// real Elasticsearch 8 with `analysis-nori`, e.g. `docker compose up -d elasticsearch`), else
/// an osmem-server (the OpenSearch REST API in memory; `scripts/services.sh` installs it) on a
/// free loopback port, killed on drop. The binary is `JANGTEO_OSMEM_BIN`, else `osmem-server` on
/// the `PATH`, else the one in the `osmem_server` Python package (pip does not put it on the
/// `PATH`).
pub struct SearchServer {
    /// An `http://` URL for the client.
    pub url: String,
    /// The analyzer the server has for Korean text: `nori` on a named Elasticsearch, `cjk` on
    /// osmem-server, which has no nori.
    pub analyzer: &'static str,
    _process: Option<ServiceProcess>,
}

impl SearchServer {
    /// Starts (or names) a server, or `None` (see the rule above) when none can be had.
    pub fn start() -> Option<Self> {
        if let Some(url) = std::env::var("JANGTEO_TEST_ELASTICSEARCH_URL").ok().filter(|url| !url.is_empty())
        {
            return Some(Self { url, analyzer: "nori", _process: None });
        }
        let program = match osmem_binary() {
            Ok(program) => program,
            Err(error) => {
                unreachable("elasticsearch", &error);
                return None;
            }
        };
        let command = move |port: u16, _: &Path| {
            let mut command = Command::new(&program);
            // `-parent-pid`: the server also exits when the test process dies without dropping it.
            command
                .args(["-addr", &format!("127.0.0.1:{port}"), "-no-stdin-watch", "-parent-pid"])
                .arg(std::process::id().to_string());
            command
        };
        let (process, port) = start_service("elasticsearch", command, answers_http)?;
        Some(Self { url: format!("http://127.0.0.1:{port}"), analyzer: "cjk", _process: Some(process) })
    }
}

/// A real OpenID provider of the test's own: oidc-provider (npm; `scripts/services.sh` installs
/// it from the committed lockfile in `tests/oidc-provider/`) on a free loopback port, with one
/// confidential client registered for `redirect_uris`, and killed on drop. The program is
/// `JANGTEO_NODE`, else `node`. Who signs in is named by the authorization request's
/// `login_hint` (see `tests/oidc-provider/server.mjs`).
pub struct OidcProviderServer {
    /// The issuer, `http://127.0.0.1:<port>`.
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    _process: ServiceProcess,
}

impl OidcProviderServer {
    /// Starts a provider, or `None` (see the rule above) when none can be had.
    pub fn start(redirect_uris: &[&str]) -> Option<Self> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/oidc-provider");
        if !dir.join("node_modules/oidc-provider").is_dir() {
            let reason = format!("{} has no node_modules (scripts/services.sh installs them)", dir.display());
            unreachable("oidc-provider", &reason);
            return None;
        }
        let node = std::env::var("JANGTEO_NODE").unwrap_or_else(|_| "node".to_owned());
        let (client_id, client_secret) =
            ("jangteo-test-client".to_owned(), format!("secret-{}", Uuid::new_v4()));
        let (id, secret, uris) = (client_id.clone(), client_secret.clone(), redirect_uris.join(","));
        let command = move |port: u16, _: &Path| {
            let mut command = Command::new(&node);
            command
                .arg(dir.join("server.mjs"))
                .env("PORT", port.to_string())
                .env("CLIENT_ID", &id)
                .env("CLIENT_SECRET", &secret)
                .env("REDIRECT_URIS", &uris);
            command
        };
        let (process, port) = start_service("oidc-provider", command, answers_discovery)?;
        Some(Self { issuer: format!("http://127.0.0.1:{port}"), client_id, client_secret, _process: process })
    }
}

/// An S3-protocol server of the test's own: s3s-fs (crates.io; `scripts/services.sh` installs
/// it) on a free loopback port, keeping its buckets as directories in its temp dir, with keys
/// of its own and one empty bucket, and killed on drop. The binary is `JANGTEO_S3S_FS_BIN`, else
/// `s3s-fs` on the `PATH`.
pub struct S3Server {
    /// `http://127.0.0.1:<port>`, for path-style requests.
    pub endpoint: String,
    pub bucket: String,
    pub access_key: String,
    pub secret_key: String,
    /// Any region signs: s3s-fs checks the signature with the region the request names.
    pub region: String,
    _process: ServiceProcess,
}

impl S3Server {
    /// Starts a server, or `None` (see the rule above) when none can be had.
    pub fn start() -> Option<Self> {
        let program = std::env::var_os("JANGTEO_S3S_FS_BIN").map(PathBuf::from).or_else(|| on_path("s3s-fs"));
        let Some(program) = program else {
            unreachable("s3", &"s3s-fs is not on the PATH (bash scripts/services.sh installs it)");
            return None;
        };
        let bucket = "jangteo-test".to_owned();
        let (access_key, secret_key) =
            (format!("key{}", Uuid::new_v4().simple()), Uuid::new_v4().to_string());
        let (access, secret, bucket_dir) = (access_key.clone(), secret_key.clone(), bucket.clone());
        let command = move |port: u16, dir: &Path| {
            // s3s-fs keeps a bucket as a directory of its root: making it is creating the bucket
            // (a failed write shows as a failed request of the test).
            let root = dir.join("data");
            let _ = std::fs::create_dir_all(root.join(&bucket_dir));
            let mut command = Command::new(&program);
            command
                .args(["--host", "127.0.0.1", "--port", &port.to_string()])
                .args(["--access-key", &access, "--secret-key", &secret])
                .arg(root);
            command
        };
        let (process, port) = start_service("s3", command, answers_any_http)?;
        Some(Self {
            endpoint: format!("http://127.0.0.1:{port}"),
            bucket,
            access_key,
            secret_key,
            region: "us-east-1".to_owned(),
            _process: process,
        })
    }
}

/// Whether an HTTP server on `port` answers `GET /` at all (an S3 server refuses an unsigned
/// request, with an HTTP status all the same).
fn answers_any_http(port: u16) -> bool {
    let exchange = || -> std::io::Result<bool> {
        let mut stream =
            TcpStream::connect_timeout(&SocketAddr::from(([127, 0, 0, 1], port)), CONNECT_TIMEOUT)?;
        stream.set_read_timeout(Some(CONNECT_TIMEOUT))?;
        stream.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")?;
        let mut status_line = [0_u8; 9];
        stream.read_exact(&mut status_line)?;
        Ok(status_line.starts_with(b"HTTP/1."))
    };
    exchange().unwrap_or(false)
}

/// Plays a person's browser through a sign-in at a provider on this machine: from `start` (the
/// authorization URL Jangteo redirected to), follows every redirect with the cookies the provider
/// sets, as a browser would, until one leads to an address starting with `redirect_prefix` (the
/// client's redirect URI), and returns that address without visiting it. Plain HTTP only, which
/// is all a loopback provider speaks; an answer that is no redirect is an error with its words.
pub fn follow_sign_in(start: &str, redirect_prefix: &str) -> Result<String, String> {
    let mut cookies: Vec<(String, String)> = Vec::new();
    let mut url = start.to_owned();
    for _ in 0..10 {
        if url.starts_with(redirect_prefix) {
            return Ok(url);
        }
        let rest = url.strip_prefix("http://").ok_or_else(|| format!("{url} is not plain HTTP"))?;
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let path = if path.is_empty() { "/" } else { path };
        let cookie_header: Vec<String> =
            cookies.iter().map(|(name, value)| format!("{name}={value}")).collect();
        let mut stream = TcpStream::connect(authority).map_err(|error| format!("{authority}: {error}"))?;
        stream.set_read_timeout(Some(CONNECT_TIMEOUT)).map_err(|error| error.to_string())?;
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {authority}\r\nCookie: {}\r\nConnection: close\r\n\r\n",
            cookie_header.join("; ")
        );
        stream.write_all(request.as_bytes()).map_err(|error| error.to_string())?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).map_err(|error| error.to_string())?;
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        let mut lines = head.lines();
        let status = lines.next().unwrap_or_default().to_owned();
        let mut location = None;
        for line in lines {
            let Some((name, value)) = line.split_once(':') else { continue };
            let value = value.trim();
            if name.eq_ignore_ascii_case("location") {
                location = Some(value.to_owned());
            } else if name.eq_ignore_ascii_case("set-cookie") {
                let pair = value.split(';').next().unwrap_or_default();
                if let Some((name, cookie)) = pair.split_once('=') {
                    cookies.retain(|(kept, _)| kept != name);
                    // A cookie set empty or to have expired is the server taking it back.
                    let expired = cookie.is_empty() || value.to_ascii_lowercase().contains("01 jan 1970");
                    if !expired {
                        cookies.push((name.to_owned(), cookie.to_owned()));
                    }
                }
            }
        }
        let is_redirect = status.split(' ').nth(1).is_some_and(|code| code.starts_with('3'));
        match location {
            Some(next) if is_redirect => {
                url = if next.starts_with('/') { format!("http://{authority}{next}") } else { next };
            }
            _ => {
                return Err(format!(
                    "{url} answered {status}: {}",
                    body.chars().take(500).collect::<String>()
                ));
            }
        }
    }
    Err(format!("more than 10 redirects from {start}"))
}

/// An SMTP server of the test's own: aiosmtpd (PyPI; `scripts/services.sh` installs it) on a
/// free loopback port, keeping each message it accepts as a file in a Maildir in its temp dir,
/// and killed on drop. The program is `JANGTEO_AIOSMTPD_PYTHON`, else `python3`.
pub struct SmtpServer {
    /// An `smtp://` URL for the client (no TLS: the server is on loopback).
    pub url: String,
    maildir: PathBuf,
    _process: ServiceProcess,
}

impl SmtpServer {
    /// Starts a server, or `None` (see the rule above) when none can be had.
    pub fn start() -> Option<Self> {
        let python = std::env::var("JANGTEO_AIOSMTPD_PYTHON").unwrap_or_else(|_| "python3".to_owned());
        let command = move |port: u16, dir: &Path| {
            let mut command = Command::new(&python);
            // `-n`: keep its root rights (none to drop as a test); `Mailbox`: a Maildir handler.
            command
                .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
                .args(["-c", "aiosmtpd.handlers.Mailbox"])
                .arg(dir.join("maildir"));
            command
        };
        let (process, port) = start_service("smtp", command, answers_smtp)?;
        let maildir = process.dir.path().join("maildir");
        Some(Self { url: format!("smtp://127.0.0.1:{port}"), maildir, _process: process })
    }

    /// Every message the server has accepted so far, oldest first, each as its headers and its
    /// text decoded ([`readable_mail`]).
    pub fn received(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.maildir.join("new")) else { return Vec::new() };
        let mut messages: Vec<(std::time::SystemTime, String)> = entries
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let modified = entry.metadata().and_then(|metadata| metadata.modified()).ok()?;
                Some((modified, std::fs::read_to_string(entry.path()).ok()?))
            })
            .collect();
        messages.sort_by_key(|(modified, _)| *modified);
        messages.into_iter().map(|(_, text)| readable_mail(&text)).collect()
    }
}

/// A mail's headers as they are and its body decoded from its `Content-Transfer-Encoding`
/// (base64 or quoted-printable; 7bit and 8bit as they are), so a test can look for a link in it.
/// A single-part text mail is all Jangteo sends.
pub fn readable_mail(raw: &str) -> String {
    use base64::Engine as _;
    let raw = raw.replace("\r\n", "\n");
    let Some((headers, body)) = raw.split_once("\n\n") else { return raw };
    let encoding = headers
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-transfer-encoding").then(|| value.trim().to_ascii_lowercase())
        })
        .unwrap_or_default();
    let decoded = match encoding.as_str() {
        "base64" => {
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            base64::engine::general_purpose::STANDARD
                .decode(compact)
                .map_or_else(|_| body.to_owned(), |bytes| String::from_utf8_lossy(&bytes).into_owned())
        }
        "quoted-printable" => decode_quoted_printable(body),
        _ => body.to_owned(),
    };
    format!("{headers}\n\n{decoded}")
}

/// Quoted-printable (RFC 2045 §6.7): `=XX` is a byte, `=` at a line's end a soft break.
fn decode_quoted_printable(body: &str) -> String {
    let bytes = body.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'=' if bytes.get(index + 1) == Some(&b'\n') => index += 2,
            b'=' => {
                let byte = body.get(index + 1..index + 3).and_then(|hex| u8::from_str_radix(hex, 16).ok());
                if let Some(byte) = byte {
                    decoded.push(byte);
                    index += 3;
                } else {
                    decoded.push(b'=');
                    index += 1;
                }
            }
            byte => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}

/// Whether an SMTP server on `port` greets with `220`.
fn answers_smtp(port: u16) -> bool {
    let exchange = || -> std::io::Result<bool> {
        let mut stream =
            TcpStream::connect_timeout(&SocketAddr::from(([127, 0, 0, 1], port)), CONNECT_TIMEOUT)?;
        stream.set_read_timeout(Some(CONNECT_TIMEOUT))?;
        let mut greeting = [0_u8; 4];
        stream.read_exact(&mut greeting)?;
        let _ = stream.write_all(b"QUIT\r\n");
        Ok(greeting.starts_with(b"220"))
    };
    exchange().unwrap_or(false)
}

fn osmem_binary() -> Result<PathBuf, String> {
    if let Some(program) = std::env::var_os("JANGTEO_OSMEM_BIN") {
        return Ok(PathBuf::from(program));
    }
    if let Some(program) = on_path("osmem-server") {
        return Ok(program);
    }
    let asked = Command::new("python3")
        .args(["-c", "import osmem_server; print(osmem_server.resolve_binary())"])
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .map_err(|error| format!("osmem-server is not on the PATH and python3 cannot be run: {error}"))?;
    let program = String::from_utf8_lossy(&asked.stdout).trim().to_owned();
    if asked.status.success() && !program.is_empty() {
        Ok(PathBuf::from(program))
    } else {
        Err("osmem-server is neither on the PATH nor installed for python3 (bash scripts/services.sh)"
            .to_owned())
    }
}

/// Whether an HTTP server on `port` answers `GET /` with 200.
fn answers_http(port: u16) -> bool {
    answers_get(port, "/")
}

/// Whether an OpenID provider on `port` serves its discovery document.
fn answers_discovery(port: u16) -> bool {
    answers_get(port, "/.well-known/openid-configuration")
}

/// Whether `GET path` on `port` answers `200`.
fn answers_get(port: u16, path: &str) -> bool {
    let exchange = || -> std::io::Result<bool> {
        let mut stream =
            TcpStream::connect_timeout(&SocketAddr::from(([127, 0, 0, 1], port)), CONNECT_TIMEOUT)?;
        stream.set_read_timeout(Some(CONNECT_TIMEOUT))?;
        stream.write_all(format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").as_bytes())?;
        let mut status_line = [0_u8; 12];
        stream.read_exact(&mut status_line)?;
        Ok(status_line.starts_with(b"HTTP/1.") && status_line.ends_with(b" 200"))
    };
    exchange().unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One command over RESP, and the server's first reply line.
    fn redis_call(port: u16, command: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap_or_else(|e| panic!("connect: {e}"));
        stream.set_read_timeout(Some(CONNECT_TIMEOUT)).unwrap_or_else(|e| panic!("{e}"));
        stream.write_all(format!("{command}\r\n").as_bytes()).unwrap_or_else(|e| panic!("write: {e}"));
        let mut reply = [0_u8; 64];
        let read = stream.read(&mut reply).unwrap_or_else(|e| panic!("read: {e}"));
        String::from_utf8_lossy(&reply[..read]).into_owned()
    }

    #[test]
    fn a_killed_redis_server_refuses_connections_and_restarts_with_what_it_acknowledged() {
        let Some(mut server) = RedisServer::start() else { return };
        let port = server.process.port;
        assert_eq!(server.url, format!("redis://127.0.0.1:{port}"));
        assert_eq!(redis_call(port, "SET kept yes"), "+OK\r\n");
        server.kill();
        assert!(!accepts_connections(port), "a killed server accepts no connections");
        server.restart();
        assert_eq!(redis_call(port, "GET kept"), "$3\r\nyes\r\n");
        drop(server);
        assert!(!accepts_connections(port), "the server was killed on drop");
    }

    #[test]
    fn a_mongodb_server_of_the_tests_own_restarts_on_its_port() {
        let Some(mut server) = MongoServer::start_own() else { return };
        let port = server.own().port;
        assert!(server.url.starts_with(&format!("mongodb://127.0.0.1:{port}/")), "{}", server.url);
        server.kill();
        assert!(!accepts_connections(port), "a killed server accepts no connections");
        server.restart();
        assert!(answers_hello(port), "the restarted server answers hello");
    }
}
