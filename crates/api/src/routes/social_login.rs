//! Social sign-in (Google, Kakao, Naver): the authorization-code flow with PKCE, `state` and
//! `nonce` (the application layer's `SocialLogins` holds the flow; this is its HTTP face).
//!
//! A client sends the person's browser to `GET /v1/oauth/{provider}/authorize`, which redirects
//! it to the provider; the provider sends it back to the redirect URI with `code` and `state`,
//! and `GET /v1/oauth/{provider}/callback` with those answers the session. Every answer that
//! carries a token or a secret-bearing redirect is `Cache-Control: no-store`.

use actix_web::{HttpRequest, HttpResponse, http::header, web};
use jangteo_app::{ConsentAnswers, PlainPassword, ProviderAnswer, SignInStep, SocialSignIn};
use jangteo_domain::{ValidationError, consent::ConsentVersion};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    ApiError, ApiState,
    routes::{
        Fields,
        sessions::{MfaChallenge, Session, client_of, no_store},
    },
};

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct AuthorizeParams {
    /// Where the provider sends the browser back: one of the redirect URIs this deployment
    /// registered (`JANGTEO_OAUTH_REDIRECT_URIS`; by default its own callback of the provider).
    #[param(example = "https://jangteo.example/v1/oauth/google/callback")]
    redirect_uri: String,
    /// The version of the terms of use agreed to: needed when this sign-in creates the member
    /// (send it with `privacy` from a sign-up screen; a returning member needs neither).
    #[param(example = "2026-12-01")]
    terms: Option<String>,
    /// The version of the privacy policy agreed to, with `terms`.
    #[param(example = "2026-12-01")]
    privacy: Option<String>,
    /// Whether a member this sign-in creates wants marketing messages (default `false`).
    marketing: Option<bool>,
}

/// The `terms`/`privacy` pair: both or neither.
fn consents_of(params: &AuthorizeParams) -> Result<Option<ConsentAnswers>, ApiError> {
    let mut fields = Fields::new();
    let version = |fields: &mut Fields, field: &'static str, raw: &str| {
        fields.check(
            ConsentVersion::parse(raw)
                .map_err(|_| ValidationError::new(field, "must be 1-32 letters, digits, '.', '-' or '_'")),
        )
    };
    let answers = match (&params.terms, &params.privacy) {
        (None, None) => None,
        (Some(terms), Some(privacy)) => {
            let terms = version(&mut fields, "terms", terms);
            let privacy = version(&mut fields, "privacy", privacy);
            terms.zip(privacy).map(|(terms, privacy)| ConsentAnswers {
                terms,
                privacy,
                marketing: params.marketing.unwrap_or(false),
            })
        }
        (terms, _) => {
            let missing = if terms.is_some() { "privacy" } else { "terms" };
            fields.check::<()>(Err(ValidationError::new(missing, "is required with the other consent")));
            None
        }
    };
    fields.finish()?;
    Ok(answers)
}

/// Start signing in with a provider: a redirect to its sign-in page.
#[utoipa::path(
    get, path = "/v1/oauth/{provider}/authorize", operation_id = "social_sign_in_authorize", tag = "accounts",
    params(
        ("provider" = String, Path, description = "`google`, `kakao` or `naver`", pattern = "^(google|kakao|naver)$"),
        AuthorizeParams,
    ),
    responses(
        (status = 302, description = "To the provider's sign-in page, with `state`, a PKCE challenge (S256) \
            and, for OpenID Connect, a `nonce`; the request waits 10 minutes for the answer.",
            headers(("Location" = String, description = "The provider's authorization URL"))),
        (status = 400, description = "- `invalid_redirect_uri`: not one of the registered redirect URIs"),
        (status = 404, description = "- `social_provider_not_configured`: no such provider, or it is not \
            configured here"),
        (status = 422, description = "- `validation_failed`: `terms` without `privacy` (or the other way), or \
            versions not in force (`GET /v1/consents/current`)"),
        (status = 502, description = "- `social_provider_unavailable`: the provider's discovery document \
            could not be read"),
    ),
)]
pub(crate) async fn authorize(
    state: web::Data<ApiState>,
    provider: web::Path<String>,
    params: web::Query<AuthorizeParams>,
) -> Result<HttpResponse, ApiError> {
    let consents = consents_of(&params)?;
    let url = state.social_logins.authorize(&provider, &params.redirect_uri, consents).await?;
    Ok(no_store(HttpResponse::Found()).insert_header((header::LOCATION, url)).finish())
}

/// What the provider sent back. Providers add parameters of their own (Google's `scope`,
/// `authuser`, `prompt`), so unknown ones are ignored.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct CallbackParams {
    /// The `state` of the authorization request.
    state: String,
    /// The authorization code; absent when the provider sent an `error`.
    code: Option<String>,
    /// The provider's refusal (`access_denied`: the person declined).
    error: Option<String>,
    /// The issuer that answered (RFC 9207); when present it must be the provider's.
    iss: Option<String>,
}

