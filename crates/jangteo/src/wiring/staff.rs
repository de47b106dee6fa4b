//! Operators' commands:
//! * `jangteo grant-role`: give an account a role (or take it back) from the command line, as the
//!   system. This is how the first admin is made; admins then grant roles over the API
//!   (`POST /v1/admin/members/{id}/roles`).
//! * `jangteo rotate-master-key`: wrap every data key (and the vault's own keys) under a new
//!   master key, in one transaction.

use anyhow::{Context, Result, bail};
use jangteo_app::{Accounts, UnitOfWork};
use jangteo_domain::{Email, account::AccountRole};
use jangteo_identity::MasterKey;

use super::ensure_data_dir;
use crate::config::Config;

pub async fn grant_role(config: &Config, email: &str, role: &str) -> Result<()> {
    let Some(role) = AccountRole::parse(role) else {
        bail!("--role {role} is not one of member, dispute_agent, admin");
    };
    let email = Email::parse(email).map_err(|error| anyhow::anyhow!("--email {error}"))?;
    ensure_data_dir(config)?;
    let super::Stores { log, identity } = super::open_stores(config).await?;
    let account = Accounts::new(&UnitOfWork::new(log, 0), &identity.vault, identity.credentials)
        .grant_role(&email, role)
        .await
        .with_context(|| format!("granting {role:?} to {}", email.as_str()))?;
    println!("account {account} now has the role {role:?}");
    Ok(())
}

/// Re-wraps every key under the master key `JANGTEO_NEW_MASTER_KEY` names, or, when the current
/// one was generated into the data dir, under a fresh one written there. Run it with every
/// process of the deployment stopped: they hold the old key, and start again with the new one.
pub async fn rotate_master_key(config: &Config, new_key: Option<&str>) -> Result<()> {
    ensure_data_dir(config)?;
    let identity = super::identity::open_identity(config).await?;
    let in_data_dir = config.master_key.is_none();
    let next_text = match (new_key, in_data_dir) {
        (Some(text), _) => text.trim().to_owned(),
        (None, true) => MasterKey::generate().context("generating a master key")?.1,
        (None, false) => bail!(
            "JANGTEO_MASTER_KEY is set: give the new key in JANGTEO_NEW_MASTER_KEY (32 bytes, hex or base64)"
        ),
    };
    let next = MasterKey::parse(&next_text).context("reading JANGTEO_NEW_MASTER_KEY")?;
    // Kept beside the old one before anything is rewrapped: if this command stops after the
    // rewrap's commit, the new key is in `master-key.next`, not lost.
    let pending = config.data_dir.join(format!("{}.next", crate::secrets::MASTER_KEY_FILE));
    if in_data_dir {
        crate::secrets::write_owner_only(&pending, &next_text)?;
    }
    let count = identity.vault.rotate_master_key(&next).await.context("re-wrapping the keys")?;
    if in_data_dir {
        crate::secrets::replace(&config.data_dir, crate::secrets::MASTER_KEY_FILE, &next_text)?;
        println!(
            "re-wrapped {count} keys under a new master key, now in {}",
            config.data_dir.join(crate::secrets::MASTER_KEY_FILE).display()
        );
    } else {
        println!(
            "re-wrapped {count} keys under the new master key: start every process with it as JANGTEO_MASTER_KEY"
        );
    }
    Ok(())
}
