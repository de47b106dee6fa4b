//! Sessions over HTTP: refresh-token rotation with reuse detection, signing out of one session or
//! all, and a log that holds no clear e-mail, nickname or password hash.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::support::{Member, PASSWORD, Profile, TestServer};

async fn sign_in(server: &TestServer, member: &Member) -> Value {
    let response = server
        .request(Method::POST, "/v1/sessions", None)
        .json(&json!({"email": member.email, "password": PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["cache-control"], "no-store", "tokens are never cached");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["account_id"], member.account_id.as_str());
    assert!(body["refresh_token"].as_str().is_some_and(|token| token.len() >= 43), "{body}");
    body
}

async fn refresh(server: &TestServer, refresh_token: &Value) -> crate::support::Reply {
    server
        .send(Method::POST, "/v1/sessions/refresh", None, Some(json!({"refresh_token": refresh_token})))
        .await
}

/// A request only a signed-in member may make.
async fn cart_status(server: &TestServer, access_token: &Value) -> StatusCode {
    server.send(Method::GET, "/v1/cart", access_token.as_str(), None).await.status
}

async fn refresh_tokens_rotate_and_a_reuse_ends_the_session(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let member = server.member("세션").await;
    let first = sign_in(&server, &member).await;
    assert_eq!(cart_status(&server, &first["access_token"]).await, StatusCode::OK);

    let second = refresh(&server, &first["refresh_token"]).await;
    assert_eq!(second.status, StatusCode::OK, "{}", second.body);
    assert_ne!(second.body["refresh_token"], first["refresh_token"], "a new refresh token each time");
    assert_eq!(second.body["account_id"], member.account_id.as_str());
    assert_eq!(cart_status(&server, &second.body["access_token"]).await, StatusCode::OK);
    let third = refresh(&server, &second.body["refresh_token"]).await;
    assert_eq!(third.status, StatusCode::OK, "{}", third.body);

    // The first refresh token again: a copy exists somewhere. The whole session ends.
    refresh(&server, &first["refresh_token"])
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "refresh_token_reused");
    for access in [&first["access_token"], &second.body["access_token"], &third.body["access_token"]] {
        assert_eq!(cart_status(&server, access).await, StatusCode::UNAUTHORIZED, "refused at once");
    }
    refresh(&server, &third.body["refresh_token"])
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "invalid_refresh_token");
    refresh(&server, &json!("not-a-token"))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "invalid_refresh_token");

    // Signing in again starts a fresh session.
    let again = sign_in(&server, &member).await;
    assert_eq!(cart_status(&server, &again["access_token"]).await, StatusCode::OK);
}

on_both_profiles!(
    refresh_tokens_rotate_and_a_reuse_ends_the_session_embedded,
    refresh_tokens_rotate_and_a_reuse_ends_the_session_on_postgres,
    refresh_tokens_rotate_and_a_reuse_ends_the_session
);

async fn signing_out_ends_this_session_or_every_one(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let member = server.member("로그아웃").await;
    let other = server.member("다른회원").await;
    let (phone, laptop) = (sign_in(&server, &member).await, sign_in(&server, &member).await);

    let out = server.send(Method::DELETE, "/v1/sessions/current", phone["access_token"].as_str(), None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{}", out.body);
    assert_eq!(cart_status(&server, &phone["access_token"]).await, StatusCode::UNAUTHORIZED);
    refresh(&server, &phone["refresh_token"])
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "invalid_refresh_token");
    assert_eq!(
        cart_status(&server, &laptop["access_token"]).await,
        StatusCode::OK,
        "the other session goes on"
    );

    let tablet = sign_in(&server, &member).await;
    let all = server.send(Method::DELETE, "/v1/sessions", laptop["access_token"].as_str(), None).await;
    assert_eq!(all.status, StatusCode::NO_CONTENT, "{}", all.body);
    for session in [&laptop, &tablet] {
        assert_eq!(cart_status(&server, &session["access_token"]).await, StatusCode::UNAUTHORIZED);
        refresh(&server, &session["refresh_token"])
            .await
            .assert_problem(StatusCode::UNAUTHORIZED, "invalid_refresh_token");
    }
    let others = server.send(Method::GET, "/v1/cart", Some(&other.token), None).await;
    assert_eq!(others.status, StatusCode::OK, "another member's sessions are not touched");

    let anonymous = server.send(Method::DELETE, "/v1/sessions/current", None, None).await;
    anonymous.assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
}

on_both_profiles!(
    signing_out_ends_this_session_or_every_one_embedded,
    signing_out_ends_this_session_or_every_one_on_postgres,
    signing_out_ends_this_session_or_every_one
);

/// Every text the event tables and the claims hold, for a scan.
pub async fn stored_text(server: &TestServer, profile: &Profile) -> Vec<String> {
    let mut texts = Vec::new();
    for statement in [
        "SELECT CAST(payload AS TEXT) FROM events",
        "SELECT value FROM unique_claims",
        "SELECT event_type FROM events",
    ] {
        texts.extend(stored_rows(server, profile, statement).await);
    }
    texts
}

