//! The signed-in member's own account, its changes, and their sign-in record; and what anyone
//! sees of a member.

use actix_web::{HttpResponse, web};
use jangteo_app::{ErasureConfirmation, PlainPassword, Profile, ProfileChanges};
use jangteo_domain::{AccountId, Edit, Nickname, PhoneNumber, PostalAddress, ValidationError};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use super::{Fields, neighbourhood_verification::NeighbourhoodBadge};
use crate::{
    ApiError, ApiState,
    auth::{Authenticated, CurrentSession},
};

/// The member's own account.
#[derive(Serialize, ToSchema)]
pub(crate) struct MyAccount {
    #[schema(value_type = uuid::Uuid)]
    account_id: jangteo_domain::AccountId,
    email: String,
    nickname: String,
    #[schema(examples("member"), pattern = "^(member|dispute_agent|admin)$")]
    role: &'static str,
    /// `010-1234-5678`, or `null` when none is given.
    #[schema(required)]
    phone: Option<String>,
    /// Whether the phone number was confirmed by a code sent to it.
    phone_verified: bool,
    /// The delivery address on file, or `null`.
    #[schema(required)]
    address: Option<String>,
}

impl From<Profile> for MyAccount {
    fn from(profile: Profile) -> Self {
        Self {
            account_id: profile.account_id,
            email: profile.email,
            nickname: profile.nickname,
            role: profile.role.as_str(),
            phone: profile.phone,
            phone_verified: profile.phone_verified,
            address: profile.address,
        }
    }
}

/// The signed-in member's own account, their personal data opened for them alone.
#[utoipa::path(
    get, path = "/v1/me", operation_id = "me", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, description = "The member's account.", body = MyAccount)),
)]
pub(crate) async fn me(
    state: web::Data<ApiState>,
    Authenticated(member): Authenticated,
) -> Result<HttpResponse, ApiError> {
    let profile = state.accounts.profile(member).await?;
    Ok(HttpResponse::Ok().json(MyAccount::from(profile)))
}

/// A field that may be absent (kept), `null` (removed) or a value (set).
#[derive(Default)]
enum FieldEdit {
    #[default]
    Keep,
    Set(String),
    Remove,
}

impl<'de> Deserialize<'de> for FieldEdit {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(Option::<String>::deserialize(deserializer)?.map_or(FieldEdit::Remove, FieldEdit::Set))
    }
}

impl FieldEdit {
    fn parse<T>(
        self,
        parse: impl Fn(&str) -> Result<T, ValidationError>,
    ) -> Result<Edit<T>, ValidationError> {
        Ok(match self {
            FieldEdit::Keep => Edit::Keep,
            FieldEdit::Set(text) => Edit::Set(parse(&text)?),
            FieldEdit::Remove => Edit::Remove,
        })
    }
}

/// The fields to change; absent ones stay as they are, `null` removes a phone or an address.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProfileBody {
    #[schema(min_length = 2, max_length = 20)]
    nickname: Option<String>,
    /// A Korean mobile number (`010-1234-5678`, `01012345678`, `+82 10 1234 5678`); a new number
    /// is unconfirmed until verified.
    #[serde(default)]
    #[schema(value_type = Option<String>, examples("010-1234-5678"))]
    phone: FieldEdit,
    /// 2–200 characters on one line.
    #[serde(default)]
    #[schema(value_type = Option<String>, examples("서울특별시 마포구 월드컵북로 396"))]
    address: FieldEdit,
}

/// The member's account after a change, and the log position of its last event.
#[derive(Serialize, ToSchema)]
pub(crate) struct ChangedAccount {
    #[serde(flatten)]
    account: MyAccount,
    position: u64,
}

