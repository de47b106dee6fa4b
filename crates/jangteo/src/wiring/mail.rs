//! Members' mail: SMTP when `JANGTEO_SMTP_URL` names a server, else the outbox, one `.eml` file
//! per mail under `<data_dir>/outbox/`.

use std::sync::Arc;

use anyhow::{Context, Result};
use jangteo_mail::{Mailer, outbox::OutboxMailer, smtp::SmtpMailer};

use crate::config::Config;

pub(crate) fn mailer(config: &Config) -> Result<Arc<dyn Mailer>> {
    let mailer: Arc<dyn Mailer> = if let Some(url) = &config.smtp_url {
        Arc::new(
            SmtpMailer::new(url.expose(), &config.mail_from)
                .context("setting up SMTP (JANGTEO_SMTP_URL, JANGTEO_MAIL_FROM)")?,
        )
    } else {
        let dir = config.data_dir.join("outbox");
        Arc::new(
            OutboxMailer::open(&dir, &config.mail_from)
                .with_context(|| format!("opening the mail outbox {}", dir.display()))?,
        )
    };
    tracing::info!(mailer = %mailer.describe(), "members' mail");
    Ok(mailer)
}