/// The one text column `statement` selects from the server's event store, row by row.
pub async fn stored_rows(server: &TestServer, profile: &Profile, statement: &str) -> Vec<String> {
    use sqlx::Connection as _;
    let rows: Vec<(String,)> = match profile {
        Profile::Embedded => {
            let url = format!("sqlite://{}?mode=ro", server.data_dir().join("events.sqlite").display());
            let mut connection = sqlx::SqliteConnection::connect(&url).await.unwrap();
            sqlx::query_as(statement).fetch_all(&mut connection).await.unwrap()
        }
        Profile::Postgres(database) => {
            let mut connection = sqlx::PgConnection::connect(&database.url).await.unwrap();
            sqlx::query_as(statement).fetch_all(&mut connection).await.unwrap()
        }
    };
    rows.into_iter().map(|(text,)| text).collect()
}

async fn the_log_holds_no_clear_email_nickname_or_password_hash(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let member = server.member("비밀닉네임").await;
    sign_in(&server, &member).await;
    let listing = server
        .send(
            Method::POST,
            "/v1/listings",
            Some(&member.token),
            Some(json!({"title": "자전거", "description": "거의 새것", "price": 120_000})),
        )
        .await;
    assert_eq!(listing.status, StatusCode::CREATED, "{}", listing.body);

    let texts = stored_text(&server, profile).await;
    assert!(texts.iter().any(|text| text == "AccountRegistered"), "the registration is in the log");
    let email_digest = crate::support::sha256_hex(member.email.as_bytes());
    for text in &texts {
        assert!(!text.contains(&member.email), "a clear e-mail in the log: {text}");
        assert!(!text.contains("비밀닉네임"), "a clear nickname in the log: {text}");
        assert!(!text.contains("argon2"), "a password hash in the log: {text}");
        assert!(!text.contains(&email_digest), "a plain digest of the e-mail in the log: {text}");
    }
}

on_both_profiles!(
    the_log_holds_no_clear_email_nickname_or_password_hash_embedded,
    the_log_holds_no_clear_email_nickname_or_password_hash_on_postgres,
    the_log_holds_no_clear_email_nickname_or_password_hash
);

