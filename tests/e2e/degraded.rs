//! Backends going down under a running server, and coming back: the log is the one dependency
//! of a command, so commands go on; what reads a missing backend answers at once and clearly
//! (a `503` with `Retry-After`, or a `null` count), never a hang or a `500`; `/readyz` says which
//! backend is missing; and once it is back, the read models catch up with what the log took
//! meanwhile.
//!
//! The servers here are the tests' own (`RedisServer`, `MongoServer::start_own`), killed with
//! SIGKILL and started again on the same port and data.

use std::time::{Duration, Instant};

use jangteo_test_support::{MongoServer, RedisServer, Restartable};
use reqwest::{Method, RequestBuilder, StatusCode, header};
use serde_json::json;

use crate::{
    problem_codes::Answer,
    sale::on_sale_listing,
    support::{Member, Profile, TestDatabase, TestServer},
};

/// The longest a request may take while a backend is down: well under the client's own 30 s, so
/// a request held by a dead backend fails the test.
const PROMPT: Duration = Duration::from_secs(5);
/// How long a backend's absence, or its return, may take to show.
const NOTICE: Duration = Duration::from_secs(60);

/// Sends `request`, which must be answered within [`PROMPT`], and never with a 500.
async fn promptly(request: RequestBuilder) -> Answer {
    let answer = tokio::time::timeout(PROMPT, Answer::of(request))
        .await
        .unwrap_or_else(|_| panic!("no answer within {PROMPT:?} while a backend is down"));
    assert_ne!(answer.status, StatusCode::INTERNAL_SERVER_ERROR, "{}", answer.body);
    answer
}

