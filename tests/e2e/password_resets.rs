//! Password resets over HTTP: the link goes out by mail (a real SMTP server, or the outbox of the
//! embedded profile), its token sets a new password once, and every old session ends.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::support::{Member, PASSWORD, Profile, TestServer};
use jangteo_test_support::{SmtpServer, readable_mail};

/// How long a mail may take to arrive (it is sent after the answer, in the background).
const MAIL_TIMEOUT: Duration = Duration::from_secs(30);
const NEW_PASSWORD: &str = "a brand new passphrase";

/// Waits, bounded, until `read` finds a mail to `to`, and returns its text.
async fn mail_to(to: &str, read: impl Fn() -> Vec<String>) -> String {
    let deadline = Instant::now() + MAIL_TIMEOUT;
    loop {
        if let Some(mail) = read().into_iter().find(|mail| mail.contains(&format!("To: {to}"))) {
            return mail;
        }
        assert!(Instant::now() < deadline, "no mail to {to} within {MAIL_TIMEOUT:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The token of the reset link in a mail.
fn token_in(mail: &str, public_url: &str) -> String {
    let link = format!("{public_url}/password-reset#token=");
    let start = mail.find(&link).unwrap_or_else(|| panic!("no reset link in:\n{mail}")) + link.len();
    mail[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')).collect()
}

async fn sign_in(server: &TestServer, member: &Member, password: &str) -> crate::support::Reply {
    server
        .send(Method::POST, "/v1/sessions", None, Some(json!({"email": member.email, "password": password})))
        .await
}

async fn a_mailed_link_sets_a_new_password_once_and_ends_every_session(profile: &Profile) {
    let Some(smtp) = SmtpServer::start() else { return };
    let public_url = "https://jangteo.example";
    let server = TestServer::start_with(
        profile,
        &[("JANGTEO_SMTP_URL", &smtp.url), ("JANGTEO_PUBLIC_URL", public_url)],
    )
    .await;
    // An ASCII address: aiosmtpd, as the tests start it, takes no internationalised (SMTPUTF8) one.
    let member = server.member("reset").await;
    let other_session = sign_in(&server, &member, PASSWORD).await;
    assert_eq!(other_session.status, StatusCode::CREATED);

    // Known or not, the address gets the same answer.
    for email in ["nobody-here@example.com", member.email.as_str()] {
        let asked =
            server.send(Method::POST, "/v1/password-resets", None, Some(json!({"email": email}))).await;
        assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.body);
    }
    server
        .send(Method::POST, "/v1/password-resets", None, Some(json!({"email": "not an address"})))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");

    let mail = mail_to(&member.email, || smtp.received()).await;
    assert!(mail.contains("Subject: "), "{mail}");
    let token = token_in(&mail, public_url);
    assert_eq!(token.len(), 43, "256 bits in unpadded base64url: {token}");
    assert_eq!(smtp.received().len(), 1, "no mail for an address no member has");

    // A password the policy refuses leaves the link good.
    let path = format!("/v1/password-resets/{token}");
    let weak = server.send(Method::POST, &path, None, Some(json!({"password": "password"}))).await;
    weak.assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed");
    let set = server.send(Method::POST, &path, None, Some(json!({"password": NEW_PASSWORD}))).await;
    assert_eq!(set.status, StatusCode::NO_CONTENT, "{}", set.body);

    // Every session of the member ended; the old password is gone, the new one works.
    for token in [member.token.as_str(), other_session.body["access_token"].as_str().unwrap()] {
        assert_eq!(
            server.send(Method::GET, "/v1/cart", Some(token), None).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    sign_in(&server, &member, PASSWORD).await.assert_problem(StatusCode::UNAUTHORIZED, "invalid_credentials");
    assert_eq!(sign_in(&server, &member, NEW_PASSWORD).await.status, StatusCode::CREATED);

    // The link is good once; a made-up one never.
    server
        .send(Method::POST, &path, None, Some(json!({"password": "yet another passphrase"})))
        .await
        .assert_problem(StatusCode::BAD_REQUEST, "invalid_reset_token");
    server
        .send(Method::POST, "/v1/password-resets/made-up", None, Some(json!({"password": NEW_PASSWORD})))
        .await
        .assert_problem(StatusCode::BAD_REQUEST, "invalid_reset_token");

    // The page the link opens.
    let page = server.request(Method::GET, "/password-reset", None).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    assert!(page.text().await.unwrap().contains("/v1/password-resets/"));
}

on_both_profiles!(
    a_mailed_link_sets_a_new_password_once_and_ends_every_session_embedded,
    a_mailed_link_sets_a_new_password_once_and_ends_every_session_on_postgres,
    a_mailed_link_sets_a_new_password_once_and_ends_every_session
);

/// Without `JANGTEO_SMTP_URL`, mail is an `.eml` file in the data dir's outbox, link and all.
#[tokio::test]
async fn without_smtp_the_link_is_in_an_eml_file_in_the_outbox() {
    let server = TestServer::start(&Profile::Embedded).await;
    let member = server.member("보낸편지").await;
    let asked =
        server.send(Method::POST, "/v1/password-resets", None, Some(json!({"email": member.email}))).await;
    assert_eq!(asked.status, StatusCode::ACCEPTED);

    let outbox = server.data_dir().join("outbox");
    let mail = mail_to(&member.email, || {
        std::fs::read_dir(&outbox)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|entry| entry.path().extension().is_some_and(|extension| extension == "eml"))
                    .filter_map(|entry| std::fs::read_to_string(entry.path()).ok())
                    .map(|raw| readable_mail(&raw))
                    .collect()
            })
            .unwrap_or_default()
    })
    .await;
    let token = token_in(&mail, "http://127.0.0.1:8080");
    let set = server
        .send(
            Method::POST,
            &format!("/v1/password-resets/{token}"),
            None,
            Some(json!({"password": NEW_PASSWORD})),
        )
        .await;
    assert_eq!(set.status, StatusCode::NO_CONTENT, "{}", set.body);
    assert_eq!(sign_in(&server, &member, NEW_PASSWORD).await.status, StatusCode::CREATED);
}
