//! The problem codes no other test provokes, each over real HTTP against the binary: what the
//! request gets (status, code, the headers that go with it) and that the refusal appended
//! nothing (the log's head, from `/metrics`, is where it was).
//!
//! The payment codes go through the Toss adapter, pointed at a local stand-in answering as Toss'
//! documented API does (`TossStandIn`, below), one behaviour per payment key.
//!
//! Codes that only an injected fault provokes are asserted at the API layer, in the unit tests of
//! `crates/api/src/problem.rs`: `already_exists`, `concurrent_modification`, `overloaded`,
//! `payment_already_refunded`, `payment_not_refundable` and `internal_error`. `shutting_down` is
//! `shutdown.rs`'s, `read_model_unavailable` is `degraded.rs`'s.

use std::sync::{Arc, Mutex};

use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::{TcpListener, TcpStream},
    task::JoinHandle,
};

use crate::{
    sale::on_sale_listing,
    support::{Profile, TestServer},
};

/// The log's head position, as `/metrics` reports it.
pub async fn head(server: &TestServer) -> u64 {
    let metrics = server.request(Method::GET, "/metrics", None).send().await.unwrap().text().await.unwrap();
    metrics
        .lines()
        .find_map(|line| line.strip_prefix("jangteo_log_head_position "))
        .and_then(|value| value.trim().parse().ok())
        .unwrap_or_else(|| panic!("no jangteo_log_head_position in {metrics}"))
}

/// A response read whole: status, headers, and the body as JSON (or as a string).
pub struct Answer {
    pub status: StatusCode,
    pub headers: header::HeaderMap,
    pub body: Value,
}

impl Answer {
    pub async fn of(request: reqwest::RequestBuilder) -> Self {
        let response = request.send().await.expect("request failed");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("response body");
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Self { status, headers, body }
    }

    pub fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|value| value.to_str().ok())
    }

    /// Asserts an RFC 9457 problem with this status and code.
    pub fn assert_problem(&self, status: StatusCode, code: &str) {
        assert_eq!(self.status, status, "{}", self.body);
        assert_eq!(self.header(header::CONTENT_TYPE), Some("application/problem+json"), "{}", self.body);
        assert_eq!(self.body["code"], code, "{}", self.body);
        assert_eq!(self.body["status"], status.as_u16(), "{}", self.body);
        assert_eq!(self.body["type"], format!("urn:jangteo:problem:{code}"), "{}", self.body);
    }
}

/// Sends `request`, asserts the problem, and that the log did not move.
async fn refused(
    server: &TestServer,
    request: reqwest::RequestBuilder,
    status: StatusCode,
    code: &str,
) -> Answer {
    let before = head(server).await;
    let answer = Answer::of(request).await;
    answer.assert_problem(status, code);
    assert_eq!(head(server).await, before, "{code}: the refusal appended nothing");
    answer
}

