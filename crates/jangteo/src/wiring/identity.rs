//! The identity store (members' data keys, credentials, sessions, single-use tokens, second
//! factors) and the vault over it: in the
//! event log's PostgreSQL database (schema `identity`) when one is configured, else in
//! `identity.sqlite` under the data dir; the master key from `JANGTEO_MASTER_KEY` or generated
//! into the data dir.

use std::sync::Arc;

use anyhow::{Context, Result};
use jangteo_app::{
    Accounts, Clock, Listings, MemberData, Mfa, PasswordResets, PhoneVerifications, Profiles, Queries,
    Sessions, SignIns, SocialLogins, SystemClock, UnitOfWork,
};
use jangteo_identity::{
    CredentialStore, KeyStore, MaintenanceSteps, MasterKey, MemberErasure, MfaStore, OneTimeTokenStore,
    PersonalDataVault, PhoneVerificationStore, SessionStore, SignInLog, SocialLoginStore,
    postgres::PostgresIdentityStore, sqlite::SqliteIdentityStore,
};

use crate::{config::Config, secrets};

/// What the accounts and sessions services are built from.
pub(crate) struct Identity {
    pub(crate) vault: PersonalDataVault,
    pub(crate) credentials: Arc<dyn CredentialStore>,
    pub(crate) sessions: Arc<dyn SessionStore>,
    pub(crate) steps: Arc<dyn MaintenanceSteps>,
    pub(crate) sign_ins: Arc<dyn SignInLog>,
    pub(crate) tokens: Arc<dyn OneTimeTokenStore>,
    pub(crate) mfa: Arc<dyn MfaStore>,
    pub(crate) erasure: Arc<dyn MemberErasure>,
    pub(crate) phones: Arc<dyn PhoneVerificationStore>,
    pub(crate) social: Arc<dyn SocialLoginStore>,
}

/// Connections of the identity store's PostgreSQL pool: sign-ins and the session check of every
/// authenticated request go through it.
const POSTGRES_CONNECTIONS: u32 = 8;

pub(crate) fn master_key(config: &Config) -> Result<MasterKey> {
    let text = match &config.master_key {
        Some(key) => key.expose().to_owned(),
        None => String::from_utf8(secrets::load_or_create(&config.data_dir, secrets::MASTER_KEY_FILE)?)
            .context("the master-key file is not text")?,
    };
    MasterKey::parse(&text)
        .context("reading the master key (JANGTEO_MASTER_KEY or master-key in the data dir)")
}

/// The identity store as each of the ports it implements.
struct Stores {
    keys: Arc<dyn KeyStore>,
    credentials: Arc<dyn CredentialStore>,
    sessions: Arc<dyn SessionStore>,
    steps: Arc<dyn MaintenanceSteps>,
    sign_ins: Arc<dyn SignInLog>,
    tokens: Arc<dyn OneTimeTokenStore>,
    mfa: Arc<dyn MfaStore>,
    erasure: Arc<dyn MemberErasure>,
    phones: Arc<dyn PhoneVerificationStore>,
    social: Arc<dyn SocialLoginStore>,
}

impl Stores {
    fn of<S>(store: S) -> Self
    where
        S: KeyStore
            + CredentialStore
            + SessionStore
            + MaintenanceSteps
            + SignInLog
            + OneTimeTokenStore
            + MfaStore
            + MemberErasure
            + PhoneVerificationStore
            + SocialLoginStore,
    {
        let store = Arc::new(store);
        Self {
            keys: store.clone(),
            credentials: store.clone(),
            sessions: store.clone(),
            steps: store.clone(),
            sign_ins: store.clone(),
            tokens: store.clone(),
            mfa: store.clone(),
            erasure: store.clone(),
            phones: store.clone(),
            social: store,
        }
    }
}

