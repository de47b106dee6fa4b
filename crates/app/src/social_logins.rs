//! Signing in with Google, Kakao or Naver (the authorization-code flow with PKCE, `state` and,
//! for OpenID Connect, `nonce`).
//!
//! [`SocialLogins::authorize`] makes the request's secrets, keeps them under the digest of its
//! `state` for [`AUTHORIZATION_LIFETIME`], and answers where to send the browser.
//! [`SocialLogins::callback`] takes that step back once (a replayed or forged `state` finds
//! nothing), refuses an answer meant for another provider or naming another issuer (RFC 9207),
//! trades the code, and then:
//! * the provider's identity is linked to a member: that member signs in;
//! * it is not, and the provider vouches for an e-mail address no member has: a member is
//!   created with it (the sign-up's consents were sent with the authorization request);
//! * the address is an existing member's: nothing is linked yet. A link token is answered, and
//!   only the member's password ([`SocialLogins::confirm_link`], under the sign-in lockout) links
//!   the identity, so that whoever controls an account elsewhere with the same address cannot
//!   take over the member's.
//!
//! A member with two-factor sign-in on is asked for their code after a social sign-in as after a
//! password. Provider subjects are kept as blind indexes, never in the clear, and never in the
//! event log.

use std::{collections::BTreeMap, sync::Arc};

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::Duration;
use jangteo_domain::{AccountId, DomainError, Email, Nickname, ValidationError, consent::ConsentVersion};
use jangteo_identity::{LinkedIdentity, PendingPurpose, SocialLoginStore, TokenDigest, crypto::random_token};
use jangteo_social_login::{AuthorizationRequest, ExternalProfile, IdentityProvider, ProviderName};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    Accounts, AppError, Clock, ConsentAnswers, PlainPassword, SignInStep, SignIns, accounts::Enrolment,
    sign_ins::ClientInfo,
};

/// How long an authorization request waits for the provider's answer.
pub const AUTHORIZATION_LIFETIME: Duration = Duration::minutes(10);
/// How long a link offer waits for the member's password.
pub const LINK_LIFETIME: Duration = Duration::minutes(10);

/// What the provider sent the browser back with.
#[derive(Debug, Clone, Default)]
pub struct ProviderAnswer {
    pub state: String,
    pub code: Option<String>,
    /// The provider's refusal (`access_denied`: the person said no).
    pub error: Option<String>,
    /// The issuer that answered (RFC 9207), when the provider names it.
    pub iss: Option<String>,
}

/// Where a social sign-in stands.
#[derive(Clone, PartialEq, Eq)]
pub enum SocialSignIn {
    /// The member is known: signed in (or challenged for their second factor). `created` says
    /// whether this sign-in created them.
    SignedIn { step: SignInStep, account: AccountId, created: bool },
    /// The provider's address is an existing member's: their password links the identity
    /// ([`SocialLogins::confirm_link`]).
    LinkRequired { link_token: String },
}

impl std::fmt::Debug for SocialSignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SocialSignIn::SignedIn { step, account, created } => f
                .debug_struct("SignedIn")
                .field("step", step)
                .field("account", account)
                .field("created", created)
                .finish(),
            SocialSignIn::LinkRequired { .. } => f.write_str("LinkRequired(<redacted>)"),
        }
    }
}

/// The authorization request's secrets, kept until the provider answers.
#[derive(Serialize, Deserialize)]
struct PendingAuthorization {
    provider: String,
    nonce: String,
    code_verifier: String,
    redirect_uri: String,
    consents: Option<PendingConsents>,
}

#[derive(Serialize, Deserialize)]
struct PendingConsents {
    terms: String,
    privacy: String,
    marketing: bool,
}

/// A link waiting for the member's password.
#[derive(Serialize, Deserialize)]
struct PendingLink {
    provider: String,
    subject_index: String,
    account: Uuid,
}

