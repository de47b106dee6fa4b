//! A member's own account over HTTP: a sign-up agrees to the versions in force, a member reads and
//! changes their own consents, and reads their account opened with their key.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{Profile, TestServer};

async fn sign_up_requires_the_versions_in_force_and_consents_change_as_events(profile: &Profile) {
    let server = TestServer::start_with(
        profile,
        &[("JANGTEO_TERMS_VERSION", "2027-01-01"), ("JANGTEO_PRIVACY_VERSION", "2026-12-15")],
    )
    .await;
    let current = server.send(Method::GET, "/v1/consents/current", None, None).await;
    assert_eq!(current.status, StatusCode::OK);
    assert_eq!(current.body, json!({"terms": "2027-01-01", "privacy": "2026-12-15"}));

    let sign_up = |consents: serde_json::Value| {
        server.send(
            Method::POST,
            "/v1/accounts",
            None,
            Some(json!({"email": "consent@example.com", "password": "a quiet harbour at dawn",
                        "nickname": "동의해요", "consents": consents})),
        )
    };
    let outdated = sign_up(json!({"terms": "2026-12-01", "privacy": "2026-12-15", "marketing": false})).await;
    outdated.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    assert_eq!(outdated.body["errors"][0]["field"], "consents.terms", "{}", outdated.body);
    let missing = server
        .send(
            Method::POST,
            "/v1/accounts",
            None,
            Some(json!({"email": "consent@example.com", "password": "a quiet harbour at dawn", "nickname": "동의해요"})),
        )
        .await;
    missing.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
    let signed_up = sign_up(json!({"terms": "2027-01-01", "privacy": "2026-12-15", "marketing": true})).await;
    assert_eq!(signed_up.status, StatusCode::CREATED, "{}", signed_up.body);

    let session = server
        .send(
            Method::POST,
            "/v1/sessions",
            None,
            Some(json!({"email": "consent@example.com", "password": "a quiet harbour at dawn"})),
        )
        .await;
    let token = session.body["access_token"].as_str().unwrap().to_owned();
    let mine = server.send(Method::GET, "/v1/me/consents", Some(&token), None).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    assert_eq!(mine.body["consents"]["terms"]["version"], "2027-01-01");
    assert_eq!(mine.body["consents"]["privacy"]["version"], "2026-12-15");
    assert_eq!(mine.body["consents"]["marketing"]["granted"], true);

    let withdrawn =
        server.send(Method::PUT, "/v1/me/consents", Some(&token), Some(json!({"marketing": false}))).await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.body);
    assert_eq!(withdrawn.body["consents"]["marketing"]["granted"], false);
    assert!(withdrawn.body["consents"]["marketing"]["version"].is_null());
    let again =
        server.send(Method::PUT, "/v1/me/consents", Some(&token), Some(json!({"marketing": false}))).await;
    assert_eq!(again.body["position"], withdrawn.body["position"], "nothing changed, nothing appended");
    let old_terms =
        server.send(Method::PUT, "/v1/me/consents", Some(&token), Some(json!({"terms": "2026-12-01"}))).await;
    old_terms.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let anonymous = server.send(Method::GET, "/v1/me/consents", None, None).await;
    anonymous.assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
}

on_both_profiles!(
    sign_up_requires_the_versions_in_force_and_consents_change_as_events_embedded,
    sign_up_requires_the_versions_in_force_and_consents_change_as_events_on_postgres,
    sign_up_requires_the_versions_in_force_and_consents_change_as_events
);

async fn members_read_their_own_account_opened_for_them(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let member = server.member("내계정").await;
    let other = server.member("남의계정").await;
    let mine = server.send(Method::GET, "/v1/me", Some(&member.token), None).await;
    assert_eq!(mine.status, StatusCode::OK, "{}", mine.body);
    assert_eq!(mine.body["account_id"], member.account_id.as_str());
    assert_eq!(mine.body["email"], member.email.as_str(), "opened with the member's key");
    assert_eq!(mine.body["nickname"], "내계정");
    assert_eq!(mine.body["role"], "member");
    let theirs = server.send(Method::GET, "/v1/me", Some(&other.token), None).await;
    assert_eq!(theirs.body["nickname"], "남의계정", "each token reads its own account");
    server
        .send(Method::GET, "/v1/me", None, None)
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
}

on_both_profiles!(
    members_read_their_own_account_opened_for_them_embedded,
    members_read_their_own_account_opened_for_them_on_postgres,
    members_read_their_own_account_opened_for_them
);
