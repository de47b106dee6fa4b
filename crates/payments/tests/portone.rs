//! The PortOne V2 adapter (KG Inicis escrow) against a local server answering as PortOne's
//! documented API does.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests state expectations with expect/unwrap")]

use std::time::Duration;

use chrono::DateTime;
use jangteo_domain::{Carrier, Money, OrderId, TrackingNumber};
use jangteo_payments::{
    CancelPayment, ConfirmPayment, EscrowLogistics, EscrowShipment, PaymentError, PaymentGateway, PaymentKey,
    RetryPolicy, portone::PortOne,
};
use serde_json::json;
use uuid::Uuid;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{body_json, header, method, path},
};

fn order_id() -> OrderId {
    OrderId::from_uuid(Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0002))
}

fn portone(server: &MockServer) -> PortOne {
    let retry = RetryPolicy {
        attempts: 3,
        first_backoff: Duration::from_millis(10),
        timeout: Duration::from_secs(5),
    };
    PortOne::new(&server.uri(), "secret-jangteo", retry).unwrap()
}

fn paid(total: i64, cancelled: i64) -> serde_json::Value {
    json!({
        "status": "PAID",
        "id": order_id().to_string(),
        "storeId": "store-jangteo",
        "method": { "type": "PaymentMethodCard" },
        "amount": { "total": total, "taxFree": 0, "discount": 0, "paid": total, "cancelled": cancelled },
        "paidAt": "2026-11-26T01:00:05Z",
        "escrow": { "status": "REGISTERED" },
    })
}

fn confirm_request(amount: i64) -> ConfirmPayment {
    ConfirmPayment {
        payment_key: PaymentKey::parse(&order_id().to_string()).unwrap(),
        order_id: order_id(),
        amount: Money::won(amount).unwrap(),
        idempotency_key: "confirm-1".to_owned(),
    }
}

#[tokio::test]
async fn a_paid_payment_for_the_orders_amount_is_confirmed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/payments/{}", order_id())))
        .and(header("authorization", "PortOne secret-jangteo"))
        .respond_with(ResponseTemplate::new(200).set_body_json(paid(950_000, 0)))
        .expect(1)
        .mount(&server)
        .await;
    let confirmed = portone(&server).confirm(&confirm_request(950_000)).await.unwrap();
    assert_eq!(confirmed.amount.as_won(), 950_000);
    assert_eq!(confirmed.approved_at, DateTime::parse_from_rfc3339("2026-11-26T01:00:05Z").unwrap());
}

#[tokio::test]
async fn a_payment_of_another_amount_is_refused() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(paid(100, 0)))
        .mount(&server)
        .await;
    let refused = portone(&server).confirm(&confirm_request(950_000)).await;
    assert_eq!(refused, Err(PaymentError::AmountMismatch { expected: 950_000, reported: 100 }));
}

#[tokio::test]
async fn an_unknown_payment_is_not_found() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(404).set_body_json(
                json!({ "type": "PAYMENT_NOT_FOUND", "message": "결제 건이 존재하지 않습니다." }),
            ),
        )
        .expect(1)
        .mount(&server)
        .await;
    assert_eq!(portone(&server).confirm(&confirm_request(950_000)).await, Err(PaymentError::NotFound));
}

#[tokio::test]
async fn pg_errors_are_retried() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(502)
                .set_body_json(json!({ "type": "PG_PROVIDER", "message": "PG사 오류" })),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(paid(950_000, 0)))
        .mount(&server)
        .await;
    assert!(portone(&server).confirm(&confirm_request(950_000)).await.is_ok());
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn shipments_are_registered_corrected_and_purchases_confirmed() {
    let server = MockServer::start().await;
    let logistics = json!({ "logistics": {
        "company": "CJ",
        "invoiceNumber": "630612345678",
        "sentAt": "2026-11-26T03:00:00+00:00",
    } });
    let escrow_path = format!("/payments/{}/escrow/logistics", order_id());
    let applied = json!({ "invoiceNumber": "630612345678", "sentAt": "2026-11-26T03:00:00Z", "appliedAt": "2026-11-26T03:00:01Z" });
    Mock::given(method("POST"))
        .and(path(escrow_path.clone()))
        .and(body_json(logistics.clone()))
        .respond_with(ResponseTemplate::new(200).set_body_json(applied.clone()))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PATCH"))
        .and(path(escrow_path))
        .and(body_json(logistics))
        .respond_with(ResponseTemplate::new(200).set_body_json(applied))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/payments/{}/escrow/complete", order_id())))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({ "completedAt": "2026-11-29T03:00:00Z" })),
        )
        .expect(1)
        .mount(&server)
        .await;

    let adapter = portone(&server);
    let shipment = EscrowShipment {
        order_id: order_id(),
        carrier: Carrier::CjLogistics,
        tracking_number: TrackingNumber::parse("6306-1234-5678").unwrap(),
        sent_at: DateTime::parse_from_rfc3339("2026-11-26T03:00:00Z").unwrap().to_utc(),
    };
    adapter.register_shipment(&shipment, false).await.unwrap();
    adapter.register_shipment(&shipment, true).await.unwrap();
    let completed = adapter.confirm_purchase(order_id()).await.unwrap();
    assert_eq!(completed, DateTime::parse_from_rfc3339("2026-11-29T03:00:00Z").unwrap());
}