#[derive(Clone)]
pub struct SocialLogins {
    providers: Arc<BTreeMap<ProviderName, Arc<dyn IdentityProvider>>>,
    redirect_uris: Arc<Vec<String>>,
    store: Arc<dyn SocialLoginStore>,
    accounts: Accounts,
    sign_ins: SignIns,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for SocialLogins {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SocialLogins").field("providers", &self.providers.keys()).finish_non_exhaustive()
    }
}

fn random_text() -> Result<String, AppError> {
    Ok(URL_SAFE_NO_PAD.encode(random_token()?))
}

fn encode<T: Serialize>(pending: &T) -> Result<String, AppError> {
    serde_json::to_string(pending).map_err(|error| AppError::internal("keeping a social sign-in step", error))
}

fn decode<T: serde::de::DeserializeOwned>(payload: &str) -> Result<T, AppError> {
    serde_json::from_str(payload).map_err(|error| AppError::internal("reading a social sign-in step", error))
}

impl SocialLogins {
    /// Sign-in with `providers`, sending browsers back only to one of `redirect_uris` (exactly).
    pub fn new(
        providers: Vec<Arc<dyn IdentityProvider>>,
        redirect_uris: Vec<String>,
        store: Arc<dyn SocialLoginStore>,
        accounts: &Accounts,
        sign_ins: &SignIns,
        clock: Arc<dyn Clock>,
    ) -> Self {
        let providers = providers.into_iter().map(|provider| (provider.name(), provider)).collect();
        Self {
            providers: Arc::new(providers),
            redirect_uris: Arc::new(redirect_uris),
            store,
            accounts: accounts.clone(),
            sign_ins: sign_ins.clone(),
            clock,
        }
    }

    fn provider(&self, name: &str) -> Result<&Arc<dyn IdentityProvider>, AppError> {
        ProviderName::parse(name)
            .and_then(|name| self.providers.get(&name))
            .ok_or(AppError::SocialProviderNotConfigured)
    }

    /// Starts a sign-in at `provider`: the address to send the person's browser to. `consents`
    /// are the sign-up's, used if this sign-in creates the member (checked now against the
    /// versions in force).
    pub async fn authorize(
        &self,
        provider: &str,
        redirect_uri: &str,
        consents: Option<ConsentAnswers>,
    ) -> Result<String, AppError> {
        let provider = self.provider(provider)?;
        if !self.redirect_uris.iter().any(|allowed| allowed == redirect_uri) {
            return Err(AppError::InvalidRedirectUri);
        }
        if let Some(consents) = &consents {
            self.accounts.check_consents(consents)?;
        }
        let request = AuthorizationRequest {
            state: random_text()?,
            nonce: random_text()?,
            code_verifier: random_text()?,
            redirect_uri: redirect_uri.to_owned(),
        };
        let pending = PendingAuthorization {
            provider: provider.name().as_str().to_owned(),
            nonce: request.nonce.clone(),
            code_verifier: request.code_verifier.clone(),
            redirect_uri: request.redirect_uri.clone(),
            consents: consents.map(|consents| PendingConsents {
                terms: consents.terms.as_str().to_owned(),
                privacy: consents.privacy.as_str().to_owned(),
                marketing: consents.marketing,
            }),
        };
        let url = provider.authorization_url(&request).await?;
        let now = self.clock.now();
        self.store
            .put_pending(
                &TokenDigest::of(&request.state),
                PendingPurpose::Authorization,
                None,
                &encode(&pending)?,
                now,
                now + AUTHORIZATION_LIFETIME,
            )
            .await?;
        Ok(url)
    }