async fn failed_sign_ins_lock_the_address_and_show_on_the_members_record(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let member = server.member("잠금").await;
    // Signed in before the failures: after them, every attempt from this IP waits too.
    let stranger = server.member("남남").await;
    let attempt = |password: &'static str| {
        server
            .request(Method::POST, "/v1/sessions", None)
            .header("User-Agent", "jangteo-e2e/1")
            .json(&json!({"email": member.email, "password": password}))
            .send()
    };
    for _ in 0..5 {
        let refused = attempt("not the password").await.unwrap();
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    }
    // The sixth attempt is refused unchecked, the right password too.
    let locked = attempt(PASSWORD).await.unwrap();
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry_after: u64 = locked.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry_after), "Retry-After {retry_after}");
    let body: Value = locked.json().await.unwrap();
    assert_eq!(body["code"], "too_many_attempts", "{body}");

    let record = server.send(Method::GET, "/v1/me/sign-ins", Some(&member.token), None).await;
    assert_eq!(record.status, StatusCode::OK, "{}", record.body);
    let entries = record.body["sign_ins"].as_array().unwrap();
    let outcomes: Vec<&str> = entries.iter().map(|entry| entry["outcome"].as_str().unwrap()).collect();
    assert_eq!(
        outcomes,
        ["locked", "failed", "failed", "failed", "failed", "failed", "succeeded"],
        "newest first"
    );
    assert_eq!(entries[0]["user_agent"], "jangteo-e2e/1");
    assert_eq!(entries[0]["ip"], "127.0.0.1");
    // The lock is on the IP address as well: another member's attempt from it waits too.
    let other = server
        .send(
            Method::POST,
            "/v1/sessions",
            None,
            Some(json!({"email": stranger.email, "password": PASSWORD})),
        )
        .await;
    other.assert_problem(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts");
    let theirs = server.send(Method::GET, "/v1/me/sign-ins", Some(&stranger.token), None).await;
    let theirs: Vec<&str> = theirs.body["sign_ins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(theirs, ["locked", "succeeded"], "only their own attempts");
}

on_both_profiles!(
    failed_sign_ins_lock_the_address_and_show_on_the_members_record_embedded,
    failed_sign_ins_lock_the_address_and_show_on_the_members_record_on_postgres,
    failed_sign_ins_lock_the_address_and_show_on_the_members_record
);

async fn new_passwords_follow_the_policy(profile: &Profile) {
    let server = TestServer::start(profile).await;
    for password in
        ["password", "12345678", "short one", "1234567890", "Password123", "zzzzzzzzzzzz", "kim@example.com"]
    {
        let refused = server
            .send(
                Method::POST,
                "/v1/accounts",
                None,
                Some(json!({"email": "kim@example.com", "password": password, "nickname": "김씨네", "consents": {"terms": "2026-12-01", "privacy": "2026-12-01", "marketing": false}})),
            )
            .await;
        refused.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
        assert_eq!(refused.body["errors"][0]["field"], "password", "{password}: {}", refused.body);
    }
    let accepted = server
        .send(
            Method::POST,
            "/v1/accounts",
            None,
            Some(json!({"email": "kim@example.com", "password": "a quiet harbour at dawn", "nickname": "김씨네", "consents": {"terms": "2026-12-01", "privacy": "2026-12-01", "marketing": false}})),
        )
        .await;
    assert_eq!(accepted.status, StatusCode::CREATED, "{}", accepted.body);
}

on_both_profiles!(
    new_passwords_follow_the_policy_embedded,
    new_passwords_follow_the_policy_on_postgres,
    new_passwords_follow_the_policy
);

async fn anyone_browses_listings_without_a_token(profile: &Profile) {
    let server = TestServer::start(profile).await;
    let seller = server.member("판매왕").await;
    let create = |title: &'static str| {
        server.send(
            Method::POST,
            "/v1/listings",
            Some(&seller.token),
            Some(json!({"title": title, "description": "좋아요", "price": 10_000})),
        )
    };
    let draft = create("초안 자전거").await;
    let public = create("공개 자전거").await;
    let public_id = public.body["listing_id"].as_str().unwrap().to_owned();
    let published = server
        .send(Method::POST, &format!("/v1/listings/{public_id}/publish"), Some(&seller.token), None)
        .await;
    assert_eq!(published.status, StatusCode::OK, "{}", published.body);
    let position = published.position().to_string();

    let read = server
        .request(Method::GET, &format!("/v1/listings/{public_id}"), None)
        .header("X-Consistency-Position", &position)
        .send()
        .await
        .unwrap();
    assert_eq!(read.status(), StatusCode::OK, "a listing is read without a token");
    let found = server
        .request(Method::GET, "/v1/listings?q=자전거", None)
        .header("X-Consistency-Position", &position)
        .send()
        .await
        .unwrap();
    assert_eq!(found.status(), StatusCode::OK);
    let page: Value = found.json().await.unwrap();
    let titles: Vec<&str> =
        page["items"].as_array().unwrap().iter().map(|item| item["title"].as_str().unwrap()).collect();
    assert_eq!(titles, ["공개 자전거"], "only the public listing: {page}");

    let draft_id = draft.body["listing_id"].as_str().unwrap();
    let anonymous = server.send(Method::GET, &format!("/v1/listings/{draft_id}"), None, None).await;
    anonymous.assert_problem(StatusCode::NOT_FOUND, "not_found");
    let own = server.send(Method::GET, &format!("/v1/listings/{draft_id}"), Some(&seller.token), None).await;
    assert_eq!(own.status, StatusCode::OK, "the seller sees their draft: {}", own.body);
    let forged = server.send(Method::GET, "/v1/listings", Some("not-a-token"), None).await;
    forged.assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
}

on_both_profiles!(
    anyone_browses_listings_without_a_token_embedded,
    anyone_browses_listings_without_a_token_on_postgres,
    anyone_browses_listings_without_a_token
);

/// `jangteo rotate-master-key` with the server stopped: every key is wrapped under the new master
/// key, members' data still opens, and the old key opens nothing any more.
#[tokio::test]
async fn rotating_the_master_key_keeps_every_member_readable() {
    let mut server = TestServer::start(&Profile::Embedded).await;
    let member = server.member("회전").await;
    let key_file = server.data_dir().join("master-key");
    let old_key = std::fs::read_to_string(&key_file).unwrap();
    server.terminate().await;

    let rotated = server.run("rotate-master-key", &[]).await;
    assert!(rotated.status.success(), "{}", String::from_utf8_lossy(&rotated.stderr));
    assert!(
        String::from_utf8_lossy(&rotated.stdout).contains("re-wrapped 2 keys"),
        "the member's and the index's"
    );
    let new_key = std::fs::read_to_string(&key_file).unwrap();
    assert_ne!(new_key.trim(), old_key.trim());

    let server = server.restart().await;
    let signed_in = server
        .send(Method::POST, "/v1/sessions", None, Some(json!({"email": member.email, "password": PASSWORD})))
        .await;
    assert_eq!(
        signed_in.status,
        StatusCode::CREATED,
        "the e-mail's blind index survived: {}",
        signed_in.body
    );
    let me = server.send(Method::GET, "/v1/me", signed_in.body["access_token"].as_str(), None).await;
    assert_eq!(me.body["email"], member.email.as_str(), "the data key opens under the new master key");

    // The old key opens nothing: a process given it refuses to start.
    let refused = server.run("migrate", &[("JANGTEO_MASTER_KEY", old_key.trim())]).await;
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("master key"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    // With the key in the environment, the new one must be named.
    let unnamed = server.run("rotate-master-key", &[("JANGTEO_MASTER_KEY", new_key.trim())]).await;
    assert!(!unnamed.status.success());
    assert!(String::from_utf8_lossy(&unnamed.stderr).contains("JANGTEO_NEW_MASTER_KEY"));
}
