//! Two-factor sign-in over HTTP: setting up TOTP, signing in with a code or a recovery code,
//! each good once, turning it off, and the lockout counting wrong codes.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use jangteo_identity::totp::{TotpSecret, step_of};

use crate::support::{Member, PASSWORD, Profile, TestServer};

fn now_step() -> i64 {
    step_of(chrono::Utc::now().timestamp())
}

fn code(secret: &TotpSecret, step: i64) -> String {
    format!("{:06}", secret.code_at_step(step))
}

/// A 6-digit code that is none of the codes the server accepts around now.
fn wrong_code(secret: &TotpSecret) -> String {
    let step = now_step();
    let accepted: Vec<u32> = (step - 2..=step + 2).map(|step| secret.code_at_step(step)).collect();
    let wrong = (1..=6).map(|n| (accepted[0] + n) % 1_000_000).find(|c| !accepted.contains(c)).unwrap();
    format!("{wrong:06}")
}

/// Signs in with the password; a member with TOTP on gets a challenge token.
async fn challenge(server: &TestServer, member: &Member) -> String {
    let reply = server
        .send(Method::POST, "/v1/sessions", None, Some(json!({"email": member.email, "password": PASSWORD})))
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body["mfa_required"], true);
    assert!(reply.body.get("access_token").is_none(), "no session before the second factor: {}", reply.body);
    reply.body["mfa_token"].as_str().unwrap().to_owned()
}

async fn finish(server: &TestServer, mfa_token: &str, code: &str) -> crate::support::Reply {
    server
        .send(Method::POST, "/v1/sessions/mfa", None, Some(json!({"mfa_token": mfa_token, "code": code})))
        .await
}

async fn cart_status(server: &TestServer, access_token: &Value) -> StatusCode {
    server.send(Method::GET, "/v1/cart", access_token.as_str(), None).await.status
}

async fn totp_sign_in_takes_a_code_or_a_recovery_code_each_once(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let member = server.member("이중인증").await;
    let token = Some(member.token.as_str());
    let status = server.send(Method::GET, "/v1/me/mfa", token, None).await;
    assert_eq!(status.body, json!({"totp": false, "recovery_codes_left": 0}));

    let setup = server.send(Method::POST, "/v1/me/mfa/totp", token, None).await;
    assert_eq!(setup.status, StatusCode::CREATED, "{}", setup.body);
    let secret = TotpSecret::from_base32(setup.body["secret"].as_str().unwrap()).unwrap();
    let uri = setup.body["otpauth_uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/Jangteo:"), "{uri}");
    assert!(uri.contains(&format!("secret={}", secret.to_base32())), "{uri}");

    // Not yet confirmed: sign-in takes the password alone.
    let plain = server
        .send(Method::POST, "/v1/sessions", None, Some(json!({"email": member.email, "password": PASSWORD})))
        .await;
    assert_eq!(plain.status, StatusCode::CREATED, "{}", plain.body);

    let confirmation = "/v1/me/mfa/totp/confirmation";
    server
        .send(Method::POST, confirmation, token, Some(json!({"code": wrong_code(&secret)})))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "invalid_mfa_code");
    let confirmed_at = now_step();
    let confirmed = server
        .send(Method::POST, confirmation, token, Some(json!({"code": code(&secret, confirmed_at)})))
        .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.body);
    let recovery: Vec<String> = confirmed.body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|code| code.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(recovery.len(), 10);
    server
        .send(Method::POST, "/v1/me/mfa/totp", token, None)
        .await
        .assert_problem(StatusCode::CONFLICT, "mfa_already_enabled");
    server
        .send(Method::POST, confirmation, token, Some(json!({"code": code(&secret, confirmed_at)})))
        .await
        .assert_problem(StatusCode::CONFLICT, "mfa_not_pending");

    // The password now answers a challenge; the confirming code is used, the next step's is not.
    let mfa_token = challenge(&server, &member).await;
    finish(&server, &mfa_token, &code(&secret, confirmed_at))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "invalid_mfa_code");
    let signed_in = finish(&server, &mfa_token, &code(&secret, confirmed_at + 1)).await;
    assert_eq!(signed_in.status, StatusCode::CREATED, "{}", signed_in.body);
    assert_eq!(signed_in.body["account_id"], member.account_id.as_str());
    assert_eq!(cart_status(&server, &signed_in.body["access_token"]).await, StatusCode::OK);
    finish(&server, &mfa_token, &code(&secret, confirmed_at + 1))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "invalid_mfa_token");
    finish(&server, "made-up", &code(&secret, confirmed_at + 1))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "invalid_mfa_token");

    // Recovery codes: each once, typed in any case.
    let mfa_token = challenge(&server, &member).await;
    let with_recovery = finish(&server, &mfa_token, &recovery[0].to_uppercase()).await;
    assert_eq!(with_recovery.status, StatusCode::CREATED, "{}", with_recovery.body);
    let mfa_token = challenge(&server, &member).await;
    finish(&server, &mfa_token, &recovery[0])
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "invalid_mfa_code");
    assert_eq!(
        finish(&server, &mfa_token, &recovery[1]).await.status,
        StatusCode::CREATED,
        "the challenge stayed good"
    );

    let status = server.send(Method::GET, "/v1/me/mfa", token, None).await;
    assert_eq!(status.body, json!({"totp": true, "recovery_codes_left": 8}));
    let history = server.send(Method::GET, "/v1/me/sign-ins", token, None).await;
    let outcomes: Vec<&str> = history.body["sign_ins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["outcome"].as_str().unwrap())
        .collect();
    for outcome in ["mfa_required", "mfa_failed", "succeeded"] {
        assert!(outcomes.contains(&outcome), "{outcome} in {outcomes:?}");
    }

    // Off again, with a recovery code: the password alone signs in.
    let off = "/v1/me/mfa/totp";
    server
        .send(Method::DELETE, off, token, Some(json!({"code": wrong_code(&secret)})))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "invalid_mfa_code");
    let turned_off = server.send(Method::DELETE, off, token, Some(json!({"code": recovery[2]}))).await;
    assert_eq!(turned_off.status, StatusCode::NO_CONTENT, "{}", turned_off.body);
    server
        .send(Method::DELETE, off, token, Some(json!({"code": recovery[3]})))
        .await
        .assert_problem(StatusCode::CONFLICT, "mfa_not_enabled");
    let plain = server
        .send(Method::POST, "/v1/sessions", None, Some(json!({"email": member.email, "password": PASSWORD})))
        .await;
    assert_eq!(plain.status, StatusCode::CREATED, "{}", plain.body);
}