    /// Takes the provider's answer to a request [`SocialLogins::authorize`] made.
    pub async fn callback(
        &self,
        provider: &str,
        answer: &ProviderAnswer,
        client: &ClientInfo,
    ) -> Result<SocialSignIn, AppError> {
        let provider = self.provider(provider)?;
        let payload = self
            .store
            .take_pending(&TokenDigest::of(&answer.state), PendingPurpose::Authorization, self.clock.now())
            .await?
            .ok_or(AppError::InvalidOAuthState)?;
        let pending: PendingAuthorization = decode(&payload)?;
        // An answer for a request made to another provider (a mix-up attack) is no answer.
        if pending.provider != provider.name().as_str() {
            return Err(AppError::InvalidOAuthState);
        }
        if let (Some(iss), Some(issuer)) = (&answer.iss, provider.issuer().await?)
            && *iss != issuer
        {
            return Err(AppError::InvalidOAuthState);
        }
        if let Some(error) = &answer.error {
            return Err(AppError::SocialSignInDenied(error.chars().take(64).collect()));
        }
        let code = answer.code.as_deref().ok_or_else(|| {
            DomainError::Invalid(ValidationError::new(
                "code",
                "is required unless the provider sent an error",
            ))
        })?;
        let request = AuthorizationRequest {
            state: answer.state.clone(),
            nonce: pending.nonce.clone(),
            code_verifier: pending.code_verifier.clone(),
            redirect_uri: pending.redirect_uri.clone(),
        };
        let profile = provider.exchange(code, &request).await?;
        self.sign_in_with(provider.name(), &profile, pending.consents, client).await
    }

    async fn sign_in_with(
        &self,
        provider: ProviderName,
        profile: &ExternalProfile,
        consents: Option<PendingConsents>,
        client: &ClientInfo,
    ) -> Result<SocialSignIn, AppError> {
        let subject_index = self.accounts.subject_index(provider.as_str(), &profile.subject);
        if let Some(account) = self.store.identity_owner(provider.as_str(), &subject_index).await? {
            if self.accounts.is_present(account).await? {
                let step = self.sign_ins.sign_in_vouched(account, client).await?;
                return Ok(SocialSignIn::SignedIn { step, account, created: false });
            }
            // Linked to a member whose sign-up never reached the log (a crash between the two,
            // below): the link names no one, and goes.
            self.store.unlink_identities(account).await?;
        }
        let email = match &profile.email {
            Some(email) if profile.email_verified => {
                Email::parse(email).map_err(|_| AppError::VerifiedEmailRequired)?
            }
            _ => return Err(AppError::VerifiedEmailRequired),
        };
        if let Some(existing) = self.accounts.owner_of(&email).await?
            && !self.accounts.is_erased(existing).await?
        {
            return self.offer_link(provider, subject_index, existing).await;
        }
        let consents = consents.ok_or(AppError::ConsentRequired)?;
        let consents = ConsentAnswers {
            terms: ConsentVersion::parse(&consents.terms).map_err(DomainError::Invalid)?,
            privacy: ConsentVersion::parse(&consents.privacy).map_err(DomainError::Invalid)?,
            marketing: consents.marketing,
        };
        let nickname = nickname_from(provider, profile);
        // The link first, under the new member's id, then the member: a member created by a
        // provider is never left without the link it signs in by. A crash in between leaves a
        // link to no one, which the next sign-in clears (above).
        let account = AccountId::from_uuid(Uuid::now_v7());
        if !self.store.link_identity(provider.as_str(), &subject_index, account, self.clock.now()).await? {
            // Another sign-in of the same person linked it a moment before this one (two
            // authorization requests in flight at once): retry, and sign in whom it made.
            return Err(AppError::Contention);
        }
        let enrolment = Enrolment { email, nickname, consents };
        if let Err(error) = self.accounts.register_without_password(account, &enrolment).await {
            self.store.unlink_identities(account).await?;
            return Err(error);
        }
        tracing::info!(%account, provider = provider.as_str(), "member created by a social sign-in");
        let step = self.sign_ins.sign_in_vouched(account, client).await?;
        Ok(SocialSignIn::SignedIn { step, account, created: true })
    }

