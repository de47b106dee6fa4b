//! `jangteo grant-role`: operators give staff the dispute-agent role (or take it back). Roles are
//! never granted over the public API.

use anyhow::{Context, Result, bail};
use jangteo_app::{Accounts, UnitOfWork};
use jangteo_domain::{Email, account::AccountRole};

use super::ensure_data_dir;
use crate::config::Config;

pub async fn grant_role(config: &Config, email: &str, role: &str) -> Result<()> {
    let role = match role {
        "dispute_agent" => AccountRole::DisputeAgent,
        "member" => AccountRole::Member,
        other => bail!("--role {other} is not one of dispute_agent, member"),
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
