//! Spawning the server and talking to it.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use reqwest::{Client, Method, RequestBuilder, Response, StatusCode};
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::{
    io::{AsyncBufReadExt, BufReader},
    process::{Child, Command},
};
use uuid::Uuid;

/// Which event store the server under test uses.
pub enum Profile {
    Embedded,
    Postgres(TestDatabase),
}

pub use jangteo_test_support::{KafkaBroker, TestDatabase, redis_url};

/// A running `jangteo serve`.
pub struct TestServer {
    pub base_url: String,
    child: Child,
    data_dir: PathBuf,
    database_url: Option<String>,
    settings: Vec<(String, String)>,
    data_dir_guard: Option<TempDir>,
    pub http: Client,
}

impl TestServer {
    pub async fn start(profile: &Profile) -> Self {
        Self::start_with(profile, &[]).await
    }

    /// Starts a server with extra environment settings.
    pub async fn start_with(profile: &Profile, settings: &[(&str, &str)]) -> Self {
        let guard = tempfile::tempdir().expect("temp dir");
        let data_dir = guard.path().to_path_buf();
        let database_url = match profile {
            Profile::Embedded => None,
            Profile::Postgres(database) => Some(database.url.clone()),
        };
        let settings = settings.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let mut server = Self::spawn(&data_dir, database_url.as_deref(), settings).await;
        server.data_dir_guard = Some(guard);
        server
    }

