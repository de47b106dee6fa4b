//! Social sign-in over HTTP: Google-style OpenID Connect against a real OpenID provider
//! (oidc-provider, on this machine), and Naver against a local server answering as Naver's
//! documented API does. A first sign-in creates the member (with the consents of sign-up), a
//! later one signs the same member in, an address that is an existing member's links only with
//! that member's password, and every answer that does not belong to a request under way is
//! refused.

use reqwest::{Method, StatusCode, redirect::Policy};
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{body_string_contains, header, method, path},
};

use jangteo_test_support::{OidcProviderServer, follow_sign_in};

use crate::support::{PASSWORD, Profile, Reply, TestServer};

/// The client app's page the provider sends the browser back to; the test plays that page and
/// hands `code` and `state` to the callback.
const REDIRECT_URI: &str = "http://127.0.0.1:9/oauth-return";
const CONSENTS: &str = "terms=2026-12-01&privacy=2026-12-01&marketing=false";

fn query_value(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == name).then(|| value.replace("%3A", ":").replace("%2F", "/"))
    })
}

/// `text` as a URL's query value: unreserved characters and `@` as they are, every other byte as
/// `%XX` (a member's address may be Korean).
fn percent_encoded(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'@' => {
                char::from(byte).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// `GET /v1/oauth/{provider}/authorize`: the provider's address it redirects to.
async fn authorize(server: &TestServer, provider: &str, extra: &str) -> String {
    let client = reqwest::Client::builder().redirect(Policy::none()).build().unwrap();
    let redirect = REDIRECT_URI.replace(':', "%3A").replace('/', "%2F");
    let url = format!("{}/v1/oauth/{provider}/authorize?redirect_uri={redirect}&{extra}", server.base_url);
    let response = client.get(url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert_eq!(response.headers()["cache-control"], "no-store");
    response.headers()["location"].to_str().unwrap().to_owned()
}

async fn callback(server: &TestServer, provider: &str, query: &str) -> Reply {
    server.send(Method::GET, &format!("/v1/oauth/{provider}/callback?{query}"), None, None).await
}

/// Signs `login` in at the OpenID provider from Jangteo's redirect; answers the query the
/// provider sent the browser back with.
async fn at_provider(location: String, login: &str) -> String {
    let url = format!("{location}&login_hint={}", percent_encoded(login));
    let back =
        tokio::task::spawn_blocking(move || follow_sign_in(&url, REDIRECT_URI)).await.unwrap().unwrap();
    back.split_once('?').unwrap().1.to_owned()
}

async fn google_sign_in(server: &TestServer, login: &str, extra: &str) -> Reply {
    let location = authorize(server, "google", extra).await;
    let answer = at_provider(location, login).await;
    callback(server, "google", &answer).await
}

fn assert_session(reply: &Reply, created: bool) -> String {
    assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
    assert_eq!(reply.body["created"], created, "{}", reply.body);
    assert_eq!(reply.body["token_type"], "Bearer");
    assert!(reply.body["refresh_token"].is_string());
    reply.body["access_token"].as_str().unwrap().to_owned()
}

async fn me(server: &TestServer, token: &str) -> Value {
    let reply = server.send(Method::GET, "/v1/me", Some(token), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    reply.body
}

async fn start_with_google(profile: &Profile, provider: &OidcProviderServer) -> TestServer {
    TestServer::start_with(
        profile,
        &[
            ("JANGTEO_GOOGLE_CLIENT_ID", &provider.client_id),
            ("JANGTEO_GOOGLE_CLIENT_SECRET", &provider.client_secret),
            ("JANGTEO_GOOGLE_ISSUER", &provider.issuer),
            // Kakao at the same provider: an answer meant for one must not sign in at the other.
            ("JANGTEO_KAKAO_CLIENT_ID", &provider.client_id),
            ("JANGTEO_KAKAO_CLIENT_SECRET", &provider.client_secret),
            ("JANGTEO_KAKAO_ISSUER", &provider.issuer),
            ("JANGTEO_OAUTH_REDIRECT_URIS", REDIRECT_URI),
        ],
    )
    .await
}

async fn oidc_sign_in_creates_then_signs_in_the_member(profile: &Profile) {
    let Some(provider) = OidcProviderServer::start(&[REDIRECT_URI]) else { return };
    let server = start_with_google(profile, &provider).await;

    // The redirect carries what the flow needs, and nothing of the client secret.
    let location = authorize(&server, "google", CONSENTS).await;
    assert!(location.starts_with(&format!("{}/auth?", provider.issuer)), "{location}");
    for part in ["state=", "nonce=", "code_challenge=", "code_challenge_method=S256", "response_type=code"] {
        assert!(location.contains(part), "{location} lacks {part}");
    }
    assert!(!location.contains(&provider.client_secret));

    // A first sign-in without the consents of sign-up creates nobody.
    google_sign_in(&server, "jiwoo@example.test", "")
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "consent_required");

    let answer = at_provider(location, "jiwoo@example.test").await;
    assert!(answer.contains("iss="), "oidc-provider names itself (RFC 9207): {answer}");
    let created = callback(&server, "google", &answer).await;
    let token = assert_session(&created, true);
    let account_id = created.body["account_id"].as_str().unwrap().to_owned();
    let profile_body = me(&server, &token).await;
    assert_eq!(profile_body["email"], "jiwoo@example.test");
    assert_eq!(profile_body["nickname"], "jiwoo");

    // The same answer twice: its state was used up.
    callback(&server, "google", &answer).await.assert_problem(StatusCode::BAD_REQUEST, "invalid_oauth_state");

    // The next sign-in is the same member, consents or not.
    let again = google_sign_in(&server, "jiwoo@example.test", "").await;
    assert_session(&again, false);
    assert_eq!(again.body["account_id"], account_id.as_str());

    // The sign-ins are in the member's record.
    let record = server.send(Method::GET, "/v1/me/sign-ins", Some(&token), None).await;
    let outcomes: Vec<&str> = record.body["sign_ins"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["succeeded", "succeeded"], "{}", record.body);

    // A member made this way has no password to sign in with.
    let password = server
        .send(
            Method::POST,
            "/v1/sessions",
            None,
            Some(json!({"email": "jiwoo@example.test", "password": PASSWORD})),
        )
        .await;
    password.assert_problem(StatusCode::UNAUTHORIZED, "invalid_credentials");
}

async fn an_existing_members_address_links_only_with_their_password(profile: &Profile) {
    let Some(provider) = OidcProviderServer::start(&[REDIRECT_URI]) else { return };
    let server = start_with_google(profile, &provider).await;
    let member = server.member("서연").await;

    let offer = google_sign_in(&server, &member.email, CONSENTS).await;
    assert_eq!(offer.status, StatusCode::OK, "{}", offer.body);
    assert_eq!(offer.body["link_required"], true);
    assert!(offer.body.get("access_token").is_none(), "no session before the password: {}", offer.body);
    let link_token = offer.body["link_token"].as_str().unwrap().to_owned();

    let link = |password: &str| json!({"link_token": link_token, "password": password});
    let wrong =
        server.send(Method::POST, "/v1/oauth/links", None, Some(link("not the password at all"))).await;
    wrong.assert_problem(StatusCode::UNAUTHORIZED, "invalid_credentials");
    let linked = server.send(Method::POST, "/v1/oauth/links", None, Some(link(PASSWORD))).await;
    assert_session(&linked, false);
    assert_eq!(linked.body["account_id"], member.account_id.as_str());
    let used = server.send(Method::POST, "/v1/oauth/links", None, Some(link(PASSWORD))).await;
    used.assert_problem(StatusCode::BAD_REQUEST, "invalid_link_token");

    // From now on the provider signs the member in directly.
    let direct = google_sign_in(&server, &member.email, "").await;
    assert_session(&direct, false);
    assert_eq!(direct.body["account_id"], member.account_id.as_str());
}

async fn answers_that_match_no_request_are_refused(profile: &Profile) {
    let Some(provider) = OidcProviderServer::start(&[REDIRECT_URI]) else { return };
    let server = start_with_google(profile, &provider).await;

    // An address the provider does not vouch for creates nobody.
    google_sign_in(&server, "unverified.min@example.test", CONSENTS)
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "verified_email_required");

    // The person declined at the provider.
    let location = authorize(&server, "google", CONSENTS).await;
    let declined = at_provider(location, "deny").await;
    assert!(declined.contains("error=access_denied"), "{declined}");
    callback(&server, "google", &declined)
        .await
        .assert_problem(StatusCode::BAD_REQUEST, "social_sign_in_denied");

    // Google's answer brought to Kakao's callback (a mix-up) signs in nobody, and uses it up.
    let location = authorize(&server, "google", CONSENTS).await;
    let answer = at_provider(location, "hana@example.test").await;
    callback(&server, "kakao", &answer).await.assert_problem(StatusCode::BAD_REQUEST, "invalid_oauth_state");
    callback(&server, "google", &answer).await.assert_problem(StatusCode::BAD_REQUEST, "invalid_oauth_state");

    // A forged state, an unregistered redirect URI, a provider not configured here.
    callback(&server, "google", "code=x&state=forged")
        .await
        .assert_problem(StatusCode::BAD_REQUEST, "invalid_oauth_state");
    let elsewhere = server
        .send(
            Method::GET,
            "/v1/oauth/google/authorize?redirect_uri=https%3A%2F%2Fevil.example%2F",
            None,
            None,
        )
        .await;
    elsewhere.assert_problem(StatusCode::BAD_REQUEST, "invalid_redirect_uri");
    let naver = server
        .send(
            Method::GET,
            "/v1/oauth/naver/authorize?redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Foauth-return",
            None,
            None,
        )
        .await;
    naver.assert_problem(StatusCode::NOT_FOUND, "social_provider_not_configured");
    let unknown = server.send(Method::GET, "/v1/oauth/facebook/callback?state=x", None, None).await;
    unknown.assert_problem(StatusCode::NOT_FOUND, "social_provider_not_configured");
}

async fn naver_sign_in_reads_the_profile_api(profile: &Profile) {
    let naver = MockServer::start().await;
    let server = TestServer::start_with(
        profile,
        &[
            ("JANGTEO_NAVER_CLIENT_ID", "naver-client"),
            ("JANGTEO_NAVER_CLIENT_SECRET", "naver-secret"),
            ("JANGTEO_NAVER_AUTH_URL", &naver.uri()),
            ("JANGTEO_NAVER_API_URL", &naver.uri()),
            ("JANGTEO_OAUTH_REDIRECT_URIS", REDIRECT_URI),
        ],
    )
    .await;
    let location = authorize(&server, "naver", CONSENTS).await;
    assert!(location.starts_with(&format!("{}/oauth2.0/authorize?", naver.uri())), "{location}");
    assert!(location.contains("client_id=naver-client"), "{location}");
    let state = query_value(&location, "state").unwrap();

    // Naver, as its documentation describes it: the code for a token, the token for the profile.
    Mock::given(method("POST"))
        .and(path("/oauth2.0/token"))
        .and(body_string_contains("code=naver-code"))
        .and(body_string_contains("client_secret=naver-secret"))
        .and(body_string_contains(format!("state={state}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "naver-access", "refresh_token": "r", "token_type": "bearer", "expires_in": "3600"}),
        ))
        .mount(&naver)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/nid/me"))
        .and(header("authorization", "Bearer naver-access"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "resultcode": "00", "message": "success",
            "response": {"id": "naver-7731", "email": "dohyun@naver.com", "nickname": "도현"}
        })))
        .mount(&naver)
        .await;
    let created = callback(&server, "naver", &format!("code=naver-code&state={state}")).await;
    let token = assert_session(&created, true);
    let body = me(&server, &token).await;
    assert_eq!(body["email"], "dohyun@naver.com");
    assert_eq!(body["nickname"], "도현");

    // A code Naver refuses (it answers 200 with an error) signs in nobody.
    let location = authorize(&server, "naver", "").await;
    let state = query_value(&location, "state").unwrap();
    Mock::given(method("POST"))
        .and(path("/oauth2.0/token"))
        .and(body_string_contains("code=used-code"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"error": "invalid_request", "error_description": "no valid data in session"}),
        ))
        .mount(&naver)
        .await;
    callback(&server, "naver", &format!("code=used-code&state={state}"))
        .await
        .assert_problem(StatusCode::BAD_REQUEST, "social_code_refused");
}

