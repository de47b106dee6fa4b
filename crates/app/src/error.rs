//! Errors of the application layer.

use jangteo_domain::{DomainError, EventCodecError};
use jangteo_event_store::EventStoreError;
use jangteo_read_models::ReadModelError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The domain refused the command.
    #[error(transparent)]
    Domain(#[from] DomainError),

    /// The object does not exist or is not visible to the actor (never says which).
    #[error("not found")]
    NotFound,

    /// The e-mail is registered already.
    #[error("this e-mail address is already registered")]
    EmailTaken,

    /// Unknown e-mail or wrong password (never says which).
    #[error("invalid e-mail or password")]
    InvalidCredentials,

    /// Too many failed sign-ins for this e-mail address or from this IP address lately.
    #[error("too many failed sign-ins; retry in {} s", retry_after.as_secs().max(1))]
    TooManyAttempts { retry_after: std::time::Duration },

    /// The refresh token is unknown, expired, or its session has ended.
    #[error("the refresh token is invalid or expired")]
    InvalidRefreshToken,

    /// A refresh token was presented a second time: someone holds a copy, so its whole session
    /// was ended.
    #[error("this refresh token was used already; its session has been ended")]
    RefreshTokenReused,

    /// A password-reset token is unknown, used, or expired.
    #[error("this password-reset link is invalid, used or expired; ask for a new one")]
    InvalidResetToken,

    /// A second-factor challenge token (from `POST /v1/sessions`) is unknown, used, or expired.
    #[error("this sign-in challenge is invalid, used or expired; sign in again")]
    InvalidMfaToken,

    /// The request needs a recent sign-in (within 10 minutes) and this session's is older.
    #[error("this needs a recent sign-in: sign in again and retry within 10 minutes")]
    FreshSignInRequired,

    /// A TOTP code or recovery code is wrong, or was used before.
    #[error("the code is wrong or was used already")]
    InvalidMfaCode,

    /// A TOTP factor is on already; turn it off first to set up another.
    #[error("two-factor sign-in is on already")]
    MfaAlreadyEnabled,

    /// There is no TOTP factor being set up to confirm.
    #[error("no two-factor setup to confirm; start one with POST /v1/me/mfa/totp")]
    MfaNotPending,

    /// Two-factor sign-in is not on.
    #[error("two-factor sign-in is not on")]
    MfaNotEnabled,

    /// A wrong phone-verification code; a try is spent.
    #[error("the code is wrong; {attempts_left} tries left")]
    InvalidPhoneCode { attempts_left: u32 },

    /// No phone verification is under way: none was started, it expired, or its tries are spent.
    #[error(
        "no phone verification is under way (none started, expired, or out of tries); ask for a new code"
    )]
    NoPhoneVerification,

    /// The member cannot close the account while one of their orders is in progress.
    #[error("an order of yours is still in progress; close the account once it is finished or cancelled")]
    OpenTrades,

    /// Social sign-in with this provider is not configured here (or there is no such provider).
    #[error("signing in with this provider is not available here")]
    SocialProviderNotConfigured,

    /// The redirect URI is not one this deployment registered.
    #[error("the redirect URI is not one of the registered ones")]
    InvalidRedirectUri,

    /// The provider's answer matches no authorization request under way: its `state` is unknown,
    /// used or expired, or it came from another provider or issuer.
    #[error("this sign-in answer matches no request under way; start the sign-in again")]
    InvalidOAuthState,

    /// The provider refused the request (its error code): the person declined, for one.
    #[error("the provider refused the sign-in: {0}")]
    SocialSignInDenied(String),

    /// The provider vouched for no e-mail address, and none of its identities is linked yet.
    #[error("the provider did not vouch for an e-mail address; a member cannot be created without one")]
    VerifiedEmailRequired,

    /// A first social sign-in creates a member, and that takes the sign-up's consents.
    #[error("this sign-in creates a member: start it again with the consents of sign-up")]
    ConsentRequired,

    /// A link offer is unknown, used or expired.
    #[error("this link offer is invalid, used or expired; sign in with the provider again")]
    InvalidLinkToken,

    /// The identity provider failed or refused.
    #[error(transparent)]
    SocialLogin(#[from] jangteo_social_login::SocialLoginError),

    /// An idempotency key was reused for a different request.
    #[error("this idempotency key was used for a different request")]
    IdempotencyKeyReused,

    /// A checkout met listings no longer on sale; the orders it had placed were cancelled.
    #[error("listings of the cart are no longer on sale: {}", listing_list(.0))]
    ListingsTaken(Vec<jangteo_domain::ListingId>),

    /// More password hashes are queued than this process takes on: retry in a moment.
    #[error("too many sign-ins at once; retry in a moment")]
    Overloaded,

    /// Optimistic concurrency kept failing: the aggregate is too busy right now.
    #[error("the object was changed concurrently too many times; retry")]
    Contention,

    /// The payment gateway refused or failed.
    #[error(transparent)]
    Payment(#[from] jangteo_payments::PaymentError),

    /// A photo was refused (its format, size or structure) or could not be stored.
    #[error(transparent)]
    Photo(#[from] jangteo_media::MediaError),

    /// The geocoder could not name a place (Kakao Local down, refusing our key, or answering
    /// what its documentation does not describe).
    #[error(transparent)]
    Geocoder(jangteo_geo::GeoError),

    /// Read models did not reach the requested position in time.
    #[error("read models have not caught up with position {0} yet")]
    NotCaughtUp(u64),

    #[error("event store: {0}")]
    Store(#[from] EventStoreError),

    #[error("read model: {0}")]
    ReadModel(#[from] ReadModelError),

    #[error("identity store: {0}")]
    Identity(#[from] jangteo_identity::IdentityError),

    #[error("stored event cannot be decoded: {0}")]
    Codec(#[from] EventCodecError),

    /// Something that should not fail did: `what` was being done, `source` is why.
    #[error("internal error: {what}: {source}")]
    Internal {
        what: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl From<jangteo_read_models::NotCaughtUp> for AppError {
    fn from(late: jangteo_read_models::NotCaughtUp) -> Self {
        AppError::NotCaughtUp(late.position)
    }
}

impl AppError {
    /// An internal failure while doing `what`, keeping its cause.
    pub fn internal(what: &'static str, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        AppError::Internal { what, source: source.into() }
    }
}

fn listing_list(listings: &[jangteo_domain::ListingId]) -> String {
    listings.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}