/// Signed in with a provider: a new session, and whether this sign-in created the member.
#[derive(Serialize, ToSchema)]
pub(crate) struct SocialSession {
    #[serde(flatten)]
    session: Session,
    /// `true` when this sign-in created the member.
    created: bool,
}

/// The provider's address is an existing member's: their password links the provider.
#[derive(Serialize, ToSchema)]
pub(crate) struct LinkRequired {
    #[schema(examples(true))]
    link_required: bool,
    /// Single-use, valid 10 minutes: send it with the member's password to `POST /v1/oauth/links`.
    link_token: String,
}

/// Where a social sign-in stands, as an answer: a session (`201`), or the second factor or the
/// member's password asked for (`200`).
async fn finish(state: &ApiState, outcome: SocialSignIn) -> Result<HttpResponse, ApiError> {
    Ok(match outcome {
        SocialSignIn::SignedIn { step: SignInStep::Complete(account), created, .. } => {
            let tokens = state.sessions.start(account).await?;
            let session = Session::issue(state, &tokens)?;
            no_store(HttpResponse::Created()).json(SocialSession { session, created })
        }
        SocialSignIn::SignedIn { step: SignInStep::MfaRequired { mfa_token }, .. } => {
            no_store(HttpResponse::Ok()).json(MfaChallenge::new(mfa_token))
        }
        SocialSignIn::LinkRequired { link_token } => {
            no_store(HttpResponse::Ok()).json(LinkRequired { link_required: true, link_token })
        }
    })
}

/// Finish signing in with a provider: the `code` and `state` it sent the browser back with.
#[utoipa::path(
    get, path = "/v1/oauth/{provider}/callback", operation_id = "social_sign_in_callback", tag = "accounts",
    params(
        ("provider" = String, Path, description = "`google`, `kakao` or `naver`", pattern = "^(google|kakao|naver)$"),
        CallbackParams,
    ),
    responses(
        (status = 201, description = "Signed in: a new session. A first sign-in whose provider vouches for an \
            e-mail address no member has creates the member (`created: true`).", body = SocialSession),
        (status = 200, description = "The member has two-factor sign-in on (finish at `POST /v1/sessions/mfa`), \
            or the provider's address is an existing member's, whose password links the provider \
            (`POST /v1/oauth/links`).", body = SocialStep),
        (status = 400, description = "- `invalid_oauth_state`: the `state` is unknown, used or expired, or the \
            answer came from another provider or issuer\n- `social_sign_in_denied`: the provider sent an \
            `error` (the person declined)\n- `social_code_refused`: the provider refused the code"),
        (status = 404, description = "- `social_provider_not_configured`: no such provider here"),
        (status = 422, description = "- `consent_required`: this sign-in creates a member; start again with \
            the consents (`terms`, `privacy`) at authorize\n- `verified_email_required`: the provider vouched \
            for no e-mail address\n- `validation_failed`: no `code` and no `error`"),
        (status = 502, description = "- `social_provider_unavailable`: the provider could not be reached\n\
            - `social_provider_invalid_answer`: its ID token or answer did not check out"),
    ),
)]
pub(crate) async fn callback(
    state: web::Data<ApiState>,
    provider: web::Path<String>,
    params: web::Query<CallbackParams>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let answer =
        ProviderAnswer { state: params.state, code: params.code, error: params.error, iss: params.iss };
    let outcome = state.social_logins.callback(&provider, &answer, &client_of(&request)).await?;
    finish(&state, outcome).await
}

/// The two `200` answers of a social sign-in.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code, reason = "the schema of an answer built from its parts")]
pub(crate) enum SocialStep {
    Mfa(MfaChallenge),
    Link(LinkRequired),
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LinkBody {
    /// From the callback's `link_required` answer.
    link_token: String,
    /// The existing member's password.
    password: String,
}

/// Link a provider to an existing member by their password, and sign in.
#[utoipa::path(
    post, path = "/v1/oauth/links", operation_id = "social_sign_in_link", tag = "accounts",
    request_body = LinkBody,
    responses(
        (status = 201, description = "Linked and signed in (`created: false`); from now on the provider \
            signs the member in directly.", body = SocialSession),
        (status = 200, description = "Linked; the member has two-factor sign-in on: finish at \
            `POST /v1/sessions/mfa`.", body = MfaChallenge),
        (status = 400, description = "- `invalid_link_token`: unknown, used or expired"),
        (status = 401, description = "- `invalid_credentials`: a wrong password (the link offer stays good; \
            the attempt counts toward the lockout)"),
        (status = 429, description = "- `too_many_attempts`: 5 failed attempts within 15 minutes",
            headers(("Retry-After" = u64, description = "Seconds until an attempt is taken again"))),
    ),
)]
pub(crate) async fn link(
    state: web::Data<ApiState>,
    body: web::Json<LinkBody>,
    request: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let Ok(password) = PlainPassword::parse(&body.password) else {
        return Err(jangteo_app::AppError::InvalidCredentials.into());
    };
    let outcome = state.social_logins.confirm_link(&body.link_token, password, &client_of(&request)).await?;
    finish(&state, outcome).await
}
