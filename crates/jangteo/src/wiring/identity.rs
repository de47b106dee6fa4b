//! The identity store (members' data keys, credentials, sessions) and the vault over it: in the
//! event log's PostgreSQL database (schema `identity`) when one is configured, else in
//! `identity.sqlite` under the data dir; the master key from `JANGTEO_MASTER_KEY` or generated
//! into the data dir.

use std::sync::Arc;

use anyhow::{Context, Result};
use jangteo_identity::{
    CredentialStore, KeyStore, MaintenanceSteps, MasterKey, PersonalDataVault, SessionStore, SignInLog,
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

type Ports = (
    Arc<dyn KeyStore>,
    Arc<dyn CredentialStore>,
    Arc<dyn SessionStore>,
    Arc<dyn MaintenanceSteps>,
    Arc<dyn SignInLog>,
);

pub(crate) async fn open_identity(config: &Config) -> Result<Identity> {
    let master = master_key(config)?;
    let (keys, credentials, sessions, steps, sign_ins): Ports = if let Some(url) = &config.database_url {
        let store = Arc::new(
            PostgresIdentityStore::connect(url.expose(), POSTGRES_CONNECTIONS)
                .await
                .context("connecting the identity store to PostgreSQL (JANGTEO_DATABASE_URL)")?,
        );
        (store.clone(), store.clone(), store.clone(), store.clone(), store)
    } else {
        let path = config.data_dir.join("identity.sqlite");
        let store = Arc::new(
            SqliteIdentityStore::open(&path).await.with_context(|| format!("opening {}", path.display()))?,
        );
        (store.clone(), store.clone(), store.clone(), store.clone(), store)
    };
    let vault =
        PersonalDataVault::open(keys, master).await.context("opening the vault of members' data keys")?;
    Ok(Identity { vault, credentials, sessions, steps, sign_ins })
}