/// Sends `request()` until `done` holds of the answer, for at most [`NOTICE`]; every answer on
/// the way must be prompt and no 500.
async fn until(
    server: &TestServer,
    what: &str,
    request: impl Fn() -> RequestBuilder,
    done: impl Fn(&Answer) -> bool,
) -> Answer {
    let deadline = Instant::now() + NOTICE;
    loop {
        let answer = promptly(request()).await;
        if done(&answer) {
            return answer;
        }
        if Instant::now() >= deadline {
            // Where the projections stood, for whoever reads the failure.
            let metrics = Answer::of(server.request(Method::GET, "/metrics", None)).await.body;
            let positions: Vec<&str> = metrics
                .as_str()
                .unwrap_or_default()
                .lines()
                .filter(|line| {
                    line.starts_with("jangteo_log_head") || line.starts_with("jangteo_projection_position")
                })
                .collect();
            panic!("{what} within {NOTICE:?}; last: {} {}; {positions:?}", answer.status, answer.body);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Kills or restarts `server` on a thread of the blocking pool: the calls wait (bounded) for the
/// process, and the test's runtime must meanwhile go on draining the API server's output.
async fn off_the_runtime<S: Restartable + Send + 'static>(mut server: S, call: fn(&mut S)) -> S {
    tokio::task::spawn_blocking(move || {
        call(&mut server);
        server
    })
    .await
    .expect("the kill or restart panicked")
}

/// Whether `/readyz` names `backend` as not ready (and is `503 not_ready`).
fn not_ready(answer: &Answer, backend: &str) -> bool {
    answer.status == StatusCode::SERVICE_UNAVAILABLE
        && answer.body["status"] == "not_ready"
        && answer.body["backends"]
            .as_array()
            .is_some_and(|all| all.iter().any(|b| b["backend"] == backend && b["ready"] == false))
}

fn ready(answer: &Answer) -> bool {
    answer.status == StatusCode::OK && answer.body["status"] == "ready"
}

/// A listing created and published within [`PROMPT`] each; returns its id and the publication's
/// position.
async fn publish_promptly(server: &TestServer, seller: &Member, title: &str) -> (String, u64) {
    let created = promptly(
        server
            .request(Method::POST, "/v1/listings", Some(&seller.token))
            .json(&json!({"title": title, "price": 42_000})),
    )
    .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let listing = created.body["listing_id"].as_str().unwrap().to_owned();
    let published = promptly(server.request(
        Method::POST,
        &format!("/v1/listings/{listing}/publish"),
        Some(&seller.token),
    ))
    .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    (listing, published.body["position"].as_u64().unwrap())
}

#[tokio::test]
async fn with_redis_down_commands_go_on_and_the_counters_catch_up_when_it_is_back() {
    let Some(redis) = RedisServer::start() else { return };
    let prefix = format!("jangteo-e2e-{}", uuid::Uuid::new_v4().simple());
    // Redis holds the rate limiter's budgets, the listing counters and the listing cache.
    let settings = [("JANGTEO_REDIS_URL", redis.url.as_str()), ("JANGTEO_REDIS_KEY_PREFIX", &prefix)];
    let server = TestServer::start_with(&Profile::Embedded, &settings).await;
    let seller = server.member("판매자").await;
    let buyer = server.member("구매자").await;
    let (listing, published_at) = publish_promptly(&server, &seller, "캠핑 의자").await;
    let page = format!("/v1/listings/{listing}");
    let look = || server.request(Method::GET, &page, Some(&buyer.token));
    let counted = promptly(look().header("X-Consistency-Position", published_at.to_string())).await;
    assert_eq!(counted.status, StatusCode::OK, "{}", counted.body);
    assert!(counted.body["view_count"].is_u64(), "{}", counted.body);
    assert!(ready(&promptly(server.request(Method::GET, "/readyz", None)).await));

    let redis = off_the_runtime(redis, Restartable::kill).await;
    let readyz = || server.request(Method::GET, "/readyz", None);
    until(&server, "/readyz reports the counters not ready", readyz, |a| not_ready(a, "counters")).await;

    // Commands only need the log: they go on (and the limiter lets them through).
    let (other, published_at) = publish_promptly(&server, &seller, "캠핑 테이블").await;
    let favourite =
        promptly(server.request(Method::PUT, &format!("{page}/favourite"), Some(&buyer.token))).await;
    assert_eq!(favourite.status, StatusCode::OK, "{}", favourite.body);
    let order = promptly(
        server.request(Method::POST, "/v1/orders", Some(&buyer.token)).json(&json!({"listing_id": other})),
    )
    .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    // A listing page is read from the document store past the cache, without its counts.
    let uncounted = promptly(look()).await;
    assert_eq!(uncounted.status, StatusCode::OK, "{}", uncounted.body);
    assert!(
        uncounted.body["view_count"].is_null() && uncounted.body["favourite_count"].is_null(),
        "{}",
        uncounted.body
    );
    // Reading one's own writes waits for the counters and the cache too, which cannot follow the
    // log while Redis is away: after the bounded wait, a 503 to retry.
    let own_write = promptly(
        server
            .request(Method::GET, &format!("/v1/listings/{other}"), Some(&seller.token))
            .header("X-Consistency-Position", published_at.to_string()),
    )
    .await;
    own_write.assert_problem(StatusCode::SERVICE_UNAVAILABLE, "not_caught_up");
    assert_eq!(own_write.header(header::RETRY_AFTER), Some("1"));
    // The search index is not in Redis.
    let found = promptly(server.request(
        Method::GET,
        "/v1/listings?q=캠핑&status=on_sale,reserved",
        Some(&buyer.token),
    ))
    .await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);

    let _redis = off_the_runtime(redis, Restartable::restart).await;
    until(&server, "/readyz is ready again", readyz, ready).await;
    // The counters projection applies the favourite the log took meanwhile, and the page counts
    // again; a read-your-writes query for the latest command is answered.
    until(&server, "the favourite made while Redis was down is counted", look, |a| {
        a.status == StatusCode::OK && a.body["favourite_count"] == 1
    })
    .await;
    let position = order.body["position"].as_u64().unwrap();
    until(
        &server,
        "a read-your-writes query after Redis came back",
        || {
            server
                .request(Method::GET, &format!("/v1/listings/{other}"), Some(&seller.token))
                .header("X-Consistency-Position", position.to_string())
        },
        |a| a.status == StatusCode::OK && a.body["status"] == "reserved",
    )
    .await;
}

#[tokio::test]
async fn with_mongodb_down_commands_go_on_and_document_queries_answer_503_until_it_is_back() {
    let Some(mongodb) = MongoServer::start_own() else { return };
    let Some(database) = TestDatabase::create().await else { return };
    // The driver gives up on an unreachable server after 1 s (its default is 30 s), and looks for
    // it again every 500 ms once it is back.
    let url = format!(
        "{}&serverSelectionTimeoutMS=1000&connectTimeoutMS=1000&heartbeatFrequencyMS=500",
        mongodb.url
    );
    let documents = format!("jangteo_e2e_{}", uuid::Uuid::new_v4().simple());
    let settings = [("JANGTEO_MONGODB_URL", url.as_str()), ("JANGTEO_MONGODB_DATABASE", documents.as_str())];
    let profile = Profile::Postgres(database);
    let server = TestServer::start_with(&profile, &settings).await;
    let seller = server.member("판매자").await;
    let buyer = server.member("구매자").await;
    let listing = on_sale_listing(&server, &seller, "전동 드릴", 60_000).await;
    let order = server
        .send(Method::POST, "/v1/orders", Some(&buyer.token), Some(json!({"listing_id": listing})))
        .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    let order_page = format!("/v1/orders/{}", order.body["order_id"].as_str().unwrap());
    let page = format!("/v1/listings/{listing}");
    let look = || server.request(Method::GET, &page, Some(&buyer.token));
    let placed_at = order.position().to_string();
    let before = promptly(look().header("X-Consistency-Position", &placed_at)).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);
    assert_eq!(before.body["status"], "reserved", "{}", before.body);

    let mongodb = off_the_runtime(mongodb, Restartable::kill).await;

    // The documents' queries answer 503 read_model_unavailable, with Retry-After and no cause.
    let down =
        until(&server, "the listing page answers 503", look, |a| a.status == StatusCode::SERVICE_UNAVAILABLE)
            .await;
    down.assert_problem(StatusCode::SERVICE_UNAVAILABLE, "read_model_unavailable");
    assert_eq!(down.header(header::RETRY_AFTER), Some("1"));
    let detail = down.body["detail"].as_str().unwrap_or_default();
    assert!(
        !detail.to_lowercase().contains("server selection"),
        "the driver's words stay in the log: {detail}"
    );
    promptly(server.request(Method::GET, &order_page, Some(&buyer.token)))
        .await
        .assert_problem(StatusCode::SERVICE_UNAVAILABLE, "read_model_unavailable");
    let readyz = || server.request(Method::GET, "/readyz", None);
    until(&server, "/readyz reports the documents not ready", readyz, |a| not_ready(a, "documents")).await;

    // Commands only need the log.
    let (other, published_at) = publish_promptly(&server, &seller, "원형 톱").await;
    let cancelled = promptly(
        server
            .request(Method::POST, &format!("{order_page}/cancellation"), Some(&buyer.token))
            .json(&json!({"reason": "다른 걸 샀어요"})),
    )
    .await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    // The search index lives elsewhere (tantivy in the data dir): it still answers.
    let found = promptly(server.request(Method::GET, "/v1/listings?q=톱", Some(&buyer.token))).await;
    assert_eq!(found.status, StatusCode::OK, "{}", found.body);

    let _mongodb = off_the_runtime(mongodb, Restartable::restart).await;
    until(&server, "/readyz is ready again", readyz, ready).await;
    // The documents projection takes up where it stopped: what the log took meanwhile is there.
    let caught_up = until(
        &server,
        "the listing published while MongoDB was down is readable",
        || {
            server
                .request(Method::GET, &format!("/v1/listings/{other}"), Some(&seller.token))
                .header("X-Consistency-Position", published_at.to_string())
        },
        |a| a.status == StatusCode::OK,
    )
    .await;
    assert_eq!(caught_up.body["status"], "on_sale", "{}", caught_up.body);
    let position = cancelled.body["position"].as_u64().unwrap();
    let order = until(
        &server,
        "the cancellation made while MongoDB was down is on the order's page",
        || {
            server
                .request(Method::GET, &order_page, Some(&buyer.token))
                .header("X-Consistency-Position", position.to_string())
        },
        |a| a.status == StatusCode::OK,
    )
    .await;
    assert_eq!(order.body["status"], "cancelled", "{}", order.body);
    // The process manager put the listing back on sale after the cancellation.
    until(&server, "the cancelled order's listing is on sale again", look, |a: &Answer| {
        a.status == StatusCode::OK && a.body["status"] == "on_sale"
    })
    .await;

    drop(server);
    let Profile::Postgres(database) = profile else { unreachable!() };
    database.drop_database().await;
}