on_both_profiles!(
    oidc_sign_in_creates_then_signs_in_the_member_embedded,
    oidc_sign_in_creates_then_signs_in_the_member_postgres,
    oidc_sign_in_creates_then_signs_in_the_member
);
on_both_profiles!(
    an_existing_members_address_links_only_with_their_password_embedded,
    an_existing_members_address_links_only_with_their_password_postgres,
    an_existing_members_address_links_only_with_their_password
);
on_both_profiles!(
    answers_that_match_no_request_are_refused_embedded,
    answers_that_match_no_request_are_refused_postgres,
    answers_that_match_no_request_are_refused
);
on_both_profiles!(
    naver_sign_in_reads_the_profile_api_embedded,
    naver_sign_in_reads_the_profile_api_postgres,
    naver_sign_in_reads_the_profile_api
);

/// A member who signed up through a provider has no password: they close the account with a
/// fresh sign-in instead, and the provider identity goes with the member, so signing in with it
/// again creates someone new.
async fn a_member_without_a_password_closes_the_account_by_a_fresh_sign_in(profile: &Profile) {
    let Some(provider) = OidcProviderServer::start(&[REDIRECT_URI]) else { return };
    let server = start_with_google(profile, &provider).await;
    let created = google_sign_in(&server, "yuna@example.test", CONSENTS).await;
    let token = assert_session(&created, true);
    let first_id = created.body["account_id"].as_str().unwrap().to_owned();

    let export = server.send(Method::GET, "/v1/me/export", Some(&token), None).await;
    assert_eq!(export.body["linked_providers"][0]["provider"], "google", "{}", export.body);
    let with_password =
        server.send(Method::DELETE, "/v1/me", Some(&token), Some(json!({"password": PASSWORD}))).await;
    with_password.assert_problem(StatusCode::UNAUTHORIZED, "invalid_credentials");
    let closed = server.send(Method::DELETE, "/v1/me", Some(&token), Some(json!({}))).await;
    assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
    assert_eq!(closed.body["erased"], true);

    let again = google_sign_in(&server, "yuna@example.test", CONSENTS).await;
    assert_session(&again, true);
    assert_ne!(again.body["account_id"], first_id.as_str(), "a new member");
}