/// Change the member's nickname, phone number or delivery address. Each is sealed under the
/// member's data key before it reaches the log; nothing is appended for what is unchanged.
#[utoipa::path(
    patch, path = "/v1/me", operation_id = "change_me", tag = "accounts",
    security(("bearer" = [])),
    request_body = ProfileBody,
    responses(
        (status = 200, description = "The member's account as it is now.", body = ChangedAccount),
        (status = 422, description = "- `validation_failed`: a nickname of other than 2–20 characters, a \
            phone number that is not a Korean mobile number, an address of other than 2–200 characters"),
    ),
)]
pub(crate) async fn change(
    state: web::Data<ApiState>,
    Authenticated(member): Authenticated,
    body: web::Json<ProfileBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let mut fields = Fields::new();
    let nickname = fields.check(body.nickname.as_deref().map(Nickname::parse).transpose());
    let phone = fields.check(body.phone.parse(PhoneNumber::parse));
    let address = fields.check(body.address.parse(PostalAddress::parse));
    fields.finish()?;
    let changes = ProfileChanges {
        nickname: nickname.flatten(),
        phone: phone.unwrap_or_default(),
        address: address.unwrap_or_default(),
    };
    let (profile, receipt) = state.profiles.change(member, changes).await?;
    Ok(HttpResponse::Ok()
        .json(ChangedAccount { account: MyAccount::from(profile), position: receipt.position }))
}

/// What anyone sees of a member: their nickname, since when they trade, and their record.
#[derive(Serialize, ToSchema)]
pub(crate) struct MemberCard {
    #[schema(value_type = uuid::Uuid)]
    pub(crate) account_id: AccountId,
    /// `null` once the member closed their account.
    #[schema(required)]
    pub(crate) nickname: Option<String>,
    pub(crate) joined_at: chrono::DateTime<chrono::Utc>,
    /// Sales the member completed as seller.
    pub(crate) completed_sales: u64,
    /// Purchases the member completed as buyer.
    pub(crate) completed_purchases: u64,
    pub(crate) phone_verified: bool,
    /// Their 동네 인증 while it counts (30 days), or `null`.
    #[schema(required)]
    pub(crate) neighbourhood: Option<NeighbourhoodBadge>,
    /// The member closed their account; their trades stay as records.
    pub(crate) erased: bool,
}

/// A member's public profile, for anyone (no token needed).
#[utoipa::path(
    get, path = "/v1/members/{account_id}", operation_id = "get_member", tag = "accounts",
    security((), ("bearer" = [])),
    params(("account_id" = uuid::Uuid, Path)),
    responses(
        (status = 200, description = "The member's public profile.", body = MemberCard),
        (status = 404, description = "- `not_found`: no such member"),
    ),
)]
pub(crate) async fn member(
    state: web::Data<ApiState>,
    path: web::Path<AccountId>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(member_card(&state, path.into_inner()).await?))
}

/// What anyone sees of `account` (REST and GraphQL answer with this).
pub(crate) async fn member_card(state: &ApiState, account: AccountId) -> Result<MemberCard, ApiError> {
    let profile = state.profiles.public(account).await?;
    let record = state.queries.trade_record(account).await?;
    Ok(MemberCard {
        account_id: profile.account_id,
        nickname: profile.nickname,
        joined_at: profile.joined_at,
        completed_sales: record.completed_sales,
        completed_purchases: record.completed_purchases,
        phone_verified: profile.phone_verified,
        neighbourhood: profile.neighbourhood.map(NeighbourhoodBadge::from),
        erased: profile.erased,
    })
}

