//! The Toss Payments adapter against a local server that answers as Toss' documented API does.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests state expectations with expect/unwrap")]

use std::time::Duration;

use jangteo_domain::{Money, OrderId};
use jangteo_payments::{
    CancelPayment, ConfirmPayment, PaymentError, PaymentGateway, PaymentKey, RetryPolicy, toss::TossPayments,
};
use serde_json::{Value, json};
use uuid::Uuid;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{body_json, header, method, path},
};

const SECRET: &str = "test_sk_jangteo";
/// `base64("test_sk_jangteo:")`: Toss' Basic auth is the secret key and an empty password.
const AUTHORIZATION: &str = "Basic dGVzdF9za19qYW5ndGVvOg==";

fn quick() -> RetryPolicy {
    RetryPolicy { attempts: 3, first_backoff: Duration::from_millis(10), timeout: Duration::from_secs(5) }
}

fn order_id() -> OrderId {
    OrderId::from_uuid(Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0001))
}

fn confirm_request(amount: i64) -> ConfirmPayment {
    ConfirmPayment {
        payment_key: PaymentKey::parse("tgen_20261126_abc").unwrap(),
        order_id: order_id(),
        amount: Money::won(amount).unwrap(),
        idempotency_key: "confirm-7f3a".to_owned(),
    }
}

/// A Payment object as Toss returns it (the fields Jangteo reads, and some it ignores).
fn payment(total: i64, balance: i64, cancels: &Value) -> Value {
    json!({
        "mId": "tosspayments",
        "version": "2022-11-16",
        "paymentKey": "tgen_20261126_abc",
        "orderId": order_id().to_string(),
        "orderName": "아이폰 15",
        "status": if balance == 0 { "CANCELED" } else if balance < total { "PARTIAL_CANCELED" } else { "DONE" },
        "method": "카드",
        "totalAmount": total,
        "balanceAmount": balance,
        "requestedAt": "2026-11-26T10:00:00+09:00",
        "approvedAt": "2026-11-26T10:00:05+09:00",
        "cancels": cancels,
    })
}

fn gateway(server: &MockServer, retry: RetryPolicy) -> TossPayments {
    TossPayments::new(&server.uri(), SECRET, retry).unwrap()
}

#[tokio::test]
async fn a_confirmation_captures_the_orders_amount() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/payments/confirm"))
        .and(header("authorization", AUTHORIZATION))
        .and(header("idempotency-key", "confirm-7f3a"))
        .and(body_json(json!({
            "paymentKey": "tgen_20261126_abc",
            "orderId": order_id().to_string(),
            "amount": 950_000,
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(payment(950_000, 950_000, &Value::Null)))
        .expect(1)
        .mount(&server)
        .await;
    let confirmed = gateway(&server, quick()).confirm(&confirm_request(950_000)).await.unwrap();
    assert_eq!(confirmed.amount.as_won(), 950_000);
    assert_eq!(confirmed.method, "카드");
    assert_eq!(confirmed.approved_at.to_rfc3339(), "2026-11-26T01:00:05+00:00");
}

#[tokio::test]
async fn a_capture_of_another_amount_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/payments/confirm"))
        .respond_with(ResponseTemplate::new(200).set_body_json(payment(1_000, 1_000, &Value::Null)))
        .mount(&server)
        .await;
    let refused = gateway(&server, quick()).confirm(&confirm_request(950_000)).await;
    assert_eq!(refused, Err(PaymentError::AmountMismatch { expected: 950_000, reported: 1_000 }));
}

#[tokio::test]
async fn declines_are_answers_not_retried() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/payments/confirm"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "code": "REJECT_CARD_PAYMENT",
            "message": "한도초과 혹은 잔액부족으로 결제에 실패했습니다.",
        })))
        .expect(1)
        .mount(&server)
        .await;
    let declined = gateway(&server, quick()).confirm(&confirm_request(950_000)).await;
    assert!(
        matches!(&declined, Err(PaymentError::Declined { code, .. }) if code == "REJECT_CARD_PAYMENT"),
        "{declined:?}"
    );
}

#[tokio::test]
async fn a_refused_secret_key_is_an_operators_problem() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({
            "code": "UNAUTHORIZED_KEY",
            "message": "인증되지 않은 시크릿 키 혹은 클라이언트 키 입니다.",
        })))
        .expect(1)
        .mount(&server)
        .await;
    let refused = gateway(&server, quick()).confirm(&confirm_request(950_000)).await;
    assert!(matches!(refused, Err(PaymentError::Misconfigured(_))), "{refused:?}");
}

