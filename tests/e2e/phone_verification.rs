//! Phone verification over HTTP: a code by (simulated) SMS, read from the outbox as a developer
//! would, wrong codes counted, the right one making the number the member's, verified.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{Profile, TestServer};

/// The code in the newest message to `digits` in the simulated outbox, waiting (bounded) for it.
async fn code_sent_to(server: &TestServer, digits: &str, after: usize) -> String {
    let dir = server.data_dir().join("outbox").join("sms");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut texts: Vec<(std::path::PathBuf, String)> = std::fs::read_dir(&dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|entry| entry.file_name().to_string_lossy().starts_with(digits))
                    .filter_map(|entry| Some((entry.path(), std::fs::read_to_string(entry.path()).ok()?)))
                    .collect()
            })
            .unwrap_or_default();
        if texts.len() > after {
            // File names carry a UUIDv7 after the number: the newest sorts last.
            texts.sort();
            let text = &texts[texts.len() - 1].1;
            let start = text.find("인증번호 ").unwrap() + "인증번호 ".len();
            return text[start..start + 6].to_owned();
        }
        assert!(Instant::now() < deadline, "no message to {digits}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn a_code_by_sms_verifies_the_number(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let member = server.member("인증회원").await;
    let token = Some(member.token.as_str());
    let start = |phone: &str| json!({"phone": phone});
    let sent =
        server.send(Method::POST, "/v1/me/phone-verification", token, Some(start("010-3333-4444"))).await;
    assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
    assert_eq!(sent.body, json!({"expires_in": 180, "attempts": 5}));
    let code = code_sent_to(&server, "01033334444", 0).await;

    // Too soon for another code.
    server
        .send(Method::POST, "/v1/me/phone-verification", token, Some(start("010-3333-4444")))
        .await
        .assert_problem(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let confirmation = "/v1/me/phone-verification/confirmation";
    let refused = server.send(Method::POST, confirmation, token, Some(json!({"code": wrong}))).await;
    refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_phone_code");
    assert!(refused.body["detail"].as_str().unwrap().contains("4 tries left"), "{}", refused.body);

    let verified = server.send(Method::POST, confirmation, token, Some(json!({"code": code}))).await;
    assert_eq!(verified.status, StatusCode::OK, "{}", verified.body);
    assert_eq!(verified.body["phone"], "010-3333-4444");
    assert_eq!(verified.body["phone_verified"], true);
    server
        .send(Method::POST, confirmation, token, Some(json!({"code": code})))
        .await
        .assert_problem(StatusCode::CONFLICT, "no_phone_verification");
    let card = server.send(Method::GET, &format!("/v1/members/{}", member.account_id), None, None).await;
    assert_eq!(card.body["phone_verified"], true);

    // A new number is unconfirmed again.
    let changed = server.send(Method::PATCH, "/v1/me", token, Some(json!({"phone": "010-5555-6666"}))).await;
    assert_eq!(changed.body["phone_verified"], false, "{}", changed.body);
}

on_both_profiles!(
    a_code_by_sms_verifies_the_number_embedded,
    a_code_by_sms_verifies_the_number_on_postgres,
    a_code_by_sms_verifies_the_number
);

/// Five wrong codes spend the verification: the right one then comes too late.
#[tokio::test]
async fn five_wrong_codes_spend_the_verification() {
    let server = TestServer::start(&Profile::Embedded).await;
    let member = server.member("다섯번").await;
    let token = Some(member.token.as_str());
    let sent = server
        .send(Method::POST, "/v1/me/phone-verification", token, Some(json!({"phone": "01077778888"})))
        .await;
    assert_eq!(sent.status, StatusCode::ACCEPTED, "{}", sent.body);
    let code = code_sent_to(&server, "01077778888", 0).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let confirmation = "/v1/me/phone-verification/confirmation";
    for _ in 0..5 {
        server
            .send(Method::POST, confirmation, token, Some(json!({"code": wrong})))
            .await
            .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_phone_code");
    }
    server
        .send(Method::POST, confirmation, token, Some(json!({"code": code})))
        .await
        .assert_problem(StatusCode::CONFLICT, "no_phone_verification");
    let me = server.send(Method::GET, "/v1/me", token, None).await;
    assert_eq!((me.body["phone"].clone(), me.body["phone_verified"].clone()), (json!(null), json!(false)));
}