/// Someone sets the victim's address on a provider account and signs up with it; the owner of the
/// address resets the password and so takes the account over, and the provider that created it
/// no longer signs in without that password.
async fn a_first_password_by_reset_unlinks_the_providers(profile: &Profile) {
    let Some(provider) = OidcProviderServer::start(&[REDIRECT_URI]) else { return };
    let server = start_with_google(profile, &provider).await;
    let created = google_sign_in(&server, "hyejin@example.test", CONSENTS).await;
    assert_session(&created, true);

    let asked = server
        .send(Method::POST, "/v1/password-resets", None, Some(json!({"email": "hyejin@example.test"})))
        .await;
    assert_eq!(asked.status, StatusCode::ACCEPTED);
    let outbox = server.data_dir().join("outbox");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    let mail = loop {
        let found = std::fs::read_dir(&outbox).ok().and_then(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|entry| entry.path().extension().is_some_and(|extension| extension == "eml"))
                .find_map(|entry| std::fs::read_to_string(entry.path()).ok())
        });
        if let Some(raw) = found {
            break jangteo_test_support::readable_mail(&raw);
        }
        assert!(std::time::Instant::now() < deadline, "no reset mail within 30 s");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let link = "/password-reset#token=";
    let start = mail.find(link).unwrap() + link.len();
    let token: String =
        mail[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_')).collect();
    let set = server
        .send(
            Method::POST,
            &format!("/v1/password-resets/{token}"),
            None,
            Some(json!({"password": PASSWORD})),
        )
        .await;
    assert_eq!(set.status, StatusCode::NO_CONTENT, "{}", set.body);

    let offer = google_sign_in(&server, "hyejin@example.test", "").await;
    assert_eq!(offer.status, StatusCode::OK, "{}", offer.body);
    assert_eq!(offer.body["link_required"], true, "the provider links again only with the password");
}

on_both_profiles!(
    a_first_password_by_reset_unlinks_the_providers_embedded,
    a_first_password_by_reset_unlinks_the_providers_postgres,
    a_first_password_by_reset_unlinks_the_providers
);

on_both_profiles!(
    a_member_without_a_password_closes_the_account_by_a_fresh_sign_in_embedded,
    a_member_without_a_password_closes_the_account_by_a_fresh_sign_in_postgres,
    a_member_without_a_password_closes_the_account_by_a_fresh_sign_in
);