/// One sign-in attempt with the member's e-mail address.
#[derive(Serialize, ToSchema)]
pub(crate) struct SignInEntry {
    at: chrono::DateTime<chrono::Utc>,
    #[schema(examples("succeeded"), pattern = "^(succeeded|failed|locked|mfa_required|mfa_failed)$")]
    outcome: &'static str,
    ip: Option<String>,
    user_agent: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub(crate) struct SignInHistory {
    /// Newest first, at most 50.
    sign_ins: Vec<SignInEntry>,
}

/// The member's own sign-in attempts, failed and refused ones included: a way to notice someone
/// else trying.
#[utoipa::path(
    get, path = "/v1/me/sign-ins", operation_id = "my_sign_ins", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, description = "The newest sign-in attempts with the member's e-mail.",
        body = SignInHistory)),
)]
pub(crate) async fn sign_ins(
    state: web::Data<ApiState>,
    Authenticated(member): Authenticated,
) -> Result<HttpResponse, ApiError> {
    let records = state.sign_ins.history(member).await?;
    Ok(HttpResponse::Ok().json(SignInHistory {
        sign_ins: records
            .into_iter()
            .map(|record| SignInEntry {
                at: record.at,
                outcome: record.outcome.as_str(),
                ip: record.ip,
                user_agent: record.user_agent,
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct CloseBody {
    /// The member's password, asked again for this; a member without one (signed up through a
    /// provider) leaves it out and must have signed in within the last 10 minutes.
    password: Option<String>,
}

/// The account closed, and the log position of `AccountErased`.
#[derive(Serialize, ToSchema)]
pub(crate) struct ClosedAccount {
    #[schema(value_type = uuid::Uuid)]
    account_id: AccountId,
    erased: bool,
    position: u64,
}

/// Close the account and erase the member (개인정보보호법 / GDPR right to erasure): their data key
/// is destroyed, so what the log sealed of them no longer opens; their trades stay as records,
/// naming an erased member. Every session ends, listings on sale are withdrawn, and the e-mail
/// address may sign up again as a new member.
#[utoipa::path(
    delete, path = "/v1/me", operation_id = "close_account", tag = "accounts",
    security(("bearer" = [])),
    request_body = CloseBody,
    responses(
        (status = 200, description = "The account is closed and erased.", body = ClosedAccount),
        (status = 401, description = "- `invalid_credentials`: not the member's password\n\
            - `fresh_sign_in_required`: a member without a password (signed up through a provider) closes \
            the account within 10 minutes of signing in"),
        (status = 409, description = "- `open_trades`: an order of the member's is in progress"),
        (status = 422, description = "- `validation_failed`: no `password` from a member who has one"),
        (status = 429, description = "- `too_many_attempts`: 5 failed attempts (sign-ins, passwords, codes) \
            within 15 minutes for the member's address",
            headers(("Retry-After" = u64, description = "Seconds until an attempt is taken again"))),
    ),
)]
pub(crate) async fn close(
    state: web::Data<ApiState>,
    current: CurrentSession,
    request: actix_web::HttpRequest,
    body: web::Json<CloseBody>,
) -> Result<HttpResponse, ApiError> {
    let member = current.account;
    let confirmation = match &body.password {
        Some(password) => ErasureConfirmation::Password(
            PlainPassword::parse(password).map_err(|_| jangteo_app::AppError::InvalidCredentials)?,
        ),
        None => ErasureConfirmation::FreshSignIn(current.session),
    };
    let client = super::sessions::client_of(&request);
    let receipt =
        state.sign_ins.guarded(member, &client, state.member_data.erase(member, confirmation)).await?;
    Ok(HttpResponse::Ok().json(ClosedAccount {
        account_id: member,
        erased: true,
        position: receipt.position,
    }))
}

/// Everything Jangteo holds about the member, their personal data opened: account, consents,
/// sign-ins, second factor (never its secret), listings, orders and favourites.
#[utoipa::path(
    get, path = "/v1/me/export", operation_id = "export_my_data", tag = "accounts",
    security(("bearer" = [])),
    responses((status = 200, description = "The member's data as JSON (a download).", body = Object)),
)]
pub(crate) async fn export(
    state: web::Data<ApiState>,
    Authenticated(member): Authenticated,
) -> Result<HttpResponse, ApiError> {
    let data = state.member_data.export(member).await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            "attachment; filename=\"jangteo-my-data.json\"",
        ))
        .json(data))
}