#[tokio::test]
async fn a_partial_cancellation_reports_what_it_refunded_and_what_is_left() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path(format!("/payments/{}/cancel", order_id())))
        .and(body_json(json!({
            "reason": "부분 환불 [refund-1]", "amount": 50_000, "currentCancellableAmount": 950_000
        })))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "cancellation": { "status": "SUCCEEDED", "id": "c-1", "totalAmount": 50_000, "reason": "부분 환불 [refund-1]" },
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(paid(950_000, 0)))
        .mount(&server)
        .await;
    let request = CancelPayment {
        payment_key: PaymentKey::parse(&order_id().to_string()).unwrap(),
        order_id: order_id(),
        reason: "부분 환불".to_owned(),
        amount: Some(Money::won(50_000).unwrap()),
        idempotency_key: "refund-1".to_owned(),
    };
    let cancelled = portone(&server).cancel(&request).await.unwrap();
    assert_eq!((cancelled.refunded.as_won(), cancelled.remaining.as_won()), (50_000, 900_000));
}

#[tokio::test]
async fn a_repeated_cancellation_is_answered_from_the_first_without_refunding_again() {
    let server = MockServer::start().await;
    let mut after_first = paid(950_000, 50_000);
    after_first["status"] = json!("PARTIAL_CANCELLED");
    after_first["cancellations"] = json!([
        { "status": "SUCCEEDED", "id": "c-1", "totalAmount": 50_000, "reason": "부분 환불 [refund-1]" }
    ]);
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(after_first))
        .mount(&server)
        .await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&server).await;
    let request = CancelPayment {
        payment_key: PaymentKey::parse(&order_id().to_string()).unwrap(),
        order_id: order_id(),
        reason: "부분 환불".to_owned(),
        amount: Some(Money::won(50_000).unwrap()),
        idempotency_key: "refund-1".to_owned(),
    };
    let cancelled = portone(&server).cancel(&request).await.unwrap();
    assert_eq!((cancelled.refunded.as_won(), cancelled.remaining.as_won()), (50_000, 900_000));
}

#[tokio::test]
async fn an_answer_without_the_amounts_is_an_error_never_zero_won() {
    let server = MockServer::start().await;
    // A cancellation answer without `totalAmount`: reading it as 0 won refunded would let the
    // escrow believe nothing left the buyer's payment.
    Mock::given(method("POST"))
        .and(path(format!("/payments/{}/cancel", order_id())))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "cancellation": { "status": "SUCCEEDED", "id": "c-1", "reason": "환불 [refund-2]" },
        })))
        .mount(&server)
        .await;
    let mut without_cancelled = paid(950_000, 0);
    without_cancelled["amount"].as_object_mut().unwrap().remove("cancelled");
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(paid(950_000, 0)))
        .mount(&server)
        .await;
    let request = CancelPayment {
        payment_key: PaymentKey::parse(&order_id().to_string()).unwrap(),
        order_id: order_id(),
        reason: "환불".to_owned(),
        amount: None,
        idempotency_key: "refund-2".to_owned(),
    };
    let adapter = portone(&server);
    assert!(matches!(adapter.cancel(&request).await, Err(PaymentError::Unavailable(_))));

    // A payment lookup without `amount.cancelled` cannot say what is left to refund.
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(without_cancelled))
        .mount(&server)
        .await;
    let key = PaymentKey::parse(&order_id().to_string()).unwrap();
    assert!(matches!(portone(&server).lookup(&key, order_id()).await, Err(PaymentError::Unavailable(_))));
}