    async fn spawn(data_dir: &Path, database_url: Option<&str>, settings: Vec<(String, String)>) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_jangteo"));
        command
            .arg("serve")
            .env("JANGTEO_LISTEN", "127.0.0.1:0")
            .env("JANGTEO_DATA_DIR", data_dir)
            .env("JANGTEO_HTTP_WORKERS", "2")
            .env("RUST_LOG", "warn")
            // Tests send far more than a person would; the limit itself has its own test.
            .env("JANGTEO_RATE_LIMIT_PER_MINUTE", "1000000")
            .env_remove("JANGTEO_DATABASE_URL")
            .env_remove("JANGTEO_JWT_SECRET")
            .env_remove("JANGTEO_MASTER_KEY")
            .env_remove("JANGTEO_CONFIG")
            .env_remove("JANGTEO_REDIS_URL")
            .env_remove("JANGTEO_CORS_ALLOWED_ORIGINS")
            .env_remove("JANGTEO_SMTP_URL")
            .env_remove("JANGTEO_PUBLIC_URL")
            .env_remove("JANGTEO_SENS_SERVICE_ID")
            .env_remove("JANGTEO_TRUSTED_PROXIES")
            .env_remove("JANGTEO_TLS_CERT")
            .env_remove("JANGTEO_TLS_KEY")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        if let Some(url) = database_url {
            command.env("JANGTEO_DATABASE_URL", url);
        }
        command.envs(settings.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        let mut child = command.spawn().expect("spawning the jangteo binary");
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout).lines();
        let base_url = tokio::time::timeout(Duration::from_secs(60), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(url) = line.strip_prefix("jangteo listening on ") {
                    return url.trim().to_owned();
                }
            }
            panic!("the server exited before listening");
        })
        .await
        .expect("the server did not start listening within 60 s");
        // Keep draining stdout so the child never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Self {
            base_url,
            child,
            data_dir: data_dir.to_path_buf(),
            database_url: database_url.map(str::to_owned),
            settings,
            data_dir_guard: None,
            http: Client::builder().timeout(Duration::from_secs(30)).build().expect("HTTP client"),
        }
    }

    /// Asks the server to stop (SIGTERM, as a service manager or Kubernetes does) and waits for it
    /// to exit; returns its exit status.
    pub async fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = self.child.id().expect("the server is running").to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().await.expect("running kill");
        assert!(sent.success(), "kill -TERM {pid} failed");
        tokio::time::timeout(Duration::from_secs(60), self.child.wait())
            .await
            .expect("the server did not stop within 60 s of SIGTERM")
            .expect("waiting for the server")
    }

    /// The server's data directory (the embedded event log is `events.sqlite` in it).
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Kills the server (SIGKILL: no graceful shutdown) and starts it again on the same data.
    pub async fn restart(mut self) -> Self {
        if self.child.try_wait().expect("the server's status").is_none() {
            self.child.kill().await.expect("killing the server");
        }
        let guard = self.data_dir_guard.take();
        let settings = std::mem::take(&mut self.settings);
        let mut restarted = Self::spawn(&self.data_dir, self.database_url.as_deref(), settings).await;
        restarted.data_dir_guard = guard;
        restarted
    }

    /// Kills the server, runs `jangteo rebuild` (all read models, from position 0) on its data, and
    /// starts it again. Returns the restarted server and what `rebuild` printed.
    pub async fn rebuild_offline(mut self) -> (Self, String) {
        self.child.kill().await.expect("killing the server");
        let mut command = Command::new(env!("CARGO_BIN_EXE_jangteo"));
        command
            .arg("rebuild")
            .env("JANGTEO_DATA_DIR", &self.data_dir)
            .env("RUST_LOG", "warn")
            .env_remove("JANGTEO_DATABASE_URL");
        if let Some(url) = &self.database_url {
            command.env("JANGTEO_DATABASE_URL", url);
        }
        let output = command.output().await.expect("running jangteo rebuild");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "rebuild failed: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let guard = self.data_dir_guard.take();
        let settings = std::mem::take(&mut self.settings);
        let mut restarted = Self::spawn(&self.data_dir, self.database_url.as_deref(), settings).await;
        restarted.data_dir_guard = guard;
        (restarted, stdout)
    }

    /// Starts `jangteo relay` on this server's event store, publishing to `brokers` under
    /// `topic_prefix`; the process is killed when the returned handle drops.
    pub fn start_relay(&self, brokers: &str, topic_prefix: &str) -> Child {
        let mut command = self.command("relay");
        command.env("JANGTEO_KAFKA_BROKERS", brokers).env("JANGTEO_KAFKA_TOPIC_PREFIX", topic_prefix);
        command.spawn().expect("spawning jangteo relay")
    }

    /// Starts `jangteo worker` (relay, process manager, projections fed by Kafka) on this
    /// server's data and settings; killed when the returned handle drops.
    pub fn start_worker(&self) -> Child {
        self.command("worker").spawn().expect("spawning jangteo worker")
    }

    /// Starts a second API instance on this server's data dir, event store and settings.
    pub async fn start_beside(&self) -> Self {
        Self::spawn(&self.data_dir, self.database_url.as_deref(), self.settings.clone()).await
    }

    /// Gives `member` the dispute-agent role with `jangteo grant-role`, as an operator would.
    pub async fn make_dispute_agent(&self, member: &Member) {
        self.grant_role(member, "dispute_agent").await;
    }

    /// Gives `member` a role with `jangteo grant-role`, as an operator would.
    pub async fn grant_role(&self, member: &Member, role: &str) {
        let output = self
            .command("grant-role")
            .args(["--email", &member.email, "--role", role])
            .stdout(Stdio::piped())
            .output()
            .await
            .expect("running jangteo grant-role");
        assert!(output.status.success(), "grant-role failed: {}", String::from_utf8_lossy(&output.stderr));
    }

    /// Runs `jangteo <subcommand>` on this server's data dir, event store and settings, with
    /// `env` besides; returns what it printed and whether it succeeded.
    pub async fn run(&self, subcommand: &str, env: &[(&str, &str)]) -> std::process::Output {
        self.command(subcommand)
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .await
            .expect("running jangteo")
    }

    /// A `jangteo <subcommand>` on this server's data dir, event store and settings.
    fn command(&self, subcommand: &str) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_jangteo"));
        command
            .arg(subcommand)
            .env("JANGTEO_DATA_DIR", &self.data_dir)
            .env("RUST_LOG", "warn")
            .env_remove("JANGTEO_DATABASE_URL")
            .env_remove("JANGTEO_REDIS_URL")
            .env_remove("JANGTEO_CONFIG")
            .stdout(Stdio::null())
            .kill_on_drop(true);
        if let Some(url) = &self.database_url {
            command.env("JANGTEO_DATABASE_URL", url);
        }
        command.envs(self.settings.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        command
    }

    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let builder = self.http.request(method, format!("{}{path}", self.base_url));
        match token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub async fn send(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Reply {
        let mut builder = self.request(method, path, token);
        if let Some(body) = body {
            builder = builder.json(&body);
        }
        Reply::from(builder.send().await.expect("request failed")).await
    }

    /// Reads `path` once the read models hold `position` (a write's), asserting `200 OK`.
    pub async fn read_at(&self, path: &str, token: Option<&str>, position: u64) -> Value {
        let response = self
            .request(Method::GET, path, token)
            .header("X-Consistency-Position", position.to_string())
            .send()
            .await
            .expect("request failed");
        let reply = Reply::from(response).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}: {}", reply.body);
        reply.body
    }

    /// Registers a member and signs them in.
    pub async fn member(&self, nickname: &str) -> Member {
        let email = format!("{}-{}@example.com", nickname, Uuid::new_v4().simple());
        let password = PASSWORD;
        let registered = self
            .send(
                Method::POST,
                "/v1/accounts",
                None,
                Some(json!({"email": email, "password": password, "nickname": nickname, "consents": {"terms": "2026-12-01", "privacy": "2026-12-01", "marketing": false}})),
            )
            .await;
        assert_eq!(registered.status, StatusCode::CREATED, "{}", registered.body);
        let account_id = registered.body["account_id"].as_str().expect("account_id").to_owned();
        let session = self
            .send(Method::POST, "/v1/sessions", None, Some(json!({"email": email, "password": password})))
            .await;
        assert_eq!(session.status, StatusCode::CREATED, "{}", session.body);
        assert_eq!(session.body["token_type"], "Bearer");
        Member {
            account_id,
            email,
            token: session.body["access_token"].as_str().expect("access_token").to_owned(),
        }
    }
}

/// The password of every member [`TestServer::member`] registers.
pub const PASSWORD: &str = "correct horse battery staple";

pub struct Member {
    pub account_id: String,
    pub email: String,
    pub token: String,
}

/// A response, read whole.
pub struct Reply {
    pub status: StatusCode,
    pub content_type: String,

    pub body: Value,
}

impl Reply {
    pub async fn from(response: Response) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let content_type =
            headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        let text = response.text().await.expect("response body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Self { status, content_type, body }
    }

    /// Asserts an RFC 9457 problem with this status and code.
    pub fn assert_problem(&self, status: StatusCode, code: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.content_type, "application/problem+json", "{}", self.body);
        assert_eq!(self.body["code"], code, "{}", self.body);
        assert_eq!(self.body["status"], status.as_u16(), "{}", self.body);
        assert!(self.body["type"].is_string() && self.body["title"].is_string(), "{}", self.body);
    }

    pub fn position(&self) -> u64 {
        self.body["position"].as_u64().unwrap_or_else(|| panic!("no position in {}", self.body))
    }
}

/// The SHA-256 of `bytes` in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    ring::digest::digest(&ring::digest::SHA256, bytes).as_ref().iter().fold(String::new(), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    })
}