    async fn offer_link(
        &self,
        provider: ProviderName,
        subject_index: String,
        account: AccountId,
    ) -> Result<SocialSignIn, AppError> {
        let link_token = random_text()?;
        let pending =
            PendingLink { provider: provider.as_str().to_owned(), subject_index, account: account.as_uuid() };
        let now = self.clock.now();
        self.store
            .put_pending(
                &TokenDigest::of(&link_token),
                PendingPurpose::Link,
                Some(account),
                &encode(&pending)?,
                now,
                now + LINK_LIFETIME,
            )
            .await?;
        Ok(SocialSignIn::LinkRequired { link_token })
    }

    /// Links the identity a link offer is for to its member, given the member's password
    /// (checked under the sign-in lockout: a wrong one counts as a failed sign-in and leaves the
    /// offer good), and signs them in.
    pub async fn confirm_link(
        &self,
        link_token: &str,
        password: PlainPassword,
        client: &ClientInfo,
    ) -> Result<SocialSignIn, AppError> {
        let digest = TokenDigest::of(link_token);
        let payload = self
            .store
            .pending(&digest, PendingPurpose::Link, self.clock.now())
            .await?
            .ok_or(AppError::InvalidLinkToken)?;
        let pending: PendingLink = decode(&payload)?;
        let account = AccountId::from_uuid(pending.account);
        self.sign_ins
            .guarded(account, client, async {
                if self.accounts.check_password(account, password).await? {
                    Ok(())
                } else {
                    Err(AppError::InvalidCredentials)
                }
            })
            .await?;
        if self.store.take_pending(&digest, PendingPurpose::Link, self.clock.now()).await?.is_none() {
            return Err(AppError::InvalidLinkToken);
        }
        let linked = self
            .store
            .link_identity(&pending.provider, &pending.subject_index, account, self.clock.now())
            .await?;
        let owner = self.store.identity_owner(&pending.provider, &pending.subject_index).await?;
        if !linked && owner != Some(account) {
            return Err(AppError::InvalidLinkToken);
        }
        tracing::info!(%account, provider = pending.provider, "provider identity linked by the member's password");
        let step = self.sign_ins.sign_in_vouched(account, client).await?;
        Ok(SocialSignIn::SignedIn { step, account, created: false })
    }

    /// The providers linked to the member.
    pub async fn linked(&self, account: AccountId) -> Result<Vec<LinkedIdentity>, AppError> {
        Ok(self.store.identities_of(account).await?)
    }
}

/// The new member's nickname: the provider's name for them when it makes a valid one (cut to the
/// longest a nickname may be), else the provider's name and a few characters of randomness.
fn nickname_from(provider: ProviderName, profile: &ExternalProfile) -> Nickname {
    let from_profile = profile
        .name
        .as_deref()
        .map(|name| name.trim().chars().take(20).collect::<String>())
        .and_then(|name| Nickname::parse(&name).ok());
    from_profile.unwrap_or_else(|| {
        let suffix: String = Uuid::new_v4().simple().to_string().chars().take(6).collect();
        #[allow(clippy::expect_used, reason = "a provider name and six hex digits make 11-12 characters")]
        Nickname::parse(&format!("{provider}-{suffix}")).expect("a valid nickname")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(name: Option<&str>) -> ExternalProfile {
        ExternalProfile {
            subject: "s".to_owned(),
            email: None,
            email_verified: false,
            name: name.map(str::to_owned),
        }
    }

    #[test]
    fn a_nickname_comes_from_the_profile_or_is_made_up() {
        assert_eq!(nickname_from(ProviderName::Kakao, &profile(Some("  민지 "))).as_str(), "민지");
        let long = nickname_from(ProviderName::Google, &profile(Some(&"가".repeat(30))));
        assert_eq!(long.as_str().chars().count(), 20);
        let made_up = nickname_from(ProviderName::Naver, &profile(Some("x")));
        assert!(made_up.as_str().starts_with("naver-"), "{}", made_up.as_str());
        assert!(nickname_from(ProviderName::Google, &profile(None)).as_str().starts_with("google-"));
    }
}
