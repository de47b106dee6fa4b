//! The SENS adapter against a local server answering as SENS's documented API does, which
//! checks the signature the way SENS does.

#![allow(clippy::unwrap_used, reason = "tests state expectations with unwrap")]

use base64::{Engine as _, engine::general_purpose::STANDARD};
use jangteo_verification::{
    SmsSender, TextMessage, VerificationError,
    sens::{SensAccount, SensSmsSender},
    sms::SimulatedSmsSender,
};
use ring::hmac;
use wiremock::{Mock, MockServer, Request, ResponseTemplate, matchers};

fn account() -> SensAccount {
    SensAccount {
        service_id: "ncp:sms:kr:123456789012:jangteo".to_owned(),
        access_key: "ACCESSKEY123".to_owned(),
        secret_key: "SECRET456".to_owned(),
        from: "0212345678".to_owned(),
    }
}

fn message() -> TextMessage {
    TextMessage { to: "010-1234-5678".to_owned(), text: "[장터] 인증번호 123456".to_owned() }
}

/// Whether a request carries SENS's signature of itself.
fn signed(request: &Request) -> bool {
    let header =
        |name: &str| request.headers.get(name).and_then(|value| value.to_str().ok()).unwrap_or_default();
    let key = hmac::Key::new(hmac::HMAC_SHA256, b"SECRET456");
    let signed = format!(
        "POST {}\n{}\n{}",
        request.url.path(),
        header("x-ncp-apigw-timestamp"),
        header("x-ncp-iam-access-key")
    );
    let expected = STANDARD.encode(hmac::sign(&key, signed.as_bytes()).as_ref());
    header("x-ncp-apigw-signature-v2") == expected
}

#[tokio::test]
async fn a_message_goes_to_sens_signed_with_the_digits_of_the_number() {
    let server = MockServer::start().await;
    Mock::given(matchers::method("POST"))
        .and(matchers::path("/sms/v2/services/ncp:sms:kr:123456789012:jangteo/messages"))
        .and(matchers::header("x-ncp-iam-access-key", "ACCESSKEY123"))
        .and(signed)
        .and(matchers::body_partial_json(serde_json::json!({
            "type": "SMS", "from": "0212345678", "content": "[장터] 인증번호 123456",
            "messages": [{"to": "01012345678"}],
        })))
        .respond_with(ResponseTemplate::new(202).set_body_json(serde_json::json!({
            "requestId": "RSSA-1", "requestTime": "2026-12-02T10:00:00.000",
            "statusCode": "202", "statusName": "success",
        })))
        .expect(1)
        .mount(&server)
        .await;
    let sender = SensSmsSender::new(&server.uri(), account()).unwrap();
    sender.send(message()).await.unwrap();
}

#[tokio::test]
async fn a_refusal_and_an_outage_are_told_apart() {
    let server = MockServer::start().await;
    Mock::given(matchers::method("POST"))
        .respond_with(ResponseTemplate::new(401).set_body_json(serde_json::json!({
            "statusCode": "401", "statusName": "unauthorized",
        })))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(matchers::method("POST")).respond_with(ResponseTemplate::new(503)).mount(&server).await;
    let sender = SensSmsSender::new(&server.uri(), account()).unwrap();
    assert!(
        matches!(sender.send(message()).await, Err(VerificationError::Refused(words)) if words.contains("401"))
    );
    assert!(matches!(sender.send(message()).await, Err(VerificationError::Unavailable(_))));
}

#[tokio::test]
async fn the_simulated_sender_writes_each_message_to_the_outbox() {
    let dir = tempfile::tempdir().unwrap();
    let sender = SimulatedSmsSender::open(&dir.path().join("sms")).unwrap();
    sender.send(message()).await.unwrap();
    let files: Vec<_> =
        std::fs::read_dir(dir.path().join("sms")).unwrap().map(|entry| entry.unwrap().path()).collect();
    assert_eq!(files.len(), 1);
    assert!(files[0].file_name().unwrap().to_string_lossy().starts_with("01012345678-"));
    let text = std::fs::read_to_string(&files[0]).unwrap();
    assert!(text.contains("[장터] 인증번호 123456"), "{text}");
}