on_both_profiles!(
    totp_sign_in_takes_a_code_or_a_recovery_code_each_once_embedded,
    totp_sign_in_takes_a_code_or_a_recovery_code_each_once_on_postgres,
    totp_sign_in_takes_a_code_or_a_recovery_code_each_once
);

/// Wrong codes count toward the lockout as wrong passwords do, so guessing codes is bounded too;
/// and the TOTP secret is not in the identity store in the clear.
#[tokio::test]
async fn wrong_codes_lock_the_sign_in_and_the_secret_is_stored_sealed() {
    let server = TestServer::start(&Profile::Embedded).await;
    let member = server.member("잠금").await;
    let token = Some(member.token.as_str());
    let setup = server.send(Method::POST, "/v1/me/mfa/totp", token, None).await;
    let secret_text = setup.body["secret"].as_str().unwrap().to_owned();
    let secret = TotpSecret::from_base32(&secret_text).unwrap();
    let step = now_step();
    let confirmed = server
        .send(Method::POST, "/v1/me/mfa/totp/confirmation", token, Some(json!({"code": code(&secret, step)})))
        .await;
    assert_eq!(confirmed.status, StatusCode::OK);

    // The database file and its write-ahead log, where the newest pages are.
    let identity: String = ["identity.sqlite", "identity.sqlite-wal"]
        .iter()
        .filter_map(|file| std::fs::read(server.data_dir().join(file)).ok())
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .collect();
    assert!(!identity.contains(&secret_text), "the TOTP secret is sealed at rest");
    for recovery in confirmed.body["recovery_codes"].as_array().unwrap() {
        assert!(!identity.contains(recovery.as_str().unwrap()), "recovery codes are kept as digests");
    }

    let mfa_token = challenge(&server, &member).await;
    for _ in 0..5 {
        finish(&server, &mfa_token, &wrong_code(&secret))
            .await
            .assert_problem(StatusCode::UNAUTHORIZED, "invalid_mfa_code");
    }
    let locked = finish(&server, &mfa_token, &code(&secret, step + 1)).await;
    locked.assert_problem(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
}
