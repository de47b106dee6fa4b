//! `jangteo grant-role`: operators give an account a role (or take it back) from the command line,
//! as the system. This is how the first admin is made; admins then grant roles over the API
//! (`POST /v1/admin/members/{id}/roles`).

use anyhow::{Context, Result, bail};
use jangteo_app::{Accounts, UnitOfWork};
use jangteo_domain::{Email, account::AccountRole};

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