#[tokio::test]
async fn server_errors_are_retried_with_the_same_idempotency_key() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/payments/confirm"))
        .respond_with(ResponseTemplate::new(500).set_body_json(json!({
            "code": "FAILED_INTERNAL_SYSTEM_PROCESSING",
            "message": "내부 시스템 처리 작업이 실패했습니다.",
        })))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/payments/confirm"))
        .respond_with(ResponseTemplate::new(200).set_body_json(payment(950_000, 950_000, &Value::Null)))
        .mount(&server)
        .await;
    let confirmed = gateway(&server, quick()).confirm(&confirm_request(950_000)).await;
    assert_eq!(confirmed.map(|payment| payment.amount.as_won()), Ok(950_000));
    let keys: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|request| request.headers.get("idempotency-key").unwrap().to_str().unwrap().to_owned())
        .collect();
    assert_eq!(keys, ["confirm-7f3a"; 3]);
}

#[tokio::test]
async fn a_gateway_that_never_answers_in_time_is_unavailable_after_every_attempt() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(payment(950_000, 950_000, &Value::Null))
                .set_delay(Duration::from_secs(2)),
        )
        .mount(&server)
        .await;
    let patience = RetryPolicy {
        attempts: 2,
        first_backoff: Duration::from_millis(10),
        timeout: Duration::from_millis(200),
    };
    let failed = gateway(&server, patience).confirm(&confirm_request(950_000)).await;
    assert!(matches!(failed, Err(PaymentError::Unavailable(_))), "{failed:?}");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_partial_cancellation_refunds_part_and_reports_the_balance() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/payments/tgen_20261126_abc/cancel"))
        .and(header("authorization", AUTHORIZATION))
        .and(header("idempotency-key", "refund-1"))
        .and(body_json(json!({ "cancelReason": "구성품 누락", "cancelAmount": 50_000 })))
        .respond_with(ResponseTemplate::new(200).set_body_json(payment(
            950_000,
            900_000,
            &json!([{ "cancelAmount": 50_000, "cancelReason": "구성품 누락", "canceledAt": "2026-11-27T09:00:00+09:00" }]),
        )))
        .expect(1)
        .mount(&server)
        .await;
    let request = CancelPayment {
        payment_key: PaymentKey::parse("tgen_20261126_abc").unwrap(),
        order_id: order_id(),
        reason: "구성품 누락".to_owned(),
        amount: Some(Money::won(50_000).unwrap()),
        idempotency_key: "refund-1".to_owned(),
    };
    let cancelled = gateway(&server, quick()).cancel(&request).await.unwrap();
    assert_eq!((cancelled.refunded.as_won(), cancelled.remaining.as_won()), (50_000, 900_000));
}

#[tokio::test]
async fn cancelling_a_cancelled_payment_says_it_was_refunded_already() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "code": "ALREADY_CANCELED_PAYMENT",
            "message": "이미 취소된 결제 입니다.",
        })))
        .mount(&server)
        .await;
    let request = CancelPayment {
        payment_key: PaymentKey::parse("tgen_20261126_abc").unwrap(),
        order_id: order_id(),
        reason: "단순 변심".to_owned(),
        amount: None,
        idempotency_key: "refund-2".to_owned(),
    };
    assert_eq!(gateway(&server, quick()).cancel(&request).await, Err(PaymentError::AlreadyRefunded));
}

#[tokio::test]
async fn a_lookup_reports_where_the_payment_stands() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/payments/tgen_20261126_abc"))
        .and(header("authorization", AUTHORIZATION))
        .respond_with(ResponseTemplate::new(200).set_body_json(payment(950_000, 900_000, &json!([]))))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/payments/tgen_unknown"))
        .respond_with(ResponseTemplate::new(404).set_body_json(
            json!({"code": "NOT_FOUND_PAYMENT", "message": "존재하지 않는 결제 정보 입니다."}),
        ))
        .mount(&server)
        .await;
    let toss = gateway(&server, quick());
    let key = PaymentKey::parse("tgen_20261126_abc").unwrap();
    let snapshot = toss.lookup(&key, order_id()).await.unwrap();
    assert_eq!(snapshot.state, jangteo_payments::PaymentState::PartiallyCancelled);
    assert_eq!(snapshot.order_id, order_id().to_string());
    assert_eq!((snapshot.total.as_won(), snapshot.balance.as_won()), (950_000, 900_000));
    let unknown = toss.lookup(&PaymentKey::parse("tgen_unknown").unwrap(), order_id()).await;
    assert_eq!(unknown, Err(PaymentError::NotFound));
}

#[tokio::test]
async fn a_virtual_account_awaiting_its_deposit_is_not_a_capture() {
    let server = MockServer::start().await;
    let mut waiting = payment(950_000, 950_000, &Value::Null);
    waiting["status"] = json!("WAITING_FOR_DEPOSIT");
    waiting["method"] = json!("가상계좌");
    Mock::given(method("POST"))
        .and(path("/v1/payments/confirm"))
        .respond_with(ResponseTemplate::new(200).set_body_json(waiting))
        .mount(&server)
        .await;
    let confirmed = gateway(&server, quick()).confirm(&confirm_request(950_000)).await;
    assert_eq!(confirmed, Err(PaymentError::Pending("WAITING_FOR_DEPOSIT".to_owned())));
}