pub(crate) async fn open_identity(config: &Config) -> Result<Identity> {
    let master = master_key(config)?;
    let stores = if let Some(url) = &config.database_url {
        Stores::of(
            PostgresIdentityStore::connect(url.expose(), POSTGRES_CONNECTIONS)
                .await
                .context("connecting the identity store to PostgreSQL (JANGTEO_DATABASE_URL)")?,
        )
    } else {
        let path = config.data_dir.join("identity.sqlite");
        Stores::of(
            SqliteIdentityStore::open(&path).await.with_context(|| format!("opening {}", path.display()))?,
        )
    };
    let vault = PersonalDataVault::open(stores.keys, master)
        .await
        .context("opening the vault of members' data keys")?;
    Ok(Identity {
        vault,
        credentials: stores.credentials,
        sessions: stores.sessions,
        steps: stores.steps,
        sign_ins: stores.sign_ins,
        tokens: stores.tokens,
        mfa: stores.mfa,
        erasure: stores.erasure,
        phones: stores.phones,
        social: stores.social,
    })
}

/// The services of members' accounts: sign-up, profiles, sessions, sign-in with its second
/// factor, social sign-in, and password resets.
pub(crate) struct MemberServices {
    pub(crate) accounts: Accounts,
    pub(crate) profiles: Profiles,
    pub(crate) sessions: Sessions,
    pub(crate) sign_ins: SignIns,
    pub(crate) password_resets: PasswordResets,
    pub(crate) mfa: Mfa,
    pub(crate) phone_verifications: PhoneVerifications,
    pub(crate) social_logins: SocialLogins,
}

impl MemberServices {
    pub(crate) fn new(config: &Config, uow: &UnitOfWork, identity: &Identity) -> Result<Self> {
        let clock: Arc<dyn Clock> = Arc::new(SystemClock);
        let accounts = Accounts::new(uow, &identity.vault, Arc::clone(&identity.credentials))
            .with_consent_policy(config.consent_policy()?)
            .with_member_erasure(Arc::clone(&identity.erasure));
        let sessions = Sessions::new(Arc::clone(&identity.sessions), Arc::clone(&clock));
        let mfa = Mfa::new(&accounts, &identity.vault, Arc::clone(&identity.mfa), Arc::clone(&clock));
        let password_resets = PasswordResets::new(
            &accounts,
            Arc::clone(&identity.tokens),
            &sessions,
            super::mail::mailer(config)?,
            Arc::clone(&clock),
            &config.public_url,
        )
        .with_linked_identities(Arc::clone(&identity.social));
        let sign_ins = SignIns::new(
            &accounts,
            &mfa,
            Arc::clone(&identity.tokens),
            Arc::clone(&identity.sign_ins),
            Arc::clone(&clock),
        );
        let social_logins = SocialLogins::new(
            config.social_login.providers()?,
            config.social_login.redirect_uris(config),
            Arc::clone(&identity.social),
            &accounts,
            &sign_ins,
            clock,
        );
        let profiles = Profiles::new(&accounts, uow, &identity.vault, Arc::new(SystemClock));
        let phone_verifications = PhoneVerifications::new(
            uow,
            &identity.vault,
            Arc::clone(&identity.phones),
            super::mail::sms_sender(config)?,
            Arc::new(SystemClock),
        );
        Ok(Self {
            accounts,
            profiles,
            sessions,
            sign_ins,
            password_resets,
            mfa,
            phone_verifications,
            social_logins,
        })
    }

    /// The member's export and erasure, over these services and the read models' queries.
    pub(crate) fn member_data(&self, queries: &Queries, listings: &Listings, uow: &UnitOfWork) -> MemberData {
        MemberData::new(&jangteo_app::MemberServices {
            accounts: &self.accounts,
            profiles: &self.profiles,
            queries,
            listings,
            sessions: &self.sessions,
            sign_ins: &self.sign_ins,
            mfa: &self.mfa,
            social_logins: &self.social_logins,
            uow,
        })
    }
}