#[tokio::test]
async fn malformed_requests_are_refused_with_their_codes_and_append_nothing() {
    let server =
        TestServer::start_with(&Profile::Embedded, &[("JANGTEO_CONSISTENCY_TIMEOUT_MS", "200")]).await;
    let seller = server.member("판매자").await;
    let buyer = server.member("구매자").await;
    let token = Some(seller.token.as_str());
    let listing = on_sale_listing(&server, &seller, "필름 카메라", 150_000).await;

    // A body over the 64 KiB limit, whatever it holds.
    let description = "가".repeat(30_000); // 90,000 bytes of UTF-8
    let oversized = json!({"title": "너무 긴 설명", "description": description, "price": 1_000});
    let request = server.request(Method::POST, "/v1/listings", token).json(&oversized);
    refused(&server, request, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;

    // JSON that does not say it is.
    let body = json!({"title": "평범한 제목", "price": 1_000}).to_string();
    let request = server
        .request(Method::POST, "/v1/listings", token)
        .header(header::CONTENT_TYPE, "text/plain")
        .body(body);
    refused(&server, request, StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type").await;

    // A query parameter that is not a number.
    let request = server.request(Method::GET, "/v1/listings?min_price=cheap", token);
    refused(&server, request, StatusCode::BAD_REQUEST, "invalid_query").await;

    // Headers that cannot be read: a position that is not one, an idempotency key with a space.
    let request = server
        .request(Method::GET, &format!("/v1/listings/{listing}"), token)
        .header("X-Consistency-Position", "soon");
    refused(&server, request, StatusCode::BAD_REQUEST, "invalid_header").await;
    let request = server
        .request(Method::POST, "/v1/orders", Some(&buyer.token))
        .header("Idempotency-Key", "two words")
        .json(&json!({"listing_id": listing}));
    refused(&server, request, StatusCode::BAD_REQUEST, "invalid_header").await;

    // A route that exists, with a method it does not take: `Allow` names those it takes.
    let request = server.request(Method::DELETE, "/v1/orders", Some(&buyer.token));
    let answer = refused(&server, request, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    assert_eq!(answer.header(header::ALLOW), Some("POST"));
    let request = server.request(Method::PUT, &format!("/v1/listings/{listing}"), token);
    let answer = refused(&server, request, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;
    assert_eq!(answer.header(header::ALLOW), Some("GET, PATCH"));

    // A position the log has not reached: after the wait (200 ms here), come back in a second.
    let beyond = head(&server).await + 1_000;
    let request = server
        .request(Method::GET, &format!("/v1/listings/{listing}"), token)
        .header("X-Consistency-Position", beyond.to_string());
    let answer = refused(&server, request, StatusCode::SERVICE_UNAVAILABLE, "not_caught_up").await;
    assert_eq!(answer.header(header::RETRY_AFTER), Some("1"));

    // One idempotency key, two different orders: the second is refused, and its listing stays
    // on sale.
    let other = on_sale_listing(&server, &seller, "렌즈", 80_000).await;
    let order = |listing: &str| {
        server
            .request(Method::POST, "/v1/orders", Some(&buyer.token))
            .header("Idempotency-Key", "order-once-7f3a")
            .json(&json!({"listing_id": listing}))
    };
    let placed = Answer::of(order(&listing)).await;
    assert_eq!(placed.status, StatusCode::CREATED, "{}", placed.body);
    let again = Answer::of(order(&listing)).await;
    assert_eq!(again.status, StatusCode::CREATED, "the same request again: the first answer");
    assert_eq!(again.body["order_id"], placed.body["order_id"]);
    assert_eq!(again.header(header::HeaderName::from_static("idempotent-replayed")), Some("true"));
    refused(&server, order(&other), StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused").await;
    let now = head(&server).await.to_string();
    let still = Answer::of(
        server
            .request(Method::GET, &format!("/v1/listings/{other}"), Some(&buyer.token))
            .header("X-Consistency-Position", &now),
    )
    .await;
    assert_eq!(still.body["status"], "on_sale", "{}", still.body);
}

/// How the stand-in answers a confirmation, chosen by the payment key the client sends.
fn toss_answer(path: &str, body: &Value) -> (u16, Value) {
    let error = |status: u16, code: &str, message: &str| (status, json!({"code": code, "message": message}));
    if path != "/v1/payments/confirm" {
        return error(404, "NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다.");
    }
    let key = body["paymentKey"].as_str().unwrap_or_default();
    let amount = body["amount"].as_i64().unwrap_or_default();
    let payment = |status: &str, total: i64| {
        (
            200,
            json!({
                "mId": "tosspayments",
                "version": "2022-11-16",
                "paymentKey": key,
                "orderId": body["orderId"],
                "orderName": "필름 카메라",
                "status": status,
                "method": if status == "DONE" { "카드" } else { "가상계좌" },
                "totalAmount": total,
                "balanceAmount": total,
                "requestedAt": "2026-11-26T10:00:00+09:00",
                "approvedAt": "2026-11-26T10:00:05+09:00",
            }),
        )
    };
    match key {
        "tgen_declined" => {
            error(400, "REJECT_CARD_PAYMENT", "한도초과 혹은 잔액부족으로 결제에 실패했습니다.")
        }
        "tgen_short" => payment("DONE", amount - 1_000),
        "tgen_unknown" => error(404, "NOT_FOUND_PAYMENT", "존재하지 않는 결제 정보 입니다."),
        "tgen_deposit" => payment("WAITING_FOR_DEPOSIT", amount),
        "tgen_processed" => error(400, "ALREADY_PROCESSED_PAYMENT", "이미 처리된 결제 입니다."),
        "tgen_down" => {
            error(500, "FAILED_INTERNAL_SYSTEM_PROCESSING", "내부 시스템 처리 작업이 실패했습니다.")
        }
        "tgen_bad_secret" => {
            error(401, "UNAUTHORIZED_KEY", "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다.")
        }
        _ => payment("DONE", amount),
    }
}

/// A local server answering as Toss Payments' REST API v1 does (`toss_answer`), one connection
/// per request; it records the payment key of every request it gets.
struct TossStandIn {
    url: String,
    asked: Arc<Mutex<Vec<String>>>,
    task: JoinHandle<()>,
}

impl TossStandIn {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let asked = Arc::new(Mutex::new(Vec::new()));
        let recorded = Arc::clone(&asked);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(Self::answer(stream, Arc::clone(&recorded)));
            }
        });
        Self { url, asked, task }
    }

    async fn answer(stream: TcpStream, asked: Arc<Mutex<Vec<String>>>) {
        let mut reader = BufReader::new(stream);
        let mut line = String::new();
        if reader.read_line(&mut line).await.is_err() {
            return;
        }
        let path = line.split(' ').nth(1).unwrap_or_default().to_owned();
        let mut length = 0;
        loop {
            line.clear();
            if reader.read_line(&mut line).await.unwrap_or(0) == 0 || line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).await.is_err() {
            return;
        }
        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        asked.lock().unwrap().push(body["paymentKey"].as_str().unwrap_or(&path).to_owned());
        let (status, answer) = toss_answer(&path, &body);
        let answer = answer.to_string();
        let response = format!(
            "HTTP/1.1 {status} Toss\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
             connection: close\r\n\r\n{answer}",
            answer.len()
        );
        let mut stream = reader.into_inner();
        let _ = stream.write_all(response.as_bytes()).await;
        let _ = stream.shutdown().await;
    }

    /// How many requests named `payment_key`.
    fn times_asked(&self, payment_key: &str) -> usize {
        self.asked.lock().unwrap().iter().filter(|key| *key == payment_key).count()
    }
}

impl Drop for TossStandIn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[tokio::test]
async fn the_gateways_answers_become_payment_codes_and_leave_the_order_unpaid() {
    let toss = TossStandIn::start().await;
    let settings = [
        ("JANGTEO_PAYMENT_GATEWAY", "toss"),
        ("JANGTEO_TOSS_SECRET_KEY", "test_sk_jangteo"),
        ("JANGTEO_PAYMENT_API_BASE", toss.url.as_str()),
    ];
    let server = TestServer::start_with(&Profile::Embedded, &settings).await;
    let seller = server.member("판매자").await;
    let buyer = server.member("구매자").await;
    let listing = on_sale_listing(&server, &seller, "필름 카메라", 150_000).await;
    let order = server
        .send(Method::POST, "/v1/orders", Some(&buyer.token), Some(json!({ "listing_id": listing })))
        .await;
    assert_eq!(order.status, StatusCode::CREATED, "{}", order.body);
    let order_id = order.body["order_id"].as_str().unwrap().to_owned();
    let path = format!("/v1/orders/{order_id}/payment");
    let pay = |key: &str| {
        server
            .request(Method::POST, &path, Some(&buyer.token))
            .json(&json!({ "method": "card", "payment_key": key, "amount": 150_000 }))
    };

    for (key, status, code) in [
        ("tgen_declined", StatusCode::PAYMENT_REQUIRED, "payment_declined"),
        // The gateway captured another amount than the order's.
        ("tgen_short", StatusCode::UNPROCESSABLE_ENTITY, "amount_mismatch"),
        ("tgen_unknown", StatusCode::UNPROCESSABLE_ENTITY, "payment_not_found"),
        // A virtual account: confirmed, but no money until the buyer's deposit.
        ("tgen_deposit", StatusCode::CONFLICT, "payment_pending"),
        ("tgen_processed", StatusCode::CONFLICT, "payment_already_processed"),
        // The gateway's own failure, after every retry.
        ("tgen_down", StatusCode::SERVICE_UNAVAILABLE, "payment_gateway_unavailable"),
        // Our secret key refused: an operator's problem, a bare 500 for the client.
        ("tgen_bad_secret", StatusCode::INTERNAL_SERVER_ERROR, "payment_gateway_misconfigured"),
    ] {
        refused(&server, pay(key), status, code).await;
    }
    assert_eq!(toss.times_asked("tgen_declined"), 1, "a decline is an answer, not retried");
    assert_eq!(toss.times_asked("tgen_down"), 3, "the gateway's failures are retried, then given up");

    let now = head(&server).await.to_string();
    let order = Answer::of(
        server
            .request(Method::GET, &format!("/v1/orders/{order_id}"), Some(&buyer.token))
            .header("X-Consistency-Position", &now),
    )
    .await;
    assert_eq!(order.body["status"], "placed", "{}", order.body);
    assert!(order.body["escrow_status"].is_null(), "{}", order.body);

    // The gateway that captures the order's amount pays it.
    let paid = Answer::of(pay("tgen_captured")).await;
    assert_eq!(paid.status, StatusCode::OK, "{}", paid.body);
    assert_eq!(paid.body["status"], "paid");
    let timeline =
        server.send(Method::GET, &format!("/v1/orders/{order_id}/timeline"), Some(&buyer.token), None).await;
    let paid_entry = timeline.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|entry| entry["event_type"] == "OrderPaid")
        .unwrap_or_else(|| panic!("no OrderPaid in {}", timeline.body));
    assert_eq!(paid_entry["data"]["payment"]["gateway"], "toss_payments", "{paid_entry}");
    assert_eq!(paid_entry["data"]["payment"]["payment_key"], "tgen_captured", "{paid_entry}");
    // Nothing was asked twice but the failing gateway.
    assert_eq!(toss.times_asked("tgen_captured"), 1);
}
